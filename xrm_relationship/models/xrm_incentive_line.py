# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..tools.kpi import (
    KPI_CSAT_AVG,
    KPI_NRR,
    KPI_RETENTION_RATE,
    KPI_UNDOCUMENTED_RATIO,
)
from .xrm_incentive_plan import MANAGER


class XrmIncentiveLine(models.Model):
    """One salesperson's figures, score and amount in a run."""

    _name = "xrm.incentive.line"
    _description = "Retention Incentive Line"
    _order = "run_id desc, amount desc, id"

    run_id = fields.Many2one(
        "xrm.incentive.run", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    currency_id = fields.Many2one(related="run_id.currency_id")
    state = fields.Selection(related="run_id.state")
    user_id = fields.Many2one(
        "res.users", string="Salesperson", required=True, index=True
    )
    retained = fields.Integer(string="Customers Kept")
    churned = fields.Integer(string="Customers Lost")
    retention_rate = fields.Float(digits=(5, 1))
    nrr = fields.Float(string="NRR", digits=(6, 1))
    csat = fields.Float(string="CSAT", digits=(3, 2))
    documentation_rate = fields.Float(digits=(5, 1))
    goal_attainment = fields.Float(digits=(5, 1))
    has_retention_rate = fields.Boolean()
    has_nrr = fields.Boolean()
    has_csat = fields.Boolean()
    has_documentation_rate = fields.Boolean()
    has_goal_attainment = fields.Boolean()
    score = fields.Float(digits=(5, 1))
    gate_passed = fields.Boolean()
    gate_reason = fields.Char()
    # With the score (which the figures and the plan's weights give) these two
    # would tell a salesperson the plan's base or pool and clawback amounts.
    amount_before_clawback = fields.Monetary(groups=MANAGER)
    clawback_count = fields.Integer(string="Clawed-back Customers")
    clawback_amount = fields.Monetary(string="Clawback", groups=MANAGER)
    amount = fields.Monetary()

    @api.depends_context("lang")
    @api.depends("user_id", "run_id")
    def _compute_display_name(self):
        # The breadcrumb of "My Incentives" names whose pay and which run.
        for line in self:
            line.display_name = " · ".join(
                name for name in (line.user_id.name, line.run_id.display_name) if name
            )

    def _xrm_check_unlocked(self):
        self.run_id._xrm_check_unlocked()

    def write(self, vals):
        self._xrm_check_unlocked()
        if "run_id" in vals and any(line.run_id.id != vals["run_id"] for line in self):
            raise UserError(
                _("A line stays in the run that computed it; it cannot move.")
            )
        return super().write(vals)

    def unlink(self):
        self._xrm_check_unlocked()
        return super().unlink()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # Checked on the result, so that a default_run_id in the context counts.
        if any(run.state == "confirmed" for run in lines.run_id):
            raise UserError(_("A confirmed run takes no new lines."))
        return lines

    @api.model
    def _xrm_shows_pay_details(self):
        """Whether the reader sees the amounts before and of the clawback."""
        return self._has_field_access(self._fields["amount_before_clawback"], "read")

    # ------------------------------------------------------------------
    # The records behind each figure
    # ------------------------------------------------------------------
    def _xrm_kpi_records(self, code, part, model=None):
        self.ensure_one()
        run = self.run_id
        as_of = run.date_to + timedelta(days=1)
        kpi = (
            self.env["xrm.kpi.definition"]
            .sudo()
            .search(
                [("company_id", "=", run.company_id.id), ("code", "=", code)], limit=1
            )
            .with_context(xrm_period_days=(as_of - run.date_from).days)
        )
        by_model = kpi._xrm_record_ids(as_of, self.user_id.id, part=part) if kpi else {}
        if model:
            return model, by_model.get(model, [])
        if not by_model:
            return "res.partner", []
        return max(by_model.items(), key=lambda item: len(item[1]))

    def _xrm_list(self, name, model, ids):
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.user_id.name} · {name}",
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("id", "in", list(ids))],
            "context": {"create": False, "active_test": False},
        }

    def action_open_retained(self):
        model, ids = self._xrm_kpi_records(KPI_RETENTION_RATE, "num")
        return self._xrm_list(_("Customers kept"), model, ids)

    def action_open_churned(self):
        model, base = self._xrm_kpi_records(KPI_RETENTION_RATE, "den")
        _model, kept = self._xrm_kpi_records(KPI_RETENTION_RATE, "num")
        return self._xrm_list(_("Customers lost"), model, set(base) - set(kept))

    def action_open_csat(self):
        model, ids = self._xrm_kpi_records(KPI_CSAT_AVG, "den")
        return self._xrm_list(_("Satisfaction answers"), model, ids)

    def action_open_documentation(self):
        model, ids = self._xrm_kpi_records(KPI_UNDOCUMENTED_RATIO, "den")
        return self._xrm_list(_("Interactions"), model, ids)

    def action_open_nrr(self):
        model, ids = self._xrm_kpi_records(KPI_NRR, "den")
        return self._xrm_list(_("Customers in the NRR base"), model, ids)

    def action_open_goals(self):
        run = self.run_id
        goals = self.env["xrm.customer.goal"].search(
            [
                ("user_id", "=", self.user_id.id),
                ("deadline", ">=", run.date_from),
                ("deadline", "<=", run.date_to),
                ("state", "!=", "cancelled"),
            ]
        )
        return self._xrm_list(_("Goals due"), "xrm.customer.goal", goals.ids)

    def action_open_clawback(self):
        self.env.flush_all()
        self.env.cr.execute(self.run_id._xrm_clawback_sql(self.user_id))
        ids = [row[0] for row in self.env.cr.fetchall()]
        return self._xrm_list(_("Won, then churned"), "crm.lead", ids)
