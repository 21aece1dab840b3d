# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models

from ..tools.constants import INTERNAL, XRM_PREFETCH
from .xrm_interaction_survey import SURVEY_WINDOW_DAYS


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # Set when a satisfaction request is mailed to this person: the cooldown
    # reads it, and two requests racing for one person update the same row.
    xrm_survey_last_date = fields.Datetime(
        string="Last Satisfaction Request",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_survey_sent_count = fields.Integer(
        string="Satisfaction Requests",
        compute="_compute_xrm_survey",
        groups=INTERNAL,
        help="Satisfaction requests sent after interactions in the last 365 days.",
    )
    xrm_survey_answered_count = fields.Integer(
        string="Satisfaction Answers", compute="_compute_xrm_survey", groups=INTERNAL
    )
    xrm_survey_low_count = fields.Integer(
        string="Low Answers",
        compute="_compute_xrm_survey",
        groups=INTERNAL,
        help="Answers of 1 or 2 out of 5.",
    )
    xrm_survey_response_rate = fields.Float(
        string="Response Rate (%)",
        compute="_compute_xrm_survey",
        groups=INTERNAL,
        help="Answered / sent satisfaction requests of the last 365 days.",
    )
    xrm_survey_avg = fields.Float(
        string="Average Answer",
        compute="_compute_xrm_survey",
        groups=INTERNAL,
        digits=(3, 2),
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_xrm_survey(self):
        Interaction = self.env["xrm.interaction"]
        can_read = Interaction.has_access("read")
        for partner in self:
            figures = {}
            if can_read and partner._origin.id:
                figures = Interaction._xrm_survey_figures(
                    partner._xrm_survey_scope(), SURVEY_WINDOW_DAYS
                )
            partner.xrm_survey_sent_count = figures.get("sent", 0)
            partner.xrm_survey_answered_count = figures.get("answered", 0)
            partner.xrm_survey_low_count = figures.get("low", 0)
            partner.xrm_survey_response_rate = figures.get("rate", 0.0)
            partner.xrm_survey_avg = figures.get("avg", 0.0)

    def _xrm_survey_scope(self):
        return [("partner_id", "=", self._origin.commercial_partner_id.id)]

    def _xrm_survey_open(self, figure, name):
        self.ensure_one()
        Interaction = self.env["xrm.interaction"]
        domain = Interaction._xrm_survey_domains(
            self._xrm_survey_scope(), SURVEY_WINDOW_DAYS
        )[figure]
        return Interaction._xrm_survey_action(
            _("%(what)s · %(partner)s", what=name, partner=self.display_name), domain
        )

    def action_xrm_survey_sent(self):
        return self._xrm_survey_open("sent", _("Satisfaction requests"))

    def action_xrm_survey_answered(self):
        return self._xrm_survey_open("answered", _("Satisfaction answers"))

    def action_xrm_survey_low(self):
        return self._xrm_survey_open("low", _("Low satisfaction answers"))
