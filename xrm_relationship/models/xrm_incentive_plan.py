# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

MANAGER = "xrm_relationship.group_xrm_manager"


class XrmIncentivePlan(models.Model):
    """How part of a salesperson's pay follows the customers they keep."""

    _name = "xrm.incentive.plan"
    _description = "Retention Incentive Plan"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    period = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly")],
        default="quarterly",
        required=True,
        tracking=True,
    )
    user_ids = fields.Many2many("res.users", string="Salespeople")
    team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", help="Their members are eligible too."
    )
    weight_retention = fields.Float(string="Retention Weight", default=40.0)
    weight_nrr = fields.Float(string="NRR Weight", default=20.0)
    weight_csat = fields.Float(string="CSAT Weight", default=20.0)
    weight_documentation = fields.Float(string="Documentation Weight", default=10.0)
    weight_goals = fields.Float(string="Goal Attainment Weight", default=10.0)
    gate_documentation = fields.Float(
        string="Minimum Documentation Rate",
        default=80.0,
        help="Below this documentation rate (%) a line earns nothing. 0: no gate.",
    )
    amount_rule = fields.Selection(
        [("base", "Base amount × score"), ("pool", "Share of a pool")],
        default="base",
        required=True,
    )
    base_amount = fields.Monetary(groups=MANAGER)
    pool_amount = fields.Monetary(groups=MANAGER)
    clawback_days = fields.Integer(
        default=90,
        help="A customer won in the previous period who churns within this many "
        "days of the win reduces the payout.",
    )
    clawback_amount = fields.Monetary(
        string="Clawback per Churned Customer", groups=MANAGER
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    run_ids = fields.One2many("xrm.incentive.run", "plan_id", string="Runs")

    @api.constrains(
        "weight_retention",
        "weight_nrr",
        "weight_csat",
        "weight_documentation",
        "weight_goals",
        "gate_documentation",
        "clawback_days",
    )
    def _check_values(self):
        for plan in self:
            weights = plan._xrm_weights().values()
            if any(w < 0 for w in weights) or not sum(weights):
                raise ValidationError(
                    _("Weights must be positive or zero, and not all zero.")
                )
            if not 0 <= plan.gate_documentation <= 100:
                raise ValidationError(_("The documentation gate is a rate, 0-100."))
            if plan.clawback_days < 0:
                raise ValidationError(_("Clawback days cannot be negative."))

    def write(self, vals):
        if "company_id" in vals:
            moved = self.filtered(lambda plan: plan.company_id.id != vals["company_id"])
            runs = (
                self.env["xrm.incentive.run"]
                .sudo()
                .search([("plan_id", "in", moved.ids)], limit=1)
            )
            if runs:
                raise UserError(
                    _(
                        "Plan %(plan)s has runs in %(company)s: its company cannot "
                        "change. Create a plan in the other company instead.",
                        plan=runs.plan_id.name,
                        company=runs.company_id.name,
                    )
                )
        return super().write(vals)

    def _xrm_weights(self):
        return {
            "retention_rate": self.weight_retention,
            "nrr": self.weight_nrr,
            "csat": self.weight_csat,
            "documentation_rate": self.weight_documentation,
            "goal_attainment": self.weight_goals,
        }

    def _xrm_eligible_users(self):
        return (self.user_ids | self.team_ids.member_ids).filtered("active")

    def _xrm_period_bounds(self, day):
        """First and last day of the plan's period that holds ``day``.

        Months and quarters of the company's calendar (Solar Hijri or not).
        """
        self.ensure_one()
        months = 1 if self.period == "monthly" else 3
        return self.company_id._xrm_period_bounds(day, months)
