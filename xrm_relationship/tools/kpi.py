# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The KPI list: codes, units, and the declaration each formula carries.

A KPI is a value of ``xrm.kpi.definition.code`` and one formula method
``_xrm_kpi_<code>_rows`` decorated with :func:`kpi_formula`, which says what
the value is grouped by and its unit. The engine reads nothing else about a
KPI. An addon adds a KPI with::

    class XrmKpiDefinition(models.Model):
        _inherit = "xrm.kpi.definition"

        code = fields.Selection(
            selection_add=[("my_kpi", "My KPI")], ondelete={"my_kpi": "cascade"}
        )

        @kpi_formula(unit="count")
        def _xrm_kpi_my_kpi_rows(self, as_of, start, end):
            return SQL(...)  # the row columns of _xrm_rows_sql

and its ``xrm.kpi.definition`` record (thresholds, period) in a data file.
"""

from dataclasses import dataclass

# The codes other models read a KPI by (SPEC § KPIs and README).
KPI_RETURN_RATE_6M = "return_rate_6m"
KPI_AGENT_RESPONSE_HOURS = "agent_response_hours"
KPI_UNDOCUMENTED_RATIO = "undocumented_ratio"
KPI_TICKET_SATISFACTION_RATE = "ticket_satisfaction_rate"
KPI_CONTACT_TO_CHURN_DAYS = "contact_to_churn_days"
KPI_CSAT_AVG = "csat_avg"
KPI_RETENTION_RATE = "retention_rate"
KPI_NRR = "nrr"
KPI_STAGE_OVERDUE_RATIO = "stage_overdue_ratio"
KPI_NETWORK_GROWTH = "network_growth"
KPI_CONTACT_PRESSURE_BREACHES = "contact_pressure_breaches"
KPI_FIRST_RESPONSE_MINUTES = "first_response_minutes"
KPI_SUPPLIER_FRICTION = "supplier_friction"

# xrm.kpi.definition.code: one value per formula.
KPI_CODES = [
    (KPI_RETURN_RATE_6M, "Return Rate (6 Months)"),
    (KPI_AGENT_RESPONSE_HOURS, "Agent Response Time"),
    (KPI_UNDOCUMENTED_RATIO, "Undocumented Contacts"),
    (KPI_TICKET_SATISFACTION_RATE, "Ticket Satisfaction Rate"),
    (KPI_CONTACT_TO_CHURN_DAYS, "Last Meaningful Contact Before Churn"),
    (KPI_CSAT_AVG, "Average Satisfaction"),
    (KPI_RETENTION_RATE, "Retention Rate"),
    (KPI_NRR, "Net Revenue Retention"),
    (KPI_STAGE_OVERDUE_RATIO, "Relationships Stuck in a Stage"),
    (KPI_NETWORK_GROWTH, "Referrals"),
    (KPI_CONTACT_PRESSURE_BREACHES, "Contact Pressure Breaches"),
    (KPI_FIRST_RESPONSE_MINUTES, "First Response to Website Leads"),
    (KPI_SUPPLIER_FRICTION, "Supplier Friction"),
]

# xrm.kpi.definition.unit. A percent is 100 × num / den, a count is num
# alone (no denominator), any other unit the mean num / den.
KPI_UNITS = [
    ("percent", "%"),
    ("minutes", "minutes"),
    ("hours", "hours"),
    ("days", "days"),
    ("score", "/ 5"),
    ("count", "count"),
    ("points", "points"),
]

# What a value can be grouped by besides the whole company: a column of the
# formula's rows that is also a field of xrm.kpi.value.
BY_SALESPERSON = "user_id"
BY_STAGE = "stage_id"
KPI_SCOPES = (BY_SALESPERSON, BY_STAGE)


@dataclass(frozen=True)
class KpiFormula:
    """What a formula's value is: its unit and, besides the company value,
    the scopes it is also stored for."""

    unit: str
    group_by: tuple = (BY_SALESPERSON,)


def kpi_formula(unit, group_by=(BY_SALESPERSON,)):
    """Declare a ``_xrm_kpi_<code>_rows`` method as the formula of its KPI."""
    units = {key for key, _label in KPI_UNITS}
    if unit not in units:
        raise ValueError(f"KPI unit {unit!r} is not one of {sorted(units)}")
    unknown = set(group_by) - set(KPI_SCOPES)
    if unknown:
        raise ValueError(f"KPI scopes {sorted(unknown)} are not in {KPI_SCOPES}")
    declaration = KpiFormula(unit, tuple(group_by))

    def decorate(method):
        method._xrm_kpi_formula = declaration
        return method

    return decorate
