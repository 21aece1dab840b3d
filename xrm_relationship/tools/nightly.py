# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Nightly jobs whose cost follows the day's changes, not the database size.

Each nightly job (health, tiers, churn scoring, early warnings) keeps a
watermark in a system parameter ``xrm_relationship.nightly.<job>``: when its
last complete run started (database clock, what ``write_date`` is compared
with), the as-of date or instant it ran for, and a fingerprint of its rules.
The next run recomputes only the relationships whose inputs were written
since then (``write_date``), deleted or reassigned since then (the
``xrm.nightly.change`` rows), or whose window moved past one of their inputs
between the two as-of positions. When the watermark is missing, the rules'
fingerprint differs, or the caller asks for it, the run is full.
"""

import hashlib
import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.tools import SQL

from .batch import id_array, relationships_sql, run_in_batches

PARAM = "xrm_relationship.nightly.%s"
# One advisory lock for the batches of every nightly job ("xrmN").
BATCH_LOCK = 0x78726D4E
JOBS = ("health", "tiers", "churn_score", "warnings")
# A transaction still open when a run starts may commit rows dated (write_date
# is the transaction's start) before that run: each run looks back this much.
SAFETY_MARGIN = timedelta(hours=1)


def fingerprint(value):
    """A short stable digest of the rules a job's results depend on."""
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def moved(column, before, after):
    """SQL: ``column`` lies between two positions of one moving window edge.

    Inclusive on both ends: recomputing one relationship too many is harmless,
    one too few is not.
    """
    low, high = sorted([before, after])
    return SQL("%s BETWEEN %s AND %s", column, low, high)


def passed(column, before, after):
    """SQL: ``column`` lies in [before, after), sorted: the rows a reading of
    ``column < edge`` starts (or stops) seeing when the edge moves.

    Exact where ``moved`` is generous: for a date read with ``<`` the upper
    end of ``moved`` is a whole day of rows the reading does not see yet.
    """
    low, high = sorted([before, after])
    return SQL("(%s >= %s AND %s < %s)", column, low, column, high)


def record_changes(env, partner_ids, warnings_only=False):
    """Remember relationships whose inputs changed in a way no write_date shows.

    Deletions, reassignments, and figures the engines write in raw SQL. One
    insert, no read, and no user columns: their two foreign-key checks were
    three quarters of the cost of a batch whose 5,000 colours all changed
    (a first computation). With
    ``warnings_only``, what changed is read by the early warnings alone (a
    health colour, a churn risk, a warning done): health, tiers and churn
    scoring do not recompute for it, as no input of theirs moved.
    """
    ids = sorted({pid for pid in partner_ids if pid})
    if not ids:
        return
    env.cr.execute(
        SQL(
            """
            INSERT INTO xrm_nightly_change
                   (partner_id, warnings_only, create_date, write_date)
            SELECT unnest(%(ids)s), %(only)s,
                   NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
            """,
            ids=id_array(ids),
            only=bool(warnings_only),
        )
    )


def changes_sql(since, warnings=False):
    """SQL partner ids recorded by ``record_changes`` since ``since``: the
    inputs changed, and with ``warnings`` the figures the warnings read too."""
    return SQL(
        "SELECT partner_id FROM xrm_nightly_change WHERE write_date >= %s%s",
        since,
        SQL() if warnings else SQL(" AND warnings_only IS NOT TRUE"),
    )


def changed_ids(env, changed):
    """The partner ids ``changed`` (SQL) selects, read on their own: nested in
    a statement that joins them to ``res_partner``, the planner takes them
    for many and scans every partner; as a list, each is one key lookup."""
    env.flush_all()
    return [pid for (pid,) in env.execute_query(changed)]


def _read(env, job):
    raw = env["ir.config_parameter"].sudo().get_param(PARAM % job)
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {}  # damaged: a full run rewrites it


def _write(env, job, mark):
    env["ir.config_parameter"].sudo().set_param(PARAM % job, json.dumps(mark))


