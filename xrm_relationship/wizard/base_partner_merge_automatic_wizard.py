# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from ..models.res_partner import _xrm_carrying_values


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        # Merging carries the merged contacts' XRM values over, whoever merges
        # (a contact manager may have no XRM rights): no change by hand.
        token = _xrm_carrying_values.set(True)
        try:
            return super()._update_values(src_partners, dst_partner)
        finally:
            _xrm_carrying_values.reset(token)
