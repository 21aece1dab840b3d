# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

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
    xrm_stage_date = fields.Datetime(
        string="In Stage Since", copy=False, readonly=True
    )
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
            partner.xrm_interaction_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_xrm_open_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xrm_relationship.xrm_interaction_action"
        )
        commercial = self.commercial_partner_id
        action["domain"] = [("partner_id", "=", commercial.id)]
        action["context"] = {"default_partner_id": commercial.id}
        return action

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
        previous = {p.id: (p.xrm_stage_id, p.xrm_stage_date) for p in movers}
        res = super().write(vals)
        if movers:
            super(ResPartner, movers).write({"xrm_stage_date": fields.Datetime.now()})
            movers._xrm_after_stage_change(
                previous, reason=self.env.context.get("xrm_stage_reason")
            )
        return res

    def _xrm_after_stage_change(self, previous, reason=False):
        """Write the transitions and keep the churn date in line with the stage."""
        now = fields.Datetime.now()
        transitions = []
        for partner in self:
            from_stage, since = previous.get(partner.id, (self.env["xrm.journey.stage"], False))
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
        churned = self.filtered(lambda p: p.xrm_stage_id.is_churn and not p.xrm_churn_date)
        if churned:
            super(ResPartner, churned).write({"xrm_churn_date": fields.Date.context_today(self)})
        revived = self.filtered(lambda p: not p.xrm_stage_id.is_churn and p.xrm_churn_date)
        if revived:
            super(ResPartner, revived).write({"xrm_churn_date": False})
