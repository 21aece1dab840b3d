# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools.capture import capture_suspended, run_isolated
from ..tools.constants import RELATIONSHIP_DOCUMENTS


class MailMessage(models.Model):
    _name = "mail.message"
    _inherit = ["mail.message", "xrm.capture"]

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        if not capture_suspended(self.env):
            # Odoo's create drops res_id from the cache of every message (it
            # invalidates the documents' message_ids, whose inverse it is):
            # the value just inserted is put back, or capture would read
            # each new message again in a query of its own.
            res_id = self._fields["res_id"]
            for message, vals in zip(messages, vals_list, strict=True):
                if isinstance(vals.get("res_id"), int):
                    res_id._update_cache(message, vals["res_id"])
            # What the values already say is no contact (a chat, a note, a
            # notification) costs no read; the rest is read back once.
            maybe = [
                message.id
                for message, vals in zip(messages, vals_list, strict=True)
                if self._xrm_may_be_contact(vals)
            ]
            contacts = messages.browse(maybe)._xrm_captured_contacts()
            if contacts:
                contacts._xrm_after_contact()
        return messages

    def _xrm_after_contact(self):
        """Capture, then the lead answers capture did not record.

        Each in a savepoint of its own: our bookkeeping never costs Odoo the
        message (mail gateway), and a failed capture still counts the answer.
        """
        # Just created: none of them can have been captured yet.
        captured = run_isolated(
            self.env,
            self._xrm_capture_emails,
            False,
            what=f"capture of mail.message {self.ids}",
        )
        # A captured answer on a lead has noted its first response already.
        refs = set(captured.mapped("source_ref")) if captured else set()
        answers = self.filtered(
            lambda m: m.model == "crm.lead"
            and not m._xrm_inbound()
            and f"mail.message,{m.id}" not in refs
        )
        if answers:
            run_isolated(
                self.env,
                answers._xrm_note_lead_first_response,
                what=f"first response of mail.message {answers.ids}",
            )

    def _xrm_captured_contacts(self):
        """Emails in or out on the kinds of records capture follows."""
        return self.filtered(
            lambda m: m.model in RELATIONSHIP_DOCUMENTS
            and m.res_id
            and m._xrm_is_contact()
        )

    def _xrm_note_lead_first_response(self):
        """A message to the customer by an internal user answers a lead.

        Counted even when email capture is off; notes and system messages
        are not answers.
        """
        on_leads = self.filtered(
            lambda m: m.model == "crm.lead" and m.res_id and m._xrm_is_contact()
        )
        for message in on_leads:
            if message._xrm_inbound():
                continue  # the customer wrote: not an answer
            users = message._xrm_author_users().filtered(lambda u: not u.share)
            if users:
                # A date in the future (a wrong clock) is not an answer yet.
                self.env["crm.lead"].browse(message.res_id)._xrm_set_first_response(
                    min(message.date, fields.Datetime.now()), users[:1]
                )

    def _xrm_is_contact(self):
        """Emails in or out; internal notes and system messages are not contacts."""
        self.ensure_one()
        return self._xrm_contact_type(self.message_type, self.subtype_id.id)

    @api.model
    def _xrm_contact_type(self, message_type, subtype_id):
        if message_type in ("email", "email_outgoing"):
            return True
        # Cached id, no query (env.ref would check the subtype still exists).
        comment = self.env["ir.model.data"]._xmlid_to_res_id(
            "mail.mt_comment", raise_if_not_found=False
        )
        return message_type == "comment" and bool(comment) and subtype_id == comment

    @api.model
    def _xrm_may_be_contact(self, vals):
        """False when a message's creation values show it is no contact."""
        if "model" in vals and vals["model"] not in RELATIONSHIP_DOCUMENTS:
            return False
        if "res_id" in vals and not vals["res_id"]:
            return False
        if "message_type" in vals and isinstance(vals.get("subtype_id"), int):
            return self._xrm_contact_type(vals["message_type"], vals["subtype_id"])
        return True

    def _xrm_inbound(self):
        """Written by the customer: no author, or one without internal user.

        Odoo's own stored flag says it (OdooBot is internal), no query.
        """
        self.ensure_one()
        return not self.author_id or self.author_id.partner_share

    def _xrm_author_users(self):
        """The author's users; the poster's own without a query (the usual case)."""
        self.ensure_one()
        user = self.env.user
        if self.author_id == user.partner_id and not user.share:
            return user
        return self.author_id.sudo().user_ids

    def _xrm_capture_emails(self, check_existing=True):
        if not self._xrm_capture_enabled("email"):
            return self.env["xrm.interaction"]
        candidates = self._xrm_captured_contacts()
        vals_list = []
        for model, messages in candidates.grouped("model").items():
            links = self._xrm_links_for(
                model,
                messages.mapped("res_id"),
                answers=not all(message._xrm_inbound() for message in messages),
            )
            for message in messages:
                if message.res_id not in links:
                    continue
                inbound = message._xrm_inbound()
                vals = dict(links[message.res_id])
                if inbound and message.author_id:
                    # The customer wrote: the relationship is the author's entity.
                    vals["contact_id"] = message.author_id.id
                    if model == "res.partner":
                        vals["partner_id"] = message.author_id.commercial_partner_id.id
                vals.update(
                    {
                        "date": message.date,
                        "channel": "email",
                        "direction": "inbound" if inbound else "outbound",
                        "source_ref": f"mail.message,{message.id}",
                    }
                )
                if not inbound and (author_users := message._xrm_author_users()):
                    vals["user_id"] = author_users[0].id
                vals_list.append(vals)
        return self._xrm_capture(vals_list, check_existing=check_existing)
