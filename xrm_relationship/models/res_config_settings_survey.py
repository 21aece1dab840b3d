# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    # Satisfaction requests: which documented channels ask, and how often.
    xrm_survey_email = fields.Boolean(
        string="Ask after Emails", config_parameter="xrm_relationship.survey_email"
    )
    xrm_survey_phone = fields.Boolean(
        string="Ask after Calls", config_parameter="xrm_relationship.survey_phone"
    )
    xrm_survey_meeting = fields.Boolean(
        string="Ask after Meetings", config_parameter="xrm_relationship.survey_meeting"
    )
    xrm_survey_chat = fields.Boolean(
        string="Ask after Chats", config_parameter="xrm_relationship.survey_chat"
    )
    xrm_survey_visit = fields.Boolean(
        string="Ask after Visits", config_parameter="xrm_relationship.survey_visit"
    )
    xrm_survey_portal = fields.Boolean(
        string="Ask after Portal Contacts",
        config_parameter="xrm_relationship.survey_portal",
    )
    xrm_survey_social = fields.Boolean(
        string="Ask after Social Contacts",
        config_parameter="xrm_relationship.survey_social",
    )
    xrm_survey_other = fields.Boolean(
        string="Ask after Other Contacts",
        config_parameter="xrm_relationship.survey_other",
    )
    xrm_survey_cooldown_days = fields.Integer(
        string="Ask a Contact at Most Every (days)",
        config_parameter="xrm_relationship.survey_cooldown_days",
        default=30,
        help="Survey fatigue: one satisfaction request per contact in this many "
        "days at most (0: no cooldown; contact pressure still applies).",
    )

    @api.constrains("xrm_survey_cooldown_days")
    def _check_xrm_survey_cooldown_days(self):
        for settings in self:
            if not 0 <= settings.xrm_survey_cooldown_days <= 3660:
                raise ValidationError(
                    self.env._(
                        "The satisfaction request cooldown must be between 0 "
                        "and 3660 days."
                    )
                )
