# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models.xrm_interaction import CHANNELS, OUTCOMES
from ..tools.report import selection_index_sql

# "Churn within 90 days": the relationship churned at most this long after
# the interaction.
CHURN_FOLLOW_DAYS = 90


class XrmRelationshipMirror(models.Model):
    """My Relationships: what followed each salesperson's interactions.

    One row per company, salesperson, channel and outcome over a window W
    (the stage analysis' context keys ``xrm_date_from`` / ``xrm_date_to``, the
    last 365 days by default): how many interactions, and of them how many
    generated an opportunity, how many of those were won, how many were with
    a relationship that is kept (not churned) and how many were followed by
    churn within 90 days; next to the same shares over the whole team (every
    salesperson of the company). Record rules: a salesperson reads their own
    rows, a manager everyone's.
    """

    _name = "xrm.relationship.mirror"
    _description = "My Relationships"
    _auto = False
    _order = "user_id, channel, outcome"
    _rec_name = "user_id"
    _depends = {
        "xrm.interaction": [
            "active",
            "channel",
            "company_id",
            "date",
            "generated_lead_id",
            "outcome",
            "partner_id",
            "user_id",
        ],
        "crm.lead": ["active", "won_status"],
        "res.partner": ["xrm_churn_date"],
    }

    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    outcome = fields.Selection(
        OUTCOMES, readonly=True, help="Empty: not documented yet."
    )
    interaction_count = fields.Integer(string="Interactions", readonly=True)
    opportunity_count = fields.Integer(
        string="Opportunities Created",
        readonly=True,
        help="Interactions that generated an opportunity.",
    )
    won_count = fields.Integer(
        string="Opportunities Won",
        readonly=True,
        help="Interactions whose generated opportunity was won.",
    )
    kept_count = fields.Integer(
        string="Relationships Kept",
        readonly=True,
        help="Interactions with a relationship that has not churned.",
    )
    churn_count = fields.Integer(
        string="Churn Within 90 Days",
        readonly=True,
        help="Interactions followed by the relationship's churn within 90 days.",
    )
    mix_share = fields.Float(
        string="My Mix (%)",
        readonly=True,
        aggregator="sum",
        digits=(16, 1),
        help="This channel and outcome's share of my interactions.",
    )
    opportunity_share = fields.Float(
        string="Opportunity (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    won_share = fields.Float(
        string="Won (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    kept_share = fields.Float(
        string="Kept (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    churn_share = fields.Float(
        string="Churn 90 d (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    team_interaction_count = fields.Integer(
        string="Team Interactions", readonly=True, aggregator="max"
    )
    team_mix_share = fields.Float(
        string="Team Mix (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    team_opportunity_share = fields.Float(
        string="Team Opportunity (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    team_won_share = fields.Float(
        string="Team Won (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    team_kept_share = fields.Float(
        string="Team Kept (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    team_churn_share = fields.Float(
        string="Team Churn 90 d (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )

    @api.model
    def _xrm_rows_sql(self, start, end):
        """Rows of W = [start, end) for every company (its rule filters them)."""
        # A stable id per (user, company, channel, outcome), read again later.
        channel_index = selection_index_sql("f", "channel", CHANNELS)
        outcome_index = selection_index_sql("f", "outcome", OUTCOMES)
        return SQL(
            """
            WITH fact AS (
                SELECT i.company_id, i.user_id, i.channel, i.outcome,
                       (l.id IS NOT NULL)::int AS opportunity,
                       COALESCE(l.won_status = 'won', FALSE)::int AS won,
                       (p.xrm_churn_date IS NULL)::int AS kept,
                       COALESCE(p.xrm_churn_date > i.date::date
                                AND p.xrm_churn_date
                                    <= (i.date + %(follow)s * INTERVAL '1 day')::date,
                                FALSE)::int AS churned
                  FROM xrm_interaction i
                  JOIN res_partner p ON p.id = i.partner_id
                  LEFT JOIN crm_lead l ON l.id = i.generated_lead_id AND l.active
                 WHERE i.active AND i.user_id IS NOT NULL
                   AND i.date >= %(start)s AND i.date < %(end)s
            ),
            mine AS (
                SELECT company_id, user_id, channel, outcome, COUNT(*) AS n,
                       SUM(opportunity) AS opportunity, SUM(won) AS won,
                       SUM(kept) AS kept, SUM(churned) AS churned
                  FROM fact GROUP BY company_id, user_id, channel, outcome
            ),
            -- The other levels from the few grouped rows, not from the facts:
            -- my total, the team by kind and the team's total.
            f AS (
                SELECT mine.*,
                       SUM(n) OVER (PARTITION BY company_id, user_id) AS my_n,
                       SUM(n) OVER kind AS t_n,
                       SUM(opportunity) OVER kind AS t_opportunity,
                       SUM(won) OVER kind AS t_won,
                       SUM(kept) OVER kind AS t_kept,
                       SUM(churned) OVER kind AS t_churned,
                       SUM(n) OVER (PARTITION BY company_id) AS team_n
                  FROM mine
                WINDOW kind AS (PARTITION BY company_id, channel, outcome)
            )
            SELECT ((f.user_id::bigint * 1000 + f.company_id) * 100
                    + %(channel_index)s * 4 + %(outcome_index)s) AS id,
                   f.company_id, f.user_id, f.channel, f.outcome,
                   f.n::int AS interaction_count,
                   f.opportunity::int AS opportunity_count,
                   f.won::int AS won_count, f.kept::int AS kept_count,
                   f.churned::int AS churn_count,
                   (100.0 * f.n / f.my_n)::float8 AS mix_share,
                   (100.0 * f.opportunity / f.n)::float8 AS opportunity_share,
                   (100.0 * f.won / f.n)::float8 AS won_share,
                   (100.0 * f.kept / f.n)::float8 AS kept_share,
                   (100.0 * f.churned / f.n)::float8 AS churn_share,
                   f.t_n::int AS team_interaction_count,
                   (100.0 * f.t_n / f.team_n)::float8 AS team_mix_share,
                   (100.0 * f.t_opportunity / f.t_n)::float8 AS team_opportunity_share,
                   (100.0 * f.t_won / f.t_n)::float8 AS team_won_share,
                   (100.0 * f.t_kept / f.t_n)::float8 AS team_kept_share,
                   (100.0 * f.t_churned / f.t_n)::float8 AS team_churn_share
              FROM f
            """,
            start=start,
            end=end,
            follow=CHURN_FOLLOW_DAYS,
            channel_index=channel_index,
            outcome_index=outcome_index,
        )

    @property
    def _table_query(self):
        start, end = self.env["xrm.stage.analysis"]._xrm_window()
        return self._xrm_rows_sql(start, end)

    # Read-only drill-downs: served by db_replica_host when one is set.
    @api.readonly
    def action_open_interactions(self):
        """The interactions behind these rows (the reader's rules apply)."""
        start, end = self.env["xrm.stage.analysis"]._xrm_window()
        domain = [("date", ">=", start), ("date", "<", end)]
        groups = [
            [
                ("user_id", "=", row.user_id.id),
                ("company_id", "=", row.company_id.id),
                ("channel", "=", row.channel),
                ("outcome", "=", row.outcome),
            ]
            for row in self
        ]
        # (user, company, channel, outcome) of one row OR of another …
        branches = ["|"] * (len(groups) - 1)
        for group in groups:
            branches += ["&", "&", "&", *group]
        return {
            "type": "ir.actions.act_window",
            "name": _("Interactions"),
            "res_model": "xrm.interaction",
            "views": [(False, "list"), (False, "form")],
            "domain": domain + branches,
            "context": {"create": False},
        }
