# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class XrmTierHistory(models.Model):
    """One change of a relationship's tier, as the nightly run found it."""

    _name = "xrm.tier.history"
    _description = "Relationship Tier History"
    _order = "date desc, id desc"
    _rec_name = "date"

    partner_id = fields.Many2one(
        "res.partner",
        string="Relationship",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )
    date = fields.Date(required=True, index=True)
    from_tier_id = fields.Many2one("xrm.relationship.tier", ondelete="set null")
    to_tier_id = fields.Many2one(
        "xrm.relationship.tier", ondelete="set null", index=True
    )
    score = fields.Float(digits=(5, 1), aggregator="avg")
    active_periods = fields.Integer(aggregator="avg")
