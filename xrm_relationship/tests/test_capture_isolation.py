# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Capture never costs Odoo a message, an activity or a meeting.

Emails go through the real mail gateway (``message_process`` with raw RFC 822
text): if capture raised there, the gateway would roll the email back and it
would never be processed again.
"""

from datetime import UTC, timedelta
from email.utils import format_datetime as rfc2822_date
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import XrmCommon

ISOLATION_LOGGER = "odoo.addons.xrm_relationship.models.xrm_interaction"


def raw_email(sender, to, subject, body, date, message_id, reply_to_id=None):
    headers = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        f"Date: {rfc2822_date(date.replace(tzinfo=UTC))}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if reply_to_id:
        headers += [f"In-Reply-To: {reply_to_id}", f"References: {reply_to_id}"]
    return "\r\n".join(headers) + "\r\n\r\n" + body + "\r\n"


@tagged("post_install", "-at_install")
class TestCaptureIsolation(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Capture Company B"})
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tavan Glass", "is_company": True, "email": "info@tavan.example"}
        )
        cls.buyer = cls.env["res.partner"].create(
            {
                "name": "Reza Buyer",
                "parent_id": cls.customer.id,
                "email": "reza@tavan.example",
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Glass for the new wing",
                "partner_id": cls.buyer.id,
                "user_id": cls.xrm_user.id,
            }
        )
        # A customer kept by company B, on a ticket of the main company.
        cls.customer_b = cls.env["res.partner"].create(
            {
                "name": "Baran Steel",
                "is_company": True,
                "email": "care@baran.example",
                "company_id": cls.company_b.id,
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Broken hinge",
                "description": "The hinge broke.",
                "partner_id": cls.customer_b.id,
                "company_id": cls.env.company.id,
                "user_id": cls.xrm_manager.id,
            }
        )
        domain = cls.env["mail.alias.domain"].create({"name": "xrm-capture.example"})
        cls.env.company.alias_domain_id = domain
        cls.alias = cls.env["mail.alias"].create(
            {
                "alias_name": "xrm-sales",
                "alias_domain_id": domain.id,
                "alias_model_id": cls.env["ir.model"]._get_id("crm.lead"),
                "alias_contact": "everyone",
            }
        )
        cls.now = fields.Datetime.now()

    def _captured(self, message):
        return (
            self.env["xrm.interaction"]
            .with_context(active_test=False)
            .search([("source_ref", "=", f"mail.message,{message.id}")])
        )

    def _process(self, raw, model=False):
        return self.env["mail.thread"].message_process(model, raw)

    def _message(self, message_id):
        return self.env["mail.message"].search([("message_id", "=", message_id)])

    def _assert_clamped(self, interaction, claimed):
        self.assertEqual(len(interaction), 1)
        self.assertLessEqual(interaction.date, fields.Datetime.now())
        self.assertGreaterEqual(interaction.date, self.now - timedelta(minutes=1))
        notes = interaction.message_ids.mapped("body")
        self.assertTrue(
            any("in the future" in (note or "") for note in notes),
            f"the interaction says nothing about its date: {notes}",
        )

    def test_future_dated_reply_on_lead_arrives_and_is_clamped(self):
        offer = self.lead.message_post(
            body="Our offer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        future = self.now + timedelta(days=30)
        raw = raw_email(
            "Reza Buyer <reza@tavan.example>",
            self.alias.display_name,
            "Re: Glass for the new wing",
            "Can you deliver in May?",
            future,
            "<future-reply@tavan.example>",
            reply_to_id=offer.message_id,
        )
        self.assertEqual(self._process(raw), self.lead.id)
        message = self._message("<future-reply@tavan.example>")
        self.assertEqual((message.model, message.res_id), ("crm.lead", self.lead.id))
        interaction = self._captured(message)
        self._assert_clamped(interaction, future)
        self.assertEqual(interaction.lead_id, self.lead)
        self.assertEqual(interaction.direction, "inbound")

    def test_future_dated_new_lead_through_an_alias(self):
        future = self.now + timedelta(days=400)
        raw = raw_email(
            "Reza Buyer <reza@tavan.example>",
            self.alias.display_name,
            "Quote for a skylight",
            "Please send a quote.",
            future,
            "<future-new@tavan.example>",
        )
        lead_id = self._process(raw)
        lead = self.env["crm.lead"].browse(lead_id)
        self.assertEqual(lead.name, "Quote for a skylight")
        self.assertEqual(lead.partner_id, self.buyer)
        message = self._message("<future-new@tavan.example>")
        self.assertEqual(message.res_id, lead.id)
        self._assert_clamped(self._captured(message), future)

    def test_reply_on_ticket_of_another_company_customer(self):
        answer = self.ticket.message_post(
            body="We send a technician",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        raw = raw_email(
            "Baran Steel <care@baran.example>",
            "helpdesk@yourcompany.example",
            "Re: Broken hinge",
            "Thank you, Tuesday works.",
            self.now - timedelta(minutes=5),
            "<ticket-reply@baran.example>",
            reply_to_id=answer.message_id,
        )
        self.assertEqual(self._process(raw), self.ticket.id)
        message = self._message("<ticket-reply@baran.example>")
        self.assertEqual(message.res_id, self.ticket.id)
        interaction = self._captured(message)
        self.assertEqual(len(interaction), 1)
        # Remembered where the relationship is kept: company B.
        self.assertEqual(interaction.partner_id, self.customer_b)
        self.assertEqual(interaction.company_id, self.company_b)
        self.assertEqual(interaction.ticket_id, self.ticket)

    def test_done_activity_on_ticket_of_another_company_customer(self):
        call = self.ticket.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.xrm_manager.id
        )
        activity_id = call.id
        call.with_user(self.xrm_manager).action_feedback(feedback="Called them")
        self.assertFalse(call.exists().filtered("active"))
        interaction = self.env["xrm.interaction"].search(
            [("source_ref", "=", f"mail.activity,{activity_id}")]
        )
        self.assertEqual(interaction.company_id, self.company_b)
        self.assertEqual(interaction.channel, "phone")

    def test_capture_failure_never_refuses_the_message(self):
        Interaction = type(self.env["xrm.interaction"])
        with (
            patch.object(
                Interaction, "_xrm_links_for", side_effect=RuntimeError("broken")
            ),
            self.assertLogs(ISOLATION_LOGGER, level="WARNING") as logs,
        ):
            message = self.lead.message_post(
                body="Still delivered",
                message_type="email",
                author_id=self.buyer.id,
                subtype_xmlid="mail.mt_comment",
            )
        self.assertIn("failed and was skipped", logs.output[0])
        self.assertTrue(message.exists())
        self.assertEqual(message.res_id, self.lead.id)
        self.assertFalse(self._captured(message))

    def _meeting(self, name, attendee):
        return self.env["calendar.event"].create(
            {
                "name": name,
                "start": self.now - timedelta(hours=3),
                "stop": self.now - timedelta(hours=2),
                "user_id": self.xrm_user.id,
                "partner_ids": [(6, 0, [attendee.id, self.xrm_user.partner_id.id])],
            }
        )

    def _run_meeting_cron(self):
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            self.env["calendar.event"]._cron_xrm_capture_meetings()

    def _meeting_captured(self, event):
        return self.env["xrm.interaction"].search(
            [("source_ref", "=like", f"calendar.event,{event.id},%")]
        )

    def test_meeting_cron_captures_another_company_attendee_and_the_rest(self):
        here = self._meeting("Showroom visit", self.buyer)
        elsewhere = self._meeting("Factory visit", self.customer_b)
        self._run_meeting_cron()
        self.assertEqual(self._meeting_captured(here).partner_id, self.customer)
        other = self._meeting_captured(elsewhere)
        self.assertEqual(other.partner_id, self.customer_b)
        self.assertEqual(other.company_id, self.company_b)

    def test_meeting_cron_survives_one_bad_event(self):
        good = self._meeting("Showroom visit", self.buyer)
        bad = self._meeting("Factory visit", self.customer_b)
        Interaction = type(self.env["xrm.interaction"])
        original = Interaction._xrm_note_first_response

        def broken(records):
            if self.customer_b in records.partner_id:
                raise RuntimeError("this one cannot be captured")
            return original(records)

        with (
            patch.object(Interaction, "_xrm_note_first_response", broken),
            mute_logger(ISOLATION_LOGGER),
        ):
            self._run_meeting_cron()
        self.assertEqual(len(self._meeting_captured(good)), 1)
        self.assertFalse(self._meeting_captured(bad))
        # The next run captures it once it can be.
        self._run_meeting_cron()
        self.assertEqual(len(self._meeting_captured(bad)), 1)
        self.assertEqual(len(self._meeting_captured(good)), 1)
