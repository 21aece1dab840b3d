# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_partner import RELATION_TYPES

DEFAULT_CX_WEIGHT = 0.5
DEFAULT_GREEN = 70.0
DEFAULT_YELLOW = 40.0


class XrmHealthProfile(models.Model):
    """How CS health is weighed for one relationship type.

    A supplier is not scored like a customer: each type may have its own CX
    weight and health bands. Types without a profile use the Settings values.
    """

    _name = "xrm.health.profile"
    _description = "Customer Success Health Profile"
    _order = "relation_type, id"

    name = fields.Char(compute="_compute_name", store=True)
    relation_type = fields.Selection(
        RELATION_TYPES, string="Relationship Type", required=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    cx_weight = fields.Float(
        string="CX Weight",
        default=DEFAULT_CX_WEIGHT,
        digits=(3, 2),
        help="CS = w × CX + (1 − w) × CO. 1 scores only experience, 0 only outcomes.",
    )
    green_threshold = fields.Float(
        string="Green From", default=DEFAULT_GREEN, help="CS at or above: green."
    )
    yellow_threshold = fields.Float(
        string="Yellow From",
        default=DEFAULT_YELLOW,
        help="CS at or above (and below green): yellow; below: red.",
    )
    active = fields.Boolean(default=True)

    _relation_type_company_unique = models.Constraint(
        "UNIQUE(relation_type, company_id)",
        "There is already a health profile for this relationship type.",
    )

    @api.depends("relation_type")
    def _compute_name(self):
        labels = dict(self._fields["relation_type"]._description_selection(self.env))
        for profile in self:
            profile.name = labels.get(profile.relation_type)

    @api.constrains("cx_weight", "green_threshold", "yellow_threshold")
    def _check_bands(self):
        for profile in self:
            self._xrm_check_health_parameters(
                profile.cx_weight, profile.green_threshold, profile.yellow_threshold
            )

    @api.model
    def _xrm_check_health_parameters(self, weight, green, yellow):
        if not 0 <= weight <= 1:
            raise ValidationError(_("The CX weight must be between 0 and 1."))
        if not 0 <= yellow <= green <= 100:
            raise ValidationError(
                _(
                    "Health bands must satisfy 0 ≤ yellow ≤ green ≤ 100 "
                    "(got yellow %(yellow)s, green %(green)s).",
                    yellow=yellow,
                    green=green,
                )
            )

    @api.model
    def _xrm_default_parameters(self):
        """(weight, green, yellow) from Settings, for types without a profile."""
        get = self.env["ir.config_parameter"].sudo().get_param

        def number(key, default):
            try:
                return float(get(f"xrm_relationship.{key}", default))
            except (TypeError, ValueError):
                return default

        return (
            number("cs_cx_weight", DEFAULT_CX_WEIGHT),
            number("cs_green", DEFAULT_GREEN),
            number("cs_yellow", DEFAULT_YELLOW),
        )

    @api.model
    def _xrm_parameters_by_type(self, company):
        """{relation_type or None: (weight, green, yellow)} for one company."""
        params = {None: self._xrm_default_parameters()}
        for profile in self.sudo().search([("company_id", "=", company.id)]):
            params[profile.relation_type] = (
                profile.cx_weight,
                profile.green_threshold,
                profile.yellow_threshold,
            )
        return params
