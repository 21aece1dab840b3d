# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmLead(models.Model):
    """Success stories of similar customers, offered on the opportunity."""

    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    xrm_story_ids = fields.Many2many(
        "xrm.success.story",
        string="Success Stories to Share",
        compute="_compute_xrm_story_ids",
        help="Approved stories, with consent, of customers like this one: "
        "same industry, then a shared tag, then same relationship type and "
        "country.",
    )
    xrm_story_use_ids = fields.One2many(
        "xrm.success.story.use", "lead_id", string="Success Stories Sent"
    )

    # What a reader may see depends on their rights: cache per user.
    @api.depends_context("uid")
    @api.depends("partner_id", "company_id")
    def _compute_xrm_story_ids(self):
        Story = self.env["xrm.success.story"]
        if not Story.has_access("read"):
            self.xrm_story_ids = Story
            return
        for lead in self:
            lead.xrm_story_ids = Story._xrm_suggest_for(
                lead.partner_id._origin, lead.company_id._origin
            )

    def _xrm_send_story(self, story):
        """Mail ``story`` to the lead's contact through its chatter.

        Refused (nothing sent, nothing written) when the story may not be
        told or when one more contact takes the relationship past its
        contact-pressure limit. The mail counts as an outbound contact
        (an interaction for the message, as email capture records it) and
        the sending is recorded as a use of the story.
        """
        self.ensure_one()
        story.ensure_one()
        self.check_access("write")
        story.check_access("read")
        story._xrm_check_sendable()
        contact = self.partner_id
        if not contact:
            raise UserError(
                self.env._(
                    "%(lead)s has no contact to send a story to.", lead=self.name
                )
            )
        warning = self.env["xrm.contact.pressure"]._xrm_pressure_warning(contact)
        if warning:
            raise UserError(
                self.env._(
                    "Not sent: %(warning)s\n\nWait until the relationship has "
                    "room, or write to them from the chatter if it cannot wait.",
                    warning=warning,
                )
            )
        body = Markup("<p>%s</p><h4>%s</h4>%s%s%s") % (
            self.env._("A customer like you told us their story:"),
            story.name,
            self._xrm_story_paragraph(self.env._("The challenge"), story.challenge),
            self._xrm_story_paragraph(self.env._("The outcome"), story.outcome),
            self._xrm_story_paragraph(self.env._("In their words"), story.quote),
        )
        message = self.message_post(
            body=body,
            subject=story.name,
            partner_ids=contact.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # Counted in contact pressure like any email: the interaction email
        # capture makes for this message (made here when capture is off).
        Capture = self.env["xrm.capture"]
        links = Capture._xrm_links_for("crm.lead", self.ids)
        if self.id in links:
            Capture._xrm_capture(
                [
                    dict(
                        links[self.id],
                        contact_id=contact.id,
                        user_id=self.env.user.id,
                        date=message.date,
                        channel="email",
                        direction="outbound",
                        summary=self.env._("Success story sent: %s", story.name),
                        source_ref=f"mail.message,{message.id}",
                    )
                ]
            )
        # sudo: uses are written by this sending only (the win-rate report
        # must not count forged ones).
        self.env["xrm.success.story.use"].sudo().create(
            {
                "story_id": story.id,
                "lead_id": self.id,
                "partner_id": contact.id,
                "user_id": self.env.user.id,
                "company_id": (self.company_id or story.company_id).id,
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(story)s sent to %(contact)s.",
                    story=story.name,
                    contact=contact.display_name,
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _xrm_story_paragraph(self, title, text):
        if not text:
            return ""
        return Markup("<p><strong>%s</strong><br/>%s</p>") % (
            title,
            Markup("<br/>").join((text or "").splitlines()),
        )
