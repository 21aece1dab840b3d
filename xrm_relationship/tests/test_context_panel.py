# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestContextPanel(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.active = cls.env.ref("xrm_relationship.xrm_journey_stage_active")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Golestan Foods", "is_company": True}
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Ali", "parent_id": cls.customer.id}
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Cold room", "partner_id": cls.buyer.id, "type": "opportunity"}
        )
        cls.newcomer = cls.env["res.partner"].create({"name": "Newcomer"})
        cls.new_lead = cls.env["crm.lead"].create(
            {"name": "Hello", "partner_id": cls.newcomer.id}
        )

    def _interaction(self, date, summary=None, quality=None, state="done"):
        vals = {"partner_id": self.customer.id, "date": date, "channel": "phone"}
        if state == "done":
            vals.update(
                summary=summary, outcome="positive", quality=quality, state="done"
            )
        return self.env["xrm.interaction"].create(vals)

    def test_lead_panel_values(self):
        self._interaction(datetime(2026, 1, 5), "Kick-off\nDetails follow", 4)
        last = self._interaction(datetime(2026, 3, 1), "Price review\nSecond line", 5)
        self._interaction(datetime(2026, 4, 1), "Quick hello", 2)  # not meaningful
        self._interaction(datetime(2026, 4, 2), state="draft")
        self.customer.xrm_stage_id = self.active
        self.env["helpdesk.ticket"].create(
            {"name": "Door broken", "description": "x", "partner_id": self.buyer.id}
        )
        lead = self.lead
        lead.invalidate_recordset()
        self.assertFalse(lead.xrm_is_first_contact)
        self.assertEqual(
            lead.xrm_stage_id,
            self.env.ref("xrm_relationship.xrm_journey_stage_support"),
            "the open ticket moved the customer to Support",
        )
        self.assertEqual(lead.xrm_last_meaningful_id, last)
        self.assertEqual(lead.xrm_last_meaningful_summary, "Price review")
        self.assertEqual(lead.xrm_open_ticket_count, 1)
        self.assertEqual(lead.xrm_open_lead_count, 1)
        self.assertEqual(lead.xrm_to_document_count, 1)
        self.assertEqual(lead.xrm_interaction_count, 0)
        self.assertTrue(self.new_lead.xrm_is_first_contact)
        self.assertFalse(self.new_lead.xrm_last_meaningful_id)

    def test_panel_computed_in_constant_queries(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {i}", "is_company": True} for i in range(20)]
        )
        self.env["xrm.interaction"].create(
            [
                {
                    "partner_id": p.id,
                    "summary": "Met",
                    "outcome": "neutral",
                    "quality": 3,
                    "state": "done",
                }
                for p in partners
            ]
        )
        partners.invalidate_recordset()
        with self.assertQueryCount(__system__=12):
            partners.mapped("xrm_last_meaningful_summary")
        self.assertEqual(set(partners.mapped("xrm_last_meaningful_summary")), {"Met"})

    def test_log_interaction_action_prefills(self):
        action = self.lead.action_xrm_log_interaction()
        self.assertEqual(action["context"]["default_lead_id"], self.lead.id)
        rec = (
            self.env["xrm.interaction"]
            .with_context(**action["context"])
            .create({"channel": "visit"})
        )
        self.assertEqual(rec.partner_id, self.customer)
        self.assertEqual(rec.contact_id, self.buyer)
        self.assertEqual(rec.lead_id, self.lead)
        self.assertEqual(self.lead.xrm_interaction_count, 1)
