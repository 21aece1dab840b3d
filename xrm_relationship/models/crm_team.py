# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    xrm_ack_template_id = fields.Many2one(
        "mail.template",
        string="Lead Acknowledgement",
        domain=[("model", "=", "crm.lead")],
        help="Sent once to every new lead of this team that arrives from a "
        "fast-response source (Settings); empty: the default acknowledgement.",
    )
