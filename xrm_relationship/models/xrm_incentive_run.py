# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import io
from datetime import timedelta

import xlsxwriter

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.kpi import (
    KPI_CSAT_AVG,
    KPI_NRR,
    KPI_RETENTION_RATE,
    KPI_UNDOCUMENTED_RATIO,
)
from ..tools.rules import documentation_rate, purchases_sql

# Fields Odoo itself writes on a confirmed run (chatter, followers).
UNLOCKED_FIELDS = {"message_main_attachment_id", "message_follower_ids"}
# Set only by Compute and Confirm (``_xrm_set_state``), never by a caller.
WORKFLOW_FIELDS = {"state", "confirmed_by_id", "confirmed_date"}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XrmIncentiveRun(models.Model):
    """One plan over one period: draft → computed → confirmed (locked)."""

    _name = "xrm.incentive.run"
    _description = "Retention Incentive Run"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    plan_id = fields.Many2one(
        "xrm.incentive.plan", required=True, index=True, check_company=True
    )
    # Copied from the plan when the run is made, not related to it: what was
    # paid stays in the company that paid it.
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        index=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    state = fields.Selection(
        [("draft", "Draft"), ("computed", "Computed"), ("confirmed", "Confirmed")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    line_ids = fields.One2many("xrm.incentive.line", "run_id", string="Lines")
    amount_total = fields.Monetary(compute="_compute_amount_total")
    confirmed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    confirmed_date = fields.Datetime(readonly=True, copy=False)

    _plan_period_unique = models.Constraint(
        "UNIQUE(plan_id, date_from)", "This plan already has a run for this period."
    )

    @api.depends("plan_id.name", "date_from", "date_to")
    def _compute_name(self):
        for run in self:
            run.name = (
                f"{run.plan_id.name or ''} {run.date_from or ''}…{run.date_to or ''}"
            )

    @api.depends("plan_id")
    def _compute_company_id(self):
        for run in self:
            run.company_id = run.plan_id.company_id

    @api.depends("line_ids.amount")
    def _compute_amount_total(self):
        for run in self:
            # A salesperson reading the run that pays them sees their own total.
            run.amount_total = sum(
                run.line_ids._filtered_access("read").mapped("amount")
            )

    @api.onchange("plan_id", "date_from")
    def _onchange_period(self):
        if self.plan_id and self.date_from:
            self.date_from, self.date_to = self.plan_id._xrm_period_bounds(
                self.date_from
            )

    @api.model_create_multi
    def create(self, vals_list):
        Plan = self.env["xrm.incentive.plan"]
        for vals in vals_list:
            plan = Plan.browse(vals.get("plan_id"))
            if plan and vals.get("date_from") and not vals.get("date_to"):
                start, end = plan._xrm_period_bounds(
                    fields.Date.to_date(vals["date_from"])
                )
                vals.update(date_from=start, date_to=end)
        runs = super().create(vals_list)
        # Checked on the result: values and context defaults alike.
        if any(
            run.state != "draft" or run.confirmed_by_id or run.confirmed_date
            for run in runs
        ):
            raise UserError(self._xrm_workflow_message())
        return runs

    # ------------------------------------------------------------------
    # Lock
    # ------------------------------------------------------------------
    def _xrm_check_unlocked(self):
        confirmed = self.filtered(lambda r: r.state == "confirmed")
        if confirmed:
            raise UserError(
                _(
                    "%(runs)s is confirmed: its figures are what was paid and "
                    "cannot change.",
                    runs=", ".join(confirmed.mapped("name")),
                )
            )

    def _xrm_workflow_message(self):
        return _("A run is computed and confirmed only by its Compute and Confirm.")

    def write(self, vals):
        # Refuse those without write rights first, as Odoo would.
        self.check_access("write")
        if WORKFLOW_FIELDS & set(vals):
            raise UserError(self._xrm_workflow_message())
        if set(vals) - UNLOCKED_FIELDS:
            self._xrm_check_unlocked()
        return super().write(vals)

    def _xrm_set_state(self, vals):
        """The only way to the workflow fields: past the checks of ``write``.

        A private method, so that no RPC caller reaches it; the lock was
        checked by the action that calls it.
        """
        return super().write(vals)

    def unlink(self):
        self._xrm_check_unlocked()
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_compute(self):
        self._xrm_check_unlocked()
        for run in self:
            run.line_ids.unlink()
            self.env["xrm.incentive.line"].create(run._xrm_line_values())
            run._xrm_set_state({"state": "computed"})
        return True

    def action_confirm(self):
        self._xrm_check_unlocked()
        for run in self:
            if run.state != "computed":
                raise UserError(_("Compute %s before confirming it.", run.name))
        self._xrm_set_state(
            {
                "state": "confirmed",
                "confirmed_by_id": self.env.uid,
                "confirmed_date": fields.Datetime.now(),
            }
        )
        return True

    def action_export_xlsx(self):
        """The run's lines as a spreadsheet, streamed: no file is stored.

        A stored attachment of the run would be readable by every salesperson
        of the run; the download address builds the file for whoever asks,
        with what they may read (see ``controllers/main.py``).
        """
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/xrm_relationship/incentive_run/{self.id}/xlsx",
            "target": "self",
        }

    def _xrm_xlsx_content(self):
        """The lines the current user may read, in the columns they may read."""
        self.ensure_one()
        self.check_access("read")
        Line = self.env["xrm.incentive.line"]
        # A dict, not (name, _(label)) tuples: babel reads the name after a
        # call as one more term to translate.
        columns = {
            "user_id": _("Salesperson"),
            "retained": _("Customers Kept"),
            "churned": _("Customers Lost"),
            "retention_rate": _("Retention %"),
            "nrr": _("NRR %"),
            "csat": _("CSAT"),
            "documentation_rate": _("Documented %"),
            "goal_attainment": _("Goals %"),
            "score": _("Score"),
            "gate_reason": _("Gate"),
            "amount_before_clawback": _("Before Clawback"),
            "clawback_amount": _("Clawback"),
            "amount": _("Amount"),
        }
        # Salespeople do not get the columns that reveal the plan's amounts.
        columns = [
            (name, label)
            for name, label in columns.items()
            if Line._has_field_access(Line._fields[name], "read")
        ]
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet(self.date_from.isoformat())
        bold = workbook.add_format({"bold": True})
        sheet.write_row(0, 0, self._xrm_xlsx_period_row(), bold)
        sheet.write_row(2, 0, [label for _name, label in columns], bold)
        lines = self.line_ids._filtered_access("read")  # a salesperson: own line
        for row, line in enumerate(lines, start=3):
            for col, (field, _label) in enumerate(columns):
                value = line[field]
                sheet.write(row, col, value.name if field == "user_id" else value or "")
        workbook.close()
        return buffer.getvalue()

    def action_print(self):
        return self.env.ref(
            "xrm_relationship.action_report_xrm_incentive_run"
        ).report_action(self)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------
    def _xrm_line_values(self):
        """One dict per eligible salesperson; see README § Incentives."""
        self.ensure_one()
        plan = self.plan_id
        users = plan._xrm_eligible_users()
        if not users:
            raise UserError(_("Plan %s has no eligible salesperson.", plan.name))
        as_of = self.date_to + timedelta(days=1)
        days = (as_of - self.date_from).days
        Definition = self.env["xrm.kpi.definition"].with_context(xrm_period_days=days)
        kpis = {
            kpi.code: kpi
            for kpi in Definition.sudo().search(
                [
                    ("company_id", "=", plan.company_id.id),
                    (
                        "code",
                        "in",
                        [
                            KPI_RETENTION_RATE,
                            KPI_NRR,
                            KPI_CSAT_AVG,
                            KPI_UNDOCUMENTED_RATIO,
                        ],
                    ),
                ]
            )
        }
        figures = {
            code: kpi._xrm_figures_by_user(as_of, users.ids)
            for code, kpi in kpis.items()
        }
        goals = self._xrm_goal_figures(users)
        clawbacks = self._xrm_clawbacks(users)
        weights = plan._xrm_weights()
        lines = []
        for user in users:
            line = {"run_id": self.id, "user_id": user.id}
            num, den, _rows, kept = figures.get(KPI_RETENTION_RATE, {}).get(
                user.id, (0, 0, 0, 0)
            )
            line.update(retained=int(kept), churned=int((den or 0) - kept))
            values = {}
            if den:
                values["retention_rate"] = 100.0 * num / den
            num, den, *_rest = figures.get(KPI_NRR, {}).get(user.id, (0, 0, 0, 0))
            if den:
                values["nrr"] = 100.0 * num / den
            num, den, *_rest = figures.get(KPI_CSAT_AVG, {}).get(user.id, (0, 0, 0, 0))
            if den:
                values["csat"] = num / den
            num, den, *_rest = figures.get(KPI_UNDOCUMENTED_RATIO, {}).get(
                user.id, (0, 0, 0, 0)
            )
            if den:
                values["documentation_rate"] = documentation_rate(100.0 * num / den)
            achieved, counted = goals.get(user.id, (0, 0))
            if counted:
                values["goal_attainment"] = 100.0 * achieved / counted
            line.update({key: values.get(key, 0.0) for key in weights})
            line.update({f"has_{key}": key in values for key in weights})
            # Each figure on 0-100: CSAT 1-5 scaled, NRR capped at 100 %.
            scaled = {
                "retention_rate": values.get("retention_rate"),
                "nrr": min(values["nrr"], 100.0) if "nrr" in values else None,
                "csat": (values["csat"] - 1) / 4 * 100 if "csat" in values else None,
                "documentation_rate": values.get("documentation_rate"),
                "goal_attainment": values.get("goal_attainment"),
            }
            used = {k: w for k, w in weights.items() if w and scaled[k] is not None}
            score = (
                sum(w * scaled[k] for k, w in used.items()) / sum(used.values())
                if used
                else 0.0
            )
            line["score"] = score
            gate = plan.gate_documentation
            documentation = values.get("documentation_rate")
            if gate and (documentation is None or documentation < gate):
                line.update(
                    gate_passed=False,
                    gate_reason=_(
                        "Documentation rate %(rate)s below the %(gate)s %% gate.",
                        rate="—" if documentation is None else f"{documentation:.1f} %",
                        gate=gate,
                    ),
                )
            else:
                line.update(gate_passed=True, gate_reason=False)
            count = clawbacks.get(user.id, 0)
            line.update(
                clawback_count=count,
                clawback_amount=count * plan.sudo().clawback_amount,
            )
            lines.append(line)
        self._xrm_amounts(lines)
        return lines

    def _xrm_amounts(self, lines):
        plan = self.plan_id.sudo()
        passing = [line for line in lines if line["gate_passed"]]
        total_score = sum(line["score"] for line in passing)
        for line in lines:
            if not line["gate_passed"]:
                before = 0.0
            elif plan.amount_rule == "base":
                before = plan.base_amount * line["score"] / 100.0
            else:
                before = (
                    plan.pool_amount * line["score"] / total_score
                    if total_score
                    else 0.0
                )
            line["amount_before_clawback"] = before
            line["amount"] = before - line["clawback_amount"]

    def _xrm_goal_figures(self, users):
        """{user: (achieved, counted)} of goals due in the period (not cancelled)."""
        result = {}
        for user, state, count in (
            self.env["xrm.customer.goal"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", users.ids),
                    ("deadline", ">=", self.date_from),
                    ("deadline", "<=", self.date_to),
                    ("state", "!=", "cancelled"),
                    ("company_id", "=", self.company_id.id),
                ],
                ["user_id", "state"],
                ["__count"],
            )
        ):
            achieved, counted = result.get(user.id, (0, 0))
            result[user.id] = (
                achieved + (count if state == "achieved" else 0),
                counted + count,
            )
        return result

    def _xrm_clawback_sql(self, users):
        plan = self.plan_id
        length = self.date_to - self.date_from + timedelta(days=1)
        return SQL(
            """
            SELECT w.id, w.user_id
              FROM (%(purchases)s) w
              JOIN res_partner c ON c.id = w.partner_id
             WHERE w.user_id = ANY(%(users)s)
               AND w.date >= %(prev_from)s AND w.date < %(from)s
               AND c.xrm_churn_date IS NOT NULL
               AND c.xrm_churn_date >= w.date::date
               AND c.xrm_churn_date <= w.date::date + %(days)s
               AND c.xrm_churn_date <= %(to)s
               AND COALESCE(w.company_id, %(company)s) = %(company)s
            """,
            purchases=purchases_sql(),
            users=users.ids,
            prev_from=self.date_from - length,
            **{"from": self.date_from, "to": self.date_to},
            days=plan.clawback_days,
            company=self.company_id.id,
        )

    def _xrm_clawbacks(self, users):
        """{user_id: customers won last period who churned within N days}."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT user_id, COUNT(*) FROM (%s) AS won GROUP BY user_id",
                self._xrm_clawback_sql(users),
            )
        )
        return dict(self.env.cr.fetchall())
