# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What the incremental nightly jobs cannot read from write_date.

Most changes of a relationship's inputs leave a ``write_date`` the nightly
jobs compare with their watermark (tools/nightly.py). Three kinds do not:
a deleted input, an input moved to another relationship (its old one lost
it), and the figures the engines write in raw SQL (health colour, churn
risk), which the early warnings read. Those are recorded here, by partner;
all three are rare, none is on the capture path (message_post, activity
done, lead creation). The third kind is marked ``warnings_only``: only the
warnings job reads it, the others would recompute for nothing.
"""

from odoo import fields, models
from odoo.tools.sql import create_index

from ..tools.nightly import record_changes

# (table, columns, where) of the indexes the nightly change detection reads:
# write_date of every input table, and the dates whose windows move.
NIGHTLY_INDEXES = [
    ("res_partner", ["write_date"], ""),
    ("res_partner", ["xrm_stage_date"], ""),
    ("res_partner", ["create_date"], "xrm_referred_by_id IS NOT NULL"),
    ("xrm_interaction", ["write_date"], ""),
    ("xrm_engagement_event", ["write_date"], ""),
    ("xrm_customer_goal", ["write_date"], ""),
    ("xrm_journey_transition", ["write_date"], ""),
    ("xrm_tier_history", ["write_date"], ""),
    ("xrm_health_snapshot", ["write_date"], ""),
    ("helpdesk_ticket", ["write_date"], ""),
    ("helpdesk_ticket", ["create_date"], ""),
    ("helpdesk_ticket", ["closed_date"], ""),
    ("rating_rating", ["write_date"], "res_model = 'helpdesk.ticket'"),
    ("rating_rating", ["rated_on"], "res_model = 'helpdesk.ticket'"),
    ("crm_lead", ["write_date"], ""),
    ("crm_lead", ["date_closed"], "won_status = 'won'"),
    ("mail_activity", ["write_date"], "xrm_warning_kind IS NOT NULL"),
]


class XrmNightlyChange(models.Model):
    """A relationship whose inputs changed in a way no write_date shows."""

    _name = "xrm.nightly.change"
    _description = "Relationship Changed for the Nightly Jobs"
    _order = "id"

    # A plain id, not a many2one: a deleted partner leaves its row, harmless.
    partner_id = fields.Integer(required=True, index=True)
    # A figure the warnings read changed (health colour, churn risk, a warning
    # done), no input: the other jobs would recompute for nothing.
    warnings_only = fields.Boolean()

    def init(self):
        create_index(
            self.env.cr,
            "xrm_nightly_change_write_date_index",
            self._table,
            ["write_date"],
        )
        for table, columns, where in NIGHTLY_INDEXES:
            create_index(
                self.env.cr,
                f"{table}_xrm_nightly_{'_'.join(columns)}_index",
                table,
                columns,
                where=where,
            )


class XrmNightlyInput(models.AbstractModel):
    """Deleting or reassigning an input tells the nightly jobs whose it was."""

    _name = "xrm.nightly.input"
    _description = "Input of the Nightly Relationship Jobs"
    # field naming the relationship (a res.partner many2one) on the input
    _xrm_nightly_partner_field = "partner_id"

    def _xrm_nightly_partners(self):
        field = self._xrm_nightly_partner_field
        return self.sudo().mapped(f"{field}.commercial_partner_id").ids

    def write(self, vals):
        if self._xrm_nightly_partner_field in vals:
            record_changes(self.env, self._xrm_nightly_partners())
        return super().write(vals)

    def unlink(self):
        record_changes(self.env, self._xrm_nightly_partners())
        return super().unlink()


class XrmInteraction(models.Model):
    _name = "xrm.interaction"
    _inherit = ["xrm.interaction", "xrm.nightly.input"]


class XrmCustomerGoal(models.Model):
    _name = "xrm.customer.goal"
    _inherit = ["xrm.customer.goal", "xrm.nightly.input"]


class XrmEngagementEvent(models.Model):
    _name = "xrm.engagement.event"
    _inherit = ["xrm.engagement.event", "xrm.nightly.input"]


class XrmJourneyTransition(models.Model):
    _name = "xrm.journey.transition"
    _inherit = ["xrm.journey.transition", "xrm.nightly.input"]


class XrmTierHistory(models.Model):
    _name = "xrm.tier.history"
    _inherit = ["xrm.tier.history", "xrm.nightly.input"]


class XrmHealthSnapshot(models.Model):
    _name = "xrm.health.snapshot"
    _inherit = ["xrm.health.snapshot", "xrm.nightly.input"]


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "xrm.nightly.input"]


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "xrm.nightly.input"]


class RatingRating(models.Model):
    _inherit = "rating.rating"  # pylint: disable=consider-merging-classes-inherited

    def unlink(self):
        tickets = self.sudo().filtered(lambda r: r.res_model == "helpdesk.ticket")
        if tickets:
            record_changes(
                self.env,
                self.env["helpdesk.ticket"]
                .sudo()
                .with_context(active_test=False)
                .browse(tickets.mapped("res_id"))
                .exists()
                .commercial_partner_id.ids,
            )
        return super().unlink()


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    def write(self, vals):
        # A referral moved, or a contact moved to another company: the old
        # referrer / company lost an input its new one gained.
        if "xrm_referred_by_id" in vals or "parent_id" in vals:
            partners = self.sudo()
            record_changes(
                self.env,
                partners.xrm_referred_by_id.ids + partners.commercial_partner_id.ids,
            )
        return super().write(vals)

    def unlink(self):
        record_changes(self.env, self.sudo().xrm_referred_by_id.ids)
        return super().unlink()


class MailActivity(models.Model):
    _inherit = "mail.activity"  # pylint: disable=consider-merging-classes-inherited

    def unlink(self):
        # A warning done (or cancelled) by its user: the warnings job decides
        # whether it still holds. Other activities cost one cached read.
        warnings = self.filtered(
            lambda a: a.xrm_warning_kind and a.res_model == "res.partner"
        )
        if warnings:
            record_changes(self.env, warnings.mapped("res_id"), warnings_only=True)
        return super().unlink()
