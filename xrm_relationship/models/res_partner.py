# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

RELATION_TYPES = [
    ("customer", "Customer"),
    ("agent", "Agent / Reseller"),
    ("supplier", "Supplier"),
    ("contractor", "Contractor"),
    ("technician", "Technician"),
    ("other", "Other"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    xrm_relation_type = fields.Selection(
        RELATION_TYPES,
        string="Relationship Type",
        index=True,
        tracking=True,
    )
    xrm_referred_by_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        help="The relationship that brought this one to us.",
    )
    xrm_stage_id = fields.Many2one(
        "xrm.journey.stage",
        string="Journey Stage",
        index=True,
        tracking=True,
        copy=False,
        group_expand="_read_group_expand_xrm_stage",
    )
    xrm_stage_date = fields.Datetime(string="In Stage Since", copy=False, readonly=True)
    xrm_churn_date = fields.Date(string="Churn Date", copy=False, readonly=True)
    xrm_churn_reason = fields.Char(string="Churn Reason", copy=False, tracking=True)
    xrm_days_in_stage = fields.Integer(
        string="Days in Stage", compute="_compute_xrm_days_in_stage"
    )
    xrm_stage_overdue = fields.Boolean(
        string="Stage Overdue",
        compute="_compute_xrm_days_in_stage",
        search="_search_xrm_stage_overdue",
    )
    xrm_interaction_ids = fields.One2many(
        "xrm.interaction", "partner_id", string="Interactions"
    )
    xrm_interaction_count = fields.Integer(
        string="Interaction Count", compute="_compute_xrm_interaction_count"
    )
    # Context panel: what a salesperson or agent should see at once.
    xrm_is_first_contact = fields.Boolean(
        string="First Contact", compute="_compute_xrm_context"
    )
    xrm_last_meaningful_id = fields.Many2one(
        "xrm.interaction",
        string="Last Meaningful Interaction",
        compute="_compute_xrm_context",
    )
    xrm_last_meaningful_summary = fields.Char(
        string="Last Meaningful Summary", compute="_compute_xrm_context"
    )
    xrm_open_ticket_count = fields.Integer(
        string="Open Tickets", compute="_compute_xrm_context"
    )
    xrm_open_lead_count = fields.Integer(
        string="Open Opportunities", compute="_compute_xrm_context"
    )
    xrm_to_document_count = fields.Integer(
        string="Contacts to Document", compute="_compute_xrm_context"
    )
    xrm_goal_ids = fields.One2many(
        "xrm.customer.goal", "partner_id", string="Customer Goals"
    )
    xrm_transition_ids = fields.One2many(
        "xrm.journey.transition", "partner_id", string="Journey History"
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

    def _compute_xrm_interaction_count(self):
        counts = dict(
            self.env["xrm.interaction"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.xrm_interaction_count = counts.get(partner.commercial_partner_id, 0)

    def _compute_xrm_context(self):
        """Set-based: a handful of grouped queries whatever the number of partners.

        Runs with the reader's rights: a salesperson sees what they may read.
        """
        commercials = self.commercial_partner_id
        Interaction = self.env["xrm.interaction"]
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
        support = self.filtered(lambda p: p.xrm_stage_id.automation_role == "support")
        for partner in support:
            entry = partner.xrm_transition_ids.filtered(
                lambda t, stage=partner.xrm_stage_id: t.to_stage_id == stage
            ).sorted(lambda t: (t.date, t.id))[-1:]
            back_to = entry.from_stage_id or self.env["xrm.journey.stage"].search(
                [("automation_role", "=", "active")], limit=1
            )
            if back_to:
                partner.sudo().with_context(
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
