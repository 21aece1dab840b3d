# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# SPEC § Process insight: leavers count as churned when they enter a churn
# stage within this many days after leaving.
CHURN_AFTER_DAYS = 365
# The window when none is chosen: the last year up to today.
DEFAULT_WINDOW_DAYS = 365


class XrmStageAnalysis(models.Model):
    """Where the journey hurts: one row per journey stage for a window W.

    W = [date_from, date_to + 1 day) in UTC, chosen through the context keys
    ``xrm_date_from`` / ``xrm_date_to`` (dates; the last 365 days when
    absent). Rows are built for each read (``_table_query``), set-based, over
    the reader's companies; each figure's records come from the same SQL
    (``_xrm_facts_sql``) so that a figure and the list it opens agree.
    """

    _name = "xrm.stage.analysis"
    _description = "Stage Analysis"
    _auto = False
    _order = "sequence, id"
    _rec_name = "stage_id"
    _depends = {
        "xrm.journey.stage": ["active", "is_churn", "sequence"],
        "xrm.journey.transition": [
            "company_id",
            "date",
            "days_in_previous_stage",
            "from_stage_id",
            "partner_id",
            "to_stage_id",
        ],
        "xrm.interaction": [
            "active",
            "company_id",
            "csat",
            "date",
            "quality",
            "stage_id",
            "state",
        ],
        "rating.rating": ["consumed", "rated_on", "rating", "res_id", "res_model"],
        "helpdesk.ticket": ["active", "commercial_partner_id", "company_id"],
    }

    stage_id = fields.Many2one("xrm.journey.stage", readonly=True)
    sequence = fields.Integer(readonly=True)
    is_churn = fields.Boolean(string="Churn Stage", readonly=True)
    entered = fields.Integer(
        readonly=True, help="Transitions into the stage dated in the window."
    )
    stay_count = fields.Integer(
        string="Stays Ended",
        readonly=True,
        help="Stays in the stage that ended (a move out) in the window.",
    )
    median_days = fields.Float(
        string="Median Stay (days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Median length of the stays in the stage that ended in the window.",
    )
    left_count = fields.Integer(
        string="Relationships Left",
        readonly=True,
        help="Relationships that left the stage in the window.",
    )
    churned_after = fields.Integer(
        string="Churned Within a Year",
        readonly=True,
        help="Of the relationships that left the stage in the window, those "
        "that entered a churn stage within 365 days after leaving.",
    )
    churn_rate = fields.Float(
        string="Leavers Churned (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="100 × churned after / left.",
    )
    csat_count = fields.Integer(
        string="Ratings",
        readonly=True,
        help="Satisfaction answers (1–5) given in the window while the "
        "relationship was in the stage.",
    )
    csat_avg = fields.Float(
        string="CSAT",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Mean satisfaction (1–5) given while the relationship was in the "
        "stage: ticket ratings and interaction answers dated in the window.",
    )
    csat_drop = fields.Float(
        string="CSAT Drop",
        readonly=True,
        aggregator="max",
        digits=(16, 2),
        help="The CSAT of the stage before (by sequence, among stages with "
        "ratings) minus this stage's: how much satisfaction falls here.",
    )
    quality_count = fields.Integer(
        string="Documented",
        readonly=True,
        help="Documented interactions in the window during the stage.",
    )
    quality_avg = fields.Float(
        string="Quality",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Mean quality (1–5) of documented interactions dated in the "
        "window whose stage is this one.",
    )

    # ------------------------------------------------------------------
    # The window
    # ------------------------------------------------------------------
    @api.model
    def _xrm_window(self):
        """(start, end) datetimes of W from the context, UTC midnights."""
        ctx = self.env.context
        try:
            date_to = fields.Date.to_date(ctx.get("xrm_date_to")) or (
                fields.Date.context_today(self)
            )
            date_from = fields.Date.to_date(ctx.get("xrm_date_from")) or (
                date_to - timedelta(days=DEFAULT_WINDOW_DAYS)
            )
        except (TypeError, ValueError) as error:
            raise UserError(
                _("The analysis window needs two dates (YYYY-MM-DD).")
            ) from error
        if date_from > date_to:
            raise UserError(_("The analysis window starts after it ends."))
        return (
            datetime.combine(date_from, time.min),
            datetime.combine(date_to + timedelta(days=1), time.min),
        )

    # ------------------------------------------------------------------
    # Facts: (stage_id, res_model, res_id, partner_id, value) per figure
    # ------------------------------------------------------------------
    @api.model
    def _xrm_facts_sql(self, figure, start, end, company_ids):
        """SQL rows behind one figure of W = [start, end) for these companies.

        Columns: stage_id, res_model, res_id, partner_id, value.
        """
        if figure == "entered":
            return SQL(
                """
                SELECT t.to_stage_id AS stage_id,
                       'xrm.journey.transition' AS res_model, t.id AS res_id,
                       t.partner_id, 1.0::float8 AS value
                  FROM xrm_journey_transition t
                 WHERE t.date >= %(start)s AND t.date < %(end)s
                   AND t.to_stage_id IS NOT NULL AND %(company)s
                """,
                start=start,
                end=end,
                company=self._xrm_company_sql("t", company_ids),
            )
        if figure == "stay":
            # A move out of the stage ends a stay; its length is recorded on
            # the move (days_in_previous_stage), as the dwell-time view reads.
            return SQL(
                """
                SELECT t.from_stage_id AS stage_id,
                       'xrm.journey.transition' AS res_model, t.id AS res_id,
                       t.partner_id,
                       COALESCE(t.days_in_previous_stage, 0)::float8 AS value
                  FROM xrm_journey_transition t
                 WHERE t.date >= %(start)s AND t.date < %(end)s
                   AND t.from_stage_id IS NOT NULL AND %(company)s
                """,
                start=start,
                end=end,
                company=self._xrm_company_sql("t", company_ids),
            )
        if figure == "churned":
            # value 1 when a churn stage was entered within 365 days after
            # one of the relationship's moves out of the stage in W. The
            # moves into churn are few: joined by hash, not looked up per move.
            return SQL(
                """
                SELECT t.from_stage_id AS stage_id, 'res.partner' AS res_model,
                       t.partner_id AS res_id, t.partner_id,
                       MAX((c.partner_id IS NOT NULL)::int)::float8 AS value
                  FROM xrm_journey_transition t
                  LEFT JOIN (
                    SELECT m.partner_id, m.date
                      FROM xrm_journey_transition m
                      JOIN xrm_journey_stage cs ON cs.id = m.to_stage_id
                     WHERE cs.is_churn AND m.date >= %(start)s
                  ) c ON c.partner_id = t.partner_id AND c.date >= t.date
                     AND c.date <= t.date + %(after)s * INTERVAL '1 day'
                 WHERE t.date >= %(start)s AND t.date < %(end)s
                   AND t.from_stage_id IS NOT NULL AND %(company)s
                 GROUP BY t.from_stage_id, t.partner_id
                """,
                start=start,
                end=end,
                after=CHURN_AFTER_DAYS,
                company=self._xrm_company_sql("t", company_ids),
            )
        if figure == "csat":
            # Interactions carry the stage they happened in; a ticket rating
            # takes the stage its relationship held when it was given.
            return SQL(
                """
                SELECT i.stage_id, 'xrm.interaction' AS res_model, i.id AS res_id,
                       i.partner_id, i.csat::float8 AS value
                  FROM xrm_interaction i
                 WHERE i.active AND i.csat BETWEEN 1 AND 5
                   AND i.stage_id IS NOT NULL
                   AND i.date >= %(start)s AND i.date < %(end)s
                   AND i.company_id = ANY(%(company_ids)s)
                UNION ALL
                SELECT held.stage_id, 'rating.rating', r.id,
                       t.commercial_partner_id, r.rating::float8
                  FROM rating_rating r
                  JOIN helpdesk_ticket t ON t.id = r.res_id
                  CROSS JOIN LATERAL (
                    SELECT m.to_stage_id AS stage_id
                      FROM xrm_journey_transition m
                     WHERE m.partner_id = t.commercial_partner_id
                       AND m.date <= r.rated_on
                     ORDER BY m.date DESC, m.id DESC
                     LIMIT 1
                  ) held
                 WHERE r.res_model = 'helpdesk.ticket' AND r.consumed
                   AND r.rating BETWEEN 1 AND 5
                   AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
                   AND t.active AND held.stage_id IS NOT NULL
                   AND (t.company_id = ANY(%(company_ids)s) OR t.company_id IS NULL)
                """,
                start=start,
                end=end,
                company_ids=company_ids,
            )
        if figure == "quality":
            return SQL(
                """
                SELECT i.stage_id, 'xrm.interaction' AS res_model, i.id AS res_id,
                       i.partner_id, i.quality::float8 AS value
                  FROM xrm_interaction i
                 WHERE i.active AND i.state = 'done' AND i.quality IS NOT NULL
                   AND i.stage_id IS NOT NULL
                   AND i.date >= %(start)s AND i.date < %(end)s
                   AND i.company_id = ANY(%(company_ids)s)
                """,
                start=start,
                end=end,
                company_ids=company_ids,
            )
        raise UserError(_("Unknown figure of the stage analysis: %s", figure))

    @api.model
    def _xrm_company_sql(self, alias, company_ids):
        """A transition of these companies or of a relationship shared by all."""
        column = SQL("%s.company_id", SQL.identifier(alias))
        return SQL("(%s = ANY(%s) OR %s IS NULL)", column, company_ids, column)

    @api.model
    def _xrm_rows_sql(self, start, end, company_ids):
        """One row per active stage: the figures of W = [start, end)."""

        def facts(figure):
            return self._xrm_facts_sql(figure, start, end, company_ids)

        return SQL(
            """
            WITH entered AS (
                SELECT stage_id, COUNT(*) AS n FROM (%(entered)s) f
                 GROUP BY stage_id
            ),
            stay AS (
                SELECT stage_id, COUNT(*) AS n,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
                  FROM (%(stay)s) f GROUP BY stage_id
            ),
            churned AS (
                SELECT stage_id, COUNT(*) AS n, SUM(value) AS churned
                  FROM (%(churned)s) f GROUP BY stage_id
            ),
            csat AS (
                SELECT stage_id, COUNT(*) AS n, AVG(value) AS avg
                  FROM (%(csat)s) f GROUP BY stage_id
            ),
            quality AS (
                SELECT stage_id, COUNT(*) AS n, AVG(value) AS avg
                  FROM (%(quality)s) f GROUP BY stage_id
            ),
            -- The drop: the previous stage with ratings minus this one.
            drop AS (
                SELECT csat.stage_id,
                       LAG(csat.avg) OVER (ORDER BY s.sequence, s.id) - csat.avg
                           AS drop
                  FROM csat JOIN xrm_journey_stage s ON s.id = csat.stage_id
                 WHERE s.active
            )
            SELECT s.id, s.id AS stage_id, s.sequence,
                   COALESCE(s.is_churn, FALSE) AS is_churn,
                   COALESCE(entered.n, 0)::int AS entered,
                   COALESCE(stay.n, 0)::int AS stay_count,
                   stay.median::float8 AS median_days,
                   COALESCE(churned.n, 0)::int AS left_count,
                   COALESCE(churned.churned, 0)::int AS churned_after,
                   (100.0 * churned.churned / NULLIF(churned.n, 0))::float8
                       AS churn_rate,
                   COALESCE(csat.n, 0)::int AS csat_count,
                   csat.avg::float8 AS csat_avg,
                   drop.drop::float8 AS csat_drop,
                   COALESCE(quality.n, 0)::int AS quality_count,
                   quality.avg::float8 AS quality_avg
              FROM xrm_journey_stage s
              LEFT JOIN entered ON entered.stage_id = s.id
              LEFT JOIN stay ON stay.stage_id = s.id
              LEFT JOIN churned ON churned.stage_id = s.id
              LEFT JOIN csat ON csat.stage_id = s.id
              LEFT JOIN quality ON quality.stage_id = s.id
              LEFT JOIN drop ON drop.stage_id = s.id
             WHERE s.active
            """,
            entered=facts("entered"),
            stay=facts("stay"),
            churned=facts("churned"),
            csat=facts("csat"),
            quality=facts("quality"),
        )

    @property
    def _table_query(self):
        start, end = self._xrm_window()
        return self._xrm_rows_sql(start, end, self.env.companies.ids)

    # ------------------------------------------------------------------
    # Every figure opens its records
    # ------------------------------------------------------------------
    def _xrm_fact_ids(self, figure, in_value_only=False):
        """{res_model: ids} behind ``figure`` for these rows' stages."""
        start, end = self._xrm_window()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT res_model, array_agg(DISTINCT res_id) FROM (%s) f"
                " WHERE stage_id = ANY(%s) %s GROUP BY res_model",
                self._xrm_facts_sql(figure, start, end, self.env.companies.ids),
                self.stage_id.ids,
                SQL("AND value > 0") if in_value_only else SQL(),
            )
        )
        return dict(self.env.cr.fetchall())

    def _xrm_open(self, figure, model, name, in_value_only=False):
        ids = self._xrm_fact_ids(figure, in_value_only).get(model, [])
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", ids)],
            "context": {"create": False},
        }

    # Read-only drill-downs: served by db_replica_host when one is set.
    @api.readonly
    def action_open_entered(self):
        return self._xrm_open(
            "entered",
            "xrm.journey.transition",
            _("Entered %s", ", ".join(self.stage_id.mapped("name"))),
        )

    @api.readonly
    def action_open_stays(self):
        return self._xrm_open(
            "stay",
            "xrm.journey.transition",
            _("Stays ended in %s", ", ".join(self.stage_id.mapped("name"))),
        )

    @api.readonly
    def action_open_left(self):
        return self._xrm_open(
            "churned",
            "res.partner",
            _("Left %s", ", ".join(self.stage_id.mapped("name"))),
        )

    @api.readonly
    def action_open_churned(self):
        return self._xrm_open(
            "churned",
            "res.partner",
            _("Churned after %s", ", ".join(self.stage_id.mapped("name"))),
            in_value_only=True,
        )

    @api.readonly
    def action_open_csat_interactions(self):
        return self._xrm_open(
            "csat",
            "xrm.interaction",
            _("Satisfaction in %s", ", ".join(self.stage_id.mapped("name"))),
        )

    @api.readonly
    def action_open_csat_ratings(self):
        return self._xrm_open(
            "csat",
            "rating.rating",
            _("Ticket ratings in %s", ", ".join(self.stage_id.mapped("name"))),
        )

    @api.readonly
    def action_open_quality(self):
        return self._xrm_open(
            "quality",
            "xrm.interaction",
            _("Documented in %s", ", ".join(self.stage_id.mapped("name"))),
        )

    # ------------------------------------------------------------------
    # The dashboard's card
    # ------------------------------------------------------------------
    @api.model
    def _xrm_insight_card(self, date_from, date_to):
        """The stage where satisfaction drops most and the stage whose
        leavers churn most over [date_from, date_to], or False for each."""
        # One query: the rows and the figures the card needs together.
        rows = self.with_context(
            xrm_date_from=fields.Date.to_string(date_from),
            xrm_date_to=fields.Date.to_string(date_to),
        ).search_fetch(
            [],
            [
                "stage_id",
                "sequence",
                "csat_avg",
                "csat_drop",
                "churned_after",
                "churn_rate",
                "left_count",
            ],
        )
        drops = rows.filtered(lambda r: r.csat_drop > 0)
        churns = rows.filtered(lambda r: r.churned_after > 0)
        drop = max(drops, key=lambda r: (r.csat_drop, -r.sequence), default=None)
        churn = max(churns, key=lambda r: (r.churn_rate, -r.sequence), default=None)
        return {
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "csat_drop": drop
            and {
                "id": drop.stage_id.id,
                "name": drop.stage_id.display_name,
                "drop": drop.csat_drop,
                "csat": drop.csat_avg,
            },
            "churn": churn
            and {
                "id": churn.stage_id.id,
                "name": churn.stage_id.display_name,
                "rate": churn.churn_rate,
                "churned": churn.churned_after,
                "left": churn.left_count,
            },
        }
