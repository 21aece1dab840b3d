# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools.constants import HEALTH, INTERNAL, RELATION_TYPES
from ..tools.rules import stage_overdue, stage_overdue_domain


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
    # Customer success (CS = CX + CO). Written by the health engine
    # (xrm.health.profile) on a schedule, not stored-computed: one rating
    # must not recompute partners.
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
        HEALTH,
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
            since = partner.xrm_stage_date if partner.xrm_stage_id else False
            partner.xrm_days_in_stage = (now - since).days if since else 0
            partner.xrm_stage_overdue = stage_overdue(
                since, partner.xrm_stage_id.max_days, now
            )

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
        domain = stage_overdue_domain(self.env, fields.Datetime.now())
        return domain if (operator == "=") == value else ~domain

    # ------------------------------------------------------------------
    # Customer success health: the engine is xrm.health.profile's
    # ------------------------------------------------------------------
    def _xrm_compute_health(self, as_of=None):
        """Health of these partners' commercial entities (see the engine)."""
        return self.env["xrm.health.profile"]._xrm_compute_health(self, as_of)

    def action_xrm_compute_health(self):
        self.commercial_partner_id._xrm_compute_health()
        return True

    def _xrm_health_explain_action(self, part, name):
        """The records behind one part of the health score, as a list."""
        self.ensure_one()
        model, domain = self.env["xrm.health.profile"]._xrm_health_inputs(self, part)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": {"create": False},
        }

    def action_xrm_open_health_ratings(self):
        return self._xrm_health_explain_action("ratings", _("Ticket Ratings behind CX"))

    def action_xrm_open_health_interactions(self):
        return self._xrm_health_explain_action(
            "interactions", _("Interactions behind CX")
        )

    def action_xrm_open_health_goals(self):
        return self._xrm_health_explain_action("goals", _("Goals behind CO"))

    @api.model
    def _read_group_expand_xrm_stage(self, stages, domain):
        return stages.search([])

    @api.model_create_multi
    def create(self, vals_list):
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
        self.env["xrm.journey.transition"]._xrm_log_moves(self, previous, reason)
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
