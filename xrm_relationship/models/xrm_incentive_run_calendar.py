# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class XrmIncentiveRun(models.Model):
    """The run's period as its reader reads it (Hijri for Persian readers).

    ``name`` stays stored in Gregorian (search, file names); what screens and
    reports show goes through ``res.company._xrm_format_date``.
    """

    _inherit = "xrm.incentive.run"  # pylint: disable=consider-merging-classes-inherited

    xrm_period_label = fields.Char(string="Period", compute="_compute_xrm_period_label")

    @api.depends_context("lang")
    @api.depends(
        "date_from",
        "date_to",
        "company_id.xrm_calendar",
        "company_id.xrm_persian_digits",
    )
    def _compute_xrm_period_label(self):
        for run in self:
            company = run.company_id or run.plan_id.company_id
            run.xrm_period_label = "%s – %s" % (
                company._xrm_format_date(run.date_from),
                company._xrm_format_date(run.date_to),
            )

    @api.depends_context("lang")
    @api.depends(
        "name",
        "date_from",
        "date_to",
        "company_id.xrm_calendar",
        "company_id.xrm_persian_digits",
    )
    def _compute_display_name(self):
        hijri = self.filtered(
            lambda run: run.date_from and run.company_id._xrm_hijri_for_reader()
        )
        for run in hijri:
            company = run.company_id
            run.display_name = (
                f"{run.plan_id.name or ''} "
                f"{company._xrm_format_date(run.date_from)}"
                f"…{company._xrm_format_date(run.date_to)}"
            )
        return super(XrmIncentiveRun, self - hijri)._compute_display_name()

    def _xrm_xlsx_period_row(self):
        """The first row of the spreadsheet: the period in the reader's dates."""
        company = self.company_id
        return [
            self.env._("Period"),
            company._xrm_format_date(self.date_from),
            company._xrm_format_date(self.date_to),
        ]
