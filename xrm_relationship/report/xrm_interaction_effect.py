# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.xrm_interaction import CHANNELS, OUTCOMES
from ..tools.constants import RELATION_TYPES
from .xrm_churn_precursor import churn_window_sql


class XrmInteractionEffect(models.Model):
    """What led where: every interaction, whether it preceded a churn and
    whether it generated an opportunity.

    Grouped by channel or outcome, the sums say which ones most often
    precede churn or create opportunities, the shares (averages) how often
    relative to all interactions of that channel or outcome.
    """

    _name = "xrm.interaction.effect"
    _description = "What Led Where"
    _auto = False
    _order = "date desc"
    _rec_name = "interaction_id"

    interaction_id = fields.Many2one("xrm.interaction", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Relationship", readonly=True)
    relation_type = fields.Selection(
        selection=RELATION_TYPES,
        string="Relationship Type",
        readonly=True,
    )
    date = fields.Datetime(readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")], readonly=True
    )
    user_id = fields.Many2one("res.users", string="Handled By", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    generated_lead_id = fields.Many2one(
        "crm.lead", string="Generated Opportunity", readonly=True
    )
    preceded_churn = fields.Integer(
        readonly=True,
        help="1 when the interaction falls in the N days before its "
        "relationship's churn (Settings).",
    )
    generated_opportunity = fields.Integer(
        string="Generated an Opportunity", readonly=True
    )
    churn_share = fields.Float(
        string="Preceded Churn (%)", readonly=True, aggregator="avg"
    )
    opportunity_share = fields.Float(
        string="Generated Opportunity (%)", readonly=True, aggregator="avg"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS
                SELECT e.*, 100.0 * e.preceded_churn AS churn_share,
                       100.0 * e.generated_opportunity AS opportunity_share
                  FROM (
                    SELECT i.id, i.id AS interaction_id, i.partner_id,
                       p.xrm_relation_type AS relation_type, i.date,
                           i.channel, i.outcome, i.direction, i.user_id,
                           i.company_id, l.id AS generated_lead_id,
                           (%(window)s)::int AS preceded_churn,
                           (l.id IS NOT NULL)::int AS generated_opportunity
                      FROM xrm_interaction i
                      JOIN res_partner p ON p.id = i.partner_id
                      LEFT JOIN crm_lead l
                        ON l.id = i.generated_lead_id AND l.active
                     WHERE i.active AND p.active
                  ) e
                """,
                table=SQL.identifier(self._table),
                window=churn_window_sql("i", "p"),
            )
        )
