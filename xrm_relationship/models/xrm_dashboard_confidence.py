# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

# Dashboard filter values of ``health_confidence``.
UNCERTAIN_ONLY = 1
CERTAIN_ONLY = 2


class XrmDashboard(models.AbstractModel):
    _inherit = "xrm.dashboard"  # pylint: disable=consider-merging-classes-inherited

    def _xrm_clean_filters(self, filters):
        clean = super()._xrm_clean_filters(filters)
        confidence = filters.get("health_confidence")
        clean["health_confidence"] = (
            confidence if confidence in (UNCERTAIN_ONLY, CERTAIN_ONLY) else False
        )
        return clean

    def _xrm_partner_domain(self, filters):
        domain = super()._xrm_partner_domain(filters)
        confidence = filters.get("health_confidence")
        if confidence:
            domain.append(("xrm_health_uncertain", "=", confidence == UNCERTAIN_ONLY))
        return domain
