# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""*Log Feedback* on the records customers speak through: one click, prefilled."""

from odoo import models


class XrmInteraction(models.Model):
    _inherit = "xrm.interaction"

    def action_xrm_log_feedback(self):
        self.ensure_one()
        return self.env["xrm.feedback"]._xrm_action_log(
            self,
            {
                "partner_id": self.partner_id.id,
                "contact_id": self.contact_id.id,
                "interaction_id": self.id,
                "ticket_id": self.ticket_id.id,
                "name": (self.summary or "").strip().split("\n")[0][:120] or self.name,
            },
        )


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    def action_xrm_log_feedback(self):
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


class XrmCustomerGoal(models.Model):
    _inherit = "xrm.customer.goal"

    def action_xrm_log_feedback(self):
        self.ensure_one()
        return self.env["xrm.feedback"]._xrm_action_log(
            self,
            {
                "partner_id": self.partner_id.id,
                "goal_id": self.id,
                "name": self.name,
            },
        )
