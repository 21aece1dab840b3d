# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class XrmCustomerGoal(models.Model):
    """An outcome agreed with the customer (the CO in CS = CX + CO)."""

    _name = "xrm.customer.goal"
    _description = "Customer Goal"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "deadline, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Relationship",
        required=True,
        index=True,
        check_company=True,
        domain=[("parent_id", "=", False)],
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    deadline = fields.Date(tracking=True, index=True)
    state = fields.Selection(
        [
            ("open", "Open"),
            ("achieved", "Achieved"),
            ("missed", "Missed"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    progress = fields.Integer(tracking=True, help="How far the goal is reached, 0-100.")
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index="btree_not_null")
    ticket_id = fields.Many2one("helpdesk.ticket", index="btree_not_null")
    description = fields.Text()
    portal_shared = fields.Boolean(
        string="Shared with the Customer",
        tracking=True,
        help="The customer's contacts see this goal, its progress and its "
        "deadline in their portal (never its description).",
    )
    story_ids = fields.One2many("xrm.success.story", "goal_id", string="Stories")

    @api.constrains("progress")
    def _check_progress(self):
        for goal in self:
            if not 0 <= goal.progress <= 100:
                raise ValidationError(_("Progress must be between 0 and 100."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
            if partner:
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)

    def action_achieve(self):
        self.write({"state": "achieved", "progress": 100})

    def action_cancel(self):
        self.write({"state": "cancelled"})

    def action_reopen(self):
        self.write({"state": "open"})

    def action_draft_story(self):
        """Draft a success story from this achieved goal and open it."""
        self.ensure_one()
        if self.state != "achieved":
            raise UserError(
                _("Only an achieved goal makes a success story: %s is not.", self.name)
            )
        story = self.env["xrm.success.story"].create(
            {
                "name": self.name,
                "partner_id": self.partner_id.id,
                "goal_id": self.id,
                "company_id": self.company_id.id,
                "outcome": self.description,
                "tag_ids": [(6, 0, self.partner_id.category_id.ids)],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "xrm.success.story",
            "res_id": story.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_xrm_goals(self, reminder_days=7):
        """Open goals past their deadline become missed; near ones get a reminder.

        Idempotent: a missed goal is no longer open, and a goal with a pending
        reminder gets no second one.
        """
        today = fields.Date.context_today(self)
        overdue = self.search([("state", "=", "open"), ("deadline", "<", today)])
        overdue.write({"state": "missed"})
        soon = self.search(
            [
                ("state", "=", "open"),
                ("deadline", ">=", today),
                ("deadline", "<=", today + timedelta(days=reminder_days)),
                ("activity_ids", "=", False),
            ]
        )
        for goal in soon:
            goal.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=goal.deadline,
                summary=_("Goal due: %s", goal.name),
                user_id=(goal.user_id or goal.partner_id.user_id or self.env.user).id,
            )
        return overdue, soon

    def action_xrm_log_feedback(self):
        """*Log Feedback*: a feedback form prefilled from this record."""
        self.ensure_one()
        return self.env["xrm.feedback"]._xrm_action_log(
            self,
            {
                "partner_id": self.partner_id.id,
                "goal_id": self.id,
                "name": self.name,
            },
        )
