# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestJourneyAutomation(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.prospect = ref("xrm_relationship.xrm_journey_stage_prospect")
        cls.first_contact = ref("xrm_relationship.xrm_journey_stage_first_contact")
        cls.onboarding = ref("xrm_relationship.xrm_journey_stage_onboarding")
        cls.active = ref("xrm_relationship.xrm_journey_stage_active")
        cls.support = ref("xrm_relationship.xrm_journey_stage_support")
        cls.at_risk = ref("xrm_relationship.xrm_journey_stage_at_risk")
        cls.partner = cls.env["res.partner"].create(
            {"name": "New Co", "is_company": True}
        )

    def _document(self, partner, **vals):
        rec = self.env["xrm.interaction"].create(
            dict({"partner_id": partner.id, "channel": "phone"}, **vals)
        )
        rec.write({"summary": "Intro call", "outcome": "positive", "quality": 3})
        rec.action_document()
        return rec

    def _switch(self, key, value):
        self.env["ir.config_parameter"].set_param(f"xrm_relationship.{key}", value)

    def test_first_documented_interaction_moves_to_first_contact(self):
        self.env["xrm.interaction"].create({"partner_id": self.partner.id})
        self.assertFalse(self.partner.xrm_stage_id, "a draft capture moves nothing")
        self._document(self.partner)
        self.assertEqual(self.partner.xrm_stage_id, self.first_contact)
        # An active customer's documented call is not a first contact.
        active = self.env["res.partner"].create(
            {"name": "Old Friend", "xrm_stage_id": self.active.id}
        )
        self._document(active)
        self.assertEqual(active.xrm_stage_id, self.active)

    def test_first_contact_switch_off(self):
        self._switch("auto_first_contact", False)
        self._document(self.partner)
        self.assertFalse(self.partner.xrm_stage_id)

    def test_won_opportunity_moves_to_onboarding_or_active(self):
        lead = self.env["crm.lead"].create(
            {"name": "Deal", "partner_id": self.partner.id, "type": "opportunity"}
        )
        lead.action_set_won()
        self.assertEqual(self.partner.xrm_stage_id, self.onboarding)
        self._switch("auto_won_role", "active")
        other = self.env["res.partner"].create(
            {"name": "Other Buyer", "is_company": True}
        )
        self.env["crm.lead"].create(
            {"name": "Deal 2", "partner_id": other.id, "type": "opportunity"}
        ).action_set_won()
        self.assertEqual(other.xrm_stage_id, self.active)
        self._switch("auto_won", False)
        third = self.env["res.partner"].create({"name": "Third", "is_company": True})
        self.env["crm.lead"].create(
            {"name": "Deal 3", "partner_id": third.id, "type": "opportunity"}
        ).action_set_won()
        self.assertFalse(third.xrm_stage_id)

    def test_open_ticket_support_and_back(self):
        self.partner.xrm_stage_id = self.active
        contact = self.env["res.partner"].create(
            {"name": "Reza", "parent_id": self.partner.id}
        )
        Ticket = self.env["helpdesk.ticket"]
        t1 = Ticket.create(
            {"name": "Leak", "description": "x", "partner_id": contact.id}
        )
        t2 = Ticket.create(
            {"name": "Noise", "description": "y", "partner_id": self.partner.id}
        )
        self.assertEqual(self.partner.xrm_stage_id, self.support)
        closed = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True)], limit=1
        )
        t1.stage_id = closed
        self.assertEqual(self.partner.xrm_stage_id, self.support, "one still open")
        t2.stage_id = closed
        self.assertEqual(self.partner.xrm_stage_id, self.active)

    def test_support_switch_off(self):
        self._switch("auto_support", False)
        self.env["helpdesk.ticket"].create(
            {"name": "Leak", "description": "x", "partner_id": self.partner.id}
        )
        self.assertFalse(self.partner.xrm_stage_id)

    def test_no_meaningful_contact_moves_to_at_risk(self):
        self._switch("at_risk_days", "30")
        with freeze_time("2026-01-01"):
            quiet = self.env["res.partner"].create(
                {"name": "Quiet", "xrm_stage_id": self.active.id}
            )
            talked = self.env["res.partner"].create(
                {"name": "Talked", "xrm_stage_id": self.active.id}
            )
        with freeze_time("2026-01-25"):
            self._document(talked)
        Stage = self.env["xrm.journey.stage"]
        # The job commits batch by batch: no commit inside a test.
        no_commit = patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=100.0
        )
        with freeze_time("2026-02-10"), no_commit:
            moved = Stage._cron_xrm_at_risk()
        self.assertIn(quiet, moved)
        self.assertEqual(quiet.xrm_stage_id, self.at_risk)
        self.assertEqual(talked.xrm_stage_id, self.active)
        self._switch("auto_at_risk", False)
        self.assertFalse(Stage._cron_xrm_at_risk())
