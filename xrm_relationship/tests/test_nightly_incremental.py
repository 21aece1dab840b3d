# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Incremental nightly jobs give exactly what full runs give (issue 17).

A generated world is computed in full, its rows are aged (a test runs in one
transaction, so everything it writes has one write_date: the world is moved
to "two days ago"), some inputs of several kinds change, the jobs run
incrementally three days later, then every engine recomputes every
relationship as of the same day: nothing may differ, and the full pass must
find nothing left to create or close.
"""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.tests import tagged

from ..models.res_partner_health_time import sparkline
from ..models.xrm_churn_model import FEATURES
from ..tools.nightly import BATCH_LOCK, record_changes
from .common import XrmWorld
from .test_generated_data import load_generator

SCALE = 0.004
AGED_TABLES = (
    "res_partner",
    "res_users",
    "xrm_interaction",
    "xrm_engagement_event",
    "xrm_customer_goal",
    "xrm_journey_transition",
    "xrm_tier_history",
    "xrm_health_snapshot",
    "helpdesk_ticket",
    "rating_rating",
    "crm_lead",
    "mail_activity",
    "xrm_nightly_change",
)
SKIPPED = {"xrm_health_date", "xrm_tier_date", "xrm_churn_risk_date"}


@tagged("post_install", "-at_install")
class TestNightlyIncremental(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.generated = load_generator().generate(
            cls.env, SCALE, company=cls.company, log=lambda _msg: None
        )
        cls.world = cls.env["res.partner"].browse(cls.generated["res.partner"])
        # A model that scores (too little history here to learn one): a weight
        # per bucket, spread so that buckets matter.
        now = fields.Datetime.now()
        Churn = cls.env["xrm.churn.model"]
        rows = cls.env.execute_query(Churn._xrm_samples_sql(cls.company, [now]))
        weights = {name: {} for name in FEATURES}
        for _pid, _as_of, _label, *buckets in rows:
            for name, bucket in zip(FEATURES, buckets, strict=True):
                weights[name][bucket] = (sum(map(ord, name + bucket)) % 41 - 20) / 10
        Churn._xrm_model_for(cls.company).write(
            {"state": "ready", "weights": {"prior": -1.0, "features": weights}}
        )
        cls.cron_patch = patch.object(
            type(cls.env["ir.cron"]), "_commit_progress", return_value=1000.0
        )
        cls.cron_patch.start()
        cls.addClassCleanup(cls.cron_patch.stop)

    # ------------------------------------------------------------------
    def _nightly(self, day, full=False):
        """Every nightly job as of ``day`` (a date), in the crons' order."""
        now = fields.Datetime.to_datetime(day) + timedelta(hours=2)
        counts = {
            "health": self.env["xrm.health.profile"]._cron_xrm_health(
                full=full, as_of=day
            ),
            "tiers": self.env["xrm.relationship.tier"]._cron_xrm_assign_tiers(
                full=full, as_of=day
            ),
            "churn": self.env["xrm.churn.model"]._cron_xrm_churn_score(
                full=full, now=now
            ),
        }
        self.env["xrm.early.warning"]._cron_xrm_early_warnings(full=full, now=now)
        self.env.invalidate_all()
        return counts

    def _age(self):
        """Everything written so far was written two days ago."""
        for table in AGED_TABLES:
            self.env.cr.execute(
                f"UPDATE {table} SET write_date = write_date - INTERVAL '2 days'"  # noqa: E501
            )
        self.env.invalidate_all()

    def _figures(self):
        """Every stored figure of every relationship, but the computed-on dates."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'res_partner' AND ("
            " column_name LIKE 'xrm_c%%' OR column_name LIKE 'xrm_health%%'"
            " OR column_name LIKE 'xrm_tier%%')"
        )
        columns = sorted({c for (c,) in cr.fetchall()} - SKIPPED)
        cr.execute(
            f"SELECT id, {', '.join(columns)} FROM res_partner"  # noqa: E501
            " WHERE id = commercial_partner_id ORDER BY id"
        )
        partners = {
            row[0]: dict(zip(columns, row[1:], strict=True)) for row in cr.fetchall()
        }
        # The history readers take the latest snapshot: compare those.
        cr.execute(
            """
            SELECT DISTINCT ON (partner_id) partner_id, cx_score, co_score,
                   cs_score, has_cx, has_co, health, csat_avg, csat_count,
                   quality_avg, quality_count, goal_count, cx_weight,
                   interaction_count, undocumented_count, uncertain
              FROM xrm_health_snapshot ORDER BY partner_id, date DESC
            """
        )
        snapshots = {row[0]: row[1:] for row in cr.fetchall()}
        cr.execute(
            "SELECT partner_id, date, from_tier_id, to_tier_id, score"
            " FROM xrm_tier_history ORDER BY 1, 2, 3, 4"
        )
        history = cr.fetchall()
        cr.execute(
            "SELECT res_id, xrm_warning_kind, user_id FROM mail_activity"
            " WHERE xrm_warning_kind IS NOT NULL AND res_model = 'res.partner'"
            " ORDER BY 1, 2"
        )
        warnings = cr.fetchall()
        return partners, snapshots, history, warnings

    def _relationships(self):
        self.env.cr.execute(
            "SELECT id FROM res_partner WHERE active AND id = commercial_partner_id"
        )
        return self.env["res.partner"].browse([r[0] for r in self.env.cr.fetchall()])

    def _weigh(self, feature, weights):
        """The churn model weighs ``feature`` by ``weights`` (per bucket)
        and nothing by default: its bucket alone moves the risk."""
        model = self.env["xrm.churn.model"]._xrm_model_for(self.company)
        value = dict(model.weights)
        value["features"] = dict(value["features"])
        value["features"][feature] = weights
        value["prior"] = 0.0
        model.write({"weights": value})

    def _bucket(self, partner, feature, when):
        """``partner``'s bucket of the churn ``feature`` as of ``when``."""
        rows = self.env.execute_query(
            self.env["xrm.churn.model"]._xrm_samples_sql(
                self.company, [when], [partner.id]
            )
        )
        return rows[0][3 + list(FEATURES).index(feature)]

    def _scored(self, when):
        """The ids of the world's relationships churn scoring reads at ``when``."""
        return sorted(
            {
                row[0]
                for row in self.env.execute_query(
                    self.env["xrm.churn.model"]._xrm_samples_sql(
                        self.company, [when], self.world.ids
                    )
                )
            }
        )

    def _without_cx(self, partner):
        """``partner`` loses every CX input: its interactions and the ratings
        of its tickets."""
        self.env["xrm.interaction"].search([("partner_id", "=", partner.id)]).unlink()
        tickets = self.env["helpdesk.ticket"].search(
            [("commercial_partner_id", "=", partner.id)]
        )
        self.env["rating.rating"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)]
        ).unlink()

    def _settled(self, days):
        """A first full night on ``days[0]``, a normal one on ``days[1]``,
        each then aged: the next night is a normal day's."""
        self._nightly(days[0], full=True)
        self._age()
        self._nightly(days[1])
        self._age()

    def _neutral_contact(self, partner, quality, when=None):
        """A documented contact of ``quality``, neutral: no tier signal."""
        return self._interaction(
            partner,
            str(when or fields.Datetime.now()),
            state="done",
            quality=quality,
            outcome="neutral",
        )

    def _assert_full_agrees(self, incremental, day, now):
        """Health, tiers and churn of every relationship as of ``day`` (churn
        at ``now``) in full give the figures the nights left (``incremental``)."""
        relationships = self._relationships()
        self.env["xrm.health.profile"]._xrm_compute_health(relationships, day)
        self.env["xrm.relationship.tier"]._xrm_assign(relationships, day)
        self.env["xrm.churn.model"]._xrm_score_partners(relationships, day, now)
        self.env.invalidate_all()
        full = self._figures()
        diff = {
            pid for pid, value in full[0].items() if incremental[0].get(pid) != value
        }
        self.assertFalse(diff, "partners differ")
        return full

    # ------------------------------------------------------------------
    def test_incremental_equals_full(self):
        today = fields.Date.context_today(self.env.user)
        settled = today + timedelta(days=1)
        later = today + timedelta(days=4)
        partners = self.world.sorted("id")
        a, b, c, d, e, h = (partners[k] for k in (10, 20, 30, 40, 50, 60))
        # An interaction that leaves the 365-day window between the two days.
        leaving = self._interaction(
            h,
            str(fields.Datetime.to_datetime(settled) - timedelta(days=364, hours=-1)),
            state="done",
            quality=1,
            outcome="negative",
        )
        self.assertTrue(leaving)
        Goal = self.env["xrm.customer.goal"]
        goal = Goal.create(
            {"partner_id": d.id, "name": "Go live", "company_id": self.company.id}
        )
        doomed = self.env["xrm.interaction"].search(
            [("partner_id", "=", e.id), ("state", "=", "done"), ("quality", ">=", 1)],
            limit=1,
        )
        self.assertTrue(doomed)

        # Few open warnings per salesperson: the others wait, and the
        # incremental run must open from them what a full run would.
        self.env["ir.config_parameter"].set_param(
            "xrm_relationship.warning_max_open", "3"
        )
        first = self._nightly(today, full=True)
        waiting = json.loads(
            self.env["ir.config_parameter"].get_param(
                "xrm_relationship.nightly.warnings"
            )
        )["state"]["waiting"]
        self.assertTrue(waiting, "warnings wait for a free slot")
        self._age()
        # The day after a first full run, churn scoring sees every partner's
        # first snapshot and first tier: the next day is a normal day.
        self._nightly(settled)
        before = self._figures()
        self._age()

        # The day's changes, of several kinds.
        self._interaction(
            a, str(fields.Datetime.now()), state="done", quality=5, outcome="positive"
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("commercial_partner_id", "=", b.id)], limit=1
        ) or self._ticket(b, str(fields.Datetime.now()))
        self._rating(ticket, 1, str(fields.Datetime.now()))
        self._purchase(c, str(fields.Datetime.now()), 5000)
        goal.write({"state": "achieved"})
        doomed.unlink()
        warning = self.env["mail.activity"].search(
            [("xrm_warning_kind", "!=", False), ("res_model", "=", "res.partner")],
            limit=1,
        )
        self.assertTrue(warning, "the world has warnings")
        warning.action_feedback(feedback="Called them")
        # A relationship with open warnings leaves (archived): they close, and
        # its salesperson's free slots take the next of those waiting.
        leaving_warnings = self.env["mail.activity"].search(
            [
                ("xrm_warning_kind", "!=", False),
                ("res_model", "=", "res.partner"),
                ("user_id", "in", waiting),
                ("res_id", "not in", (a | b | c | d | e | h).ids),
            ],
            limit=1,
        )
        gone = self.env["res.partner"].browse(leaving_warnings.res_id)
        seller = leaving_warnings.user_id
        gone.action_archive()

        counts = self._nightly(later)
        incremental = self._figures()
        total = len(self._relationships())
        self.assertLess(counts["health"], total / 2, "health ran incrementally")
        self.assertLess(counts["churn"], total, "scoring ran incrementally")
        for mark in ("health", "tiers", "churn_score", "warnings"):
            value = json.loads(
                self.env["ir.config_parameter"].get_param(
                    f"xrm_relationship.nightly.{mark}"
                )
            )
            self.assertEqual(value["mode"], "incremental", mark)
        changed = {
            pid
            for pid, figures in incremental[0].items()
            if before[0].get(pid) != figures
        }
        self.assertTrue({a.id, b.id, d.id, e.id, h.id} <= changed, changed)
        self.assertFalse(gone.activity_ids.filtered("xrm_warning_kind"))
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("xrm_warning_kind", "!=", False), ("user_id", "=", seller.id)]
            ),
            3,
            "the freed slots were filled",
        )

        # The same day in full, every engine over every relationship.
        relationships = self._relationships()
        now = fields.Datetime.to_datetime(later) + timedelta(hours=2)
        self.env["xrm.health.profile"]._xrm_compute_health(relationships, later)
        history = self.env["xrm.relationship.tier"]._xrm_assign(relationships, later)
        self.env["xrm.churn.model"]._xrm_score_partners(relationships, later, now)
        created, cleared, _waiting = self.env["xrm.early.warning"]._xrm_warnings_apply(
            now
        )
        self.env.invalidate_all()
        self.assertFalse(history, "a tier change was missed")
        self.assertFalse(created, "a warning was missed")
        self.assertFalse(cleared, "a cleared warning was missed")
        full = self._figures()
        for label, got, expected in zip(
            ("partners", "snapshots", "tier history", "warnings"),
            incremental,
            full,
            strict=True,
        ):
            if isinstance(expected, dict):
                diff = {
                    pid: (got.get(pid), value)
                    for pid, value in expected.items()
                    if got.get(pid) != value
                }
                self.assertFalse(diff, f"{label} differ")
            else:
                self.assertEqual(got, expected, label)
        self.assertGreater(first["health"], counts["health"])

    def test_second_run_and_rule_change(self):
        """Run twice: nothing the second time; new rules: a full run."""
        today = fields.Date.context_today(self.env.user)
        Health = self.env["xrm.health.profile"]
        self.assertGreater(Health._cron_xrm_health(as_of=today), 0)  # no mark: full
        self._age()
        # The same day again: only what changed since the first run (nothing).
        self.assertEqual(Health._cron_xrm_health(as_of=today), 0)
        tomorrow = today + timedelta(days=1)
        few = Health._cron_xrm_health(as_of=tomorrow)
        self.assertLess(few, len(self._relationships()) / 2)
        self.env["ir.config_parameter"].set_param("xrm_relationship.cs_green", "80")
        after = today + timedelta(days=2)
        self.assertEqual(
            Health._cron_xrm_health(as_of=after), len(self._relationships())
        )
        mark = json.loads(
            self.env["ir.config_parameter"].get_param("xrm_relationship.nightly.health")
        )
        self.assertEqual(mark["mode"], "full")

    def test_lone_input_crossing_an_edge(self):
        """A relationship whose only change is an input crossing an edge."""
        today = fields.Date.context_today(self.env.user)
        settled = today + timedelta(days=1)
        later = today + timedelta(days=4)
        later_now = fields.Datetime.to_datetime(later) + timedelta(hours=2)
        # Its only contact is 12 days old on the settled night, 15 days old
        # on the later one: the recency bucket moves, nothing is written.
        scored = self._scored(later_now)
        lone = self.env["res.partner"].browse(scored[len(scored) // 2])
        self.env["xrm.interaction"].search([("partner_id", "=", lone.id)]).unlink()
        self._interaction(
            lone, str(later_now - timedelta(days=15)), state="done", quality=4
        )
        # Its last contact is recent; an older one crosses the 30-day edge:
        # recency does not move (the selection may leave it out).
        shadowed = self.world.sorted("id")[80]
        self._interaction(
            shadowed, str(later_now - timedelta(days=31)), state="done", quality=4
        )
        self._interaction(
            shadowed, str(later_now - timedelta(days=4)), state="done", quality=4
        )
        # Its only positive signal leaves the tier window between the nights.
        params = self.env["xrm.relationship.tier"]._xrm_tier_params()
        span = params["period_days"] * params["periods"]
        leaving = self.world.sorted("id")[90]
        self.env["xrm.interaction"].search([("partner_id", "=", leaving.id)]).unlink()
        self._interaction(
            leaving,
            str(fields.Datetime.to_datetime(later) - timedelta(days=span + 0.5)),
            state="done",
            quality=4,
        )

        # Recency weighs enough for its bucket to move the risk.
        self._weigh("recency", {"0-14": -3.0, "15-30": 3.0})

        def bucket(when):
            return self._bucket(lone, "recency", when)

        settled_now = fields.Datetime.to_datetime(settled) + timedelta(hours=2)
        self.assertEqual(bucket(settled_now), "0-14")
        self.assertEqual(bucket(later_now), "15-30")

        self._nightly(today, full=True)
        self._age()
        self._nightly(settled)
        risk = lone.xrm_churn_risk
        positive = leaving.xrm_tier_positive_count
        self.assertEqual(positive, 1)
        self._age()
        self._nightly(later)
        self.env.invalidate_all()
        self.assertNotEqual(lone.xrm_churn_risk, risk, "the bucket edge matters")
        self.assertEqual(leaving.xrm_tier_positive_count, 0, "left the tier window")
        incremental = self._figures()
        full = self._assert_full_agrees(incremental, later, later_now)
        for pid in (lone.id, shadowed.id, leaving.id):
            self.assertEqual(incremental[0][pid], full[0][pid], pid)

    def test_snapshot_read_from_the_next_night(self):
        """Churn features read the snapshots dated before the day: the night
        that writes a snapshot has no use for it, the next night reads it."""
        today = fields.Date.context_today(self.env.user)
        days = [today + timedelta(days=k) for k in range(4)]
        nows = [fields.Datetime.to_datetime(d) + timedelta(hours=2) for d in days]
        scored = self._scored(nows[3])
        partner = self.env["res.partner"].browse(scored[len(scored) // 3])
        # No CX at all until the day's interaction gives it one.
        self._without_cx(partner)
        self._weigh("cx", {"none": -3.0, "low": 3.0})

        def bucket(when):
            return self._bucket(partner, "cx", when)

        self._settled(days)
        # neutral: no tier signal, the snapshot alone carries the change
        self._neutral_contact(partner, 1)
        self._nightly(days[2])
        risk = partner.xrm_churn_risk
        self.assertEqual(bucket(nows[2]), "none", "the night's own snapshot is unread")
        self.assertEqual(bucket(nows[3]), "low", "the next night reads it")
        self._age()
        self._nightly(days[3])
        self.assertEqual(partner.xrm_churn_risk_date, days[3], "scored again")
        self.assertNotEqual(partner.xrm_churn_risk, risk)
        self._assert_full_agrees(self._figures(), days[3], nows[3])

    def test_snapshot_within_its_buckets_rescores_nothing(self):
        """A new snapshot whose scores stay in their churn buckets changes no
        feature: scoring leaves it alone; one that moves a bucket counts."""
        today = fields.Date.context_today(self.env.user)
        days = [today + timedelta(days=k) for k in range(4)]
        nows = [fields.Datetime.to_datetime(d) + timedelta(hours=2) for d in days]
        scored = self._scored(nows[3])
        Partner = self.env["res.partner"]
        steady, moving = (Partner.browse(scored[len(scored) * k // 5]) for k in (1, 2))
        for partner in steady | moving:
            # CX from one documented contact of quality 3: (3 - 1) / 4 = 50
            self._without_cx(partner)
            self._neutral_contact(partner, 3, nows[0] - timedelta(days=5))
        Churn = self.env["xrm.churn.model"]
        # CX alone weighs: risk 100 / (1 + e^3) = 4.7 when "mid", 95.3 "high"
        Churn._xrm_model_for(self.company).write(
            {"weights": {"prior": 0.0, "features": {"cx": {"mid": -3, "high": 3}}}}
        )

        def snapshot_moved(before, now):
            sql = Churn._xrm_snapshot_changed_sql(before, now)
            return {pid for (pid,) in self.env.execute_query(sql)}

        self._settled(days)
        # steady: (3 + 4) / 2 = 3.5, CX 62.5, still "mid";
        # moving: (3 + 5 + 5 + 5) / 4 = 4.5, CX 87.5, "high"
        self._neutral_contact(steady, 4)
        for _k in range(3):
            self._neutral_contact(moving, 5)
        self._nightly(days[2])
        self.assertEqual(steady.xrm_cx_score, 62.5)
        self.assertEqual(moving.xrm_cx_score, 87.5)
        self.assertEqual(self._bucket(steady, "cx", nows[2]), "mid")
        self.assertEqual(self._bucket(steady, "cx", nows[3]), "mid")
        self.assertEqual(self._bucket(moving, "cx", nows[2]), "mid")
        self.assertEqual(self._bucket(moving, "cx", nows[3]), "high")
        moved = snapshot_moved(nows[2], nows[3])
        self.assertIn(moving.id, moved)
        self.assertNotIn(steady.id, moved, "a snapshot within its buckets")
        self.assertEqual(round(moving.xrm_churn_risk), 5)
        self._age()
        self._nightly(days[3])
        self.assertEqual(moving.xrm_churn_risk_date, days[3], "scored again")
        self.assertEqual(round(moving.xrm_churn_risk), 95)
        self.assertEqual(round(steady.xrm_churn_risk), 5)
        self._assert_full_agrees(self._figures(), days[3], nows[3])

    def test_batches_of_two_jobs_take_turns(self):
        """While another nightly job's batch holds the relationships, a batch
        waits for it; one that cannot wait fails alone and is remembered."""
        day = fields.Date.context_today(self.env.user) + timedelta(days=5)
        Health = self.env["xrm.health.profile"]
        relationships = self._relationships()
        other = sql_db.db_connect(self.env.cr.dbname).cursor()
        try:
            other.execute("SELECT pg_advisory_xact_lock(%s)", [BATCH_LOCK])
            self.env.cr.execute("SET LOCAL lock_timeout = '200ms'")
            with self.assertLogs(
                "odoo.addons.xrm_relationship.models.xrm_health_profile", "ERROR"
            ):
                Health._cron_xrm_health(full=True, as_of=day)
        finally:
            other.rollback()  # the other job's batch commits: the lock is free
            other.close()
        self.env.cr.execute("SET LOCAL lock_timeout = 0")
        self.env.invalidate_all()
        done = relationships.filtered(lambda p: p.xrm_health_date == day)
        self.assertFalse(done, "nothing written while the lock was held")
        self.env.cr.execute("SELECT DISTINCT partner_id FROM xrm_nightly_change")
        remembered = {pid for (pid,) in self.env.cr.fetchall()}
        self.assertTrue(set(relationships.ids) <= remembered, "retried next run")
        Health._cron_xrm_health(full=True, as_of=day)
        self.env.invalidate_all()
        done = relationships.filtered(lambda p: p.xrm_health_date == day)
        self.assertTrue(done, "the lock free, the batches run")

    def test_figures_for_the_warnings_recompute_nothing_else(self):
        """A health colour or churn risk that moved is read by the warnings
        only: health, tiers and churn scoring do not recompute for it, while
        a changed input makes each of them recompute its relationship."""
        today = fields.Date.context_today(self.env.user)
        now = fields.Datetime.to_datetime(today) + timedelta(hours=2)
        partner = self.world.sorted("id")[15]

        def night():
            counts = (
                self.env["xrm.health.profile"]._cron_xrm_health(as_of=today),
                self.env["xrm.relationship.tier"]._cron_xrm_assign_tiers(as_of=today),
                self.env["xrm.churn.model"]._cron_xrm_churn_score(now=now),
            )
            self._age()
            return counts

        night()  # no watermark yet: every relationship
        # The first night's snapshots and tiers dated the day before, as a
        # first night before today would: today's window edges hold none.
        for table in ("xrm_health_snapshot", "xrm_tier_history"):
            self.env.cr.execute(
                f"UPDATE {table} SET date = date - 1 WHERE date = %s",  # noqa: E501
                [today],
            )
        self.env.invalidate_all()
        quiet = night()  # the same day again: what its window edges hold
        self.assertEqual(night(), quiet, "a night without change")
        record_changes(self.env, partner.ids, warnings_only=True)
        self.assertEqual(night(), quiet, "a figure for the warnings only")
        record_changes(self.env, partner.ids)
        self.assertEqual(
            night(),
            tuple(count + 1 for count in quiet),
            "an input changed (e.g. one deleted): each job recomputes it",
        )


@tagged("post_install", "-at_install")
class TestTrendHeldScore(XrmWorld):
    def test_week_without_snapshot_keeps_the_score(self):
        """Incremental nights write no snapshot for unchanged relationships."""
        partner = self._partner("Steady Co")
        self.env["xrm.customer.goal"].create(
            {
                "partner_id": partner.id,
                "name": "Steady",
                "company_id": self.company.id,
                "progress": 50,
            }
        )
        today = fields.Date.context_today(self.env.user)
        partner._xrm_compute_health(as_of=today - timedelta(weeks=20))
        partner.invalidate_recordset()
        self.assertEqual(partner.xrm_cs_score, 50.0)
        self.assertEqual(partner.xrm_health_sparkline, sparkline([50.0] * 12))


class TestCommercialEntities(XrmWorld):
    """The engines' one read of a batch's entities (res.partner helper)."""

    def test_commercial_entities_of_a_batch(self):
        """A batch of contacts and entities maps to its entities once each,
        by id, with their company: what the engines group their rules by."""
        Partner = self.env["res.partner"]
        other = self.env["res.company"].create({"name": "Entities Elsewhere"})
        firm = Partner.create(
            {"name": "Entity Firm", "is_company": True, "company_id": other.id}
        )
        buyer = Partner.create({"name": "Entity Buyer", "parent_id": firm.id})
        alone = Partner.create({"name": "Entity Alone"})
        entities = (alone | buyer | firm)._xrm_commercial_entities()
        self.assertEqual(entities.ids, sorted([firm.id, alone.id]))
        no_company = self.env["res.company"]
        self.assertEqual(
            [entity.company_id for entity in entities],
            [other if entity == firm else no_company for entity in entities],
        )
        self.assertFalse(Partner._xrm_commercial_entities())
