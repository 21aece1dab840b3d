# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.constants import FEEDBACK_KINDS, FEEDBACK_STATES
from .input_check import check_input_types

PRODUCT_GROUP = "xrm_relationship.group_xrm_product"
# Who may move feedback through its workflow or merge it: the product team.
PRODUCT_FIELDS = ("state", "duplicate_of_id")
# Which relationships were told that a feedback shipped: the system's to say.
SYSTEM_FIELDS = ("notified_partner_ids",)
# The records a feedback points at: each one must be readable by its author.
SOURCE_FIELDS = ("partner_id", "contact_id", "interaction_id", "ticket_id", "goal_id")


class XrmFeedback(models.Model):
    """What a customer asked of the product, told to one of us (CO).

    Logged by anyone serving the relationship, from an interaction, a ticket
    or a goal; ranked, merged and moved through its workflow by the product
    team; when it ships, every relationship that asked is told.
    """

    _name = "xrm.feedback"
    _description = "Product Feedback"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    description = fields.Text()
    partner_id = fields.Many2one(
        "res.partner",
        string="Relationship",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("parent_id", "=", False)],
        help="The commercial entity that asked; the person who said it goes "
        "in Contact.",
    )
    contact_id = fields.Many2one(
        "res.partner",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id)]",
    )
    interaction_id = fields.Many2one(
        "xrm.interaction", index="btree_not_null", check_company=True
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", index="btree_not_null", check_company=True
    )
    goal_id = fields.Many2one(
        "xrm.customer.goal",
        string="Customer Goal",
        index="btree_not_null",
        check_company=True,
    )
    kind = fields.Selection(
        FEEDBACK_KINDS,
        required=True,
        default="request",
        tracking=True,
    )
    state = fields.Selection(
        FEEDBACK_STATES,
        required=True,
        default="new",
        readonly=True,
        tracking=True,
        index=True,
    )
    duplicate_of_id = fields.Many2one(
        "xrm.feedback",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        check_company=True,
        help="The main feedback this one repeats: its relationships count there.",
    )
    duplicate_ids = fields.One2many(
        "xrm.feedback", "duplicate_of_id", string="Duplicates", readonly=True
    )
    duplicate_count = fields.Integer(compute="_compute_duplicate_count")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Told to inform a relationship that has no salesperson when the "
        "feedback ships.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    notified_partner_ids = fields.Many2many(
        "res.partner",
        "xrm_feedback_notified_partner_rel",
        "feedback_id",
        "partner_id",
        string="Relationships Told",
        readonly=True,
        copy=False,
        help="Relationships whose salesperson got the activity to tell them "
        "that this feedback shipped (never twice).",
    )
    can_triage = fields.Boolean(
        compute="_compute_can_triage",
        help="The current user is in the product team.",
    )

    @api.depends("duplicate_ids")
    def _compute_duplicate_count(self):
        counts = dict(
            self._read_group(
                [("duplicate_of_id", "in", self.ids)], ["duplicate_of_id"], ["__count"]
            )
        )
        for feedback in self:
            feedback.duplicate_count = counts.get(feedback, 0)

    @api.depends_context("uid")
    def _compute_can_triage(self):
        self.can_triage = self.env.user.has_group(PRODUCT_GROUP)

    @api.constrains(
        "partner_id", "contact_id", "interaction_id", "ticket_id", "goal_id"
    )
    def _check_sources_belong_to_partner(self):
        for rec in self:
            partner = rec.partner_id
            sources = (
                (rec.contact_id, rec.contact_id.commercial_partner_id),
                (rec.interaction_id, rec.interaction_id.partner_id),
                (rec.ticket_id, rec.ticket_id.commercial_partner_id),
                (rec.goal_id, rec.goal_id.partner_id),
            )
            for source, owner in sources:
                if source and owner and owner != partner:
                    raise ValidationError(
                        _(
                            "%(source)s belongs to %(owner)s, not to %(partner)s.",
                            source=source.display_name,
                            owner=owner.display_name,
                            partner=partner.display_name,
                        )
                    )

    @api.constrains("duplicate_of_id")
    def _check_duplicate_of(self):
        for rec in self:
            main = rec.duplicate_of_id
            if not main:
                continue
            if main == rec:
                raise ValidationError(_("A feedback cannot be its own duplicate."))
            if main.duplicate_of_id or rec.duplicate_ids:
                raise ValidationError(
                    _(
                        "%(name)s: a duplicate points to a main feedback, never "
                        "to another duplicate.",
                        name=rec.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _xrm_check_triage(self, vals):
        """State and merges are the product team's; told relationships the system's."""
        if self.env.su:
            return
        for name in SYSTEM_FIELDS:
            if name in vals:
                raise AccessError(
                    _(
                        "%(field)s is set by the system, it cannot be written "
                        "by hand or through the API.",
                        field=self._fields[name]._description_string(self.env),
                    )
                )
        if any(name in vals for name in PRODUCT_FIELDS) and not self.env.user.has_group(
            PRODUCT_GROUP
        ):
            raise AccessError(
                _(
                    "Only the product team moves feedback through its workflow "
                    "or merges duplicates."
                )
            )

    def _xrm_check_readable(self, vals):
        """Refuse feedback on records the author may not read.

        Record rules only check the feedback itself: without this, anyone
        could attach feedback (and learn names through the ranking) to a
        relationship, ticket or interaction of another company by its id.
        """
        if self.env.su:
            return
        for name in SOURCE_FIELDS:
            if not vals.get(name):
                continue
            record = self.env[self._fields[name].comodel_name].browse(vals[name])
            if not record.exists() or not record.has_access("read"):
                raise AccessError(
                    _(
                        "%(field)s: you may not read this record (or it does not "
                        "exist), so you cannot log feedback on it.",
                        field=self._fields[name]._description_string(self.env),
                    )
                )

    @api.model
    def _xrm_prepare_vals(self, vals):
        """Take the relationship from the source; keep the commercial entity."""
        if not vals.get("partner_id"):
            for name, path in (
                ("interaction_id", "partner_id"),
                ("ticket_id", "commercial_partner_id"),
                ("goal_id", "partner_id"),
            ):
                if vals.get(name):
                    source = self.env[self._fields[name].comodel_name].browse(
                        vals[name]
                    )
                    vals["partner_id"] = source[path].id
                    break
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            commercial = partner.sudo().commercial_partner_id
            if commercial != partner:
                vals.setdefault("contact_id", partner.id)
                vals["partner_id"] = commercial.id
            # the entity itself (and the one a source led to) must be readable
            self._xrm_check_readable({"partner_id": vals["partner_id"]})
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        check_input_types(self, vals_list)
        mains = []
        for vals in vals_list:
            # new feedback starts new; merging goes through write's checks
            if vals.get("state", "new") != "new" or vals.get("duplicate_of_id"):
                self._xrm_check_triage({"state": vals.get("state")})
            self._xrm_check_triage(
                {k: v for k, v in vals.items() if k in SYSTEM_FIELDS}
            )
            self._xrm_check_readable(vals)
            self._xrm_prepare_vals(vals)
            mains.append(vals.pop("duplicate_of_id", False))
        records = super().create(vals_list)
        for record, main in zip(records, mains, strict=True):
            if main:
                record.write({"duplicate_of_id": main})
        return records

    def write(self, vals):
        check_input_types(self, [vals])
        self._xrm_check_triage(vals)
        if any(vals.get(name) for name in SOURCE_FIELDS):
            self._xrm_check_readable(vals)
            self._xrm_prepare_vals(vals)
        if vals.get("duplicate_of_id"):
            return self._xrm_merge_into(self.browse(vals.pop("duplicate_of_id")), vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Merging duplicates
    # ------------------------------------------------------------------
    def _xrm_merge_into(self, main, vals=None):
        """Make ``self`` duplicates of ``main``: no chains, one company.

        A duplicate of a duplicate points at the main one, and the duplicates
        of a merged feedback follow it; they take the main's state.
        """
        main = main.exists()
        if not main:
            raise UserError(_("The main feedback does not exist."))
        main.check_access("read")
        main = main.duplicate_of_id or main
        records = self - main
        if not records:
            raise UserError(_("Choose at least one other feedback to merge."))
        others = records.filtered(lambda f: f.company_id != main.company_id)
        if others:
            raise UserError(
                _(
                    "%(names)s: feedback of another company cannot be merged "
                    "into %(main)s.",
                    names=", ".join(others.mapped("display_name")),
                    main=main.display_name,
                )
            )
        moved = records | records.duplicate_ids
        new = moved.filtered(lambda f: f.duplicate_of_id != main)
        res = super(XrmFeedback, moved).write(
            {**(vals or {}), "duplicate_of_id": main.id, "state": main.state}
        )
        if new:
            for feedback in new:
                feedback.message_post(
                    body=Markup(_("Marked as a duplicate of %s."))
                    % main._get_html_link(),
                    subtype_xmlid="mail.mt_note",
                )
            main.message_post(
                body=Markup(_("Merged duplicates: %s."))
                % Markup(", ").join(f._get_html_link() for f in new),
                subtype_xmlid="mail.mt_note",
            )
        return res

    def action_xrm_merge_duplicates(self):
        """Merge the selection into the main one of its oldest feedback."""
        if len(self) < 2:
            raise UserError(_("Select at least two feedback records to merge."))
        self._xrm_check_triage({"duplicate_of_id": True})
        oldest = self.sorted(lambda f: (f.create_date, f.id))[0]
        main = oldest.duplicate_of_id or oldest
        (self - main).write({"duplicate_of_id": main.id})
        return True

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------
    def _xrm_set_state(self, state):
        """Move main feedback (and with it its duplicates) to ``state``."""
        duplicates = self.filtered("duplicate_of_id")
        if duplicates:
            raise UserError(
                _(
                    "%(name)s is a duplicate of %(main)s: move the main feedback.",
                    name=duplicates[0].display_name,
                    main=duplicates[0].duplicate_of_id.display_name,
                )
            )
        (self | self.duplicate_ids).write({"state": state})

    def action_plan(self):
        self._xrm_set_state("planned")

    def action_start(self):
        self._xrm_set_state("in_progress")

    def action_decline(self):
        self._xrm_set_state("declined")

    def action_reopen(self):
        self._xrm_set_state("new")

    def action_ship(self):
        self._xrm_set_state("shipped")
        self._xrm_notify_shipped()

    def _xrm_notify_shipped(self):
        """One activity per asking relationship and feedback, ever.

        The relationships of the main feedback and of its duplicates; the
        salesperson of each (or the feedback's responsible) tells them.
        Relationships told once are remembered, so shipping again after a
        reopen tells only those who asked since.
        """
        activity_type = self.env.ref(
            "xrm_relationship.mail_activity_type_xrm_feedback_shipped"
        )
        for main in self.sudo():
            asking = main | main.duplicate_ids
            partners = asking.partner_id - main.notified_partner_ids
            for partner in partners:
                user = partner.user_id if partner.user_id.active else main.user_id
                asked = asking.filtered(lambda f, p=partner: f.partner_id == p)
                partner.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=_("Tell them: “%s” shipped", main.name),
                    note=Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        _("What they asked for is now available:"),
                        Markup().join(
                            Markup("<li>%s</li>") % f._get_html_link() for f in asked
                        ),
                    ),
                    user_id=(user or self.env.user).id,
                )
            main.notified_partner_ids = [(4, partner.id) for partner in partners]

    # ------------------------------------------------------------------
    # Logging from a source record (interaction, ticket, goal)
    # ------------------------------------------------------------------
    @api.model
    def _xrm_action_log(self, source, defaults):
        """A new feedback in a dialog, prefilled from ``source``."""
        source.ensure_one()
        source.check_access("read")
        context = {
            "default_company_id": source.company_id.id or self.env.company.id,
            "default_kind": "request",
        }
        context.update(
            {f"default_{name}": value for name, value in defaults.items() if value}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Log Feedback"),
            "res_model": "xrm.feedback",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    @api.model
    def _load_demo_feedback(self):
        """Feedback from the demo history's records, which XML cannot name."""
        from ..demo import xrm_feedback_demo  # demo code stays out of production

        return xrm_feedback_demo.load_feedback(self.env)
