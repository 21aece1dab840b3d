# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

SENDABLE_STATES = ("approved", "published")
MANAGER_GROUP = "xrm_relationship.group_xrm_manager"


class XrmSuccessStory(models.Model):
    """What a customer achieved with us, told (with their consent) to others.

    Drafted from an achieved goal, reviewed by an XRM manager, and sent to
    prospects of similar customers from their opportunity.
    """

    _name = "xrm.success.story"
    _description = "Success Story"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Relationship",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        domain=[("parent_id", "=", False)],
    )
    goal_id = fields.Many2one(
        "xrm.customer.goal",
        index="btree_not_null",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', '=', 'achieved')]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Author", default=lambda self: self.env.user
    )
    challenge = fields.Text(help="Where the customer started: the problem.")
    outcome = fields.Text(help="What they achieved, in figures where possible.")
    quote = fields.Text(help="The customer's own words.")
    tag_ids = fields.Many2many(
        "res.partner.category",
        "xrm_success_story_partner_category_rel",
        "story_id",
        "category_id",
        string="Tags",
        help="Prospects whose customer shares one of these tags are offered "
        "this story.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("approved", "Approved"),
            ("published", "Published"),
            ("archived", "Archived"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    consent = fields.Boolean(
        tracking=True,
        copy=False,
        help="The customer agreed that this story is told to others.",
    )
    consent_date = fields.Datetime(
        compute="_compute_consent_date",
        store=True,
        readonly=True,
        tracking=True,
        copy=False,
        help="When the consent was recorded (the chatter says by whom).",
    )
    consent_partner_id = fields.Many2one(
        "res.partner",
        string="Consent Given By",
        tracking=True,
        copy=False,
        help="The customer's contact who agreed.",
    )
    use_ids = fields.One2many("xrm.success.story.use", "story_id", string="Uses")
    use_count = fields.Integer(string="Times Sent", compute="_compute_use_count")

    @api.depends("consent")
    def _compute_consent_date(self):
        now = fields.Datetime.now()
        for story in self:
            if not story.consent:
                story.consent_date = False
            elif not story.consent_date:
                story.consent_date = now

    @api.depends_context("uid")
    def _compute_use_count(self):
        counts = dict(
            self.env["xrm.success.story.use"]._read_group(
                [("story_id", "in", self.ids)], ["story_id"], ["__count"]
            )
        )
        for story in self:
            story.use_count = counts.get(story, 0)

    @api.constrains("consent", "consent_partner_id", "partner_id")
    def _check_consent_partner_id(self):
        for story in self.sudo():
            if story.consent and not story.consent_partner_id:
                raise ValidationError(
                    self.env._(
                        "Record who agreed: consent to %(story)s needs the "
                        "customer's contact who gave it.",
                        story=story.name,
                    )
                )
            agreed = story.consent_partner_id.commercial_partner_id
            if agreed and agreed != story.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "%(contact)s is not a contact of %(customer)s: only the "
                        "customer's own people can agree to its story.",
                        contact=story.consent_partner_id.display_name,
                        customer=story.partner_id.display_name,
                    )
                )

    @api.constrains("goal_id", "partner_id")
    def _check_goal_id(self):
        for story in self.sudo():
            goal = story.goal_id
            if goal and (
                goal.state != "achieved" or goal.partner_id != story.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "A success story tells an achieved goal of its own "
                        "customer; %(goal)s is not one.",
                        goal=goal.display_name,
                    )
                )

    def _xrm_is_reviewer(self):
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    def _xrm_check_reviewer(self):
        if not self._xrm_is_reviewer():
            raise AccessError(
                self.env._(
                    "Only XRM managers approve, publish or archive success stories."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        reviewer = self._xrm_is_reviewer()
        for vals in vals_list:
            # The date of consent is the system's, never a caller's.
            vals.pop("consent_date", None)
            if vals.get("state", "draft") != "draft" and not reviewer:
                self._xrm_check_reviewer()
            partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
            if partner:
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)

    def write(self, vals):
        vals.pop("consent_date", None)
        if "state" in vals:
            self._xrm_check_reviewer()
        return super().write(vals)

    def _xrm_set_state(self, state, allowed_from):
        self._xrm_check_reviewer()
        wrong = self.filtered(lambda s: s.state not in allowed_from)
        if wrong:
            raise UserError(
                self.env._(
                    "%(stories)s cannot go to this state from where it is.",
                    stories=", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": state})

    def action_approve(self):
        self._xrm_set_state("approved", ("draft",))

    def action_publish(self):
        self._xrm_set_state("published", ("draft", "approved"))

    def action_archive_story(self):
        self._xrm_set_state("archived", ("draft", "approved", "published"))

    def action_reset_draft(self):
        self._xrm_set_state("draft", ("approved", "published", "archived"))

    def _xrm_check_sendable(self):
        """UserError unless every story may be told to a prospect."""
        for story in self:
            if story.state not in SENDABLE_STATES:
                raise UserError(
                    self.env._(
                        "%(story)s is not approved: a manager approves a story "
                        "before it is sent.",
                        story=story.name,
                    )
                )
            if not story.consent:
                raise UserError(
                    self.env._(
                        "%(customer)s has not agreed that %(story)s is told: "
                        "record their consent first.",
                        customer=story.partner_id.display_name,
                        story=story.name,
                    )
                )

    def action_send_to_lead(self):
        """Send this story to the contact of the opportunity in the context."""
        self.ensure_one()
        lead = self.env["crm.lead"].browse(self.env.context.get("xrm_lead_id")).exists()
        if not lead:
            raise UserError(self.env._("Open the opportunity to send a story from it."))
        return lead._xrm_send_story(self)

    def action_open_uses(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Uses of %s", self.name),
            "res_model": "xrm.success.story.use",
            "view_mode": "list,form",
            "domain": [("story_id", "=", self.id)],
        }

    @api.model
    def _xrm_suggest_for(self, customer, company=None, limit=3):
        """Up to ``limit`` stories of customers similar to ``customer``.

        Sendable stories (approved or published, with consent) of the
        company, never the customer's own, that share its industry, one of
        its tags, or its relationship type and country; ranked in that order,
        newest first. One query over the stories the reader may read.
        """
        customer = customer.commercial_partner_id
        if not customer:
            return self.browse()
        similar = []
        if customer.industry_id:
            similar.append([("partner_id.industry_id", "=", customer.industry_id.id)])
        if customer.category_id:
            similar.append([("tag_ids", "in", customer.category_id.ids)])
        if customer.xrm_relation_type and customer.country_id:
            similar.append(
                [
                    ("partner_id.xrm_relation_type", "=", customer.xrm_relation_type),
                    ("partner_id.country_id", "=", customer.country_id.id),
                ]
            )
        if not similar:
            return self.browse()
        domain = Domain.AND(
            [
                [
                    ("state", "in", SENDABLE_STATES),
                    ("consent", "=", True),
                    ("partner_id", "!=", customer.id),
                ],
                [("company_id", "=", company.id)] if company else [],
                Domain.OR(similar),
            ]
        )
        query = self._search(domain)
        self.env["res.partner"].flush_model(
            ["industry_id", "xrm_relation_type", "country_id"]
        )
        self.flush_model(["tag_ids", "partner_id"])
        false = SQL("FALSE")
        by_industry = (
            SQL("p.industry_id = %s", customer.industry_id.id)
            if customer.industry_id
            else false
        )
        by_tag = (
            SQL(
                "EXISTS (SELECT 1 FROM xrm_success_story_partner_category_rel r "
                "WHERE r.story_id = s.id AND r.category_id = ANY(%s))",
                customer.category_id.ids,
            )
            if customer.category_id
            else false
        )
        by_type = (
            SQL(
                "(p.xrm_relation_type = %s AND p.country_id = %s)",
                customer.xrm_relation_type,
                customer.country_id.id,
            )
            if customer.xrm_relation_type and customer.country_id
            else false
        )
        rows = self.env.execute_query(
            SQL(
                "SELECT s.id FROM xrm_success_story s "
                "JOIN res_partner p ON p.id = s.partner_id "
                "WHERE s.id IN %s "
                # IS TRUE: a NULL (no industry) must not rank first.
                "ORDER BY (%s) IS TRUE DESC, (%s) IS TRUE DESC, (%s) IS TRUE DESC, "
                "s.id DESC LIMIT %s",
                query.subselect(),
                by_industry,
                by_tag,
                by_type,
                limit,
            )
        )
        return self.browse([row[0] for row in rows])


class XrmSuccessStoryUse(models.Model):
    """One sending of a success story to an opportunity's contact."""

    _name = "xrm.success.story.use"
    _description = "Success Story Use"
    _order = "date desc, id desc"
    _rec_name = "story_id"
    _check_company_auto = True

    story_id = fields.Many2one(
        "xrm.success.story", required=True, index=True, ondelete="cascade"
    )
    lead_id = fields.Many2one(
        "crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", string="Sent To", required=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", string="Sent By", default=lambda self: self.env.user
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
