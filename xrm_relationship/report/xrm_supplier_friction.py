# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

# score = 3 × negative + 2 × escalations + 1 × open tickets + mean delay (days)
FRICTION_WEIGHTS = {"negative": 3.0, "escalation": 2.0, "open": 1.0, "delay": 1.0}
FRICTION_TYPES = ("supplier", "contractor")
# Ticket priorities that count as an escalation: High and Very High.
ESCALATION_PRIORITIES = ("2", "3")


def _days_param_sql(key, default):
    """A positive number of days from the Settings, read by the view itself."""
    return SQL(
        "(SELECT COALESCE(MAX(NULLIF(regexp_replace(value, '[^0-9]', '', 'g'), '')"
        "::int), %s) FROM ir_config_parameter WHERE key = %s)",
        default,
        key,
    )


class XrmSupplierFriction(models.Model):
    """Friction with each supplier and contractor over the last N days.

    One row per relationship dealt with in the period (an interaction, a
    ticket created, or a ticket still open). The same SQL feeds the
    ``supplier_friction`` KPI for a given as-of date. Rows are built for the
    reader's companies (``_table_query``): code reading them for several
    users in one transaction invalidates the model in between.
    """

    _name = "xrm.supplier.friction"
    _description = "Supplier Friction"
    _auto = False
    _order = "score desc, partner_id"
    _rec_name = "partner_id"
    # Read through the ORM: pending writes of these fields are flushed first.
    _depends = {
        "res.partner": ["active", "company_id", "user_id", "xrm_relation_type"],
        "xrm.interaction": [
            "active",
            "company_id",
            "date",
            "direction",
            "outcome",
            "partner_id",
        ],
        "helpdesk.ticket": [
            "active",
            "closed_date",
            "commercial_partner_id",
            "company_id",
            "priority",
            "stage_id",
        ],
    }

    partner_id = fields.Many2one("res.partner", string="Relationship", readonly=True)
    relation_type = fields.Selection(
        [("supplier", "Supplier"), ("contractor", "Contractor")],
        string="Relationship Type",
        readonly=True,
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    interaction_count = fields.Integer(string="Interactions", readonly=True)
    negative_count = fields.Integer(string="Negative Interactions", readonly=True)
    escalation_count = fields.Integer(
        string="Escalations",
        readonly=True,
        help="Tickets created in the period with High or Very High priority.",
    )
    open_ticket_count = fields.Integer(
        string="Open Tickets", readonly=True, help="Unresolved at the end."
    )
    wait_count = fields.Integer(
        string="Requests Sent",
        readonly=True,
        help="Outbound interactions in the period whose answer is measured.",
    )
    delay_days = fields.Float(
        string="Response Delay (days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Mean days from each outbound interaction to the relationship's "
        "next inbound one (or to the end of the period).",
    )
    score = fields.Float(
        string="Friction Score",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="3 × negative interactions + 2 × escalations + open tickets + "
        "response delay in days. Lower is better.",
    )

    def _xrm_rows_sql(self, start, end, company_ids, all_suppliers=False):
        """Rows of friction per supplier or contractor for W = [start, end).

        ``start`` and ``end`` are SQL expressions or datetimes. A supplier of
        one company counts that company's records; a supplier shared by every
        company counts only those of ``company_ids`` (and tickets of no
        company). Suppliers of other companies than ``company_ids`` are left
        out unless ``all_suppliers`` (the ranking: its record rule hides them).
        """

        def company_filter(alias, nullable=False):
            column = SQL("%s.company_id", SQL.identifier(alias))
            return SQL(
                "(%s = sup.company_id OR (sup.company_id IS NULL AND %s = ANY(%s))%s)",
                column,
                column,
                company_ids,
                SQL(" OR %s IS NULL", column) if nullable else SQL(""),
            )

        p_company = (
            SQL("TRUE")
            if all_suppliers
            else SQL("(p.company_id = ANY(%s) OR p.company_id IS NULL)", company_ids)
        )
        weights = FRICTION_WEIGHTS
        # One stream of facts per partner, summed once: every branch starts
        # from the suppliers (index lookups per partner) and nothing is joined
        # after the aggregate but the partner itself by primary key, so a poor
        # row estimate cannot turn into rescans of an aggregate.
        return SQL(
            """
            WITH sup AS MATERIALIZED (
                SELECT p.id, p.company_id
                  FROM res_partner p
                 WHERE p.active AND p.xrm_relation_type IN %(types)s
                   AND %(p_company)s
            ),
            -- The partner's interactions of W, read once. Each request of
            -- ours waits for the partner's next answer in the same company
            -- (strictly later: EXCLUDE GROUP leaves out the same instant),
            -- or until the end of W.
            inter AS (
                SELECT i.partner_id, i.outcome, i.direction, i.date,
                       MIN(i.date) FILTER (WHERE i.direction = 'inbound') OVER (
                           PARTITION BY i.partner_id, i.company_id ORDER BY i.date
                           RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
                           EXCLUDE GROUP
                       ) AS answer
                  FROM sup
                  JOIN xrm_interaction i ON i.partner_id = sup.id
                 WHERE i.active AND i.date >= %(start)s AND i.date < %(end)s
                   AND %(i_company)s
            ),
            fact AS (
                SELECT partner_id, 1 AS interactions,
                       -- As when requests were a branch of their own: a
                       -- request adds a 0 to the negative count.
                       CASE WHEN direction = 'outbound'
                            THEN COALESCE((outcome = 'negative')::int, 0)
                            ELSE (outcome = 'negative')::int END AS negative,
                       (direction = 'outbound')::int AS waits,
                       CASE WHEN direction = 'outbound'
                            THEN (EXTRACT(EPOCH FROM (COALESCE(answer, %(end)s) - date))
                                  / 86400.0)::float8
                            ELSE 0.0::float8 END AS wait_days,
                       0 AS created, 0 AS escalations, 0 AS open
                  FROM inter
                UNION ALL
                SELECT t.commercial_partner_id, 0, 0, 0, 0.0,
                       (t.create_date >= %(start)s)::int,
                       (t.create_date >= %(start)s
                        AND t.priority IN %(escalation)s)::int,
                       (t.closed_date >= %(end)s
                        OR (t.closed_date IS NULL
                            AND NOT COALESCE(s.closed, FALSE)))::int
                  FROM sup
                  JOIN helpdesk_ticket t ON t.commercial_partner_id = sup.id
                  LEFT JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                 WHERE t.active AND t.create_date < %(end)s AND %(t_company)s
            ),
            agg AS (
                SELECT partner_id, SUM(interactions) AS interactions,
                       SUM(negative) AS negative, SUM(waits) AS waits,
                       SUM(wait_days) AS wait_days, SUM(created) AS created,
                       SUM(escalations) AS escalations, SUM(open) AS open
                  FROM fact
                 GROUP BY partner_id
            )
            SELECT agg.partner_id, p.user_id, p.company_id,
                   p.xrm_relation_type AS relation_type,
                   agg.interactions::int AS interaction_count,
                   agg.negative::int AS negative_count,
                   agg.escalations::int AS escalation_count,
                   agg.open::int AS open_ticket_count,
                   agg.waits::int AS wait_count,
                   COALESCE(agg.wait_days / NULLIF(agg.waits, 0), 0)::float8
                       AS delay_days,
                   (%(w_negative)s * agg.negative
                    + %(w_escalation)s * agg.escalations
                    + %(w_open)s * agg.open
                    + %(w_delay)s * COALESCE(agg.wait_days / NULLIF(agg.waits, 0), 0)
                   )::float8 AS score
              FROM agg
              JOIN res_partner p ON p.id = agg.partner_id
             WHERE agg.interactions > 0 OR agg.created > 0 OR agg.open > 0
            """,
            types=FRICTION_TYPES,
            escalation=ESCALATION_PRIORITIES,
            start=start,
            end=end,
            p_company=p_company,
            i_company=company_filter("i"),
            t_company=company_filter("t", nullable=True),
            w_negative=weights["negative"],
            w_escalation=weights["escalation"],
            w_open=weights["open"],
            w_delay=weights["delay"],
        )

    @property
    def _table_query(self):
        # Built for each read: a shared supplier's row counts the reader's
        # companies only, not another company's interactions and tickets.
        # The ranking is live: the last N days (Settings) up to now, UTC.
        end = SQL("(now() AT TIME ZONE 'UTC')")
        start = SQL(
            "((now() AT TIME ZONE 'UTC') - %s * INTERVAL '1 day')",
            _days_param_sql("xrm_relationship.friction_days", 90),
        )
        return SQL(
            "SELECT rows.partner_id AS id, rows.* FROM (%s) AS rows",
            self._xrm_rows_sql(start, end, self.env.companies.ids, all_suppliers=True),
        )
