# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools.constants import RELATIONSHIP_DOCUMENTS


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    xrm_pressure_warning = fields.Text(
        string="Contact Pressure", compute="_compute_xrm_pressure_warning"
    )

    @api.depends("model", "res_ids", "composition_mode", "subtype_is_log")
    def _compute_xrm_pressure_warning(self):
        """Warn before an email that takes a relationship past its limit."""
        Pressure = self.env["xrm.contact.pressure"]
        can_read = self.env["xrm.interaction"].has_access("read")
        for composer in self:
            composer.xrm_pressure_warning = False
            if (
                composer.model not in RELATIONSHIP_DOCUMENTS
                or composer.composition_mode != "comment"
                or composer.subtype_is_log
                or not can_read
            ):
                continue
            records = (
                self.env[composer.model].browse(composer._evaluate_res_ids()).exists()
            )
            if composer.model == "res.partner":
                partners = records.commercial_partner_id
            else:
                partners = records.partner_id.commercial_partner_id
            warnings = filter(
                None, (Pressure._xrm_pressure_warning(p) for p in partners[:5])
            )
            composer.xrm_pressure_warning = "\n\n".join(warnings) or False
