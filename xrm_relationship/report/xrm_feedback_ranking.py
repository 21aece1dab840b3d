# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, fields, models
from odoo.tools import SQL

from ..tools.constants import FEEDBACK_KINDS, FEEDBACK_STATES
from ..tools.rules import purchases_sql, stage_overdue_sql

# "Their won revenue": purchases (tools/rules.py) closed in the last N days.
REVENUE_DAYS = 365


class XrmFeedbackRanking(models.Model):
    """The product team's view: which feedback matters to whom.

    One row per main feedback (not a duplicate), counting over it and its
    duplicates the distinct relationships asking, their won revenue of the
    last 365 days in the feedback's company and how many of them are at risk
    (health red, in the at-risk stage or overdue in their stage). One query
    for every row (``_table_query``), so the list sorts on each figure. Rows
    are built for every company: the record rule keeps the reader's (reading
    another company's row is refused, not empty).
    """

    _name = "xrm.feedback.ranking"
    _description = "Product Feedback Ranking"
    _auto = False
    _order = "relationship_count desc, revenue_at_stake desc, feedback_id desc"
    _rec_name = "feedback_id"
    _depends = {
        "xrm.feedback": [
            "company_id",
            "duplicate_of_id",
            "kind",
            "name",
            "partner_id",
            "state",
            "user_id",
        ],
        "res.partner": [
            "commercial_partner_id",
            "xrm_health",
            "xrm_stage_date",
            "xrm_stage_id",
        ],
        "xrm.journey.stage": ["automation_role", "max_days"],
        "crm.lead": [
            "active",
            "company_id",
            "date_closed",
            "expected_revenue",
            "partner_id",
            "won_status",
        ],
    }

    feedback_id = fields.Many2one("xrm.feedback", readonly=True)
    name = fields.Char(readonly=True)
    # Static lists (not a callable) so that their labels are translated.
    kind = fields.Selection(FEEDBACK_KINDS, readonly=True)
    state = fields.Selection(FEEDBACK_STATES, readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    feedback_count = fields.Integer(
        string="Feedback Records",
        readonly=True,
        help="The main feedback and its duplicates.",
    )
    relationship_count = fields.Integer(
        string="Relationships Asking",
        readonly=True,
        help="Distinct relationships of the feedback and its duplicates.",
    )
    revenue_at_stake = fields.Monetary(
        readonly=True,
        help="Won revenue of the asking relationships over the last 365 days, "
        "in the feedback's company.",
    )
    at_risk_count = fields.Integer(
        string="Relationships at Risk",
        readonly=True,
        help="Asking relationships whose health is red, or who are in the "
        "at-risk stage or longer than their stage's maximum days.",
    )

    @property
    def _table_query(self):
        now = SQL("(now() AT TIME ZONE 'UTC')")
        # Won revenue per relationship and company, only for those asking.
        purchases = purchases_sql(
            SQL(
                "l.active AND l.date_closed >= %s - %s * INTERVAL '1 day'",
                now,
                REVENUE_DAYS,
            )
        )
        return SQL(
            """
            WITH asking AS (
                SELECT DISTINCT COALESCE(f.duplicate_of_id, f.id) AS feedback_id,
                       f.partner_id, f.company_id
                  FROM xrm_feedback f
            ),
            won AS (
                SELECT pu.partner_id, pu.company_id, SUM(pu.amount) AS amount
                  FROM (%(purchases)s) pu
                 WHERE pu.partner_id IN (SELECT partner_id FROM asking)
                 GROUP BY pu.partner_id, pu.company_id
            ),
            per AS (
                SELECT a.feedback_id, a.partner_id,
                       COALESCE(w.amount, 0) AS amount,
                       COALESCE(p.xrm_health = 'red'
                                OR s.automation_role = 'at_risk'
                                OR %(overdue)s, FALSE) AS at_risk
                  FROM asking a
                  JOIN res_partner p ON p.id = a.partner_id
                  LEFT JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
                  LEFT JOIN won w
                    ON w.partner_id = a.partner_id AND w.company_id = a.company_id
            )
            SELECT f.id, f.id AS feedback_id, f.name, f.kind, f.state, f.user_id,
                   f.company_id, c.currency_id,
                   (SELECT COUNT(*) FROM xrm_feedback d
                     WHERE d.duplicate_of_id = f.id) + 1 AS feedback_count,
                   COUNT(per.partner_id) AS relationship_count,
                   COALESCE(SUM(per.amount), 0) AS revenue_at_stake,
                   COUNT(*) FILTER (WHERE per.at_risk) AS at_risk_count
              FROM xrm_feedback f
              JOIN res_company c ON c.id = f.company_id
              JOIN per ON per.feedback_id = f.id
             WHERE f.duplicate_of_id IS NULL
             GROUP BY f.id, c.currency_id
            """,
            purchases=purchases,
            overdue=stage_overdue_sql("p", "s", now),
        )

    def action_open_feedback(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "xrm.feedback",
            "res_id": self.feedback_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_relationships(self):
        self.ensure_one()
        feedback = self.feedback_id | self.feedback_id.duplicate_ids
        return {
            "type": "ir.actions.act_window",
            "name": _("Relationships Asking: %s", self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", feedback.partner_id.ids)],
        }
