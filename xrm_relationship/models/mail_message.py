# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .xrm_interaction import capture_suspended, run_isolated


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        if not capture_suspended(self.env):
            contacts = messages._xrm_captured_contacts()
            if contacts:
                # Our bookkeeping never costs Odoo the message (mail gateway).
                run_isolated(
                    self.env,
                    contacts._xrm_after_contact,
                    what=f"capture of mail.message {contacts.ids}",
                )
        return messages

    def _xrm_after_contact(self):
        self._xrm_capture_emails()
        self._xrm_note_lead_first_response()

    def _xrm_captured_contacts(self):
        """Emails in or out on the kinds of records capture follows."""
        captured = self.env["xrm.interaction"].CAPTURED_MODELS
        return self.filtered(
            lambda m: m.model in captured and m.res_id and m._xrm_is_contact()
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
            users = message.author_id.sudo().user_ids.filtered(lambda u: not u.share)
            if users:
                # A date in the future (a wrong clock) is not an answer yet.
                self.env["crm.lead"].browse(message.res_id)._xrm_set_first_response(
                    min(message.date, fields.Datetime.now()), users[:1]
                )

    def _xrm_is_contact(self):
        """Emails in or out; internal notes and system messages are not contacts."""
        self.ensure_one()
        if self.message_type in ("email", "email_outgoing"):
            return True
        comment = self.env.ref("mail.mt_comment", raise_if_not_found=False)
        return (
            self.message_type == "comment"
            and bool(comment)
            and self.subtype_id == comment
        )

    def _xrm_capture_emails(self):
        Interaction = self.env["xrm.interaction"]
        if not Interaction._xrm_capture_enabled("email"):
            return Interaction
        candidates = self._xrm_captured_contacts()
        vals_list = []
        for model, messages in candidates.grouped("model").items():
            links = Interaction._xrm_links_for(model, messages.mapped("res_id"))
            for message in messages:
                if message.res_id not in links:
                    continue
                author_users = message.author_id.sudo().user_ids
                inbound = not author_users or all(u.share for u in author_users)
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
                if not inbound and author_users:
                    vals["user_id"] = author_users[0].id
                vals_list.append(vals)
        return Interaction._xrm_capture(vals_list)
