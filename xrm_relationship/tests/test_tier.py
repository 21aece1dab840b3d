# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Relationship tiers on a hand-built world, with hand-computed scores.

Settings: 4 periods of 90 days, at most 10 points per period; weights
positive interaction 1, engagement event 1, referral 3, goal 2, satisfied
ticket 1. As of D = 2026-06-01 the periods are
k0 [2026-03-03, 2026-06-01), k1 [2025-12-03, 2026-03-03),
k2 [2025-09-04, 2025-12-03), k3 [2025-06-06, 2025-09-04).
"""

import contextlib
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .test_kpi import KpiWorld, dt

D = date(2026, 6, 1)

PARAMS = {
    "tier_period_days": "90",
    "tier_periods": "4",
    "tier_period_cap": "10",
    "tier_weight_positive": "1",
    "tier_weight_engagement": "1",
    "tier_weight_referral": "3",
    "tier_weight_goal": "2",
    "tier_weight_satisfied": "1",
}


@tagged("post_install", "-at_install")
class TestTier(KpiWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ICP = cls.env["ir.config_parameter"].sudo()
        for key, value in PARAMS.items():
            ICP.set_param(f"xrm_relationship.{key}", value)
        cls.key = cls.env.ref("xrm_relationship.xrm_relationship_tier_key")
        cls.growing = cls.env.ref("xrm_relationship.xrm_relationship_tier_growing")
        cls.standard = cls.env.ref("xrm_relationship.xrm_relationship_tier_standard")
        cls.dormant = cls.env.ref("xrm_relationship.xrm_relationship_tier_dormant")
        # The shipped thresholds, whatever an administrator did to them.
        cls.key.write({"min_score": 60, "min_active_periods": 3, "sequence": 10})
        cls.growing.write({"min_score": 25, "min_active_periods": 2, "sequence": 20})
        cls.standard.write({"min_score": 0, "min_active_periods": 1, "sequence": 30})
        cls.dormant.write({"min_score": 0, "min_active_periods": 0, "sequence": 40})
        (cls.key | cls.growing | cls.standard | cls.dormant).write({"active": True})
        cls.key.appreciation_activity = True
        (cls.growing | cls.standard | cls.dormant).write(
            {"appreciation_activity": False}
        )
        cls.Tier = cls.env["xrm.relationship.tier"]

    def _positive(self, partner, when, count=1, **vals):
        for _n in range(count):
            self._interaction(partner, when, state="done", outcome="positive", **vals)

    def _event(self, partner, when, event_type="visit"):
        return self.env["xrm.engagement.event"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "event_type": event_type,
                "date": dt(when),
            }
        )

    def _world(self):
        # Steady: activity in every period, one of them capped.
        steady = self._partner("Steady Co")
        self._positive(steady, "2026-04-01 10:00:00", count=3)  # k0: 3
        self._event(steady, "2026-05-01 10:00:00", "referral")  # k0: +3 = 6
        self._positive(steady, "2026-04-02 10:00:00", active=False)  # archived
        self._positive(steady, "2026-01-10 10:00:00", count=12)  # k1: 12 -> 10
        self.env["xrm.customer.goal"].create(
            {
                "partner_id": steady.id,
                "company_id": self.company.id,
                "name": "Go live",
                "deadline": date(2025, 10, 1),
                "state": "achieved",
                "progress": 100,
            }
        )  # k2: 2
        self._ticket(steady, "2025-10-10 10:00:00", rating=5)  # k2: +1
        self._ticket(steady, "2025-10-11 10:00:00", rating=4)  # k2: +1 = 4
        self._ticket(steady, "2025-10-12 10:00:00", rating=3)  # not satisfied
        self._event(steady, "2025-07-01 10:00:00", "visit")  # k3: 1
        self._interaction(
            steady, "2025-07-02 10:00:00", state="done", outcome="neutral"
        )  # not positive
        # Burst: one busy quarter, 30 points capped to 10.
        burst = self._partner("Burst Co")
        self._positive(burst, "2026-05-20 10:00:00", count=30)
        # Key: 8 points in every period, plus a referred relationship in k0.
        star = self._partner("Star Co", user=self.bob)
        for when in (
            "2026-04-15 10:00:00",
            "2026-01-15 10:00:00",
            "2025-10-15 10:00:00",
            "2025-07-15 10:00:00",
        ):
            self._positive(star, when, count=2)
            self._event(star, when, "referral")
            self._event(star, when, "referral")
        referred = self._partner("Referred By Star", xrm_referred_by_id=star.id)
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            [dt("2026-05-05 10:00:00"), referred.id],
        )
        # Silent: positive activity only outside the window.
        silent = self._partner("Silent Co")
        self._positive(silent, "2025-06-05 23:59:59")  # before k3
        self._positive(silent, "2026-06-01 00:00:00")  # on D
        return steady, burst, star, silent, referred

    def test_tiers_scores_and_reasons(self):
        steady, burst, star, silent, referred = self._world()
        self.Tier._xrm_assign(steady | burst | star | silent | referred, as_of=D)
        # steady: (6 + 10 + 4 + 1) / 40 = 52.5, 4 active periods -> Growing
        self.assertEqual(steady.xrm_tier_id, self.growing)
        self.assertAlmostEqual(steady.xrm_tier_score, 52.5)
        self.assertEqual(steady.xrm_tier_active_periods, 4)
        self.assertEqual(
            (
                steady.xrm_tier_positive_count,
                steady.xrm_tier_engagement_count,
                steady.xrm_tier_referral_count,
                steady.xrm_tier_goal_count,
                steady.xrm_tier_satisfied_count,
            ),
            (15, 1, 1, 1, 2),
        )
        self.assertEqual(
            steady.xrm_tier_reason,
            "Score 52.5 / 100, active in 4 of 4 periods of 90 days: positive "
            "interactions 15, engagement events 1, referrals 1, goals achieved 1, "
            "satisfied ticket ratings 2.",
        )
        # burst: 30 points in one period count 10: 25.0, one active period
        self.assertAlmostEqual(burst.xrm_tier_score, 25.0)
        self.assertEqual(burst.xrm_tier_active_periods, 1)
        self.assertEqual(burst.xrm_tier_id, self.standard)
        # star: k0 = 8 + 3 -> 10, then 8, 8, 8: 34 / 40 = 85.0 -> Key
        self.assertAlmostEqual(star.xrm_tier_score, 85.0)
        self.assertEqual(star.xrm_tier_referral_count, 9)
        self.assertEqual(star.xrm_tier_id, self.key)
        # silent: nothing inside the periods
        self.assertEqual(silent.xrm_tier_score, 0)
        self.assertEqual(silent.xrm_tier_id, self.dormant)
        self.assertIn("no positive activity", silent.xrm_tier_reason)
        self.assertEqual(star.xrm_tier_since, D)
        self.assertEqual(star.xrm_tier_date, D)

    def test_changes_tracked_and_appreciation_once(self):
        steady, burst, star, silent, referred = self._world()
        partners = steady | burst | star | silent
        Activity = self.env["mail.activity"]
        appreciation = self.env.ref(
            "xrm_relationship.mail_activity_type_xrm_appreciation"
        )

        def activities(partner):
            return Activity.search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("activity_type_id", "=", appreciation.id),
                ]
            )

        history = self.Tier._xrm_assign(partners, as_of=D)
        self.assertEqual(len(history), 4)
        self.assertEqual(
            history.filtered(lambda h: h.partner_id == star).to_tier_id, self.key
        )
        self.assertEqual(len(activities(star)), 1)
        self.assertEqual(activities(star).user_id, self.bob)
        self.assertIn("Score 85.0", activities(star).note)
        self.assertFalse(activities(steady))
        notes_before = len(steady.message_ids)
        # the same day again: nothing changes, nothing is added
        self.assertFalse(self.Tier._xrm_assign(partners, as_of=D))
        self.assertEqual(len(activities(star)), 1)
        self.assertEqual(len(steady.xrm_tier_history_ids), 1)
        # Key from 50: steady moves up, gets its activity and a chatter note
        self.key.min_score = 50
        history = self.Tier._xrm_assign(partners, as_of=D)
        self.assertEqual(history.partner_id, steady)
        self.assertEqual(history.from_tier_id, self.growing)
        self.assertEqual(history.to_tier_id, self.key)
        self.assertEqual(len(activities(steady)), 1)
        self.assertEqual(len(activities(star)), 1)
        self.assertEqual(len(steady.message_ids), notes_before + 1)
        self.assertIn("Growing → Key", steady.message_ids[0].body)

    def test_cron_survives_a_bad_batch_and_runs_twice_the_same(self):
        steady, burst, star, silent, referred = self._world()
        Tier = type(self.Tier)
        Cron = type(self.env["ir.cron"])
        original = Tier._xrm_assign
        calls = []

        def flaky(self, partners, as_of=None):
            calls.append(partners)
            if len(calls) == 1:
                raise ValueError("bad batch")
            return original(self, partners, as_of=as_of)

        self.env.flush_all()
        # none tiered today yet (the demo data's may be): all are to do
        self.env.cr.execute(
            "UPDATE res_partner SET xrm_tier_date = NULL"
            " WHERE id = commercial_partner_id"
        )
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT count(*) FROM res_partner "
            "WHERE active AND id = commercial_partner_id"
        )
        total = self.env.cr.fetchone()[0]
        batch = total - 1  # the last partner (silent's or later) is alone
        with (
            patch.object(Cron, "_commit_progress", return_value=100.0),
            patch.object(Tier, "_xrm_assign", flaky),
            self.assertLogs(
                "odoo.addons.xrm_relationship.models.xrm_relationship_tier", "ERROR"
            ),
        ):
            self.assertEqual(self.Tier._cron_xrm_assign_tiers(batch_size=batch), total)
        self.assertEqual(len(calls), 2)
        self.assertTrue(calls[1].xrm_tier_date)
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            self.Tier._cron_xrm_assign_tiers()
            count = self.env["xrm.tier.history"].search_count([])
            self.Tier._cron_xrm_assign_tiers()
        self.assertEqual(self.env["xrm.tier.history"].search_count([]), count)

    def test_cron_resumes_where_it_stopped(self):
        """Each run stopped after its first batch: the next runs take the rest.

        Three runs of one batch each end where one clean run ends (same tiers,
        history and appreciation activities); a fourth run the same day has
        nothing left to do and adds nothing.
        """
        self._world()
        star = self.env["res.partner"].search([("name", "=", "Star Co")])
        Cron = type(self.env["ir.cron"])
        appreciation = self.env.ref(
            "xrm_relationship.mail_activity_type_xrm_appreciation"
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET xrm_tier_date = NULL"
            " WHERE id = commercial_partner_id"
        )
        self.env.invalidate_all()
        self.env.cr.execute(
            "SELECT count(*) FROM res_partner"
            " WHERE active AND id = commercial_partner_id"
        )
        total = self.env.cr.fetchone()[0]
        batch = -(-total // 3)  # three batches, ours (the newest) in the last

        def state():
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT id, xrm_tier_id, xrm_tier_score, xrm_tier_active_periods,"
                " xrm_tier_since, xrm_tier_date FROM res_partner"
                " WHERE active AND id = commercial_partner_id ORDER BY id"
            )
            partners = self.env.cr.fetchall()
            self.env.cr.execute(
                "SELECT partner_id, date, from_tier_id, to_tier_id, score"
                " FROM xrm_tier_history ORDER BY partner_id, id"
            )
            history = self.env.cr.fetchall()
            self.env.cr.execute(
                "SELECT res_id, user_id FROM mail_activity"
                " WHERE res_model = 'res.partner' AND activity_type_id = %s"
                " ORDER BY res_id, id",
                [appreciation.id],
            )
            return partners, history, self.env.cr.fetchall()

        class Rollback(Exception):
            pass

        with freeze_time("2026-06-01 10:00:00"):
            # The clean run, undone once measured.
            with contextlib.suppress(Rollback), self.env.cr.savepoint():
                with patch.object(Cron, "_commit_progress", return_value=100.0):
                    self.assertEqual(self.Tier._cron_xrm_assign_tiers(), total)
                clean = state()
                raise Rollback
            self.assertFalse(star.xrm_tier_date, "the clean run was undone")
            todo = []
            for _run in range(3):
                # Out of time after the first batch of every run.
                with patch.object(Cron, "_commit_progress", side_effect=[100.0, 0.0]):
                    todo.append(self.Tier._cron_xrm_assign_tiers(batch_size=batch))
            self.assertEqual(todo, [total, total - batch, total - 2 * batch])
            self.assertEqual(star.xrm_tier_id, self.key)
            self.assertEqual(state(), clean)
            with patch.object(Cron, "_commit_progress", return_value=100.0):
                self.assertEqual(self.Tier._cron_xrm_assign_tiers(), 0)
            self.assertEqual(state(), clean)

    def test_configuration_is_for_managers_and_checked(self):
        # a salesperson reads the tiers, an administrator sets them
        self.assertTrue(self.Tier.with_user(self.alice).search([]))
        with self.assertRaises(AccessError):
            self.key.with_user(self.alice).write({"min_score": 1})
        with self.assertRaises(AccessError):
            self.Tier.with_user(self.alice).create({"name": "VIP"})
        manager = self.env(
            user=self.xrm_manager,
            context={"allowed_company_ids": [self.env.ref("base.main_company").id]},
        )
        manager["xrm.relationship.tier"].browse(self.key.id).min_score = 70
        self.assertEqual(self.key.min_score, 70)
        with self.assertRaises(ValidationError):
            self.key.write({"min_score": 150})
        with self.assertRaises(ValidationError):
            self.key.write({"min_active_periods": 5})  # only 4 periods
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xrm_tier_weight_referral": -1})
