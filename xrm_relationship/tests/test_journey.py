# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestJourney(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prospect = cls.env.ref("xrm_relationship.xrm_journey_stage_prospect")
        cls.first_contact = cls.env.ref(
            "xrm_relationship.xrm_journey_stage_first_contact"
        )
        cls.active = cls.env.ref("xrm_relationship.xrm_journey_stage_active")
        cls.churned = cls.env.ref("xrm_relationship.xrm_journey_stage_churned")

    def test_transitions_record_time_in_previous_stage(self):
        with freeze_time("2026-01-01 08:00:00"):
            partner = self.env["res.partner"].create(
                {
                    "name": "Acme Journey",
                    "is_company": True,
                    "xrm_stage_id": self.prospect.id,
                }
            )
        with freeze_time("2026-01-11 20:00:00"):
            partner.xrm_stage_id = self.first_contact
        with freeze_time("2026-01-12 08:00:00"):
            # Moving backwards is allowed and recorded like any move.
            partner.xrm_stage_id = self.prospect
        transitions = partner.xrm_transition_ids.sorted("id")
        self.assertEqual(
            transitions.mapped("to_stage_id"),
            self.prospect + self.first_contact + self.prospect,
        )
        self.assertFalse(transitions[0].from_stage_id)
        self.assertEqual(transitions[1].from_stage_id, self.prospect)
        self.assertAlmostEqual(transitions[1].days_in_previous_stage, 10.5)
        self.assertAlmostEqual(transitions[2].days_in_previous_stage, 0.5)
        self.assertEqual(partner.xrm_stage_date, datetime(2026, 1, 12, 8, 0))

    def test_writing_the_same_stage_writes_no_transition(self):
        partner = self.env["res.partner"].create(
            {"name": "Same Stage", "xrm_stage_id": self.active.id}
        )
        partner.write({"xrm_stage_id": self.active.id, "phone": "+98 21 555"})
        self.assertEqual(len(partner.xrm_transition_ids), 1)

    def test_churn_date_set_and_cleared(self):
        partner = self.env["res.partner"].create(
            {"name": "Leaving Ltd", "xrm_stage_id": self.active.id}
        )
        partner.xrm_churn_reason = "Price"
        with freeze_time("2026-03-05 10:00:00"):
            partner.with_context(
                xrm_stage_reason="Moved to a competitor"
            ).xrm_stage_id = self.churned
        self.assertEqual(partner.xrm_churn_date, fields.Date.to_date("2026-03-05"))
        self.assertEqual(
            partner.xrm_transition_ids.sorted("id")[-1].reason, "Moved to a competitor"
        )
        partner.xrm_stage_id = self.active
        self.assertFalse(partner.xrm_churn_date)

    def test_churn_needs_a_reason(self):
        partner = self.env["res.partner"].create(
            {"name": "Silent Leaver", "xrm_stage_id": self.active.id}
        )
        with self.assertRaisesRegex(UserError, "churn reason"):
            partner.xrm_stage_id = self.churned
        self.assertEqual(partner.xrm_stage_id, self.active)
        self.assertFalse(partner.xrm_churn_date)
        partner.write(
            {"xrm_churn_reason": "Budget cut", "xrm_stage_id": self.churned.id}
        )
        self.assertTrue(partner.xrm_churn_date)
        self.assertEqual(
            partner.xrm_transition_ids.sorted("id")[-1].reason, "Budget cut"
        )

    def test_days_in_stage_and_overdue(self):
        self.first_contact.max_days = 30
        with freeze_time("2026-01-01 00:00:00"):
            slow = self.env["res.partner"].create(
                {"name": "Slow", "xrm_stage_id": self.first_contact.id}
            )
        with freeze_time("2026-01-25 00:00:00"):
            fast = self.env["res.partner"].create(
                {"name": "Fast", "xrm_stage_id": self.first_contact.id}
            )
        with freeze_time("2026-02-05 00:00:00"):
            (slow | fast).invalidate_recordset()
            self.assertEqual(slow.xrm_days_in_stage, 35)
            self.assertTrue(slow.xrm_stage_overdue)
            self.assertEqual(fast.xrm_days_in_stage, 11)
            self.assertFalse(fast.xrm_stage_overdue)
            overdue = self.env["res.partner"].search(
                [("xrm_stage_overdue", "=", True), ("id", "in", (slow | fast).ids)]
            )
            self.assertEqual(overdue, slow)
            on_time = self.env["res.partner"].search(
                [("xrm_stage_overdue", "=", False), ("id", "in", (slow | fast).ids)]
            )
            self.assertEqual(on_time, fast)

    def test_churn_wizard_records_the_decision(self):
        partner = self.env["res.partner"].create(
            {"name": "Wizard Leaver", "xrm_stage_id": self.active.id}
        )
        wizard = (
            self.env["xrm.churn.wizard"]
            .with_user(self.xrm_user)
            .with_context(active_model="res.partner", active_ids=partner.ids)
            .create({"reason": "Closed their shop"})
        )
        self.assertEqual(wizard.partner_ids, partner)
        self.assertEqual(wizard.stage_id, self.churned)
        wizard.action_confirm()
        self.assertEqual(partner.xrm_stage_id, self.churned)
        self.assertEqual(partner.xrm_churn_reason, "Closed their shop")
        self.assertTrue(partner.xrm_churn_date)
        last = partner.xrm_transition_ids.sorted("id")[-1]
        self.assertEqual(last.reason, "Closed their shop")
        self.assertEqual(last.user_id, self.xrm_user)
