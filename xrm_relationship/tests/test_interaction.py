# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestInteraction(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.partner"].create(
            {
                "name": "Parsian Trading",
                "is_company": True,
                "xrm_relation_type": "customer",
            }
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Sara Ahmadi", "parent_id": cls.company.id}
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Co", "is_company": True}
        )

    def _interaction(self, **vals):
        vals.setdefault("partner_id", self.company.id)
        vals.setdefault("channel", "phone")
        return self.env["xrm.interaction"].create(vals)

    def test_stored_on_commercial_entity_with_contact(self):
        rec = self._interaction(partner_id=self.person.id)
        self.assertEqual(rec.partner_id, self.company)
        self.assertEqual(rec.contact_id, self.person)
        self.assertEqual(rec.state, "draft")
        self.assertEqual(self.company.xrm_interaction_count, 1)
        self.assertEqual(self.person.xrm_interaction_count, 1)

    def test_documenting_makes_it_done_and_meaningful(self):
        rec = self._interaction()
        # A refused save is rolled back, as the request around it would be.
        with (
            self.assertRaisesRegex(ValidationError, "summary, an outcome"),
            self.env.cr.savepoint(),
        ):
            rec.action_document()
        rec.write({"summary": "Agreed on a pilot", "outcome": "positive", "quality": 4})
        rec.action_document()
        self.assertEqual(rec.state, "done")
        self.assertTrue(rec.is_meaningful)
        low = self._interaction(summary="Small talk", outcome="neutral", quality=2)
        low.action_document()
        self.assertFalse(low.is_meaningful)
        # Set by hand: a short call can still matter.
        low.is_meaningful = True
        self.assertTrue(low.is_meaningful)

    def test_bad_input_is_refused(self):
        Interaction = self.env["xrm.interaction"]
        with self.assertRaisesRegex(UserError, "needs a relationship"):
            Interaction.create({"channel": "phone"})
        with self.assertRaises(ValidationError):
            self._interaction(quality=6)
        with self.assertRaises(ValidationError):
            self._interaction(csat=0 - 1)
        with self.assertRaisesRegex(ValidationError, "future"):
            self._interaction(date=fields.Datetime.now() + timedelta(days=2))
        # Within a day ahead is fine (time zones, scheduled calls).
        self._interaction(date=fields.Datetime.now() + timedelta(hours=20))
        lead = self.env["crm.lead"].create(
            {"name": "Other deal", "partner_id": self.other.id}
        )
        with self.assertRaisesRegex(ValidationError, "belongs to Other Co"):
            self._interaction(lead_id=lead.id)
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Broken", "description": "x", "partner_id": self.other.id}
        )
        with self.assertRaisesRegex(ValidationError, "belongs to Other Co"):
            self._interaction(ticket_id=ticket.id)
        with self.assertRaisesRegex(UserError, "does not exist"):
            self._interaction(partner_id=999999999)
        rec = self._interaction()
        with self.assertRaisesRegex(UserError, "needs a relationship"):
            rec.write({"partner_id": False})
        self.assertEqual(rec.partner_id, self.company, "nothing half-saved")

    def test_documented_memory_is_archived_not_deleted(self):
        rec = self._interaction(
            summary="Renewal talk",
            outcome="positive",
            quality=3,
            user_id=self.xrm_user.id,
        )
        rec.action_document()
        with self.assertRaisesRegex(UserError, "archive"):
            rec.with_user(self.xrm_user).unlink()
        rec.with_user(self.xrm_user).action_archive()
        self.assertFalse(rec.active)
        draft = self._interaction(user_id=self.xrm_user.id)
        draft.with_user(self.xrm_user).unlink()
        self.assertFalse(draft.exists())
        rec.with_user(self.xrm_manager).unlink()
        self.assertFalse(rec.exists())

    def test_salesperson_of_another_team_cannot_read(self):
        team_a = self.env["crm.team"].create(
            {"name": "Team A", "member_ids": [(4, self.xrm_user.id)]}
        )
        colleague = self.env["res.users"].create(
            {
                "name": "Other Rep",
                "login": "other_rep",
                "group_ids": [
                    (6, 0, [self.env.ref("xrm_relationship.group_xrm_user").id])
                ],
            }
        )
        team_b = self.env["crm.team"].create(
            {"name": "Team B", "member_ids": [(4, colleague.id)]}
        )
        theirs = self._interaction(user_id=colleague.id, team_id=team_b.id)
        ours = self._interaction(user_id=colleague.id, team_id=team_a.id)
        ours.with_user(self.xrm_user).read(["summary"])
        with self.assertRaises(AccessError):
            theirs.with_user(self.xrm_user).read(["summary"])
        theirs.with_user(self.xrm_manager).read(["summary"])
        with self.assertRaises(AccessError):
            ours.with_user(self.plain_user).read(["summary"])

    def test_stage_configuration_is_for_managers(self):
        stage = self.env.ref("xrm_relationship.xrm_journey_stage_active")
        with self.assertRaises(AccessError):
            stage.with_user(self.xrm_user).write({"max_days": 5})
        stage.with_user(self.xrm_manager).write({"max_days": 5})
        self.assertEqual(stage.max_days, 5)
