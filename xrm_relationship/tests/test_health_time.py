# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Health over time: score receipts, the change and its reasons, trend, confidence."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestHealthReceipts(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.ticket_model = cls.env["ir.model"]._get_id("helpdesk.ticket")
        cls.profile = cls.env["xrm.health.profile"].search(
            [
                ("company_id", "=", cls.env.company.id),
                ("relation_type", "=", "supplier"),
            ]
        ) or cls.env["xrm.health.profile"].create({"relation_type": "supplier"})
        cls.profile.write(
            {"cx_weight": 0.7, "green_threshold": 80, "yellow_threshold": 50}
        )

    def _partner(self, name, rtype="customer"):
        return self.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "xrm_relation_type": rtype,
                "user_id": self.xrm_user.id,
            }
        )

    def _rating(self, partner, value, days_ago=30):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Help", "description": "<p>Help</p>", "partner_id": partner.id}
        )
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.ticket_model,
                "res_id": ticket.id,
                "partner_id": partner.id,
                "rating": value,
                "consumed": True,
            }
        )
        rating.write({"rated_on": self.now - timedelta(days=days_ago)})
        return rating

    def _interaction(self, partner, quality=None, state="done", days_ago=30):
        return self.env["xrm.interaction"].create(
            {
                "partner_id": partner.id,
                "date": self.now - timedelta(days=days_ago),
                "state": state,
                "summary": "Review" if state == "done" else False,
                "outcome": "positive" if state == "done" else False,
                "quality": quality,
            }
        )

    def _goal(self, partner, progress):
        return self.env["xrm.customer.goal"].create(
            {
                "partner_id": partner.id,
                "name": f"Goal {progress}",
                "state": "open",
                "progress": progress,
                "deadline": self.today + timedelta(days=30),
            }
        )

    def _snapshot(self, partner, day):
        return self.env["xrm.health.snapshot"].search(
            [("partner_id", "=", partner.id), ("date", "=", day)]
        )

    def test_replay_a_past_day_from_its_receipt(self):
        partner = self._partner("Replay Co", "supplier")
        self._rating(partner, 4, days_ago=40)
        self._rating(partner, 2, days_ago=35)
        self._interaction(partner, quality=5, days_ago=32)
        self._goal(partner, 30)
        past = self.today - timedelta(days=20)
        partner._xrm_compute_health(as_of=past)
        # later inputs must not leak into the past day's receipt
        self._rating(partner, 5, days_ago=5)
        partner._xrm_compute_health()
        snap = self._snapshot(partner, past)
        self.assertTrue(snap.has_receipt)
        self.assertEqual(
            (snap.csat_count, snap.quality_count, snap.goal_count), (2, 1, 1)
        )
        self.assertAlmostEqual(snap.csat_avg, 3.0)
        self.assertEqual(snap.profile_id, self.profile)
        self.assertEqual(
            (snap.cx_weight, snap.green_threshold, snap.yellow_threshold),
            (0.7, 80, 50),
        )
        cx, co, cs, health = snap._xrm_replay()
        # CX = mean((3 − 1) / 4 × 100, 100) = 75; CS = 0.7 × 75 + 0.3 × 30
        self.assertAlmostEqual(cs, 61.5)
        self.assertAlmostEqual(snap.cs_score, cs, places=1)
        self.assertAlmostEqual(snap.cx_score, cx, places=1)
        self.assertAlmostEqual(snap.co_score, co, places=1)
        self.assertEqual(snap.health, health)
        self.assertEqual(health, "yellow")
        today = self._snapshot(partner, self.today)
        self.assertEqual(today.csat_count, 3)
        self.assertAlmostEqual(today._xrm_replay()[2], today.cs_score, places=1)

    def test_one_rating_changed_is_the_one_reason(self):
        partner = self._partner("Change Co")
        rating = self._rating(partner, 5, days_ago=30)
        self._rating(partner, 4, days_ago=25)
        self._interaction(partner, quality=4, days_ago=20)
        self._goal(partner, 60)
        yesterday = self.today - timedelta(days=1)
        partner._xrm_compute_health(as_of=yesterday)
        rating.write({"rating": 1})
        rating.write({"rated_on": self.now - timedelta(days=30)})
        partner._xrm_compute_health()
        snap = self._snapshot(partner, self.today)
        previous = self._snapshot(partner, yesterday)
        self.assertEqual(snap.previous_id, previous)
        reasons = snap._xrm_change_reasons(previous)
        self.assertEqual([key for key, _text in reasons], ["ratings"])
        self.assertIn("ticket ratings changed: average 4.50 → 2.50", reasons[0][1])
        self.assertTrue(reasons[0][1].startswith("CX -25.0"), reasons[0][1])
        # the partner's health tab shows the same change, against yesterday
        self.assertAlmostEqual(partner.xrm_cs_change, snap.cs_score - previous.cs_score)
        self.assertEqual(partner.xrm_cs_change_since, yesterday)
        self.assertEqual(partner.xrm_health_change_summary, snap.change_summary)

    def test_new_ratings_are_explained_by_what_they_averaged(self):
        partner = self._partner("New Ratings Co")
        self._rating(partner, 5, days_ago=30)
        self._rating(partner, 5, days_ago=30)
        yesterday = self.today - timedelta(days=1)
        partner._xrm_compute_health(as_of=yesterday)
        self._rating(partner, 2, days_ago=0)
        self._rating(partner, 2, days_ago=0)
        partner._xrm_compute_health()
        summary = self._snapshot(partner, self.today).change_summary
        self.assertIn("2 new ticket ratings averaging 2.0", summary)
        self.assertNotIn("interactions", summary)

    def test_uncertain_when_few_inputs_or_mostly_undocumented(self):
        few = self._partner("Few Inputs Co")
        self._goal(few, 50)
        undocumented = self._partner("Undocumented Co")
        for _i in range(3):
            self._interaction(undocumented, quality=4, days_ago=10)
        for _i in range(4):
            self._interaction(undocumented, state="draft", days_ago=10)
        solid = self._partner("Solid Co")
        for _i in range(3):
            self._interaction(solid, quality=4, days_ago=10)
        self._interaction(solid, state="draft", days_ago=10)
        (few | undocumented | solid)._xrm_compute_health()
        self.assertTrue(few.xrm_health_uncertain)
        self.assertTrue(undocumented.xrm_health_uncertain)
        self.assertFalse(solid.xrm_health_uncertain)
        self.assertTrue(self._snapshot(undocumented, self.today).uncertain)
        self.assertEqual(self._snapshot(undocumented, self.today).undocumented_count, 4)
        # the dashboard filters on it
        Dashboard = self.env["xrm.dashboard"].with_user(self.xrm_manager)
        (few | undocumented | solid).write(
            {
                "xrm_stage_id": self.env.ref(
                    "xrm_relationship.xrm_journey_stage_active"
                ).id
            }
        )
        for value, expected in ((1, few | undocumented), (2, solid)):
            filters = Dashboard._xrm_clean_filters({"health_confidence": value})
            domain = Dashboard._xrm_partner_domain(filters)
            found = self.env["res.partner"].search(
                domain + [("id", "in", (few | undocumented | solid).ids)]
            )
            self.assertEqual(found, expected)
        filters = Dashboard._xrm_clean_filters({"health_confidence": "junk"})
        self.assertFalse(filters["health_confidence"])

    def test_twelve_week_sparkline(self):
        partner = self._partner("Trend Co")
        goal = self._goal(partner, 0)
        for week in range(12):
            goal.write({"progress": week * 9})
            partner._xrm_compute_health(as_of=self.today - timedelta(weeks=11 - week))
        partner.invalidate_recordset()
        line = partner.xrm_health_sparkline
        self.assertEqual(len(line), 12)
        self.assertEqual(line[0], "▁")
        self.assertEqual(line[-1], "█")
        self.assertEqual(list(line), sorted(line))

    def test_old_snapshot_without_receipt_says_so(self):
        partner = self._partner("Old Co")
        self._goal(partner, 40)
        yesterday = self.today - timedelta(days=1)
        partner._xrm_compute_health(as_of=yesterday)
        self._snapshot(partner, yesterday).write({"has_receipt": False})
        partner._xrm_compute_health()
        reasons = self._snapshot(partner, self.today)._xrm_change_reasons(
            self._snapshot(partner, yesterday)
        )
        self.assertEqual([key for key, _text in reasons], ["no_receipt"])
