# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models.xrm_interaction import CHANNELS, OUTCOMES
from ..tools.kpi import KPI_RETURN_RATE_6M
from ..tools.report import context_date, selection_index_sql

# SPEC § KPIs, return_rate_6m: a return is a purchase within 180 days after
# the anchor; what preceded it is what happened in those days.
RETURN_DAYS = 180


class XrmReturnDriver(models.Model):
    """What makes customers return: one row per company, channel and outcome.

    The cohort is the ``return_rate_6m`` KPI's as of D (context key
    ``xrm_as_of``, today when absent), taken from the KPI's own rows: each
    customer's anchor purchase and whether it returned. Its interactions
    dated from the anchor to 180 days after it count; per kind (channel ×
    outcome), how many returners and non-returners had at least one, and the
    lift = return rate of the customers who had one / the cohort's return
    rate (above 1: that kind precedes a return more often than average).
    Rows exist for every company (its rule hides the others').
    """

    _name = "xrm.return.driver"
    _description = "What Makes Customers Return"
    _auto = False
    _order = "lift desc, channel, outcome"
    _rec_name = "channel"
    _depends = {
        "xrm.interaction": [
            "active",
            "channel",
            "company_id",
            "date",
            "outcome",
            "partner_id",
        ],
        "crm.lead": ["active", "date_closed", "expected_revenue", "won_status"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True, help="Empty: not documented.")
    returner_count = fields.Integer(
        string="Returners",
        readonly=True,
        help="Customers of the cohort who bought again and had this kind of "
        "interaction in the 180 days after their first purchase.",
    )
    non_returner_count = fields.Integer(string="Non-Returners", readonly=True)
    returner_interactions = fields.Integer(
        string="Interactions (Returners)", readonly=True
    )
    non_returner_interactions = fields.Integer(
        string="Interactions (Non-Returners)", readonly=True
    )
    returner_share = fields.Float(
        string="Of Returners (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the cohort's returners who had this kind.",
    )
    non_returner_share = fields.Float(
        string="Of Non-Returners (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the cohort's non-returners who had this kind.",
    )
    return_rate = fields.Float(
        string="Return Rate With It (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
    )
    cohort_return_rate = fields.Float(
        string="Cohort Return Rate (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    lift = fields.Float(
        readonly=True,
        aggregator="max",
        digits=(16, 2),
        help="Return rate of the customers who had this kind / the cohort's "
        "return rate.",
    )

    @api.model
    def _xrm_as_of(self):
        return context_date(
            self, "xrm_as_of", _("The cohort's date must be a date (YYYY-MM-DD).")
        )

    @api.model
    def _xrm_precursors_sql(self, as_of, company_ids=None):
        """Rows (company_id, partner_id, returned, interaction_id, channel,
        outcome) of the cohort's interactions in its 180 days."""
        domain = [("code", "=", KPI_RETURN_RATE_6M)]
        if company_ids is not None:
            domain.append(("company_id", "in", company_ids))
        kpis = self.env["xrm.kpi.definition"].sudo().search(domain)
        per_company = {kpi.company_id: kpi for kpi in kpis.sorted("id", reverse=True)}
        parts = [
            SQL(
                """
                SELECT %(company)s AS company_id, c.res_id AS partner_id,
                       c.in_num AS returned, i.id AS interaction_id,
                       i.channel, i.outcome
                  FROM (%(cohort)s) c
                  LEFT JOIN xrm_interaction i
                    ON i.partner_id = c.res_id AND i.active
                   AND i.company_id = %(company)s
                   AND i.date >= c.anchor_date
                   AND i.date <= c.anchor_date + %(days)s * INTERVAL '1 day'
                """,
                company=kpi.company_id.id,
                cohort=kpi._xrm_rows_sql(as_of),
                days=RETURN_DAYS,
            )
            for kpi in per_company.values()
        ]
        if not parts:
            return SQL(
                "SELECT NULL::int AS company_id, NULL::int AS partner_id,"
                " NULL::bool AS returned, NULL::int AS interaction_id,"
                " NULL::varchar AS channel, NULL::varchar AS outcome LIMIT 0"
            )
        return SQL(" UNION ALL ").join(parts)

    @api.model
    def _xrm_rows_sql(self, as_of):
        channel_index = selection_index_sql("k", "channel", CHANNELS)
        outcome_index = selection_index_sql("k", "outcome", OUTCOMES)
        return SQL(
            """
            WITH fact AS (%(facts)s),
            cohort AS (
                SELECT company_id, COUNT(DISTINCT partner_id) AS n,
                       COUNT(DISTINCT partner_id) FILTER (WHERE returned) AS returned
                  FROM fact GROUP BY company_id
            ),
            kind AS (
                SELECT company_id, channel, outcome,
                       COUNT(DISTINCT partner_id) FILTER (WHERE returned) AS returners,
                       COUNT(DISTINCT partner_id) FILTER (WHERE NOT returned)
                           AS non_returners,
                       COUNT(*) FILTER (WHERE returned) AS returner_interactions,
                       COUNT(*) FILTER (WHERE NOT returned) AS non_returner_interactions
                  FROM fact WHERE interaction_id IS NOT NULL
                 GROUP BY company_id, channel, outcome
            )
            SELECT (k.company_id * 100 + %(channel_index)s * 4 + %(outcome_index)s)
                       AS id,
                   k.company_id, k.channel, k.outcome,
                   k.returners::int AS returner_count,
                   k.non_returners::int AS non_returner_count,
                   k.returner_interactions::int AS returner_interactions,
                   k.non_returner_interactions::int AS non_returner_interactions,
                   COALESCE(100.0 * k.returners / NULLIF(c.returned, 0), 0)::float8
                       AS returner_share,
                   COALESCE(100.0 * k.non_returners / NULLIF(c.n - c.returned, 0), 0)
                       ::float8 AS non_returner_share,
                   (100.0 * k.returners / (k.returners + k.non_returners))::float8
                       AS return_rate,
                   (100.0 * c.returned / c.n)::float8 AS cohort_return_rate,
                   COALESCE((1.0 * k.returners / (k.returners + k.non_returners))
                            / NULLIF(1.0 * c.returned / c.n, 0), 0)::float8 AS lift
              FROM kind k
              JOIN cohort c ON c.company_id = k.company_id
            """,
            facts=self._xrm_precursors_sql(as_of),
            channel_index=channel_index,
            outcome_index=outcome_index,
        )

    @property
    def _table_query(self):
        return self._xrm_rows_sql(self._xrm_as_of())

    def _xrm_interaction_ids(self, partners=None, returned=None):
        """Ids of the cohort's interactions of these rows' kinds."""
        conditions = [SQL("interaction_id IS NOT NULL")]
        if self:
            conditions.append(
                SQL(" OR ").join(
                    SQL(
                        "(company_id = %s AND channel = %s"
                        " AND outcome IS NOT DISTINCT FROM %s)",
                        row.company_id.id,
                        row.channel,
                        row.outcome or None,
                    )
                    for row in self
                )
            )
        if partners is not None:
            conditions.append(SQL("partner_id = ANY(%s)", partners.ids))
        if returned is not None:
            conditions.append(SQL("returned = %s", returned))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT array_agg(DISTINCT interaction_id) FROM (%s) f WHERE %s",
                self._xrm_precursors_sql(self._xrm_as_of(), self.env.companies.ids),
                SQL(" AND ").join(SQL("(%s)", c) for c in conditions),
            )
        )
        return self.env.cr.fetchone()[0] or []

    def _xrm_open(self, name, ids):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "xrm.interaction",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", ids)],
            "context": {"create": False},
        }

    # Read-only drill-downs: served by db_replica_host when one is set.
    @api.readonly
    def action_open_returners(self):
        return self._xrm_open(
            _("Before a return"), self._xrm_interaction_ids(returned=True)
        )

    @api.readonly
    def action_open_non_returners(self):
        return self._xrm_open(
            _("Before no return"), self._xrm_interaction_ids(returned=False)
        )

    @api.model
    def _xrm_action_partner(self, partner):
        """What preceded this relationship's return (if it returned)."""
        commercial = partner.commercial_partner_id
        ids = self.browse()._xrm_interaction_ids(partners=commercial, returned=True)
        return self._xrm_open(_("What preceded %s's return", commercial.name), ids)
