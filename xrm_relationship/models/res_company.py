# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Leads from these UTM sources or mediums get an acknowledgement at once
    # and are measured on their first human response.
    xrm_ack_source_ids = fields.Many2many(
        "utm.source",
        "xrm_company_ack_source_rel",
        "company_id",
        "source_id",
        string="Fast-Response Sources",
    )
    xrm_ack_medium_ids = fields.Many2many(
        "utm.medium",
        "xrm_company_ack_medium_rel",
        "company_id",
        "medium_id",
        string="Fast-Response Mediums",
    )
