# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xrm_calendar = fields.Selection(related="company_id.xrm_calendar", readonly=False)
    xrm_persian_digits = fields.Boolean(
        related="company_id.xrm_persian_digits", readonly=False
    )