class NightlyRun:
    """One run of a nightly job: full or incremental, and its watermark.

    ``as_of`` is a date (health, tiers) or a datetime (churn, warnings);
    ``rules`` the fingerprint of the job's rules.
    """

    def __init__(self, env, job, as_of, rules, full=False):
        self.env = env
        self.job = job
        self.as_of = as_of
        self.rules = rules
        mark = _read(env, job)
        pending = mark.get("pending") or {}
        day = str(as_of.date() if isinstance(as_of, datetime) else as_of)
        # What the watermark will say this run covered: a resumed run keeps
        # the first attempt's start and as-of, so nothing between falls out.
        self.covered = str(as_of)
        self.resuming = pending.get("day") == day and pending.get("rules") == rules
        if self.resuming:
            # A run of this day was stopped: resume it, with its own start
            # (changes after it are the next run's) and its own mode.
            self.started = fields.Datetime.to_datetime(pending["started"])
            self.covered = pending["as_of"]
            self.full = pending["full"] or full
        else:
            self.started = env.cr.now()
            self.full = bool(
                full or not mark.get("since") or mark.get("rules") != rules
            )
        self.since = (
            None
            if self.full
            else fields.Datetime.to_datetime(mark["since"]) - SAFETY_MARGIN
        )
        self.previous = None if self.full else mark.get("as_of")
        # What the last complete run left for this one (the job's own keys);
        # a full run starts from nothing.
        self.state = {} if self.full else mark.get("state") or {}
        mark["pending"] = {
            "day": day,
            "as_of": self.covered,
            "rules": rules,
            "started": fields.Datetime.to_string(self.started),
            "full": self.full,
        }
        _write(env, job, mark)

    @property
    def mode(self):
        return "full" if self.full else "incremental"

    def todo_sql(self, changed, done_field=None, date=None):
        """SQL ids of the relationships to compute, by id.

        ``changed``: SQL selecting the partner ids (any, their commercial
        entity is taken) whose inputs changed; ignored by a full run. It is
        read first (``changed_ids``), then the relationships by primary key.
        Only a resumed run leaves out the relationships ``done_field`` says
        were done on ``date``: this run's first attempt did them, after its
        start. A new run trusts no earlier computation of the day: figures
        computed before its start may miss changes made since.
        """
        if not self.resuming:
            done_field = None
        if self.full:
            return relationships_sql(done_field, date)
        query = SQL(
            "SELECT p.id FROM res_partner p WHERE p.active"
            " AND p.id = p.commercial_partner_id"
            " AND p.id IN (SELECT c.commercial_partner_id FROM res_partner c"
            " WHERE c.id = ANY(%s))",
            id_array(changed_ids(self.env, changed)),
        )
        if done_field:
            query = SQL(
                "%s AND (p.%s IS NULL OR p.%s < %s)",
                query,
                SQL.identifier(done_field),
                SQL.identifier(done_field),
                date,
            )
        return SQL("%s ORDER BY p.id", query)

    def finish(self, state=None):
        """Move the watermark to this run's start: the next run starts there.

        ``state``: what the job wants its next run to know (JSON).
        """
        mark = {
            "since": fields.Datetime.to_string(self.started),
            "as_of": self.covered,
            "rules": self.rules,
            "mode": self.mode,
        }
        if state:
            mark["state"] = state
        _write(self.env, self.job, mark)
        self._forget_old_changes()

    def _forget_old_changes(self):
        """Drop the change rows every job has read already."""
        marks = [_read(self.env, job).get("since") for job in JOBS]
        if not all(marks):
            return
        oldest = min(fields.Datetime.to_datetime(m) for m in marks)
        self.env.cr.execute(
            SQL(
                "DELETE FROM xrm_nightly_change WHERE write_date < %s",
                oldest - 2 * SAFETY_MARGIN,
            )
        )


def lock_batch(env):
    """Wait until no other nightly job's batch is writing relationships.

    With two cron threads (the README's production setting), health, tiers
    and churn scoring would update the same res_partner rows at once, each in
    the order its plan takes: a deadlock aborts one of the batches. Their
    batches take turns instead; the lock is held until the batch commits.
    """
    env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", BATCH_LOCK))


def run_nightly_on_relationships(
    env,
    job,
    *,
    as_of,
    rules,
    changed,
    done_field,
    done_date,
    process,
    full,
    batch_size,
    logger,
    label,
):
    """Run ``process(batch)`` over the relationships a nightly run must compute.

    ``changed(run)``: SQL of the partner ids whose inputs changed since
    ``run.since`` or whose windows moved from ``run.previous`` to ``run.as_of``.
    Resumable as the full runs are: the relationships done on ``done_date``
    are left out, and the watermark only moves once every batch ran. A
    failing batch is remembered as changed, so the next run retries it.
    """
    run = NightlyRun(env, job, as_of, rules, full=full)
    todo = run.todo_sql(
        None if run.full else changed(run), done_field=done_field, date=done_date
    )
    logger.info("%s: %s run", label, run.mode)

    def locked(batch):
        lock_batch(env)
        process(batch)

    return run_in_batches(
        env["res.partner"],
        todo,
        locked,
        batch_size=batch_size,
        logger=logger,
        label=label,
        on_failure=lambda batch: record_changes(env, batch.ids),
        on_complete=run.finish,
    )
