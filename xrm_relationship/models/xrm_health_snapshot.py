# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..tools.constants import HEALTH


class XrmHealthSnapshot(models.Model):
    """A partner's CS score as computed on one day: the trend follows the cadence."""

    _name = "xrm.health.snapshot"
    _description = "Customer Success Health History"
    _order = "date desc, id desc"
    _rec_name = "date"

    partner_id = fields.Many2one(
        "res.partner", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
    date = fields.Date(required=True, index=True)
    cx_score = fields.Float(string="CX", digits=(5, 1), aggregator="avg")
    co_score = fields.Float(string="CO", digits=(5, 1), aggregator="avg")
    cs_score = fields.Float(string="CS", digits=(5, 1), aggregator="avg")
    has_cx = fields.Boolean(string="CX Available")
    has_co = fields.Boolean(string="CO Available")
    health = fields.Selection(HEALTH)

    # Recomputing the same day replaces the day's snapshot.
    _partner_date_unique = models.UniqueIndex("(partner_id, date)")
