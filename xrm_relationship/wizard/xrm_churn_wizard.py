# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class XrmChurnWizard(models.TransientModel):
    """Record a churn as a decision: which stage, and why."""

    _name = "xrm.churn.wizard"
    _description = "Mark Relationship as Churned"

    partner_ids = fields.Many2many("res.partner", string="Relationships", required=True)
    stage_id = fields.Many2one(
        "xrm.journey.stage",
        string="Churn Stage",
        required=True,
        domain=[("is_churn", "=", True)],
        default=lambda self: self.env["xrm.journey.stage"].search(
            [("is_churn", "=", True)], limit=1
        ),
    )
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "partner_ids" in fields_list and not values.get("partner_ids"):
            context = self.env.context
            active_ids = context.get("active_ids") or (
                [context["active_id"]] if context.get("active_id") else []
            )
            if self.env.context.get("active_model") == "res.partner" and active_ids:
                values["partner_ids"] = [(6, 0, active_ids)]
        return values

    def action_confirm(self):
        self.ensure_one()
        self.partner_ids.with_context(xrm_stage_reason=self.reason).write(
            {"xrm_churn_reason": self.reason, "xrm_stage_id": self.stage_id.id}
        )
        return {"type": "ir.actions.act_window_close"}
