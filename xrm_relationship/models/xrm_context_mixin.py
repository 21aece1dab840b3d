# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.fields import Domain

# What the panel shows to a reader without XRM rights.
EMPTY_PANEL = {
    "xrm_is_first_contact": False,
    "xrm_last_meaningful_id": False,
    "xrm_last_meaningful_summary": False,
    "xrm_to_document_count": 0,
    "xrm_open_ticket_count": 0,
    "xrm_open_lead_count": 0,
}


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

    @api.model
    def _xrm_panel(self, commercials):
        """{commercial partner: panel values} of the relationships' context panel.

        Set-based: a handful of grouped queries whatever the number of
        partners. Runs with the reader's rights: a salesperson sees what they
        may read; without XRM rights, an empty panel, not an access error.
        """
        Interaction = self.env["xrm.interaction"]
        # A new contact without a commercial entity yet reads the empty key.
        keys = [*commercials, commercials.browse()]
        if not Interaction.has_access("read"):
            return dict.fromkeys(keys, EMPTY_PANEL)
        base = [("partner_id", "in", commercials.ids)]
        documented = {
            partner: count
            for partner, count in Interaction._read_group(
                [*base, ("state", "=", "done")], ["partner_id"], ["__count"]
            )
        }
        to_document = dict(
            Interaction._read_group(
                [*base, ("state", "=", "draft")], ["partner_id"], ["__count"]
            )
        )
        last_dates = Interaction._read_group(
            [*base, ("is_meaningful", "=", True)], ["partner_id"], ["date:max"]
        )
        last_by_partner = {}
        if last_dates:
            domain = Domain.OR(
                [("partner_id", "=", partner.id), ("date", "=", date)]
                for partner, date in last_dates
            )
            for rec in Interaction.search(domain, order="date desc, id desc"):
                last_by_partner.setdefault(rec.partner_id, rec)
        open_tickets = self._xrm_count_by_commercial(
            "helpdesk.ticket", [("stage_id.closed", "=", False)], commercials
        )
        open_leads = self._xrm_count_by_commercial(
            "crm.lead",
            [("type", "=", "opportunity"), ("won_status", "=", "pending")],
            commercials,
        )
        panel = {}
        for commercial in keys:
            last = last_by_partner.get(commercial, Interaction)
            panel[commercial] = {
                "xrm_is_first_contact": not documented.get(commercial),
                "xrm_last_meaningful_id": last,
                "xrm_last_meaningful_summary": (
                    (last.summary or "").strip().splitlines() or [""]
                )[0][:120],
                "xrm_to_document_count": to_document.get(commercial, 0),
                "xrm_open_ticket_count": open_tickets.get(commercial, 0),
                "xrm_open_lead_count": open_leads.get(commercial, 0),
            }
        return panel

    @api.model
    def _xrm_count_by_commercial(self, model, domain, commercials):
        counts = {}
        if not commercials:
            return counts
        groups = self.env[model]._read_group(
            [*domain, ("partner_id", "child_of", commercials.ids)],
            ["partner_id"],
            ["__count"],
        )
        for partner, count in groups:
            key = partner.commercial_partner_id
            counts[key] = counts.get(key, 0) + count
        return counts

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
