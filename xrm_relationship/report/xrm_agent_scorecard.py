# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models.xrm_interaction import CHANNELS
from ..tools.kpi import KPI_AGENT_RESPONSE_HOURS
from ..tools.report import context_date
from ..tools.rules import purchases_sql

QUARTERS = 4
QUARTER_MONTHS = 3


class XrmAgentScorecard(models.Model):
    """Which agents last: one row per partner of type agent.

    As of D (context key ``xrm_as_of``, today when absent), like the KPIs:
    quarter 4 is [D − 3 months, D), quarter 1 [D − 12 months, D − 9 months).
    Rows are built for each read (``_table_query``) over the reader's
    companies, set-based; ranked by steadiness × revenue.
    """

    _name = "xrm.agent.scorecard"
    _description = "Agent Scorecard"
    _auto = False
    _order = "score desc, revenue_total desc, partner_id"
    _rec_name = "partner_id"
    _depends = {
        "crm.lead": [
            "active",
            "company_id",
            "date_closed",
            "expected_revenue",
            "partner_id",
            "won_status",
            "xrm_agent_id",
        ],
        "res.partner": ["active", "commercial_partner_id", "xrm_relation_type"],
        "xrm.interaction": [
            "active",
            "channel",
            "company_id",
            "date",
            "direction",
            "partner_id",
            "quality",
            "state",
        ],
    }

    partner_id = fields.Many2one("res.partner", string="Agent", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    revenue_q1 = fields.Float(string="Quarter 1 (oldest)", readonly=True)
    revenue_q2 = fields.Float(string="Quarter 2", readonly=True)
    revenue_q3 = fields.Float(string="Quarter 3", readonly=True)
    revenue_q4 = fields.Float(string="Quarter 4 (latest)", readonly=True)
    revenue_total = fields.Float(string="Won Revenue (4 quarters)", readonly=True)
    won_count = fields.Integer(string="Won Opportunities", readonly=True)
    steadiness = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="1 − standard deviation / mean of the four quarterly revenues "
        "(population), 0 when the mean is 0, never below 0. 1 = the same "
        "revenue every quarter.",
    )
    score = fields.Float(
        string="Steadiness × Revenue",
        readonly=True,
        help="The ranking: steady agents rank above one lucky quarter.",
    )
    response_hours = fields.Float(
        string="Response (hours)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="The agent_response_hours KPI for this agent: mean hours from "
        "each of their inbound interactions to our next outbound one.",
    )
    quality_avg = fields.Float(
        string="Quality",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Mean quality of documented interactions with the agent over the "
        "four quarters.",
    )
    interaction_count = fields.Integer(string="Interactions", readonly=True)
    share_email = fields.Float(string="Email (%)", readonly=True, aggregator="avg")
    share_phone = fields.Float(string="Phone (%)", readonly=True, aggregator="avg")
    share_meeting = fields.Float(string="Meeting (%)", readonly=True, aggregator="avg")
    share_chat = fields.Float(string="Chat (%)", readonly=True, aggregator="avg")
    share_visit = fields.Float(string="Visit (%)", readonly=True, aggregator="avg")
    share_portal = fields.Float(string="Portal (%)", readonly=True, aggregator="avg")
    share_social = fields.Float(string="Social (%)", readonly=True, aggregator="avg")
    share_other = fields.Float(string="Other (%)", readonly=True, aggregator="avg")

    @api.model
    def _xrm_as_of(self):
        return context_date(
            self, "xrm_as_of", _("The scorecard's date must be a date (YYYY-MM-DD).")
        )

    @api.model
    def _xrm_quarters(self, as_of):
        """[(start, end)] of the four quarters, oldest first."""
        end = datetime.combine(as_of, time.min)
        return [
            (
                end - relativedelta(months=QUARTER_MONTHS * back),
                end - relativedelta(months=QUARTER_MONTHS * (back - 1)),
            )
            for back in range(QUARTERS, 0, -1)
        ]

    @api.model
    def _xrm_response_sql(self, as_of, company_ids):
        """Rows (partner_id, hours) of the agent_response_hours KPI rule."""
        kpis = (
            self.env["xrm.kpi.definition"]
            .sudo()
            .search(
                [
                    ("code", "=", KPI_AGENT_RESPONSE_HOURS),
                    ("company_id", "in", company_ids),
                ]
            )
        )
        # One definition per company: its period and company decide the rows.
        per_company = {kpi.company_id: kpi for kpi in kpis.sorted("id", reverse=True)}
        parts = [
            SQL(
                "SELECT i.partner_id, r.num AS hours FROM (%s) r"
                " JOIN xrm_interaction i ON i.id = r.res_id",
                kpi._xrm_rows_sql(as_of),
            )
            for kpi in per_company.values()
        ]
        if not parts:
            return SQL("SELECT NULL::int AS partner_id, NULL::float8 AS hours LIMIT 0")
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _xrm_rows_sql(self, as_of, company_ids):
        quarters = self._xrm_quarters(as_of)
        start, end = quarters[0][0], quarters[-1][1]
        revenue = SQL(", ").join(
            SQL(
                "COALESCE(SUM(w.amount) FILTER (WHERE w.date >= %s AND w.date < %s),"
                " 0)::float8 AS %s",
                q_start,
                q_end,
                SQL.identifier(f"q{index}"),
            )
            for index, (q_start, q_end) in enumerate(quarters, start=1)
        )
        shares = SQL(", ").join(
            SQL(
                "COALESCE(100.0 * mix.%s / NULLIF(mix.total, 0), 0)::float8 AS %s",
                SQL.identifier(code),
                SQL.identifier(f"share_{code}"),
            )
            for code, _label in CHANNELS
        )
        counts = SQL(", ").join(
            SQL(
                "COUNT(*) FILTER (WHERE i.channel = %s) AS %s",
                code,
                SQL.identifier(code),
            )
            for code, _label in CHANNELS
        )
        purchases = purchases_sql(
            SQL(
                "l.active AND l.xrm_agent_id IS NOT NULL"
                " AND (l.company_id = ANY(%s) OR l.company_id IS NULL)"
                " AND l.date_closed >= %s AND l.date_closed < %s",
                company_ids,
                start,
                end,
            )
        )
        return SQL(
            """
            -- Every agent: the company rule hides other companies' agents,
            -- the figures count the reader's companies only.
            WITH agent AS (
                SELECT p.id, p.user_id, p.company_id
                  FROM res_partner p
                 WHERE p.active AND p.xrm_relation_type = 'agent'
                   AND p.id = p.commercial_partner_id
            ),
            won AS (
                SELECT ap.commercial_partner_id AS agent_id, pu.date, pu.amount
                  FROM (%(purchases)s) pu
                  JOIN crm_lead l2 ON l2.id = pu.id
                  JOIN res_partner ap ON ap.id = l2.xrm_agent_id
            ),
            revenue AS (
                SELECT w.agent_id, COUNT(*) AS won_count, %(revenue)s
                  FROM won w GROUP BY w.agent_id
            ),
            mix AS (
                SELECT i.partner_id, COUNT(*) AS total, %(counts)s,
                       AVG(i.quality) FILTER (
                           WHERE i.state = 'done' AND i.quality IS NOT NULL
                       ) AS quality
                  FROM agent
                  JOIN xrm_interaction i ON i.partner_id = agent.id
                 WHERE i.active AND i.date >= %(start)s AND i.date < %(end)s
                   AND i.company_id = ANY(%(company_ids)s)
                 GROUP BY i.partner_id
            ),
            response AS (
                SELECT partner_id, AVG(hours) AS hours
                  FROM (%(response)s) r GROUP BY partner_id
            ),
            figures AS (
                SELECT agent.id AS partner_id, agent.user_id, agent.company_id,
                       COALESCE(rv.won_count, 0)::int AS won_count,
                       COALESCE(rv.q1, 0) AS revenue_q1,
                       COALESCE(rv.q2, 0) AS revenue_q2,
                       COALESCE(rv.q3, 0) AS revenue_q3,
                       COALESCE(rv.q4, 0) AS revenue_q4,
                       response.hours::float8 AS response_hours,
                       mix.quality::float8 AS quality_avg,
                       COALESCE(mix.total, 0)::int AS interaction_count,
                       %(shares)s
                  FROM agent
                  LEFT JOIN revenue rv ON rv.agent_id = agent.id
                  LEFT JOIN mix ON mix.partner_id = agent.id
                  LEFT JOIN response ON response.partner_id = agent.id
            ),
            stats AS (
                SELECT f.*,
                       f.revenue_q1 + f.revenue_q2 + f.revenue_q3 + f.revenue_q4
                           AS revenue_total,
                       (f.revenue_q1 + f.revenue_q2 + f.revenue_q3 + f.revenue_q4)
                           / 4.0 AS mean
                  FROM figures f
            ),
            steady AS (
                -- 1 − population stdev / mean, 0 when the mean is 0, floored at 0.
                SELECT s.*,
                       CASE WHEN s.mean = 0 THEN 0.0 ELSE GREATEST(0.0, 1.0 - sqrt((
                           (s.revenue_q1 - s.mean) ^ 2 + (s.revenue_q2 - s.mean) ^ 2
                           + (s.revenue_q3 - s.mean) ^ 2 + (s.revenue_q4 - s.mean) ^ 2
                       ) / 4.0) / s.mean) END::float8 AS steadiness
                  FROM stats s
            )
            SELECT steady.partner_id AS id, steady.*,
                   (steady.steadiness * steady.revenue_total)::float8 AS score
              FROM steady
            """,
            company_ids=company_ids,
            purchases=purchases,
            revenue=revenue,
            counts=counts,
            shares=shares,
            response=self._xrm_response_sql(as_of, company_ids),
            start=start,
            end=end,
        )

    @property
    def _table_query(self):
        return self._xrm_rows_sql(self._xrm_as_of(), self.env.companies.ids)

    # ------------------------------------------------------------------
    # Every figure opens its records
    # ------------------------------------------------------------------
    # Read-only drill-downs: served by db_replica_host when one is set.
    @api.readonly
    def action_open_won(self):
        quarters = self._xrm_quarters(self._xrm_as_of())
        return {
            "type": "ir.actions.act_window",
            "name": _("Won through %s", ", ".join(self.partner_id.mapped("name"))),
            "res_model": "crm.lead",
            "views": [(False, "list"), (False, "pivot"), (False, "form")],
            "domain": [
                ("xrm_agent_id", "child_of", self.partner_id.ids),
                ("won_status", "=", "won"),
                ("date_closed", ">=", quarters[0][0]),
                ("date_closed", "<", quarters[-1][1]),
            ],
            "context": {
                "create": False,
                "pivot_row_groupby": ["date_closed:quarter"],
                "pivot_measures": ["expected_revenue"],
            },
        }

    @api.readonly
    def action_open_interactions(self):
        quarters = self._xrm_quarters(self._xrm_as_of())
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "Interactions with %s", ", ".join(self.partner_id.mapped("name"))
            ),
            "res_model": "xrm.interaction",
            "views": [(False, "pivot"), (False, "list"), (False, "form")],
            "domain": [
                ("partner_id", "in", self.partner_id.ids),
                ("date", ">=", quarters[0][0]),
                ("date", "<", quarters[-1][1]),
            ],
            "context": {"create": False, "pivot_row_groupby": ["channel"]},
        }
