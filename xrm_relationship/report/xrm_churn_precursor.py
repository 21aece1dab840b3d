# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.xrm_interaction import CHANNELS, OUTCOMES
from ..tools.constants import RELATION_TYPES
from .xrm_supplier_friction import _days_param_sql


def churn_window_sql(interaction, partner):
    """The interaction falls in the N days (Settings) before the partner's churn."""
    return SQL(
        "(%(p)s.xrm_churn_date IS NOT NULL"
        " AND %(i)s.date < %(p)s.xrm_churn_date::timestamp"
        " AND %(i)s.date >= %(p)s.xrm_churn_date::timestamp"
        " - %(days)s * INTERVAL '1 day')",
        p=SQL.identifier(partner),
        i=SQL.identifier(interaction),
        days=_days_param_sql("xrm_relationship.churn_lookback_days", 90),
    )


class XrmChurnPrecursor(models.Model):
    """The interactions in the N days before each churn: what led there."""

    _name = "xrm.churn.precursor"
    _description = "Interactions Before Churn"
    _auto = False
    _order = "churn_date desc, date desc"
    _rec_name = "interaction_id"

    interaction_id = fields.Many2one("xrm.interaction", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Relationship", readonly=True)
    relation_type = fields.Selection(
        selection=RELATION_TYPES,
        string="Relationship Type",
        readonly=True,
    )
    churn_date = fields.Date(readonly=True)
    date = fields.Datetime(string="Interaction Date", readonly=True)
    days_before_churn = fields.Integer(
        readonly=True, aggregator="avg", help="Days from the interaction to the churn."
    )
    channel = fields.Selection(CHANNELS, readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")], readonly=True
    )
    user_id = fields.Many2one("res.users", string="Handled By", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS
                SELECT i.id, i.id AS interaction_id, i.partner_id,
                       p.xrm_relation_type AS relation_type,
                       p.xrm_churn_date AS churn_date, i.date,
                       p.xrm_churn_date - (i.date)::date AS days_before_churn,
                       i.channel, i.outcome, i.direction, i.user_id,
                       p.user_id AS salesperson_id, i.company_id
                  FROM xrm_interaction i
                  JOIN res_partner p ON p.id = i.partner_id
                 WHERE i.active AND p.active AND %(window)s
                """,
                table=SQL.identifier(self._table),
                window=churn_window_sql("i", "p"),
            )
        )
