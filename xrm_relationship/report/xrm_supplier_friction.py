# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
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
    ``supplier_friction`` KPI for a given as-of date.
    """

    _name = "xrm.supplier.friction"
    _description = "Supplier Friction"
    _auto = False
    _order = "score desc, partner_id"
    _rec_name = "partner_id"

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

    def _xrm_rows_sql(self, start, end, company_id=None):
        """Rows of friction per supplier or contractor for W = [start, end).

        ``start`` and ``end`` are SQL expressions or datetimes; with
        ``company_id`` only that company's records count.
        """

        def company_filter(alias, nullable=True):
            if not company_id:
                return SQL("TRUE")
            if nullable:
                return SQL(
                    "COALESCE(%s.company_id, %s) = %s",
                    SQL.identifier(alias),
                    company_id,
                    company_id,
                )
            return SQL("%s.company_id = %s", SQL.identifier(alias), company_id)

        weights = FRICTION_WEIGHTS
        return SQL(
            """
            WITH sup AS (
                SELECT p.id, p.user_id, p.company_id, p.xrm_relation_type
                  FROM res_partner p
                 WHERE p.active AND p.xrm_relation_type IN %(types)s
                   AND p.id = p.commercial_partner_id AND %(p_company)s
            ),
            inter AS (
                SELECT i.partner_id, COUNT(*) AS interactions,
                       COUNT(*) FILTER (WHERE i.outcome = 'negative') AS negative
                  FROM xrm_interaction i
                  JOIN sup ON sup.id = i.partner_id
                 WHERE i.active AND i.date >= %(start)s AND i.date < %(end)s
                   AND %(i_company)s
                 GROUP BY i.partner_id
            ),
            waits AS (
                -- How long each request of ours waited for the partner's answer.
                SELECT o.partner_id, COUNT(*) AS waits,
                       SUM(EXTRACT(EPOCH FROM (COALESCE(answer.date, %(end)s)
                           - o.date))) / 86400.0 AS days
                  FROM xrm_interaction o
                  JOIN sup ON sup.id = o.partner_id
                  CROSS JOIN LATERAL (
                    SELECT MIN(r.date) AS date FROM xrm_interaction r
                     WHERE r.partner_id = o.partner_id AND r.active
                       AND r.direction = 'inbound'
                       AND r.date > o.date AND r.date < %(end)s
                  ) answer
                 WHERE o.active AND o.direction = 'outbound'
                   AND o.date >= %(start)s AND o.date < %(end)s AND %(o_company)s
                 GROUP BY o.partner_id
            ),
            tick AS (
                SELECT t.commercial_partner_id AS partner_id,
                       COUNT(*) FILTER (WHERE t.create_date >= %(start)s)
                           AS created,
                       COUNT(*) FILTER (WHERE t.create_date >= %(start)s
                                        AND t.priority IN %(escalation)s)
                           AS escalations,
                       COUNT(*) FILTER (WHERE t.closed_date >= %(end)s
                                        OR (t.closed_date IS NULL
                                            AND NOT COALESCE(s.closed, FALSE)))
                           AS open
                  FROM helpdesk_ticket t
                  JOIN sup ON sup.id = t.commercial_partner_id
                  LEFT JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                 WHERE t.active AND t.create_date < %(end)s AND %(t_company)s
                 GROUP BY t.commercial_partner_id
            )
            SELECT sup.id AS partner_id, sup.user_id, sup.company_id,
                   sup.xrm_relation_type AS relation_type,
                   COALESCE(inter.interactions, 0) AS interaction_count,
                   COALESCE(inter.negative, 0) AS negative_count,
                   COALESCE(tick.escalations, 0) AS escalation_count,
                   COALESCE(tick.open, 0) AS open_ticket_count,
                   COALESCE(waits.waits, 0) AS wait_count,
                   COALESCE(waits.days / NULLIF(waits.waits, 0), 0)::float8
                       AS delay_days,
                   (%(w_negative)s * COALESCE(inter.negative, 0)
                    + %(w_escalation)s * COALESCE(tick.escalations, 0)
                    + %(w_open)s * COALESCE(tick.open, 0)
                    + %(w_delay)s * COALESCE(waits.days / NULLIF(waits.waits, 0), 0)
                   )::float8 AS score
              FROM sup
              LEFT JOIN inter ON inter.partner_id = sup.id
              LEFT JOIN waits ON waits.partner_id = sup.id
              LEFT JOIN tick ON tick.partner_id = sup.id
             WHERE inter.partner_id IS NOT NULL
                OR COALESCE(tick.created, 0) > 0 OR COALESCE(tick.open, 0) > 0
            """,
            types=FRICTION_TYPES,
            escalation=ESCALATION_PRIORITIES,
            start=start,
            end=end,
            p_company=company_filter("p"),
            i_company=company_filter("i", nullable=False),
            o_company=company_filter("o", nullable=False),
            t_company=company_filter("t"),
            w_negative=weights["negative"],
            w_escalation=weights["escalation"],
            w_open=weights["open"],
            w_delay=weights["delay"],
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        # The ranking is live: the last N days (Settings) up to now, UTC.
        end = SQL("(now() AT TIME ZONE 'UTC')")
        start = SQL(
            "((now() AT TIME ZONE 'UTC') - %s * INTERVAL '1 day')",
            _days_param_sql("xrm_relationship.friction_days", 90),
        )
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS "
                "SELECT rows.partner_id AS id, rows.* FROM (%s) AS rows",
                SQL.identifier(self._table),
                self._xrm_rows_sql(start, end),
            )
        )
