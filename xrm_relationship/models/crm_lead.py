# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "xrm.context.mixin"]
    _xrm_interaction_field = "lead_id"

    def action_set_won(self):
        res = super().action_set_won()
        Partner = self.env["res.partner"]
        if Partner._xrm_setting("auto_won"):
            role = Partner._xrm_setting("auto_won_role", "onboarding")
            won = self.filtered(lambda lead: lead.won_status == "won")
            won.partner_id.commercial_partner_id._xrm_auto_move(
                role, reason=self.env._("Opportunity won")
            )
        return res
