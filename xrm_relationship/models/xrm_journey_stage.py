# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class XrmJourneyStage(models.Model):
    _name = "xrm.journey.stage"
    _description = "Relationship Journey Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(help="Folded in the relationship kanban.")
    is_churn = fields.Boolean(
        string="Churn Stage",
        help="Entering this stage sets the partner's churn date; leaving it clears it.",
    )
    max_days = fields.Integer(
        string="Maximum Days",
        help="How long a relationship should stay in this stage; 0 means no limit. "
        "Relationships that stay longer are marked overdue.",
    )
    automation_role = fields.Selection(
        [
            ("first_contact", "First contact"),
            ("onboarding", "Onboarding"),
            ("active", "Active"),
            ("support", "Support"),
            ("at_risk", "At risk"),
        ],
        help="Automatic journey moves target the stage holding this role.",
    )

    _max_days_positive = models.Constraint(
        "CHECK(max_days >= 0)", "A stage's maximum days cannot be negative."
    )
    _automation_role_unique = models.Constraint(
        "UNIQUE(automation_role)", "Only one stage can hold each automation role."
    )
