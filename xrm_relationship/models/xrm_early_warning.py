# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, plaintext2html

from ..tools.batch import id_array, without_jit
from ..tools.nightly import NightlyRun, changed_ids, changes_sql, fingerprint, moved
from ..tools.rules import no_meaningful_contact_sql, stage_overdue_sql
from ..tools.settings import xrm_setting, xrm_setting_number

# Warnings opened or closed per committed step: the first run on a million
# relationships opens hundreds of thousands, which in one create ran out of
# a worker's memory.
WARNING_BATCH = 1000
# The open warnings among activities (``mail_activity``, alias optional).
OPEN_WARNING = (
    "{a}res_model = 'res.partner' AND {a}xrm_warning_kind IS NOT NULL AND {a}active"
)


def _urgency_since(since):
    """The stage date's epoch as a sort key: none sorts last (as SQL's ASC)."""
    return float("inf") if since is None else since


class XrmEarlyWarning(models.AbstractModel):
    """Partner-level early warnings (SPEC § KPIs) and their activities.

    No meaningful contact for N days, health turning red, stage overdue,
    churn risk at or above the Settings threshold:
    one activity per partner and kind for the partner's salesperson, never
    duplicated, marked done when the warning no longer holds; at most the
    Settings' number open per salesperson, the most urgent first.
    """

    _name = "xrm.early.warning"
    _description = "Relationship Early Warnings"

    @api.model
    def _xrm_no_contact_limit(self, now):
        """Before this instant, no meaningful contact raises a warning."""
        days = int(xrm_setting(self.env, "warning_no_contact_days", "60") or 60)
        return now - timedelta(days=days)

    @api.model
    def _xrm_warning_cap(self):
        """Open warnings a salesperson may have at once (Settings)."""
        return max(xrm_setting_number(self.env, "warning_max_open", 50, int), 1)

    @api.model
    def _xrm_warning_conditions(self, now):
        """{kind: SQL condition on the partner ``p`` in its stage ``s``}.

        In the order of urgency: red health, churn risk, stage overdue, no
        contact (within one kind, the longest in their stage first).
        """
        limit = self._xrm_no_contact_limit(now)
        return {
            "health_red": SQL("p.xrm_health = 'red'"),
            "churn_risk": SQL(
                "p.xrm_churn_risk >= %s", self.env["xrm.churn.model"]._xrm_threshold()
            ),
            "stage_overdue": stage_overdue_sql("p", "s", now),
            "no_contact": SQL(
                "(p.xrm_stage_date < %s AND %s)",
                limit,
                no_meaningful_contact_sql("p", limit),
            ),
        }

    @api.model
    def _xrm_warning_query(self, select, where, tail):
        """SQL over the relationships that may have warnings (alias ``p``).

        ``tail``: SQL joined after the partner, its stage and salesperson.
        """
        self.env.flush_all()
        without_jit(self.env.cr)
        return SQL(
            """
            SELECT %(select)s
              FROM res_partner p
              JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
              JOIN res_users u ON u.id = p.user_id AND u.active
              %(tail)s
             WHERE p.active AND p.id = p.commercial_partner_id
               AND s.is_churn IS NOT TRUE AND %(where)s
            """,
            select=select,
            tail=tail,
            where=where,
        )

    @api.model
    def _xrm_warning_candidates(self, now=None, partner_ids=None):
        """{(partner_id, kind): (salesperson_id, rank, since)} of warnings that hold.

        With ``partner_ids``, only those partners' warnings. ``rank`` (the
        kind) and ``since`` (the stage date) say how urgent: lower first.
        """
        conditions = self._xrm_warning_conditions(now or fields.Datetime.now())
        kinds = SQL(", ").join(
            SQL("(%s, %s, %s)", name, rank, condition)
            for rank, (name, condition) in enumerate(conditions.items())
        )
        where = SQL("kind.holds")
        if partner_ids is not None:
            # no "all OR ids" test: the planner must see the id list
            where = SQL("%s AND p.id = ANY(%s)", where, id_array(partner_ids))
        self.env.cr.execute(
            self._xrm_warning_query(
                SQL(
                    "p.id, p.user_id, kind.name, kind.rank,"
                    " EXTRACT(EPOCH FROM p.xrm_stage_date)"
                ),
                where,
                SQL("CROSS JOIN LATERAL (VALUES %s) AS kind(name, rank, holds)", kinds),
            )
        )
        return {
            (pid, kind): (user_id, rank, _urgency_since(since))
            for pid, user_id, kind, rank, since in self.env.cr.fetchall()
        }

    @api.model
    def _xrm_warnings_next(self, now, free):
        """The most urgent warnings not open of the salespeople in ``free``.

        ``free``: {salesperson_id: free slots}. Kind by kind, most urgent
        first, each kind's query ranked and cut in SQL, until the slots are
        filled: a salesperson with thousands waiting costs one indexed
        query of red relationships, not a reading of every relationship.
        Returns the candidates as ``_xrm_warning_candidates`` does, and the
        salespeople whose slots are all taken (more may wait).
        """
        found = {}
        free = {uid: slots for uid, slots in free.items() if slots > 0}
        filled = set()
        for rank, (kind, condition) in enumerate(
            self._xrm_warning_conditions(now).items()
        ):
            if not free:
                break
            users = sorted(free)
            self.env.cr.execute(
                SQL(
                    """
                    SELECT user_id, id, since FROM (%s) ranked WHERE n <= slots
                    """,
                    self._xrm_warning_query(
                        SQL(
                            "p.user_id, p.id, EXTRACT(EPOCH FROM p.xrm_stage_date)"
                            " AS since, f.slots, ROW_NUMBER() OVER ("
                            "PARTITION BY p.user_id ORDER BY p.xrm_stage_date, p.id"
                            ") AS n"
                        ),
                        SQL(
                            "%s AND NOT EXISTS (SELECT 1 FROM mail_activity a"
                            " WHERE %s AND a.res_id = p.id"
                            " AND a.xrm_warning_kind = %s)",
                            condition,
                            SQL(OPEN_WARNING.format(a="a.")),
                            kind,
                        ),
                        SQL(
                            "JOIN unnest(%s::int[], %s::int[]) AS f(user_id, slots)"
                            " ON f.user_id = p.user_id",
                            users,
                            [free[uid] for uid in users],
                        ),
                    ),
                )
            )
            for user_id, pid, since in self.env.cr.fetchall():
                found[pid, kind] = (user_id, rank, _urgency_since(since))
                free[user_id] -= 1
            filled |= {uid for uid, slots in free.items() if not slots}
            free = {uid: slots for uid, slots in free.items() if slots > 0}
        return found, filled

    @api.model
    def _xrm_open_warnings(self, partner_ids=None):
        """{(partner_id, kind): activity id} of the open warnings.

        By SQL, not through the ORM: on a first night of a million
        relationships there may be hundreds of thousands, and browsing them
        would hold every record in the cache at once.
        """
        Activity = self.env["mail.activity"]
        Activity.flush_model(
            ["res_model", "res_id", "xrm_warning_kind", "active", "user_id"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT res_id, xrm_warning_kind, id FROM mail_activity WHERE %s %s",
                SQL(OPEN_WARNING.format(a="")),
                SQL()
                if partner_ids is None
                else SQL("AND res_id = ANY(%s)", id_array(partner_ids)),
            )
        )
        return {(res_id, kind): aid for res_id, kind, aid in self.env.cr.fetchall()}

    @api.model
    def _xrm_warning_rules(self):
        """Everything besides the inputs that warnings depend on (fingerprint)."""
        stages = self.env["xrm.journey.stage"].sudo().search([], order="id")
        return fingerprint(
            {
                "days": xrm_setting(self.env, "warning_no_contact_days", "60"),
                "cap": self._xrm_warning_cap(),
                "risk": self.env["xrm.churn.model"]._xrm_threshold(),
                "stages": stages.read(["max_days", "is_churn"], load=None),
            }
        )

    @api.model
    def _xrm_warning_changed_sql(self, run):
        """SQL partner ids whose warnings may have changed since ``run``.

        Partners, their salesperson, their interactions written; health and
        churn risk moved, warning activities done or deleted (all recorded
        in xrm.nightly.change); the no-contact limit or a stage's limit
        passing their stage date or their last meaningful contact.
        """
        before = fields.Datetime.to_datetime(run.previous)
        now = run.as_of
        old_limit = self._xrm_no_contact_limit(before)
        limit = self._xrm_no_contact_limit(now)
        stages = self.env["xrm.journey.stage"].sudo().search([("max_days", ">", 0)])
        overdue = [
            SQL(
                "(xrm_stage_id = %s AND %s)",
                stage.id,
                moved(
                    SQL("xrm_stage_date"),
                    before - timedelta(days=stage.max_days + 1),
                    now - timedelta(days=stage.max_days + 1),
                ),
            )
            for stage in stages
        ]
        return SQL(
            """
            SELECT id FROM res_partner WHERE write_date >= %(since)s
            UNION SELECT p.id FROM res_partner p
                    JOIN res_users u ON u.id = p.user_id
                   WHERE u.write_date >= %(since)s
            UNION %(changes)s
            UNION SELECT res_id FROM mail_activity
                   WHERE xrm_warning_kind IS NOT NULL
                     AND res_model = 'res.partner' AND write_date >= %(since)s
            UNION SELECT partner_id FROM xrm_interaction
                   WHERE write_date >= %(since)s
            UNION SELECT partner_id FROM xrm_interaction
                   WHERE is_meaningful AND %(contact)s
            UNION SELECT id FROM res_partner WHERE %(stage)s
            UNION SELECT id FROM res_partner WHERE %(overdue)s
            """,
            since=run.since,
            changes=changes_sql(run.since, warnings=True),
            contact=moved(SQL("date"), old_limit, limit),
            stage=moved(SQL("xrm_stage_date"), old_limit, limit),
            overdue=SQL(" OR ").join(overdue) if overdue else SQL("FALSE"),
        )

    @api.model
    def _cron_xrm_early_warnings(self, full=False, now=None):
        """Schedule the warnings that hold and close those that no longer do.

        Incremental as the health job is (tools/nightly.py): only the
        partners whose warnings may have changed since the last run are
        checked; every partner when ``full``, without a watermark, or when
        the Settings or the stages changed.
        """
        now = now or fields.Datetime.now()
        run = NightlyRun(self.env, "warnings", now, self._xrm_warning_rules(), full)
        partner_ids = None
        if not run.full:
            # Archived or no longer commercial partners too: their open
            # warnings are closed.
            changed = changed_ids(self.env, self._xrm_warning_changed_sql(run))
            partner_ids = sorted(
                {
                    pid
                    for row in self.env.execute_query(
                        SQL(
                            "SELECT id, commercial_partner_id FROM res_partner"
                            " WHERE id = ANY(%s)",
                            id_array(changed),
                        )
                    )
                    for pid in row
                    if pid
                }
            )
        created, cleared, waiting = self._xrm_warnings_apply(
            now, partner_ids, waiting=run.state.get("waiting", ())
        )
        run.finish({"waiting": waiting})
        return created, cleared

    @api.model
    def _xrm_warnings_apply(self, now, partner_ids=None, waiting=()):
        """Schedule and close the warnings of ``partner_ids`` (None: everyone).

        A salesperson gets at most the Settings' number of open warnings, the
        most urgent first; the others wait for a free slot (a first night on
        a large database would otherwise open one for almost every
        relationship). ``waiting``: the salespeople the last run left with
        warnings waiting; all their relationships are candidates when they
        have a free slot, not only the changed ones, so that an incremental
        run opens what a full one would.

        Returns the opened and the closed activities, and the salespeople
        whose warnings still wait.
        """
        Activity = self.env["mail.activity"].sudo()
        candidates = self._xrm_warning_candidates(now, partner_ids)
        existing = self._xrm_open_warnings(partner_ids)
        cleared_ids = sorted(
            aid for key, aid in existing.items() if key not in candidates
        )
        Cron = self.env["ir.cron"]
        for index in range(0, len(cleared_ids), WARNING_BATCH):
            Activity.browse(cleared_ids[index : index + WARNING_BATCH]).action_feedback(
                feedback=self.env._("The warning has cleared.")
            )
            self._xrm_warnings_commit(Cron)
        pool = {key: value for key, value in candidates.items() if key not in existing}
        del existing, candidates
        to_open, waiting = self._xrm_warnings_within_cap(
            now, pool, partner_ids, waiting
        )
        # Values are built a step at a time, for the same reason.
        activity_type = self.env.ref("xrm_relationship.mail_activity_type_xrm_warning")
        model_id = self.env["ir.model"]._get_id("res.partner")
        kinds = dict(
            Activity._fields["xrm_warning_kind"]._description_selection(self.env)
        )
        deadline = fields.Date.context_today(self) + timedelta(days=2)
        created_ids = []
        for index in range(0, len(to_open), WARNING_BATCH):
            step = to_open[index : index + WARNING_BATCH]
            risky = (
                self.env["res.partner"]
                .sudo()
                .browse(pid for pid, kind in step if kind == "churn_risk")
            )
            # The churn risk's activity says why: the model's reasons, in words.
            notes = {
                (p.id, "churn_risk"): plaintext2html(p.xrm_churn_risk_factors or "")
                for p in risky
            }
            created_ids += Activity.create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": partner_id,
                        "activity_type_id": activity_type.id,
                        "user_id": pool[partner_id, kind][0],
                        "date_deadline": deadline,
                        "summary": kinds[kind],
                        "xrm_warning_kind": kind,
                        "note": notes.get((partner_id, kind), False),
                    }
                    for partner_id, kind in step
                ]
            ).ids
            self._xrm_warnings_commit(Cron)
        return Activity.browse(created_ids), Activity.browse(cleared_ids), waiting

    @api.model
    def _xrm_warnings_within_cap(self, now, pool, partner_ids, waiting):
        """The warnings of ``pool`` to open, and who still has some waiting.

        ``pool``: the candidates not open yet, completed here (as the
        candidates) with the relationships of the ``waiting`` salespeople
        that have a free slot when the run is incremental.
        """
        cap = self._xrm_warning_cap()
        self.env.cr.execute(
            SQL(
                "SELECT user_id, COUNT(*) FROM mail_activity WHERE %s GROUP BY user_id",
                SQL(OPEN_WARNING.format(a="")),
            )
        )
        open_count = dict(self.env.cr.fetchall())
        still = set()
        if partner_ids is not None:
            scan = {
                uid: cap - open_count.get(uid, 0)
                for uid in waiting
                if open_count.get(uid, 0) < cap
            }
            # Without a free slot nothing opens: they still wait, unread.
            still = set(waiting) - set(scan)
            if scan:
                # Their most urgent, of all their relationships: with the
                # changed ones' candidates, the same choice as a full run.
                found, filled = self._xrm_warnings_next(now, scan)
                pool.update(found)
                still |= filled
        by_user = defaultdict(list)
        for key, (user_id, rank, since) in pool.items():
            by_user[user_id].append((rank, since, key))
        to_open = []
        for user_id, ranked in by_user.items():
            free = max(cap - open_count.get(user_id, 0), 0)
            if len(ranked) > free:
                still.add(user_id)
                ranked.sort()
            to_open += [key for _rank, _since, key in ranked[:free]]
        return sorted(to_open), sorted(still)

    @api.model
    def _xrm_warnings_commit(self, Cron):
        """Commit one step of warnings and let go of what it cached.

        A run stopped after a step is simply run again: what it opened is
        found open and not opened twice, what it closed is no longer open.
        """
        if self.env.context.get("cron_id"):
            Cron._commit_progress()
        else:
            self.env.flush_all()  # called from code: its caller commits
        self.env.invalidate_all()
