# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .xrm_kpi_definition import STATUS

_logger = logging.getLogger(__name__)


class XrmKpiValue(models.Model):
    """One stored KPI snapshot: a KPI, an as-of date and a scope."""

    _name = "xrm.kpi.value"
    _description = "Relationship KPI Value"
    _order = "date desc, definition_id, user_id, stage_id, id"

    definition_id = fields.Many2one(
        "xrm.kpi.definition",
        string="KPI",
        required=True,
        index=True,
        ondelete="cascade",
    )
    code = fields.Selection(related="definition_id.code", store=True)
    unit = fields.Selection(related="definition_id.unit")
    date = fields.Date(string="As Of", required=True, index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", index=True)
    team_id = fields.Many2one("crm.team", string="Sales Team")
    stage_id = fields.Many2one("xrm.journey.stage", string="Journey Stage")
    company_id = fields.Many2one("res.company", required=True, index=True)
    value = fields.Float(digits=(16, 2), aggregator="avg")
    numerator = fields.Float(digits=(16, 2))
    denominator = fields.Float(digits=(16, 2))
    has_denominator = fields.Boolean()
    status = fields.Selection(STATUS, required=True, default="ok")
    target = fields.Float(related="definition_id.target")
    is_company_scope = fields.Boolean(
        compute="_compute_is_company_scope", store=True, string="Company-wide"
    )

    # One snapshot per KPI, day and scope, even when two runs overlap (two cron
    # workers, or Compute Now during the nightly run): the second one fails and
    # is retried instead of adding a copy.
    _scope_unique = models.UniqueIndex(
        "(definition_id, date, COALESCE(user_id, 0), COALESCE(team_id, 0),"
        " COALESCE(stage_id, 0))",
        "This KPI already has a value for this day and scope.",
    )

    @api.depends("user_id", "team_id", "stage_id")
    def _compute_is_company_scope(self):
        for value in self:
            value.is_company_scope = not (
                value.user_id or value.team_id or value.stage_id
            )

    @api.depends("definition_id", "date", "user_id", "stage_id")
    def _compute_display_name(self):
        for value in self:
            scope = value.user_id.name or value.stage_id.name or value.company_id.name
            value.display_name = (
                f"{value.definition_id.name} · {scope} · {value.date or ''}"
            )

    def _xrm_open(self, part, model=None):
        self.ensure_one()
        by_model = self.definition_id._xrm_record_ids(
            self.date, self.user_id.id, self.stage_id.id, part=part
        )
        if model:
            by_model = {model: by_model.get(model, [])}
        if not by_model:
            raise UserError(_("No records behind this number."))
        # Mixed sources (e.g. csat_avg): one list per model, the largest first.
        res_model, ids = max(by_model.items(), key=lambda item: len(item[1]))
        label = _("Numerator") if part == "num" else _("Denominator")
        return {
            "type": "ir.actions.act_window",
            "name": f"{self.definition_id.name} · {label}",
            "res_model": res_model,
            "view_mode": "list,form",
            "domain": [("id", "in", ids)],
            "context": {"create": False, "active_test": False},
        }

    # Read-only drill-downs: served by db_replica_host when one is set.
    @api.readonly
    def action_open_numerator(self):
        return self._xrm_open("num", self.env.context.get("xrm_model"))

    @api.readonly
    def action_open_denominator(self):
        return self._xrm_open("den", self.env.context.get("xrm_model"))

    @api.readonly
    def action_open_records(self):
        """The records a reader expects behind the number: all counted rows."""
        self.ensure_one()
        return self._xrm_open("den" if self.has_denominator else "num")

    # ------------------------------------------------------------------
    # Breach: the company value past a threshold is work for a person
    # ------------------------------------------------------------------
    def _xrm_breach_note(self):
        """What crossed, by how much, since when (the activity's note)."""
        self.ensure_one()
        kpi = self.definition_id
        threshold = (
            kpi.critical_threshold
            if self.status == "critical"
            else kpi.warning_threshold
        )
        unit = dict(kpi._fields["unit"]._description_selection(self.env))[kpi.unit]
        return _(
            "%(kpi)s is %(status)s: %(value).1f %(unit)s against a %(status)s "
            "threshold of %(threshold).1f (%(gap).1f past it), since %(since)s. "
            "Target: %(target).1f. Open the value to see the records behind it.",
            kpi=kpi.name,
            status=self.status,
            value=self.value,
            unit=unit,
            threshold=threshold,
            gap=abs(self.value - threshold),
            since=format_date(self.env, kpi.breach_since or self.date),
            target=kpi.target,
        )

    def _xrm_handle_breach(self, kpi, as_of):
        """One activity per breach: created once, updated, closed when it clears.

        ``self``: the company value of ``kpi`` as of ``as_of``, empty when
        there is none (an empty denominator).
        """
        kpi.ensure_one()
        breached = self and self.status in ("warning", "critical")
        activity = kpi.breach_activity_id.exists()
        if breached:
            if not kpi.breach_since:
                kpi.breach_since = as_of
                user = kpi._xrm_responsible()
                if not user:
                    _logger.warning(
                        "XRM KPI %s breached but nobody is responsible", kpi.code
                    )
                    return
                activity = kpi.activity_schedule(
                    "xrm_relationship.mail_activity_type_xrm_kpi_breach",
                    summary=_("%(kpi)s: %(status)s", kpi=kpi.name, status=self.status),
                    note=self._xrm_breach_note(),
                    user_id=user.id,
                )
                kpi.breach_activity_id = activity
            elif activity:
                activity.write(
                    {
                        "summary": _(
                            "%(kpi)s: %(status)s", kpi=kpi.name, status=self.status
                        ),
                        "note": self._xrm_breach_note(),
                    }
                )
        elif kpi.breach_since:
            if activity:
                activity.action_feedback(
                    feedback=_(
                        "Recovered on %(date)s: %(value).1f.",
                        date=format_date(self.env, as_of),
                        value=self.value if self else 0.0,
                    )
                )
            kpi.write({"breach_since": False, "breach_activity_id": False})
