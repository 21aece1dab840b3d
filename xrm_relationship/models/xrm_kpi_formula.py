# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import models
from odoo.tools import SQL

from ..tools.kpi import BY_SALESPERSON, BY_STAGE, kpi_formula
from ..tools.rules import purchases_sql, satisfied_sql, stage_overdue_sql


class XrmKpiDefinition(models.Model):
    """The KPI formulas (SPEC § KPIs and README): one method per code.

    ``_xrm_kpi_<code>_rows(as_of, start, end)`` returns the SQL of the rows
    behind the number, in the columns ``_xrm_rows_sql`` names; its
    ``@kpi_formula`` says the value's unit and what it is grouped by. The
    engine (xrm_kpi_definition.py) aggregates, stores and drills down.
    """

    _inherit = "xrm.kpi.definition"

    def _xrm_company_sql(self, alias):
        # This company's or shared. Not COALESCE(company_id, X) = X: the
        # planner guesses 0.5 % of rows for it, and on purchases that guess
        # turned return_rate_6m into a nested loop rescanning its CTE.
        column = SQL("%s.company_id", SQL.identifier(alias))
        return SQL("(%s = %s OR %s IS NULL)", column, self.company_id.id, column)

    def _xrm_purchases_sql(self):
        """Won opportunities of this company: the SPEC's purchases."""
        return purchases_sql(SQL("l.active AND %s", self._xrm_company_sql("l")))

    @kpi_formula(unit="percent")
    def _xrm_kpi_return_rate_6m_rows(self, as_of, start, end):
        cohort_start = end - timedelta(days=365)
        cohort_end = end - timedelta(days=180)
        return SQL(
            """
            WITH purchase AS (%(purchases)s),
            anchor AS (
                SELECT DISTINCT ON (partner_id) partner_id, id, user_id, date
                  FROM purchase
                 WHERE date >= %(cohort_start)s AND date < %(cohort_end)s
                 ORDER BY partner_id, date, id
            ),
            -- A join, not a correlated EXISTS over the CTE: linear in purchases.
            returned AS (
                SELECT DISTINCT a.partner_id
                  FROM anchor a
                  JOIN purchase o ON o.partner_id = a.partner_id AND o.id != a.id
                 WHERE o.date > a.date
                   AND o.date <= a.date + INTERVAL '180 days'
                   AND o.date < %(end)s
            )
            SELECT 'res.partner' AS res_model, a.partner_id AS res_id,
                   a.user_id, NULL::int AS stage_id,
                   (r.partner_id IS NOT NULL)::int::float8 AS num, 1.0::float8 AS den,
                   r.partner_id IS NOT NULL AS in_num,
                   a.date AS anchor_date  -- what preceded a return starts here
              FROM anchor a
              LEFT JOIN returned r ON r.partner_id = a.partner_id
            """,
            purchases=self._xrm_purchases_sql(),
            cohort_start=cohort_start,
            cohort_end=cohort_end,
            end=end,
        )

    @kpi_formula(unit="hours")
    def _xrm_kpi_agent_response_hours_rows(self, as_of, start, end):
        return SQL(
            """
            -- The agents' interactions of W in one pass: each inbound one
            -- waits for the next outbound one (any company, strictly later:
            -- EXCLUDE GROUP leaves out the same instant), or until D. Not a
            -- lookup per inbound interaction: that grew with the data.
            WITH timeline AS (
                SELECT i.id, i.user_id, i.date, i.direction, i.company_id,
                       MIN(i.date) FILTER (WHERE i.direction = 'outbound') OVER (
                           PARTITION BY i.partner_id ORDER BY i.date
                           RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
                           EXCLUDE GROUP
                       ) AS answer
                  FROM xrm_interaction i
                  JOIN res_partner p ON p.id = i.partner_id
                 WHERE i.active AND p.xrm_relation_type = 'agent'
                   AND i.date >= %(start)s AND i.date < %(end)s
            )
            SELECT 'xrm.interaction' AS res_model, t.id AS res_id, t.user_id,
                   NULL::int AS stage_id,
                   EXTRACT(EPOCH FROM (COALESCE(t.answer, %(end)s) - t.date))
                       / 3600.0 AS num,
                   1.0::float8 AS den, TRUE AS in_num
              FROM timeline t
             WHERE t.direction = 'inbound' AND t.company_id = %(company)s
            """,
            start=start,
            end=end,
            company=self.company_id.id,
        )

    @kpi_formula(unit="percent")
    def _xrm_kpi_undocumented_ratio_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'xrm.interaction' AS res_model, i.id AS res_id, i.user_id,
                   NULL::int AS stage_id,
                   (i.state = 'draft')::int::float8 AS num, 1.0::float8 AS den,
                   i.state = 'draft' AS in_num
              FROM xrm_interaction i
             WHERE i.active AND i.date >= %(start)s AND i.date < %(end)s
               AND i.company_id = %(company)s
            """,
            start=start,
            end=end,
            company=self.company_id.id,
        )

    @kpi_formula(unit="percent")
    def _xrm_kpi_ticket_satisfaction_rate_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'helpdesk.ticket' AS res_model, t.id AS res_id, t.user_id,
                   NULL::int AS stage_id, s.satisfied::int::float8 AS num,
                   1.0::float8 AS den, s.satisfied AS in_num
              FROM helpdesk_ticket t
              CROSS JOIN LATERAL (
                SELECT EXISTS (
                    SELECT 1 FROM rating_rating r
                     WHERE r.res_model = 'helpdesk.ticket' AND r.res_id = t.id
                       AND r.consumed AND %(satisfied)s
                ) AS satisfied
              ) s
             WHERE t.active AND t.closed_date >= %(start)s AND t.closed_date < %(end)s
               AND %(company)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("t"),
            satisfied=satisfied_sql("r"),
        )

    @kpi_formula(unit="days")
    def _xrm_kpi_contact_to_churn_days_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   NULL::int AS stage_id,
                   EXTRACT(EPOCH FROM (p.xrm_churn_date::timestamp - last.date))
                       / 86400.0 AS num,
                   1.0::float8 AS den, TRUE AS in_num
              FROM res_partner p
              CROSS JOIN LATERAL (
                SELECT MAX(i.date) AS date FROM xrm_interaction i
                 WHERE i.partner_id = p.id AND i.active AND i.is_meaningful
                   AND i.date < p.xrm_churn_date::timestamp
              ) last
             WHERE p.active AND last.date IS NOT NULL
               AND p.xrm_churn_date >= %(start)s::date
               AND p.xrm_churn_date < %(end)s::date
               AND %(company)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("p"),
        )

    @kpi_formula(unit="score")
    def _xrm_kpi_csat_avg_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'rating.rating' AS res_model, r.id AS res_id, t.user_id,
                   NULL::int AS stage_id, r.rating AS num, 1.0::float8 AS den,
                   TRUE AS in_num
              FROM rating_rating r
              JOIN helpdesk_ticket t ON t.id = r.res_id
             WHERE r.res_model = 'helpdesk.ticket' AND r.consumed
               AND r.rating BETWEEN 1 AND 5
               AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
               AND t.active AND %(company)s
            UNION ALL
            SELECT 'xrm.interaction', i.id, i.user_id, NULL::int,
                   i.csat::float8, 1.0::float8, TRUE
              FROM xrm_interaction i
             WHERE i.active AND i.csat BETWEEN 1 AND 5
               AND i.date >= %(start)s AND i.date < %(end)s
               AND i.company_id = %(company_id)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("t"),
            company_id=self.company_id.id,
        )

    @kpi_formula(unit="percent")
    def _xrm_kpi_retention_rate_rows(self, as_of, start, end):
        return SQL(
            """
            WITH purchase AS (%(purchases)s),
            buyer AS (SELECT DISTINCT partner_id FROM purchase WHERE date < %(start)s)
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   NULL::int AS stage_id,
                   (p.xrm_churn_date IS NULL
                    OR p.xrm_churn_date >= %(end)s::date)::int::float8 AS num,
                   1.0::float8 AS den,
                   (p.xrm_churn_date IS NULL
                    OR p.xrm_churn_date >= %(end)s::date) AS in_num
              FROM res_partner p
              JOIN buyer ON buyer.partner_id = p.id
             WHERE p.active AND p.xrm_relation_type = 'customer'
               AND (p.xrm_churn_date IS NULL OR p.xrm_churn_date >= %(start)s::date)
               AND %(company)s
            """,
            purchases=self._xrm_purchases_sql(),
            start=start,
            end=end,
            company=self._xrm_company_sql("p"),
        )

    @kpi_formula(unit="percent")
    def _xrm_kpi_nrr_rows(self, as_of, start, end):
        previous_start = start - timedelta(days=self._xrm_period())
        # One aggregate over both windows: joining two aggregated CTEs lets
        # the planner pick a nested loop over tens of thousands of customers.
        return SQL(
            """
            WITH purchase AS (%(purchases)s),
            amounts AS (
                SELECT partner_id,
                       SUM(amount) FILTER (WHERE date < %(start)s) AS before,
                       COALESCE(SUM(amount) FILTER (WHERE date >= %(start)s), 0)
                           AS now
                  FROM purchase
                 WHERE date >= %(previous_start)s AND date < %(end)s
                 GROUP BY partner_id
                HAVING COUNT(*) FILTER (WHERE date < %(start)s) > 0
            )
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   NULL::int AS stage_id,
                   a.now::float8 AS num, a.before::float8 AS den, a.now > 0 AS in_num
              FROM amounts a
              JOIN res_partner p ON p.id = a.partner_id
             WHERE p.active
            """,
            purchases=self._xrm_purchases_sql(),
            previous_start=previous_start,
            start=start,
            end=end,
        )

    @kpi_formula(unit="percent", group_by=(BY_SALESPERSON, BY_STAGE))
    def _xrm_kpi_stage_overdue_ratio_rows(self, as_of, start, end):
        overdue = stage_overdue_sql("p", "s", end)
        return SQL(
            """
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   p.xrm_stage_id AS stage_id,
                   (%(overdue)s)::int::float8 AS num, 1.0::float8 AS den,
                   %(overdue)s AS in_num
              FROM res_partner p
              JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
             WHERE p.active AND s.max_days > 0 AND p.xrm_stage_date < %(end)s
               AND %(company)s
            """,
            overdue=overdue,
            end=end,
            company=self._xrm_company_sql("p"),
        )

    @kpi_formula(unit="count")
    def _xrm_kpi_network_growth_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'res.partner' AS res_model, p.id AS res_id, ref.user_id,
                   NULL::int AS stage_id, 1.0::float8 AS num, NULL::float8 AS den,
                   TRUE AS in_num
              FROM res_partner p
              JOIN res_partner ref ON ref.id = p.xrm_referred_by_id
             -- Implied by the join; said so that the planner looks up the few
             -- referrers instead of hashing every partner.
             WHERE p.xrm_referred_by_id IS NOT NULL
               AND p.active AND p.create_date >= %(start)s
               AND p.create_date < %(end)s AND %(company)s
            UNION ALL
            -- Referrals reported by outside systems (engagement events).
            SELECT 'xrm.engagement.event', e.id, p.user_id, NULL::int,
                   1.0::float8, NULL::float8, TRUE
              FROM xrm_engagement_event e
              JOIN res_partner p ON p.id = e.partner_id
             WHERE e.event_type = 'referral' AND e.date >= %(start)s
               AND e.date < %(end)s AND e.company_id = %(company_id)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("p"),
            company_id=self.company_id.id,
        )

    @kpi_formula(unit="count")
    def _xrm_kpi_contact_pressure_breaches_rows(self, as_of, start, end):
        """Outbound contacts in W that went past the relationship's limit.

        A contact breaches when the outbound contacts to the same partner in
        [its date − pressure period, its date] (itself included, whatever
        the company) exceed the partner's limit as set today.
        """
        Interaction = self.env["xrm.interaction"]
        days = Interaction._xrm_pressure_days()
        limits = SQL(", ").join(
            SQL("(%s::varchar, %s::int)", rtype, limit)
            for rtype, limit in Interaction._xrm_pressure_type_limits().items()
        )
        return SQL(
            """
            WITH limits(rtype, lim) AS (VALUES %(limits)s),
            outbound AS (
                SELECT i.id, i.user_id, i.partner_id, i.date, i.company_id,
                       COUNT(*) OVER (
                           PARTITION BY i.partner_id ORDER BY i.date
                           RANGE BETWEEN %(period)s PRECEDING AND CURRENT ROW
                       ) AS n
                  FROM xrm_interaction i
                 WHERE i.active AND i.direction = 'outbound'
                   AND i.date >= %(lookback)s AND i.date < %(end)s
            )
            SELECT 'xrm.interaction' AS res_model, o.id AS res_id, o.user_id,
                   NULL::int AS stage_id, 1.0::float8 AS num, NULL::float8 AS den,
                   TRUE AS in_num
              FROM outbound o
              JOIN res_partner p ON p.id = o.partner_id
              LEFT JOIN limits l ON l.rtype = COALESCE(p.xrm_relation_type, 'other')
             WHERE o.date >= %(start)s AND o.company_id = %(company)s
               AND COALESCE(NULLIF(p.xrm_max_outbound, 0), l.lim, 0) > 0
               AND o.n > COALESCE(NULLIF(p.xrm_max_outbound, 0), l.lim)
            """,
            limits=limits,
            period=timedelta(days=days),
            lookback=start - timedelta(days=days),
            start=start,
            end=end,
            company=self.company_id.id,
        )

    @kpi_formula(unit="minutes")
    def _xrm_kpi_first_response_minutes_rows(self, as_of, start, end):
        """Leads from fast-response sources created in W: minutes to answer.

        Unanswered by D (or answered later): counted until D, so silence
        does not flatter the mean.
        """
        return SQL(
            """
            SELECT 'crm.lead' AS res_model, l.id AS res_id, l.user_id,
                   NULL::int AS stage_id,
                   EXTRACT(EPOCH FROM (
                       LEAST(COALESCE(l.xrm_first_response_date, %(end)s), %(end)s)
                       - l.create_date)) / 60.0 AS num,
                   1.0::float8 AS den,
                   COALESCE(l.xrm_first_response_date < %(end)s, FALSE) AS in_num
              FROM crm_lead l
             WHERE l.active AND l.xrm_fast_response
               AND l.create_date >= %(start)s AND l.create_date < %(end)s
               AND %(company)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("l"),
        )

    @kpi_formula(unit="points")
    def _xrm_kpi_supplier_friction_rows(self, as_of, start, end):
        # The formula lives with the ranking it feeds (report/xrm_supplier_friction).
        friction = self.env["xrm.supplier.friction"]._xrm_rows_sql(
            start, end, self.company_id.ids
        )
        return SQL(
            """
            SELECT 'res.partner' AS res_model, f.partner_id AS res_id, f.user_id,
                   NULL::int AS stage_id, f.score AS num, 1.0::float8 AS den,
                   f.score > 0 AS in_num
              FROM (%s) f
            """,
            friction,
        )
