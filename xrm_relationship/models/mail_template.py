# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from .crm_lead import ACK_RENDERING, ack_excerpt


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _render_encapsulate(
        self, layout_xmlid, html, add_context=None, context_record=None
    ):
        # The layout of a lead acknowledgement shows the lead's name, which
        # the submitter typed: only a short excerpt of it (t-out escapes).
        if (
            ACK_RENDERING.get()
            and context_record
            and context_record._name == "crm.lead"
        ):
            add_context = dict(
                add_context or {}, record_name=ack_excerpt(context_record.name)
            )
        return super()._render_encapsulate(
            layout_xmlid, html, add_context=add_context, context_record=context_record
        )
