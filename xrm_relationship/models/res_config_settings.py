# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xrm_capture_email = fields.Boolean(
        string="Capture Emails", config_parameter="xrm_relationship.capture_email"
    )
    xrm_capture_calendar = fields.Boolean(
        string="Capture Meetings", config_parameter="xrm_relationship.capture_calendar"
    )
    xrm_capture_activity = fields.Boolean(
        string="Capture Done Activities",
        config_parameter="xrm_relationship.capture_activity",
    )
    xrm_auto_first_contact = fields.Boolean(
        string="First Documented Interaction Moves to First Contact",
        config_parameter="xrm_relationship.auto_first_contact",
    )
    xrm_auto_won = fields.Boolean(
        string="Won Opportunity Moves the Relationship",
        config_parameter="xrm_relationship.auto_won",
    )
    xrm_auto_won_role = fields.Selection(
        [("onboarding", "Onboarding"), ("active", "Active")],
        string="Won Opportunity Target",
        config_parameter="xrm_relationship.auto_won_role",
    )
    xrm_auto_support = fields.Boolean(
        string="Open Ticket Moves to Support and Back",
        config_parameter="xrm_relationship.auto_support",
    )
    xrm_auto_at_risk = fields.Boolean(
        string="No Meaningful Contact Moves to At Risk",
        config_parameter="xrm_relationship.auto_at_risk",
    )
    xrm_at_risk_days = fields.Integer(
        string="Days Without Meaningful Contact",
        config_parameter="xrm_relationship.at_risk_days",
    )
    xrm_warning_no_contact_days = fields.Integer(
        string="Warn After Days Without Meaningful Contact",
        config_parameter="xrm_relationship.warning_no_contact_days",
    )
    xrm_warning_max_open = fields.Integer(
        string="Open Warnings per Salesperson",
        config_parameter="xrm_relationship.warning_max_open",
        help="At most this many early warnings are open for one salesperson at "
        "once, the most urgent first; the others open as warnings are done or "
        "clear.",
    )
    xrm_cs_cx_weight = fields.Float(
        string="CX Weight",
        config_parameter="xrm_relationship.cs_cx_weight",
        help="CS = w × CX + (1 − w) × CO for relationship types without a profile.",
    )
    xrm_cs_green = fields.Float(
        string="Green From", config_parameter="xrm_relationship.cs_green"
    )
    xrm_cs_yellow = fields.Float(
        string="Yellow From", config_parameter="xrm_relationship.cs_yellow"
    )
    # Relationship care
    xrm_friction_days = fields.Integer(
        string="Supplier Friction Period (days)",
        config_parameter="xrm_relationship.friction_days",
    )
    xrm_churn_lookback_days = fields.Integer(
        string="Days Before Churn Analysed",
        config_parameter="xrm_relationship.churn_lookback_days",
    )

    xrm_webhook_url = fields.Char(
        string="Webhook URL",
        config_parameter="xrm_relationship.webhook_url",
        groups="xrm_relationship.group_xrm_manager",
        help="Where KPI status changes are POSTed when a KPI has no URL of its own.",
    )
    xrm_webhook_secret = fields.Char(
        string="Webhook Secret",
        config_parameter="xrm_relationship.webhook_secret",
        groups="xrm_relationship.group_xrm_manager",
        help="Signs the bodies sent to the global URL (HMAC-SHA256, Standard "
        "Webhooks headers); a whsec_ secret is base64 after its prefix.",
    )
    xrm_webhook_allow_private = fields.Boolean(
        string="Allow Webhooks to Private Network Addresses",
        config_parameter="xrm_relationship.webhook_allow_private",
        groups="base.group_system",
        help="Lets webhook URLs point at loopback, private, link-local and cloud "
        "metadata addresses (such as 127.0.0.1, 10.0.0.0/8 or 169.254.169.254). "
        "For local development and tests only: in production it lets whoever "
        "sets a webhook URL make the server call its own network.",
    )

    # Relationship care: tiers, contact pressure, fast first response.
    xrm_tier_period_days = fields.Integer(
        string="Tier Period (days)",
        config_parameter="xrm_relationship.tier_period_days",
    )
    xrm_tier_periods = fields.Integer(
        string="Tier Periods", config_parameter="xrm_relationship.tier_periods"
    )
    xrm_tier_period_cap = fields.Float(
        string="Points Counted per Period",
        config_parameter="xrm_relationship.tier_period_cap",
        help="Points above this in one period are not counted: steady activity "
        "beats one burst.",
    )
    xrm_tier_weight_positive = fields.Float(
        string="Positive Interaction",
        config_parameter="xrm_relationship.tier_weight_positive",
    )
    xrm_tier_weight_engagement = fields.Float(
        string="Engagement Event",
        config_parameter="xrm_relationship.tier_weight_engagement",
    )
    xrm_tier_weight_referral = fields.Float(
        string="Referral", config_parameter="xrm_relationship.tier_weight_referral"
    )
    xrm_tier_weight_goal = fields.Float(
        string="Goal Achieved", config_parameter="xrm_relationship.tier_weight_goal"
    )
    xrm_tier_weight_satisfied = fields.Float(
        string="Satisfied Ticket",
        config_parameter="xrm_relationship.tier_weight_satisfied",
    )
    xrm_pressure_period_days = fields.Integer(
        string="Pressure Period (days)",
        config_parameter="xrm_relationship.pressure_period_days",
    )
    xrm_pressure_max_customer = fields.Integer(
        string="Customers", config_parameter="xrm_relationship.pressure_max_customer"
    )
    xrm_pressure_max_agent = fields.Integer(
        string="Agents / Resellers",
        config_parameter="xrm_relationship.pressure_max_agent",
    )
    xrm_pressure_max_supplier = fields.Integer(
        string="Suppliers", config_parameter="xrm_relationship.pressure_max_supplier"
    )
    xrm_pressure_max_contractor = fields.Integer(
        string="Contractors",
        config_parameter="xrm_relationship.pressure_max_contractor",
    )
    xrm_pressure_max_technician = fields.Integer(
        string="Technicians",
        config_parameter="xrm_relationship.pressure_max_technician",
    )
    xrm_pressure_max_other = fields.Integer(
        string="Others and Untyped",
        config_parameter="xrm_relationship.pressure_max_other",
    )
    xrm_ack_max_per_email = fields.Integer(
        string="Acknowledgements per Address",
        config_parameter="xrm_relationship.ack_max_per_email",
        help="At most this many automatic acknowledgements to one email address "
        "in 24 hours; the leads are kept, the others are not acknowledged.",
    )
    xrm_ack_max_per_domain = fields.Integer(
        string="Acknowledgements per Domain",
        config_parameter="xrm_relationship.ack_max_per_domain",
        help="At most this many automatic acknowledgements to the addresses of one "
        "domain in 24 hours. Public webmail domains (gmail.com, outlook.com …) "
        "count per address only.",
    )
    xrm_ack_source_ids = fields.Many2many(
        related="company_id.xrm_ack_source_ids", readonly=False
    )
    xrm_ack_medium_ids = fields.Many2many(
        related="company_id.xrm_ack_medium_ids", readonly=False
    )

    @api.constrains(
        "xrm_tier_period_days",
        "xrm_tier_periods",
        "xrm_tier_period_cap",
        "xrm_tier_weight_positive",
        "xrm_tier_weight_engagement",
        "xrm_tier_weight_referral",
        "xrm_tier_weight_goal",
        "xrm_tier_weight_satisfied",
        "xrm_pressure_period_days",
        "xrm_pressure_max_customer",
        "xrm_pressure_max_agent",
        "xrm_pressure_max_supplier",
        "xrm_pressure_max_contractor",
        "xrm_pressure_max_technician",
        "xrm_pressure_max_other",
    )
    def _check_xrm_care_parameters(self):
        for settings in self:
            if settings.xrm_tier_period_days < 1 or settings.xrm_tier_periods < 1:
                raise ValidationError(
                    self.env._("Tiers need at least one period of at least one day.")
                )
            if settings.xrm_tier_period_cap <= 0:
                raise ValidationError(
                    self.env._("The points counted per period must be above 0.")
                )
            if settings.xrm_pressure_period_days < 1:
                raise ValidationError(
                    self.env._("The contact pressure period is at least one day.")
                )
            numbers = [
                settings[name]
                for name in settings._fields
                if name.startswith(("xrm_tier_weight_", "xrm_pressure_max_"))
            ]
            if any(number < 0 for number in numbers):
                raise ValidationError(
                    self.env._("Tier weights and contact limits cannot be negative.")
                )

    @api.constrains("xrm_warning_max_open")
    def _check_xrm_warning_max_open(self):
        # Settings store 0 as no value (the default): no way to mean "none".
        if any(settings.xrm_warning_max_open < 1 for settings in self):
            raise ValidationError(
                self.env._(
                    "Allow at least one open warning per salesperson; to open "
                    "every warning, set a number above their relationships."
                )
            )

    @api.constrains("xrm_ack_max_per_email", "xrm_ack_max_per_domain")
    def _check_xrm_ack_limits(self):
        for settings in self:
            if min(settings.xrm_ack_max_per_email, settings.xrm_ack_max_per_domain) < 1:
                raise ValidationError(
                    self.env._(
                        "Allow at least one acknowledgement per address and per "
                        "domain; to send none, remove the sources and mediums."
                    )
                )

    @api.constrains(
        "xrm_webhook_url", "xrm_webhook_secret", "xrm_webhook_allow_private"
    )
    def _check_xrm_webhook(self):
        Delivery = self.env["xrm.webhook.delivery"]
        label = self._fields["xrm_webhook_secret"]._description_string(self.env)
        for settings in self.sudo():
            if settings.xrm_webhook_url:
                Delivery._xrm_check_webhook_destination(
                    settings.xrm_webhook_url,
                    allow_private=settings.xrm_webhook_allow_private,
                )
            if settings.xrm_webhook_secret:
                Delivery._xrm_check_webhook_secret(settings.xrm_webhook_secret, label)

    @api.constrains("xrm_cs_cx_weight", "xrm_cs_green", "xrm_cs_yellow")
    def _check_xrm_health_parameters(self):
        for settings in self:
            self.env["xrm.health.profile"]._xrm_check_health_parameters(
                settings.xrm_cs_cx_weight, settings.xrm_cs_green, settings.xrm_cs_yellow
            )

    @api.constrains("xrm_friction_days", "xrm_churn_lookback_days")
    def _check_xrm_care_days(self):
        for settings in self:
            for days in (settings.xrm_friction_days, settings.xrm_churn_lookback_days):
                if not 1 <= days <= 3660:
                    raise ValidationError(
                        _(
                            "Periods of the relationship care analyses must be "
                            "between 1 and 3660 days."
                        )
                    )

    # Health over time: a churn risk from here on is an early warning.
    xrm_churn_risk_threshold = fields.Integer(
        string="Churn Risk Warning From",
        config_parameter="xrm_relationship.churn_risk_threshold",
        default=50,
        help="A relationship whose churn risk (0–100) reaches this value gets an "
        "early-warning activity for its salesperson.",
    )

    @api.constrains("xrm_churn_risk_threshold")
    def _check_xrm_churn_risk_threshold(self):
        for settings in self:
            if not 1 <= settings.xrm_churn_risk_threshold <= 100:
                raise ValidationError(
                    self.env._("The churn risk threshold must be between 1 and 100.")
                )

    # Calendar of the company's reports and incentive periods.
    xrm_calendar = fields.Selection(related="company_id.xrm_calendar", readonly=False)
    xrm_persian_digits = fields.Boolean(
        related="company_id.xrm_persian_digits", readonly=False
    )

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
