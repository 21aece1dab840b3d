# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The KPI list is explicit: a Selection of codes, each with one declared formula."""

from odoo.tests import tagged

from .common import XrmCommon

# SPEC § KPIs and README: the unit of each value.
UNITS = {
    "return_rate_6m": "percent",
    "agent_response_hours": "hours",
    "undocumented_ratio": "percent",
    "ticket_satisfaction_rate": "percent",
    "contact_to_churn_days": "days",
    "csat_avg": "score",
    "retention_rate": "percent",
    "nrr": "percent",
    "stage_overdue_ratio": "percent",
    "network_growth": "count",
    "contact_pressure_breaches": "count",
    "first_response_minutes": "minutes",
    "supplier_friction": "points",
}


@tagged("post_install", "-at_install")
class TestKpiDeclaration(XrmCommon):
    def _shipped(self):
        return (
            self.env["xrm.kpi.definition"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.env.ref("base.main_company").id)])
        )

    def test_code_is_a_selection_of_the_shipped_kpis(self):
        """Another addon extends the list with selection_add, the values follow."""
        Definition = self.env["xrm.kpi.definition"]
        field = Definition._fields["code"]
        self.assertEqual(field.type, "selection")
        self.assertEqual(self.env["xrm.kpi.value"]._fields["code"].type, "selection")
        self.assertEqual(
            sorted(self._shipped().mapped("code")),
            sorted(field.get_values(self.env)),
        )
        self.assertEqual(sorted(field.get_values(self.env)), sorted(UNITS))

    def test_each_kpi_declares_its_grouping_and_unit(self):
        """The engine reads what a KPI is grouped by and its unit from the
        declaration on its formula, not from branches on its code."""
        for kpi in self._shipped():
            with self.subTest(code=kpi.code):
                declaration = kpi._xrm_formula_declaration()
                self.assertEqual(declaration.unit, UNITS[kpi.code])
                self.assertEqual(kpi.unit, UNITS[kpi.code])
                expected = (
                    ("user_id", "stage_id")
                    if kpi.code == "stage_overdue_ratio"
                    else ("user_id",)
                )
                self.assertEqual(declaration.group_by, expected)
