# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextvars import ContextVar

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.batch import id_array
from ..tools.constants import HEALTH, INTERNAL, RELATION_TYPES, XRM_PREFETCH
from ..tools.rules import stage_overdue, stage_overdue_domain

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

    # Everything the dashboard's funnel and health scan reads (with the
    # record rules' columns), so it reads this index, never the table.
    _xrm_dashboard_idx = models.Index(
        "(company_id, xrm_stage_id, xrm_relation_type, xrm_health)"
        " INCLUDE (xrm_stage_date, user_id, active, partner_share)"
        " WHERE parent_id IS NULL AND xrm_stage_id IS NOT NULL"
    )
    # The dashboard's at-risk list: red relationships, lowest CS first. Read
    # in order and stopped at the list's length; without it every call sorted
    # every red relationship (a quarter of them at 1M: 0.65 s -> 2 ms).
    _xrm_at_risk_idx = models.Index("(xrm_cs_score, id) WHERE xrm_health = 'red'")

    xrm_relation_type = fields.Selection(
        RELATION_TYPES,
        string="Relationship Type",
        index=True,
        tracking=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_referred_by_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        help="The relationship that brought this one to us.",
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_stage_id = fields.Many2one(
        "xrm.journey.stage",
        string="Journey Stage",
        index=True,
        tracking=True,
        copy=False,
        group_expand="_read_group_expand_xrm_stage",
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_stage_date = fields.Datetime(
        string="In Stage Since",
        copy=False,
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_churn_date = fields.Date(
        string="Churn Date",
        copy=False,
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_churn_reason = fields.Char(
        string="Churn Reason",
        copy=False,
        tracking=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
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
        string="CX Score",
        digits=(5, 1),
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_co_score = fields.Float(
        string="CO Score",
        digits=(5, 1),
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_cs_score = fields.Float(
        string="CS Score",
        digits=(5, 1),
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_health = fields.Selection(
        HEALTH,
        string="Health",
        readonly=True,
        index="btree_not_null",
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_health_date = fields.Date(
        string="Health Computed On",
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_cx_csat_avg = fields.Float(
        string="CSAT Average",
        digits=(3, 2),
        readonly=True,
        groups=INTERNAL,
        help="Ticket ratings and interaction CSAT (1-5) of the last 365 days, pooled.",
        prefetch=XRM_PREFETCH,
    )
    xrm_cx_csat_count = fields.Integer(
        string="CSAT Answers", readonly=True, groups=INTERNAL, prefetch=XRM_PREFETCH
    )
    # Live counts of the two kinds behind xrm_cx_csat_count, each opening
    # exactly its records (the form's drill-downs).
    xrm_cx_ticket_rating_count = fields.Integer(
        string="Ticket Ratings",
        compute="_compute_xrm_cx_answer_counts",
        groups=INTERNAL,
    )
    xrm_cx_answer_count = fields.Integer(
        string="Interaction Answers",
        compute="_compute_xrm_cx_answer_counts",
        groups=INTERNAL,
    )
    xrm_cx_quality_avg = fields.Float(
        string="Interaction Quality Average",
        digits=(3, 2),
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_cx_quality_count = fields.Integer(
        string="Documented Interactions Rated",
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_co_goal_count = fields.Integer(
        string="Goals Counted", readonly=True, groups=INTERNAL, prefetch=XRM_PREFETCH
    )
    xrm_cs_cx_weight = fields.Float(
        string="CX Weight Used",
        digits=(3, 2),
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
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
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_score = fields.Float(
        string="Tier Score",
        digits=(5, 1),
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_active_periods = fields.Integer(
        string="Active Periods",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_positive_count = fields.Integer(
        string="Positive Interactions",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_engagement_count = fields.Integer(
        string="Tier Engagement Events",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_referral_count = fields.Integer(
        string="Referrals",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_goal_count = fields.Integer(
        string="Goals Achieved",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_satisfied_count = fields.Integer(
        string="Satisfied Tickets",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_date = fields.Date(
        string="Tier Computed On",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_tier_since = fields.Date(
        string="In Tier Since",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
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
        prefetch=XRM_PREFETCH,
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
        Tier = self.env["xrm.relationship.tier"]
        params = Tier._xrm_tier_params()
        for partner in self:
            partner.xrm_tier_reason = Tier._xrm_tier_reason(partner, params)

    @api.depends("xrm_max_outbound", "xrm_relation_type")
    @api.depends_context("uid", "allowed_company_ids")  # contacts of its companies
    def _compute_xrm_pressure(self):
        status = self.env["xrm.contact.pressure"]._xrm_pressure_status(self)
        for partner in self:
            (
                partner.xrm_pressure_count,
                partner.xrm_pressure_limit,
                partner.xrm_pressure_state,
                partner.xrm_pressure_label,
            ) = status[partner]

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
        """The context panel (xrm.context.mixin), with the reader's rights."""
        panel = self.env["xrm.context.mixin"]._xrm_panel(self.commercial_partner_id)
        for partner in self:
            partner.update(panel[partner.commercial_partner_id])

    def action_xrm_open_interactions(self):
        self.ensure_one()
        commercial = self.commercial_partner_id
        return self.env["xrm.interaction"]._xrm_action_list(
            [("partner_id", "=", commercial.id)], {"default_partner_id": commercial.id}
        )

    def action_xrm_open_return_precursors(self):
        """What preceded their return (report/xrm_return_driver.py)."""
        self.ensure_one()
        return self.env["xrm.return.driver"]._xrm_action_partner(self)

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

    def _xrm_commercial_entities(self):
        """These partners' commercial entities, with their company in cache.

        One narrow query for the nightly engines' batches of thousands: field
        access would prefetch each partner's whole wide row, and the ORM's
        fetch spells the id list out in full twice (tens of milliseconds).
        """
        if not self:
            return self
        self.flush_model(["commercial_partner_id", "company_id"])
        # The id range beside the list: a batch of a full run is one range
        # of the primary key, read in order instead of by 5,000 descents.
        rows = self.env.execute_query(
            SQL(
                "SELECT c.id, c.company_id FROM res_partner c WHERE c.id IN ("
                " SELECT p.commercial_partner_id FROM res_partner p"
                " WHERE p.id = ANY(%s) AND p.id BETWEEN %s AND %s) ORDER BY c.id",
                id_array(self.ids),
                min(self.ids),
                max(self.ids),
            )
        )
        entities = self.browse([entity_id for entity_id, _company_id in rows])
        # As the ORM's own fetch stores them: a value already in cache wins.
        self._fields["company_id"]._insert_cache(
            entities, [company_id for _entity_id, company_id in rows]
        )
        return entities

    # ------------------------------------------------------------------
    # Customer success health: the engine is xrm.health.profile's
    # ------------------------------------------------------------------
    def _xrm_compute_health(self, as_of=None):
        """Health of these partners' commercial entities (see the engine)."""
        return self.env["xrm.health.profile"]._xrm_compute_health(self, as_of)

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

    def _compute_xrm_cx_answer_counts(self):
        Health = self.env["xrm.health.profile"]
        for partner in self:
            counts = {}
            for part in ("ratings", "answers"):
                if not partner.id:
                    counts[part] = 0
                    continue
                model, domain = Health._xrm_health_inputs(partner, part)
                counts[part] = self.env[model].search_count(domain)
            partner.xrm_cx_ticket_rating_count = counts["ratings"]
            partner.xrm_cx_answer_count = counts["answers"]

    def action_xrm_open_health_ratings(self):
        return self._xrm_health_explain_action("ratings", _("Ticket Ratings behind CX"))

    def action_xrm_open_health_answers(self):
        return self._xrm_health_explain_action(
            "answers", _("Interaction Answers behind CX")
        )

    def action_xrm_open_health_interactions(self):
        return self._xrm_health_explain_action(
            "interactions", _("Interactions behind CX")
        )

    def action_xrm_open_health_goals(self):
        return self._xrm_health_explain_action("goals", _("Goals behind CO"))

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
