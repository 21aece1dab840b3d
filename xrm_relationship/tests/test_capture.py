# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestCapture(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Kaveh Tiles", "is_company": True, "email": "info@kaveh.example"}
        )
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "Neda Buyer",
                "parent_id": cls.customer.id,
                "email": "neda@kaveh.example",
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Tiles for HQ",
                "partner_id": cls.buyer.id,
                "user_id": cls.xrm_user.id,
            }
        )

    def _captured(self, ref_prefix):
        return self.env["xrm.interaction"].search(
            [
                ("source_ref", "=like", f"{ref_prefix}%"),
                ("partner_id", "=", self.customer.id),
            ]
        )

    def test_email_posted_from_chatter_is_captured_once(self):
        message = self.customer.with_user(self.xrm_user).message_post(
            body="Here is our offer",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        captured = self._captured(f"mail.message,{message.id}")
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.state, "draft")
        self.assertEqual(captured.channel, "email")
        self.assertEqual(captured.direction, "outbound")
        self.assertEqual(captured.user_id, self.xrm_user)
        # Re-running capture on the same message adds nothing.
        message._xrm_capture_emails()
        self.assertEqual(len(self._captured(f"mail.message,{message.id}")), 1)
        # The salesperson finds it in "to document".
        to_document = (
            self.env["xrm.interaction"]
            .with_user(self.xrm_user)
            .search([("state", "=", "draft"), ("user_id", "=", self.xrm_user.id)])
        )
        self.assertIn(captured, to_document)

    def test_inbound_email_on_lead(self):
        message = self.lead.message_post(
            body="Can you deliver in May?",
            message_type="email",
            author_id=self.buyer.id,
            subtype_xmlid="mail.mt_comment",
        )
        captured = self._captured(f"mail.message,{message.id}")
        self.assertEqual(captured.direction, "inbound")
        self.assertEqual(captured.lead_id, self.lead)
        self.assertEqual(captured.contact_id, self.buyer)
        self.assertEqual(captured.user_id, self.xrm_user)

    def test_notes_and_system_messages_are_not_contacts(self):
        before = self.env["xrm.interaction"].search_count([])
        self.customer.message_post(body="internal", subtype_xmlid="mail.mt_note")
        self.customer.message_post(body="auto", message_type="notification")
        self.assertEqual(self.env["xrm.interaction"].search_count([]), before)

    def test_capture_switch_off(self):
        self.env["ir.config_parameter"].set_param(
            "xrm_relationship.capture_email", False
        )
        message = self.customer.message_post(
            body="Offer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(self._captured(f"mail.message,{message.id}"))

    def test_done_call_activity_is_captured(self):
        call = self.customer.activity_schedule(
            "mail.mail_activity_data_call",
            user_id=self.xrm_user.id,
            summary="Follow up",
        )
        todo = self.customer.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.xrm_user.id
        )
        activity_id = call.id
        (call | todo).action_feedback(feedback="Talked")
        captured = self._captured(f"mail.activity,{activity_id}")
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.channel, "phone")
        self.assertFalse(self._captured(f"mail.activity,{todo.id}"))

    def test_ended_meeting_with_external_attendee(self):
        now = fields.Datetime.now()
        ended = self.env["calendar.event"].create(
            {
                "name": "Showroom visit",
                "start": now - timedelta(hours=3),
                "stop": now - timedelta(hours=2),
                "user_id": self.xrm_user.id,
                "partner_ids": [(6, 0, [self.buyer.id, self.xrm_user.partner_id.id])],
            }
        )
        future = self.env["calendar.event"].create(
            {
                "name": "Next visit",
                "start": now + timedelta(days=3),
                "stop": now + timedelta(days=3, hours=1),
                "partner_ids": [(6, 0, [self.buyer.id])],
            }
        )
        internal_only = self.env["calendar.event"].create(
            {
                "name": "Team sync",
                "start": now - timedelta(hours=3),
                "stop": now - timedelta(hours=2),
                "partner_ids": [(6, 0, [self.xrm_user.partner_id.id])],
            }
        )
        Event = self.env["calendar.event"]
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            Event._cron_xrm_capture_meetings()
            Event._cron_xrm_capture_meetings()  # twice: no duplicates
        captured = self._captured(f"calendar.event,{ended.id},")
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.channel, "meeting")
        self.assertEqual(captured.contact_id, self.buyer)
        self.assertFalse(self._captured(f"calendar.event,{future.id},"))
        self.assertFalse(
            self.env["xrm.interaction"].search_count(
                [("source_ref", "=like", f"calendar.event,{internal_only.id},%")]
            )
        )

    def test_chatter_email_documented_moves_new_partner_to_first_contact(self):
        newcomer = self.env["res.partner"].create(
            {"name": "Brand New Co", "is_company": True, "email": "hi@new.example"}
        )
        newcomer.with_user(self.xrm_user).message_post(
            body="Nice meeting you at the fair",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        action = self.env.ref("xrm_relationship.xrm_interaction_action_to_document")
        self.assertIn("search_default_to_document", action.context)
        mine = (
            self.env["xrm.interaction"]
            .with_user(self.xrm_user)
            .search(
                [
                    ("state", "=", "draft"),
                    ("user_id", "=", self.xrm_user.id),
                    ("partner_id", "=", newcomer.id),
                ]
            )
        )
        self.assertEqual(len(mine), 1)
        mine.write({"summary": "Met at the fair", "outcome": "positive", "quality": 3})
        mine.action_document()
        self.assertEqual(
            newcomer.xrm_stage_id,
            self.env.ref("xrm_relationship.xrm_journey_stage_first_contact"),
        )
        self.assertFalse(newcomer.xrm_is_first_contact)
