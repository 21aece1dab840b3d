# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestCustomerGoal(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Goal Co", "is_company": True, "user_id": cls.xrm_user.id}
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Goal Person", "parent_id": cls.customer.id}
        )

    def _goal(self, **vals):
        vals.setdefault("partner_id", self.customer.id)
        vals.setdefault("name", "Faster deliveries")
        return self.env["xrm.customer.goal"].create(vals)

    def test_goal_on_commercial_entity_and_progress_range(self):
        goal = self._goal(partner_id=self.person.id, progress=40)
        self.assertEqual(goal.partner_id, self.customer)
        self.assertIn(goal, self.customer.xrm_goal_ids)
        with self.assertRaises(ValidationError):
            self._goal(progress=120)
        goal.action_achieve()
        self.assertEqual((goal.state, goal.progress), ("achieved", 100))

    def test_cron_misses_overdue_and_reminds_once(self):
        overdue = self._goal(deadline=fields.Date.to_date("2026-03-01"), progress=30)
        soon = self._goal(deadline=fields.Date.to_date("2026-03-12"))
        later = self._goal(deadline=fields.Date.to_date("2026-05-01"))
        done = self._goal(deadline=fields.Date.to_date("2026-02-01"), state="achieved")
        with freeze_time("2026-03-10"):
            Goal = self.env["xrm.customer.goal"]
            Goal._cron_xrm_goals()
            Goal._cron_xrm_goals()  # twice: nothing more happens
        self.assertEqual(overdue.state, "missed")
        self.assertEqual(overdue.progress, 30, "a missed goal keeps its progress")
        self.assertEqual(done.state, "achieved")
        self.assertEqual(len(soon.activity_ids), 1)
        self.assertEqual(soon.activity_ids.user_id, self.env.user)
        self.assertFalse(later.activity_ids)
