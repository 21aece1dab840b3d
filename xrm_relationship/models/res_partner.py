# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from contextvars import ContextVar
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# CS health looks back this far (SPEC: "over the last 365 days").
HEALTH_WINDOW_DAYS = 365

RELATION_TYPES = [
    ("customer", "Customer"),
    ("agent", "Agent / Reseller"),
    ("supplier", "Supplier"),
    ("contractor", "Contractor"),
    ("technician", "Technician"),
    ("other", "Other"),
]


# Internal assessments (stage, health, churn, counters): never shown to portal
# or public users, who may read their own commercial partner.
INTERNAL = "base.group_user"
# ... and changed only by XRM users (read-only ones: by server code alone).
XRM_USER = "xrm_relationship.group_xrm_user"

# Health recomputed on demand (form button, list action, API): at most this
# many relationships per call; the nightly job goes through the engine.
MAX_HEALTH_PARTNERS = 100

# Set by server code that carries XRM values over on behalf of the user (the
# merge of contacts): a context key would be forgeable by RPC callers.
_xrm_carrying_values = ContextVar("xrm_carrying_values", default=False)


class ResPartner(models.Model):
    _inherit = "res.partner"

    xrm_relation_type = fields.Selection(
        RELATION_TYPES,
        string="Relationship Type",
        index=True,
        tracking=True,
        groups=INTERNAL,
    )
    xrm_referred_by_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        help="The relationship that brought this one to us.",
        groups=INTERNAL,
    )
    xrm_stage_id = fields.Many2one(
        "xrm.journey.stage",
        string="Journey Stage",
        index=True,
        tracking=True,
        copy=False,
        group_expand="_read_group_expand_xrm_stage",
        groups=INTERNAL,
    )
    xrm_stage_date = fields.Datetime(
        string="In Stage Since", copy=False, readonly=True, groups=INTERNAL
    )
    xrm_churn_date = fields.Date(
        string="Churn Date", copy=False, readonly=True, groups=INTERNAL
    )
    xrm_churn_reason = fields.Char(
        string="Churn Reason", copy=False, tracking=True, groups=INTERNAL
    )
    xrm_days_in_stage = fields.Integer(
        string="Days in Stage", compute="_compute_xrm_days_in_stage", groups=INTERNAL
    )
    xrm_stage_overdue = fields.Boolean(
        string="Stage Overdue",
        compute="_compute_xrm_days_in_stage",
        search="_search_xrm_stage_overdue",
        groups=INTERNAL,
    )
    xrm_interaction_ids = fields.One2many(
        "xrm.interaction", "partner_id", string="Interactions", groups=INTERNAL
    )
    xrm_interaction_count = fields.Integer(
        string="Interaction Count",
        compute="_compute_xrm_interaction_count",
        groups=INTERNAL,
    )
    # Context panel: what a salesperson or agent should see at once.
    xrm_is_first_contact = fields.Boolean(
        string="First Contact", compute="_compute_xrm_context", groups=INTERNAL
    )
    xrm_last_meaningful_id = fields.Many2one(
        "xrm.interaction",
        string="Last Meaningful Interaction",
        compute="_compute_xrm_context",
        groups=INTERNAL,
    )
    xrm_last_meaningful_summary = fields.Char(
        string="Last Meaningful Summary",
        compute="_compute_xrm_context",
        groups=INTERNAL,
    )
    xrm_open_ticket_count = fields.Integer(
        string="Open Tickets", compute="_compute_xrm_context", groups=INTERNAL
    )
    xrm_open_lead_count = fields.Integer(
        string="Open Opportunities", compute="_compute_xrm_context", groups=INTERNAL
    )
    xrm_to_document_count = fields.Integer(
        string="Contacts to Document", compute="_compute_xrm_context", groups=INTERNAL
    )
    xrm_goal_ids = fields.One2many(
        "xrm.customer.goal", "partner_id", string="Customer Goals", groups=INTERNAL
    )
    xrm_transition_ids = fields.One2many(
        "xrm.journey.transition",
        "partner_id",
        string="Journey History",
        groups=INTERNAL,
    )
    # Customer success (CS = CX + CO). Written by _xrm_compute_health on a
    # schedule, not stored-computed: one rating must not recompute partners.
    xrm_cx_score = fields.Float(
        string="CX Score", digits=(5, 1), readonly=True, groups=INTERNAL
    )
    xrm_co_score = fields.Float(
        string="CO Score", digits=(5, 1), readonly=True, groups=INTERNAL
    )
    xrm_cs_score = fields.Float(
        string="CS Score", digits=(5, 1), readonly=True, groups=INTERNAL
    )
    xrm_health = fields.Selection(
        [("green", "Green"), ("yellow", "Yellow"), ("red", "Red")],
        string="Health",
        readonly=True,
        index="btree_not_null",
        groups=INTERNAL,
    )
    xrm_health_date = fields.Date(
        string="Health Computed On", readonly=True, groups=INTERNAL
    )
    xrm_cx_csat_avg = fields.Float(
        string="Ticket CSAT Average", digits=(3, 2), readonly=True, groups=INTERNAL
    )
    xrm_cx_csat_count = fields.Integer(
        string="Ticket Ratings", readonly=True, groups=INTERNAL
    )
    xrm_cx_quality_avg = fields.Float(
        string="Interaction Quality Average",
        digits=(3, 2),
        readonly=True,
        groups=INTERNAL,
    )
    xrm_cx_quality_count = fields.Integer(
        string="Documented Interactions Rated", readonly=True, groups=INTERNAL
    )
    xrm_co_goal_count = fields.Integer(
        string="Goals Counted", readonly=True, groups=INTERNAL
    )
    xrm_cs_cx_weight = fields.Float(
        string="CX Weight Used", digits=(3, 2), readonly=True, groups=INTERNAL
    )
    xrm_engagement_count = fields.Integer(
        string="Engagement Events",
        compute="_compute_xrm_engagement_count",
        groups=INTERNAL,
    )
    xrm_health_snapshot_ids = fields.One2many(
        "xrm.health.snapshot", "partner_id", string="Health History", groups=INTERNAL
    )
    # Relationship tier: written by the nightly run (xrm.relationship.tier),
    # never stored-computed, so one interaction does not recompute partners.
    xrm_tier_id = fields.Many2one(
        "xrm.relationship.tier",
        string="Tier",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=INTERNAL,
    )
    xrm_tier_score = fields.Float(
        string="Tier Score",
        digits=(5, 1),
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_active_periods = fields.Integer(
        string="Active Periods",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_positive_count = fields.Integer(
        string="Positive Interactions",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_engagement_count = fields.Integer(
        string="Tier Engagement Events",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_referral_count = fields.Integer(
        string="Referrals",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_goal_count = fields.Integer(
        string="Goals Achieved",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_satisfied_count = fields.Integer(
        string="Satisfied Tickets",
        readonly=True,
        copy=False,
        groups=INTERNAL,
    )
    xrm_tier_date = fields.Date(
        string="Tier Computed On", readonly=True, copy=False, groups=INTERNAL
    )
    xrm_tier_since = fields.Date(
        string="In Tier Since", readonly=True, copy=False, groups=INTERNAL
    )
    xrm_tier_reason = fields.Char(
        string="Why This Tier",
        compute="_compute_xrm_tier_reason",
        groups=INTERNAL,
    )
    xrm_tier_history_ids = fields.One2many(
        "xrm.tier.history",
        "partner_id",
        string="Tier History",
        groups=INTERNAL,
    )
    # Contact pressure: outbound contacts in the last N days against a limit.
    xrm_max_outbound = fields.Integer(
        string="Max Outbound Contacts",
        tracking=True,
        help="Outbound contacts allowed per period (Settings); 0: the default "
        "of the relationship type.",
        groups=INTERNAL,
    )
    xrm_pressure_count = fields.Integer(
        string="Outbound Contacts",
        compute="_compute_xrm_pressure",
        groups=INTERNAL,
    )
    xrm_pressure_limit = fields.Integer(
        string="Outbound Limit",
        compute="_compute_xrm_pressure",
        groups=INTERNAL,
    )
    xrm_pressure_state = fields.Selection(
        [
            ("ok", "Below the limit"),
            ("full", "At the limit"),
            ("over", "Over the limit"),
        ],
        string="Contact Pressure",
        compute="_compute_xrm_pressure",
        groups=INTERNAL,
    )
    xrm_pressure_label = fields.Char(
        string="Pressure", compute="_compute_xrm_pressure", groups=INTERNAL
    )

    @api.depends("xrm_stage_date", "xrm_stage_id.max_days")
    def _compute_xrm_days_in_stage(self):
        now = fields.Datetime.now()
        for partner in self:
            if partner.xrm_stage_id and partner.xrm_stage_date:
                days = (now - partner.xrm_stage_date).days
            else:
                days = 0
            partner.xrm_days_in_stage = days
            max_days = partner.xrm_stage_id.max_days
            partner.xrm_stage_overdue = bool(max_days) and days > max_days

    @api.depends(
        "xrm_tier_id",
        "xrm_tier_score",
        "xrm_tier_active_periods",
        "xrm_tier_positive_count",
        "xrm_tier_engagement_count",
        "xrm_tier_referral_count",
        "xrm_tier_goal_count",
        "xrm_tier_satisfied_count",
    )
    def _compute_xrm_tier_reason(self):
        """Why the tier, in the reader's language, from the stored counts."""
        params = self.env["xrm.relationship.tier"]._xrm_tier_params()
        for partner in self:
            if not partner.xrm_tier_date:
                partner.xrm_tier_reason = False
                continue
            signals = [
                (partner.xrm_tier_positive_count, _("positive interactions")),
                (partner.xrm_tier_engagement_count, _("engagement events")),
                (partner.xrm_tier_referral_count, _("referrals")),
                (partner.xrm_tier_goal_count, _("goals achieved")),
                (partner.xrm_tier_satisfied_count, _("satisfied ticket ratings")),
            ]
            found = ", ".join(f"{label} {count}" for count, label in signals if count)
            partner.xrm_tier_reason = _(
                "Score %(score)s / 100, active in %(active)s of %(periods)s periods "
                "of %(days)s days: %(signals)s.",
                score=round(partner.xrm_tier_score, 1),
                active=partner.xrm_tier_active_periods,
                periods=params["periods"],
                days=params["period_days"],
                signals=found or _("no positive activity"),
            )

    @api.depends("xrm_max_outbound", "xrm_relation_type")
    @api.depends_context("uid", "allowed_company_ids")  # contacts of its companies
    def _compute_xrm_pressure(self):
        Interaction = self.env["xrm.interaction"]
        days = Interaction._xrm_pressure_days()
        # _origin: a form being edited holds new records of saved partners.
        counts = Interaction._xrm_pressure_counts(self.commercial_partner_id._origin)
        for partner in self:
            commercial = partner.commercial_partner_id
            count = counts.get(commercial._origin.id, 0)
            limit = commercial._xrm_pressure_max()
            partner.xrm_pressure_count = count
            partner.xrm_pressure_limit = limit
            if not limit or count < limit:
                partner.xrm_pressure_state = "ok"
            else:
                partner.xrm_pressure_state = "full" if count == limit else "over"
            if limit:
                partner.xrm_pressure_label = _(
                    "%(count)s / %(limit)s outbound in %(days)s days",
                    count=count,
                    limit=limit,
                    days=days,
                )
            else:
                partner.xrm_pressure_label = _(
                    "%(count)s outbound in %(days)s days", count=count, days=days
                )

    def _xrm_pressure_max(self):
        """The relationship's own limit, else its type's default (0: none)."""
        self.ensure_one()
        if self.xrm_max_outbound > 0:
            return self.xrm_max_outbound
        return (
            self.env["xrm.interaction"]
            ._xrm_pressure_type_limits()
            .get(self.xrm_relation_type or "other", 0)
        )

    def _xrm_counts(self, model):
        """{commercial partner: count} of ``model`` records the reader may see.

        A user without access to the model (an internal user without XRM
        rights opening a contact) gets zeros, not an access error.
        """
        Model = self.env[model]
        if not Model.has_access("read"):
            return {}
        return dict(
            Model._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )

    # What a reader may see depends on their rights: cache per user.
    @api.depends_context("uid")
    def _compute_xrm_interaction_count(self):
        counts = self._xrm_counts("xrm.interaction")
        for partner in self:
            partner.xrm_interaction_count = counts.get(partner.commercial_partner_id, 0)

    # What a reader may see depends on their rights: cache per user.
    @api.depends_context("uid")
    def _compute_xrm_engagement_count(self):
        counts = self._xrm_counts("xrm.engagement.event")
        for partner in self:
            partner.xrm_engagement_count = counts.get(partner.commercial_partner_id, 0)

    def action_xrm_open_engagement(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xrm_relationship.xrm_engagement_event_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # What a reader may see depends on their rights: cache per user.
    @api.depends_context("uid")
    def _compute_xrm_context(self):
        """Set-based: a handful of grouped queries whatever the number of partners.

        Runs with the reader's rights: a salesperson sees what they may read.
        """
        commercials = self.commercial_partner_id
        Interaction = self.env["xrm.interaction"]
        if not Interaction.has_access("read"):
            # No XRM rights: an empty panel, not an access error.
            self.update(
                {
                    "xrm_is_first_contact": False,
                    "xrm_last_meaningful_id": False,
                    "xrm_last_meaningful_summary": False,
                    "xrm_to_document_count": 0,
                    "xrm_open_ticket_count": 0,
                    "xrm_open_lead_count": 0,
                }
            )
            return
        base = [("partner_id", "in", commercials.ids)]
        documented = {
            partner: count
            for partner, count in Interaction._read_group(
                [*base, ("state", "=", "done")], ["partner_id"], ["__count"]
            )
        }
        to_document = dict(
            Interaction._read_group(
                [*base, ("state", "=", "draft")], ["partner_id"], ["__count"]
            )
        )
        last_dates = Interaction._read_group(
            [*base, ("is_meaningful", "=", True)], ["partner_id"], ["date:max"]
        )
        last_by_partner = {}
        if last_dates:
            domain = Domain.OR(
                [("partner_id", "=", partner.id), ("date", "=", date)]
                for partner, date in last_dates
            )
            for rec in Interaction.search(domain, order="date desc, id desc"):
                last_by_partner.setdefault(rec.partner_id, rec)
        open_tickets = self._xrm_count_by_commercial(
            "helpdesk.ticket", [("stage_id.closed", "=", False)], commercials
        )
        open_leads = self._xrm_count_by_commercial(
            "crm.lead",
            [("type", "=", "opportunity"), ("won_status", "=", "pending")],
            commercials,
        )
        for partner in self:
            commercial = partner.commercial_partner_id
            last = last_by_partner.get(commercial, Interaction)
            partner.xrm_is_first_contact = not documented.get(commercial)
            partner.xrm_last_meaningful_id = last
            partner.xrm_last_meaningful_summary = (
                (last.summary or "").strip().splitlines() or [""]
            )[0][:120]
            partner.xrm_to_document_count = to_document.get(commercial, 0)
            partner.xrm_open_ticket_count = open_tickets.get(commercial, 0)
            partner.xrm_open_lead_count = open_leads.get(commercial, 0)

    def _xrm_count_by_commercial(self, model, domain, commercials):
        counts = {}
        if not commercials:
            return counts
        groups = self.env[model]._read_group(
            [*domain, ("partner_id", "child_of", commercials.ids)],
            ["partner_id"],
            ["__count"],
        )
        for partner, count in groups:
            key = partner.commercial_partner_id
            counts[key] = counts.get(key, 0) + count
        return counts

    def action_xrm_open_interactions(self):
        self.ensure_one()
        commercial = self.commercial_partner_id
        return self.env["xrm.interaction"]._xrm_action_list(
            [("partner_id", "=", commercial.id)], {"default_partner_id": commercial.id}
        )

    def action_xrm_log_interaction(self):
        self.ensure_one()
        return self.env["xrm.interaction"]._xrm_action_log(
            {"default_partner_id": self.id, "default_user_id": self.env.user.id}
        )

    def _search_xrm_stage_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        # One query over stages with a limit; partners compare their entry date.
        now = fields.Datetime.now()
        stages = self.env["xrm.journey.stage"].search([("max_days", ">", 0)])
        domain = [("id", "=", 0)]
        for stage in stages:
            limit = fields.Datetime.subtract(now, days=stage.max_days + 1)
            domain = [
                "|",
                *domain,
                "&",
                ("xrm_stage_id", "=", stage.id),
                ("xrm_stage_date", "<=", limit),
            ]
        if (operator == "=") != value:
            domain = ["!", *domain]
        return domain

    # ------------------------------------------------------------------
    # Automatic journey moves (each switchable in Settings)
    # ------------------------------------------------------------------
    @api.model
    def _xrm_setting(self, key, default=None):
        """A Settings value; switches read as booleans.

        Unticking a Settings checkbox deletes its parameter, so a missing
        switch is off (the module's data turns them on at install).
        """
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"xrm_relationship.{key}", default)
        )
        if default is None:
            return value not in (None, False, "False", "0", "")
        return value

    def _xrm_auto_move(self, role, reason=False):
        """Move these relationships to the stage holding ``role``.

        Churned relationships are left alone: coming back is a decision a
        person records.
        """
        stage = self.env["xrm.journey.stage"].search(
            [("automation_role", "=", role)], limit=1
        )
        if not stage:
            return self.browse()
        movers = self.filtered(
            lambda p: p.xrm_stage_id != stage and not p.xrm_stage_id.is_churn
        )
        if movers:
            movers.sudo().with_context(xrm_stage_reason=reason).write(
                {"xrm_stage_id": stage.id}
            )
        return movers

    def _xrm_leave_support(self):
        """All tickets closed: back to the stage held before Support."""
        # Server code on behalf of whoever closed the ticket (a helpdesk agent
        # may have no XRM rights): the journey history is read as superuser.
        support = self.sudo().filtered(
            lambda p: p.xrm_stage_id.automation_role == "support"
        )
        for partner in support:
            entry = partner.xrm_transition_ids.filtered(
                lambda t, stage=partner.xrm_stage_id: t.to_stage_id == stage
            ).sorted(lambda t: (t.date, t.id))[-1:]
            back_to = entry.from_stage_id or self.env["xrm.journey.stage"].search(
                [("automation_role", "=", "active")], limit=1
            )
            if back_to:
                partner.with_context(
                    xrm_stage_reason=self.env._("All tickets closed")
                ).write({"xrm_stage_id": back_to.id})

    @api.model
    def _cron_xrm_at_risk(self):
        """No meaningful contact for N days moves a relationship to At risk."""
        if not self._xrm_setting("auto_at_risk"):
            return self.browse()
        days = int(self._xrm_setting("at_risk_days", "90") or 90)
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        recent = (
            self.env["xrm.interaction"]
            .sudo()
            ._read_group(
                [("is_meaningful", "=", True), ("date", ">=", limit)], ["partner_id"]
            )
        )
        recent_ids = [partner.id for (partner,) in recent]
        candidates = self.sudo().search(
            [
                ("xrm_stage_id", "!=", False),
                ("xrm_stage_id.is_churn", "=", False),
                ("xrm_stage_id.automation_role", "not in", ["at_risk"]),
                ("xrm_stage_date", "<", limit),
                ("id", "not in", recent_ids),
            ]
        )
        return candidates._xrm_auto_move(
            "at_risk",
            reason=self.env._("No meaningful contact for %(days)s days", days=days),
        )

    # ------------------------------------------------------------------
    # Customer success health (CS = CX + CO), SPEC formulas
    # ------------------------------------------------------------------
    def _xrm_health_window(self, as_of=None):
        """(first day, first instant, end instant) of the 365-day health window."""
        as_of = as_of or fields.Date.context_today(self)
        start = as_of - timedelta(days=HEALTH_WINDOW_DAYS)
        return (
            start,
            datetime.combine(start, time.min),
            datetime.combine(as_of + timedelta(days=1), time.min),
        )

    @api.model
    def _xrm_shared_health_company(self):
        """The company whose health bands score contacts shared by every company.

        A shared contact is one row with one stored score, computed from the
        ratings, interactions and goals of every company: one set of bands
        too, the main company's, whoever (or whichever job) computes it.
        """
        return self.env.ref("base.main_company", raise_if_not_found=False) or (
            self.env["res.company"].sudo().search([], order="id", limit=1)
        )

    def _xrm_compute_health(self, as_of=None):
        """Compute CX, CO, CS and health of these commercial partners in one query.

        Also upserts the day's history snapshot. Returns
        ``{partner_id: (previous_health, new_health)}``.
        """
        partners = self.commercial_partner_id
        if not partners:
            return {}
        as_of = as_of or fields.Date.context_today(self)
        start_date, start, end = self._xrm_health_window(as_of)
        Profile = self.env["xrm.health.profile"]
        shared_company = self._xrm_shared_health_company()
        company_ids = set(partners.company_id.ids) | {shared_company.id}
        param_rows = []
        for company in self.env["res.company"].browse(sorted(company_ids)):
            for rtype, (weight, green, yellow) in Profile._xrm_parameters_by_type(
                company
            ).items():
                param_rows.append(
                    SQL(
                        "(%s::int, %s::varchar, %s::float8, %s::float8, %s::float8)",
                        company.id,
                        rtype,
                        weight,
                        green,
                        yellow,
                    )
                )
        self.env.flush_all()
        ids = partners.ids
        query = SQL(
            """
            WITH target AS (
                SELECT p.id, COALESCE(p.company_id, %(company)s) AS company_id,
                       p.company_id AS own_company_id,
                       p.xrm_relation_type AS rtype
                  FROM res_partner p
                 WHERE p.id = ANY(%(ids)s) AND p.id BETWEEN %(lo)s AND %(hi)s
            ), csat AS (
                SELECT t.commercial_partner_id AS partner_id,
                       AVG(r.rating) AS avg, COUNT(*) AS n
                  FROM rating_rating r
                  JOIN helpdesk_ticket t ON t.id = r.res_id
                 WHERE r.res_model = 'helpdesk.ticket'
                   AND r.consumed AND r.rating BETWEEN 1 AND 5
                   AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
                   AND t.commercial_partner_id = ANY(%(ids)s)
                   AND t.commercial_partner_id BETWEEN %(lo)s AND %(hi)s
                 GROUP BY 1
            ), quality AS (
                -- One index-only probe per partner (xrm_interaction's
                -- health_quality index): cost follows the batch, not how
                -- its rows are scattered over the table.
                SELECT t.id AS partner_id, q.avg, q.n
                  FROM target t
                 CROSS JOIN LATERAL (
                    SELECT AVG(i.quality) AS avg, COUNT(*) AS n
                      FROM xrm_interaction i
                     WHERE i.partner_id = t.id
                       AND i.active AND i.state = 'done'
                       AND i.quality IS NOT NULL AND i.quality BETWEEN 1 AND 5
                       AND i.date >= %(start)s AND i.date < %(end)s
                 ) q
                 WHERE q.n > 0
            ), goals AS (
                SELECT g.partner_id,
                       AVG(CASE WHEN g.state = 'achieved' THEN 100
                                ELSE COALESCE(g.progress, 0) END) AS avg,
                       COUNT(*) AS n
                  FROM xrm_customer_goal g
                 WHERE g.partner_id = ANY(%(ids)s)
                   AND g.partner_id BETWEEN %(lo)s AND %(hi)s
                   AND g.state != 'cancelled'
                   AND (g.state = 'open' OR g.deadline >= %(start_date)s)
                 GROUP BY 1
            ), params(company_id, rtype, w, green, yellow) AS (
                VALUES %(params)s
            ), parts AS (
                SELECT t.id, t.company_id, t.own_company_id,
                       csat.avg AS csat_avg, COALESCE(csat.n, 0) AS csat_n,
                       quality.avg AS q_avg, COALESCE(quality.n, 0) AS q_n,
                       goals.avg AS co, COALESCE(goals.n, 0) AS goal_n,
                       COALESCE(pt.w, pd.w) AS w,
                       COALESCE(pt.green, pd.green) AS green,
                       COALESCE(pt.yellow, pd.yellow) AS yellow,
                       -- CX: mean of the parts that exist, each scaled 1-5 -> 0-100
                       -- (arithmetic, not a sub-select per partner)
                       CASE WHEN csat.avg IS NULL AND quality.avg IS NULL THEN NULL
                            ELSE (COALESCE((csat.avg - 1) / 4 * 100, 0)
                                  + COALESCE((quality.avg - 1) / 4 * 100, 0))
                                 / ((csat.avg IS NOT NULL)::int
                                    + (quality.avg IS NOT NULL)::int)
                       END AS cx
                  FROM target t
                  LEFT JOIN csat ON csat.partner_id = t.id
                  LEFT JOIN quality ON quality.partner_id = t.id
                  LEFT JOIN goals ON goals.partner_id = t.id
                  LEFT JOIN params pt
                    ON pt.company_id = t.company_id AND pt.rtype = t.rtype
                  LEFT JOIN params pd
                    ON pd.company_id = t.company_id AND pd.rtype IS NULL
            ), scored AS (
                SELECT parts.*,
                       CASE WHEN cx IS NOT NULL AND co IS NOT NULL
                            THEN w * cx + (1 - w) * co
                            ELSE COALESCE(cx, co) END AS cs
                  FROM parts
            ), final AS (
                SELECT scored.*,
                       CASE WHEN cs IS NULL THEN NULL
                            WHEN cs >= green THEN 'green'
                            WHEN cs >= yellow THEN 'yellow'
                            ELSE 'red' END AS health
                  FROM scored
            ), upd AS (
                UPDATE res_partner p
                   SET xrm_cx_score = f.cx, xrm_co_score = f.co,
                       xrm_cs_score = f.cs, xrm_health = f.health,
                       xrm_health_date = %(as_of)s,
                       xrm_cx_csat_avg = f.csat_avg, xrm_cx_csat_count = f.csat_n,
                       xrm_cx_quality_avg = f.q_avg, xrm_cx_quality_count = f.q_n,
                       xrm_co_goal_count = f.goal_n, xrm_cs_cx_weight = f.w
                  FROM final f, res_partner old
                 WHERE p.id = f.id AND old.id = f.id
                   AND p.id BETWEEN %(lo)s AND %(hi)s
                   AND old.id BETWEEN %(lo)s AND %(hi)s
             RETURNING p.id, old.xrm_health AS old_health, f.health AS new_health
            ), cleared AS (
                DELETE FROM xrm_health_snapshot s
                 WHERE s.date = %(as_of)s
                   AND s.partner_id BETWEEN %(lo)s AND %(hi)s
                   AND s.partner_id IN (SELECT f.id FROM final f WHERE f.cs IS NULL)
            ), snap AS (
                INSERT INTO xrm_health_snapshot (
                       partner_id, company_id, date, cx_score, co_score, cs_score,
                       has_cx, has_co, health,
                       create_uid, create_date, write_uid, write_date)
                SELECT f.id, f.own_company_id, %(as_of)s, f.cx, f.co, f.cs,
                       f.cx IS NOT NULL, f.co IS NOT NULL, f.health,
                       %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM final f
                 WHERE f.cs IS NOT NULL
                ON CONFLICT (partner_id, date) DO UPDATE
                   SET cx_score = EXCLUDED.cx_score, co_score = EXCLUDED.co_score,
                       cs_score = EXCLUDED.cs_score, has_cx = EXCLUDED.has_cx,
                       has_co = EXCLUDED.has_co, health = EXCLUDED.health,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
            )
            SELECT id, old_health, new_health FROM upd
            """,
            company=shared_company.id,
            ids=ids,
            # The id range lets each batch read only its own rows through the
            # partner indexes instead of scanning the whole window every time.
            lo=min(ids),
            hi=max(ids),
            start=start,
            end=end,
            start_date=start_date,
            as_of=as_of,
            uid=self.env.uid,
            params=SQL(", ").join(param_rows),
        )
        self.env.cr.execute(query)
        changes = {pid: (old, new) for pid, old, new in self.env.cr.fetchall()}
        health_fields = [
            name for name in self._fields if name.startswith(("xrm_c", "xrm_health"))
        ]
        partners.invalidate_recordset(health_fields)
        self.env["xrm.health.snapshot"].invalidate_model()
        return changes

    def action_xrm_compute_health(self):
        """Recompute now (button, API): XRM users, their relationships, bounded.

        The computation updates partners in SQL, below the ORM's checks: the
        caller's rights are checked here instead.
        """
        if not self.env.su and not self.env.user.has_group(XRM_USER):
            raise AccessError(_("Recomputing health needs the XRM / User rights."))
        partners = self.commercial_partner_id
        if len(partners) > MAX_HEALTH_PARTNERS:
            raise UserError(
                _(
                    "Health can be recomputed for at most %(max)s relationships at "
                    "once (%(count)s selected); the nightly job recomputes all.",
                    max=MAX_HEALTH_PARTNERS,
                    count=len(partners),
                )
            )
        partners.check_access("read")
        partners._xrm_compute_health()
        return True

    @api.model
    def _cron_xrm_health(self, batch_size=5000):
        """Recompute every relationship's health, committing batch by batch.

        Resumable: only relationships not yet computed today are taken, so a
        run stopped by the cron's time budget (or killed) goes on where it
        stopped when Odoo calls it again, and a finished day is not redone.
        One failing batch is logged and does not stop the others.
        """
        as_of = fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE active"
                " AND id = commercial_partner_id"
                " AND (xrm_health_date IS NULL OR xrm_health_date < %s) ORDER BY id",
                as_of,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(ids))
        for index in range(0, len(ids), batch_size):
            batch = self.browse(ids[index : index + batch_size])
            try:
                with self.env.cr.savepoint():
                    batch._xrm_compute_health(as_of)
            except Exception:
                _logger.exception(
                    "XRM health: batch starting at partner %s failed", batch[:1].id
                )
            if not Cron._commit_progress(len(batch)):
                break  # out of time: Odoo calls the job again for the rest
        return len(ids)

    def _xrm_health_explain_action(self, model, domain, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": {"create": False},
        }

    def action_xrm_open_health_ratings(self):
        _start_date, start, end = self._xrm_health_window(self.xrm_health_date)
        tickets = (
            self.env["helpdesk.ticket"]
            .with_context(active_test=False)
            .search([("commercial_partner_id", "=", self.commercial_partner_id.id)])
        )
        return self._xrm_health_explain_action(
            "rating.rating",
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "in", tickets.ids),
                ("consumed", "=", True),
                ("rating", ">=", 1),
                ("rated_on", ">=", start),
                ("rated_on", "<", end),
            ],
            _("Ticket Ratings behind CX"),
        )

    def action_xrm_open_health_interactions(self):
        _start_date, start, end = self._xrm_health_window(self.xrm_health_date)
        return self._xrm_health_explain_action(
            "xrm.interaction",
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("state", "=", "done"),
                ("quality", ">=", 1),
                ("date", ">=", start),
                ("date", "<", end),
            ],
            _("Interactions behind CX"),
        )

    def action_xrm_open_health_goals(self):
        start_date, _start, _end = self._xrm_health_window(self.xrm_health_date)
        return self._xrm_health_explain_action(
            "xrm.customer.goal",
            [
                ("partner_id", "=", self.commercial_partner_id.id),
                ("state", "!=", "cancelled"),
                "|",
                ("state", "=", "open"),
                ("deadline", ">=", start_date),
            ],
            _("Goals behind CO"),
        )

    # ------------------------------------------------------------------
    # Early warnings: one activity per partner and kind, never duplicated
    # ------------------------------------------------------------------
    @api.model
    def _xrm_warning_candidates(self):
        """{(partner_id, kind): salesperson_id} of warnings that hold now."""
        days = int(self._xrm_setting("warning_no_contact_days", "60") or 60)
        now = fields.Datetime.now()
        limit = now - timedelta(days=days)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.user_id, kind.name
                  FROM res_partner p
                  JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
                  JOIN res_users u ON u.id = p.user_id AND u.active
                  CROSS JOIN LATERAL (VALUES
                    ('no_contact', p.xrm_stage_date < %(limit)s AND NOT EXISTS (
                        SELECT 1 FROM xrm_interaction i
                         WHERE i.partner_id = p.id AND i.active
                           AND i.is_meaningful AND i.date >= %(limit)s)),
                    ('health_red', p.xrm_health = 'red'),
                    ('stage_overdue', s.max_days > 0 AND p.xrm_stage_date
                        <= %(now)s - (s.max_days + 1) * INTERVAL '1 day')
                  ) AS kind(name, holds)
                 WHERE p.active AND p.id = p.commercial_partner_id
                   AND s.is_churn IS NOT TRUE AND kind.holds
                """,
                limit=limit,
                now=now,
            )
        )
        return {(pid, kind): user_id for pid, user_id, kind in self.env.cr.fetchall()}

    @api.model
    def _cron_xrm_early_warnings(self):
        """Schedule the warnings that hold and close those that no longer do."""
        Activity = self.env["mail.activity"].sudo()
        candidates = self._xrm_warning_candidates()
        open_warnings = Activity.search(
            [("res_model", "=", "res.partner"), ("xrm_warning_kind", "!=", False)]
        )
        existing = {(a.res_id, a.xrm_warning_kind): a for a in open_warnings}
        cleared = Activity.browse(
            a.id for key, a in existing.items() if key not in candidates
        )
        if cleared:
            cleared.action_feedback(feedback=self.env._("The warning has cleared."))
        activity_type = self.env.ref("xrm_relationship.mail_activity_type_xrm_warning")
        model_id = self.env["ir.model"]._get_id("res.partner")
        kinds = dict(
            Activity._fields["xrm_warning_kind"]._description_selection(self.env)
        )
        deadline = fields.Date.context_today(self) + timedelta(days=2)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": partner_id,
                "activity_type_id": activity_type.id,
                "user_id": user_id,
                "date_deadline": deadline,
                "summary": kinds[kind],
                "xrm_warning_kind": kind,
            }
            for (partner_id, kind), user_id in sorted(candidates.items())
            if (partner_id, kind) not in existing
        ]
        created = Activity.create(vals_list)
        return created, cleared

    @api.model
    def _read_group_expand_xrm_stage(self, stages, domain):
        return stages.search([])

    def _xrm_check_field_write(self, field_names):
        """Reading XRM fields is for internal users, changing them is not.

        XRM users describe the relationship and move its journey; what the
        jobs compute (the read-only fields: scores, health, tier, stage and
        churn dates) is written by server code alone, as superuser (crons,
        automations) or below this check (``super().write``).
        """
        if self.env.su or _xrm_carrying_values.get():
            return
        names = [
            name
            for name in field_names
            if name.startswith("xrm_") and name in self._fields
        ]
        if not names:
            return
        computed = [name for name in names if self._fields[name].readonly]
        if computed:
            raise AccessError(
                _(
                    "%(fields)s of a relationship are computed by Odoo and cannot "
                    "be changed by hand.",
                    fields=self._xrm_field_labels(computed),
                )
            )
        if not self.env.user.has_group(XRM_USER):
            raise AccessError(
                _(
                    "Changing %(fields)s of a relationship needs the XRM / User "
                    "rights.",
                    fields=self._xrm_field_labels(names),
                )
            )

    def _xrm_field_labels(self, names):
        return ", ".join(
            sorted({self._fields[name]._description_string(self.env) for name in names})
        )

    def copy_data(self, default=None):
        """A duplicate keeps only the XRM values its author may set."""
        vals_list = super().copy_data(default=default)
        if self.env.su:
            return vals_list
        xrm_user = self.env.user.has_group(XRM_USER)
        for vals in vals_list:
            for name in [n for n in vals if n.startswith("xrm_")]:
                if (not xrm_user or self._fields[name].readonly) and name not in (
                    default or {}
                ):
                    del vals[name]
        return vals_list

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._xrm_check_field_write(vals)
        now = fields.Datetime.now()
        for vals in vals_list:
            if vals.get("xrm_stage_id"):
                vals.setdefault("xrm_stage_date", now)
        partners = super().create(vals_list)
        staged = partners.filtered("xrm_stage_id")
        if staged:
            staged._xrm_after_stage_change({}, reason=False)
        return partners

    def write(self, vals):
        self._xrm_check_field_write(vals)
        if "xrm_stage_id" not in vals:
            return super().write(vals)
        new_stage = self.env["xrm.journey.stage"].browse(vals["xrm_stage_id"])
        movers = self.filtered(lambda p: p.xrm_stage_id != new_stage)
        reason = self.env.context.get("xrm_stage_reason")
        if new_stage.is_churn and movers:
            # Churn is a decision a person records, with its reason.
            reason = reason or vals.get("xrm_churn_reason")
            unexplained = movers.filtered(lambda p: not (reason or p.xrm_churn_reason))
            if unexplained:
                raise UserError(
                    _(
                        "Write a churn reason on %(partners)s before moving it to "
                        "%(stage)s.",
                        partners=", ".join(unexplained.mapped("display_name")),
                        stage=new_stage.display_name,
                    )
                )
        previous = {p.id: (p.xrm_stage_id, p.xrm_stage_date) for p in movers}
        res = super().write(vals)
        if movers:
            super(ResPartner, movers).write({"xrm_stage_date": fields.Datetime.now()})
            for partner in movers:
                partner._xrm_after_stage_change(
                    previous,
                    reason=reason
                    or (new_stage.is_churn and partner.xrm_churn_reason)
                    or False,
                )
        return res

    def _xrm_after_stage_change(self, previous, reason=False):
        """Write the transitions and keep the churn date in line with the stage."""
        now = fields.Datetime.now()
        transitions = []
        for partner in self:
            from_stage, since = previous.get(
                partner.id, (self.env["xrm.journey.stage"], False)
            )
            transitions.append(
                {
                    "partner_id": partner.id,
                    "from_stage_id": from_stage.id,
                    "to_stage_id": partner.xrm_stage_id.id,
                    "date": now,
                    "days_in_previous_stage": (now - since).total_seconds() / 86400
                    if since
                    else 0.0,
                    "reason": reason,
                }
            )
        self.env["xrm.journey.transition"].sudo().create(transitions)
        churned = self.filtered(
            lambda p: p.xrm_stage_id.is_churn and not p.xrm_churn_date
        )
        if churned:
            super(ResPartner, churned).write(
                {"xrm_churn_date": fields.Date.context_today(self)}
            )
        revived = self.filtered(
            lambda p: not p.xrm_stage_id.is_churn and p.xrm_churn_date
        )
        if revived:
            super(ResPartner, revived).write({"xrm_churn_date": False})
        return True
