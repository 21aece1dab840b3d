# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xrm_churn_risk_threshold = fields.Integer(
        string="Churn Risk Warning From",
        config_parameter="xrm_relationship.churn_risk_threshold",
        default=50,
        help="A relationship whose churn risk (0–100) reaches this value gets an "
        "early-warning activity for its salesperson.",
    )

    @api.constrains("xrm_churn_risk_threshold")
    def _check_xrm_churn_risk_threshold(self):
        for settings in self:
            if not 1 <= settings.xrm_churn_risk_threshold <= 100:
                raise ValidationError(
                    self.env._("The churn risk threshold must be between 1 and 100.")
                )
