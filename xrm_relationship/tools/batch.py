# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One way for scheduled jobs to walk many records: batches, commits, resume."""

from odoo import fields
from odoo.fields import Domain
from odoo.tools import SQL


def relationships_sql(done_field=None, as_of=None):
    """SQL: ids of the active relationships (commercial entities), by id.

    With ``done_field`` (a Date column of res_partner that the job writes),
    only those not done on ``as_of`` yet: a stopped run resumes there and a
    finished day is not redone.
    """
    query = SQL(
        "SELECT id FROM res_partner WHERE active AND id = commercial_partner_id"
    )
    if done_field:
        query = SQL(
            "%s AND (%s IS NULL OR %s < %s)",
            query,
            SQL.identifier(done_field),
            SQL.identifier(done_field),
            as_of,
        )
    return SQL("%s ORDER BY id", query)


def run_in_batches(
    model,
    todo,
    process,
    *,
    batch_size,
    logger,
    label,
    on_failure=None,
    on_complete=None,
):
    """Run ``process(batch)`` over the records still to do, batch by batch.

    :param model: the model walked (a recordset; its env is used)
    :param todo: what is still to do, read once at the start: an SQL query
        selecting ids (in the order to process them) or a domain on ``model``.
        Records a batch has done must no longer match it, so that a run
        stopped by the cron's time budget (or killed) resumes where it stopped
        when Odoo calls the job again.
    :param process: callable taking one batch (a recordset of ``model``)
    :param logger: the caller's logger: a failing batch is logged there (with
        ``label``) and rolled back to its savepoint; the others go on
    :param on_failure: optional callable given a failed batch, after its rollback
    :param on_complete: optional callable run (and committed) once every
        batch ran, not when the time budget stopped the run
    :return: how many records were to do
    """
    env = model.env
    if isinstance(todo, SQL):
        env.flush_all()
        ids = [row[0] for row in env.execute_query(todo)]
    else:
        ids = model.search(Domain(todo), order="id").ids
    Cron = env["ir.cron"]
    Cron._commit_progress(remaining=len(ids))
    for index in range(0, len(ids), batch_size):
        batch = model.browse(ids[index : index + batch_size])
        try:
            with env.cr.savepoint():
                process(batch)
        except Exception:
            logger.exception(
                "%s: batch starting at %s %s failed", label, model._name, batch[:1].id
            )
            if on_failure:
                on_failure(batch)
        if not Cron._commit_progress(len(batch)):
            break  # out of time: Odoo calls the job again for the rest
        # Committed: what the batch read need not stay in the cache (a million
        # relationships would, batch after batch, in one worker's memory).
        env.invalidate_all()
    else:
        if on_complete:
            on_complete()
            Cron._commit_progress()
    return len(ids)


def run_daily_on_relationships(env, done_field, process, *, batch_size, logger, label):
    """Run ``process(batch, as_of)`` over every active relationship, once a day.

    Resumable: the relationships whose ``done_field`` already says today are
    left out, so a stopped run goes on where it stopped and a finished day is
    not redone. Returns how many were still to do.
    """
    Partner = env["res.partner"]
    as_of = fields.Date.context_today(Partner)
    return run_in_batches(
        Partner,
        relationships_sql(done_field, as_of),
        lambda batch: process(batch, as_of),
        batch_size=batch_size,
        logger=logger,
        label=label,
    )


def id_array(ids):
    """SQL: an id list as one ``int4[]`` literal, for ``= ANY(...)``.

    A plain list is spelled ARRAY[1, 2, ...]: each mention of a batch of
    5,000 ids is thousands of constants to parse and coerce, tens of
    milliseconds per statement before any row is read. One text literal is
    converted once, and the planner sees the same array.
    """
    return SQL("%s::int4[]", "{%s}" % ",".join(str(int(i)) for i in ids))


def without_jit(cr):
    """Plan the rest of this transaction without JIT compilation.

    The engines' set-based statements (CTEs over an id list) get row
    estimates in the millions, far above PostgreSQL's JIT threshold, so each
    one spent seconds compiling for milliseconds of work: the fixed cost that
    made a small incremental night cost as much as a large part of a full one.
    The KPI statements and the dashboard's scans pay the same, at ten times
    the data, on every call. (Allowed on a read-only standby too.)
    """
    cr.execute(SQL("SET LOCAL jit = off"))
