# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..tools.constants import XRM_PREFETCH
from ..tools.settings import xrm_setting

HELPDESK_AGENT = "helpdesk_mgmt.group_helpdesk_user_own"


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "xrm.context.mixin"]
    _xrm_interaction_field = "ticket_id"

    # Health and KPIs read a relationship's tickets by their commercial entity.
    commercial_partner_id = fields.Many2one(index="btree_not_null")
    # The context panel counts a contact's open tickets (and helpdesk's own
    # ticket count on the partner form reads them): without an index each
    # form opened scans every ticket.
    partner_id = fields.Many2one(index="btree_not_null")
    closed_date = fields.Datetime(index="btree_not_null")
    # Related knowledge (issue 8): the answer a resolved ticket can lend to
    # later, similar requests.
    xrm_resolution = fields.Html(
        string="Resolution",
        help="How the request was solved, written to be sent as is to the "
        "next customer with the same problem.",
        prefetch=XRM_PREFETCH,
    )
    xrm_suggestion_ids = fields.One2many(
        "xrm.ticket.suggestion",
        "ticket_id",
        string="Related Knowledge",
        groups=HELPDESK_AGENT,
    )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._xrm_sync_support_stage()
        if not self.env.context.get("xrm_no_suggestions"):
            self.env["xrm.ticket.suggestion"]._xrm_refresh(tickets)
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if "stage_id" in vals or "partner_id" in vals:
            self._xrm_sync_support_stage()
        return res

    def _xrm_sync_support_stage(self):
        """Open ticket -> Support; last ticket closed -> back where it was."""
        if not xrm_setting(self.env, "auto_support"):
            return
        partners = self.partner_id.commercial_partner_id
        if not partners:
            return
        open_groups = (
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "child_of", partners.ids),
                    ("stage_id.closed", "=", False),
                ],
                ["partner_id"],
            )
        )
        with_open = self.env["res.partner"].union(
            *(partner.commercial_partner_id for (partner,) in open_groups)
        )
        Stage = self.env["xrm.journey.stage"]
        Stage._xrm_auto_move(with_open, "support", reason=self.env._("Ticket opened"))
        Stage._xrm_leave_support(partners - with_open)

    def action_xrm_refresh_suggestions(self):
        # Suggestions are found as superuser: helpdesk agents only (a portal
        # customer reads their ticket, and must not run the search at will).
        if not (self.env.su or self.env.user.has_group(HELPDESK_AGENT)):
            raise AccessError(_("Finding related knowledge is for helpdesk agents."))
        self.check_access("read")
        self.env["xrm.ticket.suggestion"]._xrm_refresh(self)
        return True

    def action_xrm_log_feedback(self):
        """*Log Feedback*: a feedback form prefilled from this record."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        return self.env["xrm.feedback"]._xrm_action_log(
            self,
            {
                "partner_id": commercial.id,
                "contact_id": self.partner_id != commercial and self.partner_id.id,
                "ticket_id": self.id,
                "name": self.name,
            },
        )
