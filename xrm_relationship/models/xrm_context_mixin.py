# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class XrmContextMixin(models.AbstractModel):
    """Relationship context shown on documents (leads, tickets) of a partner."""

    _name = "xrm.context.mixin"
    _description = "XRM Relationship Context"

    # Field of xrm.interaction pointing at the inheriting model.
    _xrm_interaction_field = None

    # Declared for the related fields below; the inheriting models own it.
    partner_id = fields.Many2one("res.partner")

    # Context panel: the relationship behind this document, at a glance.
    xrm_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", string="Relationship"
    )
    xrm_stage_id = fields.Many2one(related="xrm_partner_id.xrm_stage_id")
    xrm_days_in_stage = fields.Integer(related="xrm_partner_id.xrm_days_in_stage")
    xrm_stage_overdue = fields.Boolean(related="xrm_partner_id.xrm_stage_overdue")
    xrm_is_first_contact = fields.Boolean(related="xrm_partner_id.xrm_is_first_contact")
    xrm_last_meaningful_id = fields.Many2one(
        related="xrm_partner_id.xrm_last_meaningful_id"
    )
    xrm_last_meaningful_summary = fields.Char(
        related="xrm_partner_id.xrm_last_meaningful_summary"
    )
    xrm_open_ticket_count = fields.Integer(
        related="xrm_partner_id.xrm_open_ticket_count"
    )
    xrm_open_lead_count = fields.Integer(related="xrm_partner_id.xrm_open_lead_count")
    xrm_to_document_count = fields.Integer(
        related="xrm_partner_id.xrm_to_document_count"
    )
    xrm_interaction_count = fields.Integer(
        string="Interaction Count", compute="_compute_xrm_interaction_count"
    )
    xrm_health = fields.Selection(related="xrm_partner_id.xrm_health")
    xrm_tier_id = fields.Many2one(related="xrm_partner_id.xrm_tier_id")
    xrm_pressure_label = fields.Char(related="xrm_partner_id.xrm_pressure_label")
    xrm_pressure_state = fields.Selection(related="xrm_partner_id.xrm_pressure_state")
    xrm_goal_count = fields.Integer(
        string="Customer Goals", compute="_compute_xrm_goal_count"
    )

    # What a reader may see depends on their rights: cache per user.
    @api.depends_context("uid")
    def _compute_xrm_goal_count(self):
        """Open goals of the relationship: what sales and support agreed."""
        if not self.env["xrm.customer.goal"].has_access("read"):
            self.xrm_goal_count = 0
            return
        counts = dict(
            self.env["xrm.customer.goal"]._read_group(
                [
                    ("partner_id", "in", self.xrm_partner_id.ids),
                    ("state", "=", "open"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for record in self:
            record.xrm_goal_count = counts.get(record.xrm_partner_id, 0)

    def action_xrm_open_goals(self):
        """The relationship's goals; a new one is linked to this document."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xrm_relationship.xrm_customer_goal_action"
        )
        # Goals link to leads and tickets through fields of the same names.
        goal_field = self._xrm_interaction_field
        action["domain"] = [("partner_id", "=", self.xrm_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.xrm_partner_id.id,
            f"default_{goal_field}": self.id,
            "search_default_open": 1,
        }
        return action

    # What a reader may see depends on their rights: cache per user.
    @api.depends_context("uid")
    def _compute_xrm_interaction_count(self):
        if not self.env["xrm.interaction"].has_access("read"):
            self.xrm_interaction_count = 0
            return
        counts = dict(
            self.env["xrm.interaction"]._read_group(
                [(self._xrm_interaction_field, "in", self.ids)],
                [self._xrm_interaction_field],
                ["__count"],
            )
        )
        for record in self:
            record.xrm_interaction_count = counts.get(record, 0)

    def action_xrm_open_interactions(self):
        self.ensure_one()
        return self.env["xrm.interaction"]._xrm_action_list(
            [(self._xrm_interaction_field, "=", self.id)],
            self._xrm_interaction_defaults(),
        )

    def action_xrm_log_interaction(self):
        """Open a new interaction prefilled from this document."""
        self.ensure_one()
        return self.env["xrm.interaction"]._xrm_action_log(
            self._xrm_interaction_defaults()
        )

    def _xrm_interaction_defaults(self):
        return {
            "default_partner_id": self.partner_id.id,
            f"default_{self._xrm_interaction_field}": self.id,
            "default_user_id": self.env.user.id,
        }
