# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import (
    AccessError,
    LockError,
    MissingError,
    UserError,
    ValidationError,
)
from odoo.tools import SQL, format_datetime, ormcache

from ..tools.settings import xrm_setting
from .input_check import check_input_types

# What a person writes when documenting a contact.
DOCUMENTATION_FIELDS = ("summary", "outcome", "quality")
# Set by the system only (capture, documenting), never by a caller's values.
SYSTEM_FIELDS = ("source_ref", "was_documented")
# What capture says of a draft (xrm.capture), and what create() would add to
# it (defaults, computes): the columns _xrm_insert_drafts writes.
CAPTURED_COLUMNS = (
    "partner_id",
    "contact_id",
    "user_id",
    "team_id",
    "company_id",
    "lead_id",
    "ticket_id",
    "date",
    "channel",
    "direction",
    "source_ref",
)
DRAFT_COLUMNS = {
    "state": "draft",
    "active": True,
    "is_meaningful": False,
    "was_documented": False,
    "rating_last_value": 0.0,
}
# Every column a draft's INSERT writes (the rest are left NULL).
DRAFT_WRITTEN = frozenset(
    {
        "id",
        *models.LOG_ACCESS_COLUMNS,
        *CAPTURED_COLUMNS,
        *DRAFT_COLUMNS,
        "name",
        "stage_id",
        "relation_type",
    }
)


def _filled(value):
    return value.strip() if isinstance(value, str) else value


CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("meeting", "Meeting"),
    ("chat", "Chat"),
    ("visit", "Visit"),
    ("portal", "Portal"),
    ("social", "Social"),
    ("other", "Other"),
]
OUTCOMES = [("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")]


class XrmInteraction(models.Model):
    """One touchpoint with a relationship: the organisation's memory of it."""

    _name = "xrm.interaction"
    _description = "Relationship Interaction"
    # rating.mixin is mail.thread with Odoo's ratings: satisfaction requests
    # after documented interactions (models/xrm_interaction_survey.py).
    _inherit = ["rating.mixin", "mail.activity.mixin", "xrm.contact.pressure"]
    _order = "date desc, id desc"
    _rec_name = "name"
    _check_company_auto = True

    # Precomputed: written with the row, not by a second UPDATE (capture).
    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    # rating.mixin's stored figure, 0 for a new interaction (no rating yet):
    # computed with the row instead of a SELECT and an UPDATE per capture.
    rating_last_value = fields.Float(
        compute="_compute_rating_last_value", store=True, precompute=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Relationship",
        required=True,
        # No index of its own: _partner_date_idx leads with it (one index
        # fewer for every captured e-mail to write).
        tracking=True,
        check_company=True,
        help="The commercial entity; the person spoken to goes in Contact.",
    )
    contact_id = fields.Many2one("res.partner", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Handled By",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", index="btree_not_null")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="phone",
        index=True,
    )
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="outbound",
    )
    state = fields.Selection(
        [("draft", "To Document"), ("done", "Documented")],
        required=True,
        default="draft",
        index=True,
        tracking=True,
        help="To Document: captured by the system, nobody has described it yet.",
    )
    summary = fields.Text()
    outcome = fields.Selection(
        OUTCOMES,
        tracking=True,
    )
    quality = fields.Integer(
        help="How much trust or value the contact built, 1 (none) to 5 (a lot)."
    )
    csat = fields.Integer(
        string="CSAT Score",
        help="Satisfaction answer (1-5) given outside tickets, e.g. in a survey.",
    )
    active = fields.Boolean(default=True)
    is_meaningful = fields.Boolean(
        compute="_compute_is_meaningful",
        store=True,
        precompute=True,
        readonly=False,
        # Half the rows either way: no index alone would be read; the
        # meaningful ones are found through _meaningful_idx.
        help="Documented with a quality of 3 or more; can also be set by hand.",
    )
    lead_id = fields.Many2one(
        "crm.lead", string="Lead / Opportunity", index="btree_not_null"
    )
    ticket_id = fields.Many2one("helpdesk.ticket", index="btree_not_null")
    generated_lead_id = fields.Many2one(
        "crm.lead",
        string="Generated Opportunity",
        index="btree_not_null",
        help="The opportunity this interaction gave rise to.",
    )
    stage_id = fields.Many2one(
        "xrm.journey.stage",
        string="Journey Stage",
        help="The relationship's journey stage when the interaction happened.",
    )
    source_ref = fields.Char(
        string="Captured From",
        readonly=True,
        copy=False,
        help="The system event this interaction was captured from "
        "(model,id); one interaction per event.",
    )
    was_documented = fields.Boolean(
        string="Documented Once",
        readonly=True,
        copy=False,
        help="Documented at least once: it can be put back to To Document "
        "and corrected, but only a manager can delete it.",
    )
    relation_type = fields.Selection(
        related="partner_id.xrm_relation_type",
        store=True,
        precompute=True,
        string="Relationship Type",
    )

    # Per-partner timelines: last contact, next answer to an agent.
    _partner_date_idx = models.Index("(partner_id, date)")
    # CS health reads documented quality partner range by partner range: from
    # this index alone (index-only scan) instead of from rows scattered over
    # the whole table, which made its cost grow faster than the data.
    _health_quality_idx = models.Index(
        "(partner_id, date) INCLUDE (quality)"
        " WHERE active AND state = 'done' AND quality IS NOT NULL"
    )

    # The KPIs over a window of days (undocumented, CSAT, contact pressure,
    # supplier friction) read the window from this index alone: dates are
    # spread over the whole table, so the heap rows of 90 days are nearly
    # every page of it, and each KPI would read the table again.
    _kpi_window_idx = models.Index(
        "(date) INCLUDE (id, partner_id, user_id, company_id, state, direction,"
        " outcome, csat) WHERE active"
    )

    # The last meaningful contact of a partner (before churn, at-risk and
    # early-warning silence) from this index alone, not from heap rows.
    _meaningful_idx = models.Index(
        "(partner_id, date) INCLUDE (company_id) WHERE active AND is_meaningful"
    )

    _source_ref_unique = models.UniqueIndex(
        "(source_ref) WHERE source_ref IS NOT NULL",
        "This event has already been captured as an interaction.",
    )

    @api.depends("partner_id", "channel", "date")
    def _compute_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for rec in self:
            rec.name = self._xrm_name(channels, rec.channel, rec.partner_id)

    @api.model
    def _xrm_name(self, channels, channel, partner):
        return " · ".join(filter(None, [channels.get(channel), partner.name]))

    @api.depends("state", "quality")
    def _compute_is_meaningful(self):
        for rec in self:
            rec.is_meaningful = rec.state == "done" and (rec.quality or 0) >= 3

    @api.constrains("quality", "csat")
    def _check_scores(self):
        for rec in self:
            if rec.quality and not 1 <= rec.quality <= 5:
                raise ValidationError(_("Quality must be between 1 and 5."))
            if rec.csat and not 1 <= rec.csat <= 5:
                raise ValidationError(_("CSAT must be between 1 and 5."))

    @api.constrains("date")
    def _check_date(self):
        limit = fields.Datetime.now() + timedelta(days=1)
        for rec in self:
            if rec.date and rec.date > limit:
                raise ValidationError(
                    _(
                        "An interaction cannot be dated more than a day in the "
                        "future (%(date)s).",
                        date=rec.date,
                    )
                )

    @api.constrains("partner_id", "lead_id", "ticket_id", "generated_lead_id")
    def _check_documents_belong_to_partner(self):
        for rec in self:
            commercial = rec.partner_id.commercial_partner_id
            generated = rec.generated_lead_id.partner_id.commercial_partner_id
            if rec.generated_lead_id and generated and generated != commercial:
                raise ValidationError(
                    _(
                        "The generated opportunity %(lead)s belongs to %(other)s, "
                        "not to %(partner)s.",
                        lead=rec.generated_lead_id.display_name,
                        other=generated.display_name,
                        partner=commercial.display_name,
                    )
                )
            lead_partner = rec.lead_id.partner_id.commercial_partner_id
            if rec.lead_id and lead_partner and lead_partner != commercial:
                raise ValidationError(
                    _(
                        "The lead %(lead)s belongs to %(other)s, not to %(partner)s.",
                        lead=rec.lead_id.display_name,
                        other=lead_partner.display_name,
                        partner=commercial.display_name,
                    )
                )
            ticket_partner = rec.ticket_id.partner_id.commercial_partner_id
            if rec.ticket_id and ticket_partner and ticket_partner != commercial:
                raise ValidationError(
                    _(
                        "The ticket %(ticket)s belongs to %(other)s, "
                        "not to %(partner)s.",
                        ticket=rec.ticket_id.display_name,
                        other=ticket_partner.display_name,
                        partner=commercial.display_name,
                    )
                )

    @api.constrains("state", "summary", "outcome", "quality")
    def _check_documented(self):
        for rec in self:
            if rec.state == "done" and not (
                (rec.summary or "").strip() and rec.outcome and rec.quality
            ):
                raise ValidationError(
                    _(
                        "A documented interaction needs a summary, an outcome "
                        "and a quality."
                    )
                )

    # Contact pressure (models/xrm_contact_pressure.py): warn on the form.
    @api.onchange("partner_id", "direction", "date")
    def _onchange_xrm_pressure(self):
        """Warn, without blocking, before one outbound contact too many."""
        if self.direction != "outbound" or not self.partner_id:
            return None
        message = self._xrm_pressure_warning(
            self.partner_id.commercial_partner_id,
            at=self.date or fields.Datetime.now(),
            exclude_ids=self._origin.ids,
        )
        if not message:
            return None
        return {"warning": {"title": _("Contact pressure"), "message": message}}

    @api.model
    def _prepare_partner_vals(self, vals, stage=True):
        """Store the commercial entity; keep the person spoken to as contact.

        With ``stage``, the relationship's journey stage too (the fast
        insert of drafts reads it in its own statement instead).
        """
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            try:
                # Read from the cache when it is there (capture): no query to
                # check the partner exists, reading it tells.
                commercial = partner.commercial_partner_id
            except MissingError:
                raise UserError(
                    _("The relationship %s does not exist.", vals["partner_id"])
                ) from None
            if commercial != partner:
                vals.setdefault("contact_id", partner.id)
                vals["partner_id"] = commercial.id
            if stage and "stage_id" not in vals:
                vals["stage_id"] = commercial.xrm_stage_id.id
        return vals

    # ------------------------------------------------------------------
    # Captured drafts: one INSERT per batch
    # ------------------------------------------------------------------
    @api.model
    @ormcache()
    def _xrm_drafts_columns_known(self):
        """Whether every stored field a draft leaves empty has no default and
        no compute (another addon's field with one would be left out)."""
        return not any(
            field.store
            and field.column_type
            and name not in DRAFT_WRITTEN
            and (field.default or field.compute or field.related)
            for name, field in self._fields.items()
        )

    @api.model
    @ormcache()
    def _xrm_drafts_empty_columns(self):
        """The stored columns a captured draft leaves empty (NULL)."""
        return tuple(
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and name not in DRAFT_WRITTEN
        )

    @api.model
    def _xrm_insert_drafts(self, vals_list):
        """Store captured drafts in one INSERT, as create() would store them.

        Capture runs on every incoming email: create() cost a draft about
        4.5 ms of defaults, caches and tracking for fifty fields (a sixth of
        the message's own time). The same rows are written here, the same
        constraints and company checks run, dependent fields are marked, and
        a source already captured is skipped (its unique index). Returns None
        where create() must run instead: another addon's field with a default
        or a compute, or create() extended at runtime (automation rules).
        """
        Model = type(self)
        if not self._xrm_drafts_columns_known() or hasattr(Model.create, "origin"):
            return None
        channels = dict(self._fields["channel"]._description_selection(self.env))
        now = self.env.cr.now()
        rows = []
        for event_vals in vals_list:
            vals = self._prepare_partner_vals(dict(event_vals), stage=False)
            partner = self.env["res.partner"].browse(vals["partner_id"])
            row = dict.fromkeys(CAPTURED_COLUMNS, None)
            row.update(
                {key: vals[key] or None for key in CAPTURED_COLUMNS if key in vals}
            )
            row.update(DRAFT_COLUMNS)
            row.update(
                channel=row["channel"] or self._fields["channel"].default(self),
                direction=row["direction"] or self._fields["direction"].default(self),
                user_id=vals.get("user_id", self.env.uid) or None,
                company_id=vals.get("company_id") or self.env.company.id,
                date=vals.get("date") or now,
                name=self._xrm_name(channels, row["channel"], partner),
                create_uid=self.env.uid,
                write_uid=self.env.uid,
                create_date=now,
                write_date=now,
            )
            rows.append(row)
        columns = list(rows[0])
        # The relationship's stage and type come from its row, in the same
        # statement: no query of their own (the relationship is flushed).
        self.env["res.partner"].flush_model(["xrm_stage_id", "xrm_relation_type"])
        inserted = {
            source_ref: (row_id, stage_id, relation_type)
            for source_ref, row_id, stage_id, relation_type in self.env.execute_query(
                SQL(
                    "INSERT INTO xrm_interaction (%s, stage_id, relation_type)"
                    " VALUES %s"
                    " ON CONFLICT (source_ref) WHERE source_ref IS NOT NULL"
                    " DO NOTHING RETURNING source_ref, id, stage_id, relation_type",
                    SQL(", ").join(map(SQL.identifier, columns)),
                    SQL(", ").join(
                        SQL(
                            "(%s, %s)",
                            SQL(", ").join(row[c] for c in columns),
                            SQL(
                                "(SELECT p.xrm_stage_id FROM res_partner p"
                                " WHERE p.id = %(id)s), (SELECT p.xrm_relation_type"
                                " FROM res_partner p WHERE p.id = %(id)s)",
                                id=row["partner_id"],
                            ),
                        )
                        for row in rows
                    ),
                )
            )
        }
        columns += ["stage_id", "relation_type"]
        # What create() does after its INSERT: the inverse one2manys (a
        # partner's interactions) read again, then the rows as stored put in
        # the cache (the checks below read no row back), fields depending on
        # these columns marked, the constraints and the companies checked.
        for name in columns:
            for inverse in self.pool.field_inverses[self._fields[name]]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        # As Odoo's _create fills the cache: None straight in for the empty
        # columns, the written values converted once (no per-field sort nor
        # inverse lookup of _update_cache: a fifth of the draft's Python).
        empty = [self._fields[name] for name in self._xrm_drafts_empty_columns()]
        written = [self._fields[name] for name in columns]
        ids = []
        for row in rows:
            if row["source_ref"] in inserted:
                row_id, stage_id, relation_type = inserted[row["source_ref"]]
                ids.append(row_id)
                record = self.browse(row_id)
                row.update(stage_id=stage_id, relation_type=relation_type)
                for field in empty:
                    field._update_cache(record, None)
                for field in written:
                    field._update_cache(
                        record,
                        field.convert_to_cache(row[field.name], record, validate=False),
                    )
        records = self.browse(ids)
        # The computed columns were written with the row: not recomputed.
        computed = [
            self._fields[name] for name in columns if self._fields[name].compute
        ]
        with self.env.protecting(computed, records):
            records.modified(columns, create=True)
        records._validate_fields(columns)
        # Odoo's company check searches for each field (a millisecond, a
        # fifth of what capture adds to an e-mail): it runs where it can
        # fail, a relationship or contact of a company other than the row's.
        records.filtered(
            lambda r: any(
                p.company_id and p.company_id != r.company_id
                for p in (r.partner_id, r.contact_id)
            )
        )._check_company()
        records._xrm_note_first_response()
        return records

    @api.model
    def _xrm_check_system_fields(self, vals_list, creating=False):
        """Where an interaction was captured from, and whether it was ever
        documented, are the system's to say: a user who could set them could
        hide a contact from capture or make documented memory deletable."""
        if self.env.su:
            return
        for vals in vals_list:
            for name in SYSTEM_FIELDS:
                if name in vals and not (creating and not vals[name]):
                    raise AccessError(
                        _(
                            "%(field)s is set by the system, it cannot be "
                            "written by hand or through the API.",
                            field=self._fields[name]._description_string(self.env),
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        check_input_types(self, vals_list)
        self._xrm_check_system_fields(vals_list, creating=True)
        default_partner = self.env.context.get("default_partner_id")
        for vals in vals_list:
            if vals.get("state") == "done":
                vals["was_documented"] = True
            if "partner_id" not in vals and default_partner:
                vals["partner_id"] = default_partner
            if not vals.get("partner_id"):
                raise UserError(_("An interaction needs a relationship (partner)."))
            self._prepare_partner_vals(vals)
        records = super().create(vals_list)
        records.filtered(lambda i: i.state == "done")._xrm_move_first_contacts()
        records._xrm_note_first_response()
        return records

    def write(self, vals):
        check_input_types(self, [vals])
        self._xrm_check_system_fields([vals])
        if set(DOCUMENTATION_FIELDS) & vals.keys() or vals.get("state") == "done":
            self._xrm_guard_documentation(vals)
        if vals.get("state") == "done":
            # Kept when it goes back to To Document: corrected, not erased.
            vals = dict(vals, was_documented=True)
        if "partner_id" in vals:
            if not vals["partner_id"]:
                raise UserError(_("An interaction needs a relationship (partner)."))
            self._prepare_partner_vals(vals)
        res = super().write(vals)
        if vals.get("state") == "done":
            self._xrm_move_first_contacts()
        if {"lead_id", "direction", "date"} & set(vals):
            self._xrm_note_first_response()
        return res

    def _xrm_guard_documentation(self, vals):
        """Two people documenting one contact: the first save wins, whole.

        The rows are locked without waiting, so a save racing another one
        gets a clear message instead of waiting and then overwriting it.
        Notes someone already documented are not replaced by a form opened
        before: the interaction goes back to To Document first.
        """
        records = self.filtered("id")
        if not records:
            return
        try:
            records.lock_for_update(allow_referencing=True)
        except LockError:
            raise UserError(
                _(
                    "Someone else is saving this interaction right now. Reload "
                    "it to read their notes, then add yours."
                )
            ) from None
        if vals.get("state") == "draft":
            return
        # Compare with the committed row, not with this user's cache.
        records.invalidate_recordset(
            [*DOCUMENTATION_FIELDS, "state", "write_uid", "write_date"]
        )
        for rec in records:
            if rec.state != "done":
                continue
            if any(
                (vals[name] or False) != (rec[name] or False)
                for name in DOCUMENTATION_FIELDS
                if name in vals
            ):
                raise UserError(
                    _(
                        "“%(name)s” is already documented (last saved by "
                        "%(user)s on %(date)s). Reload it to read those notes; to "
                        "change them, put it back to To Document first.",
                        user=rec.write_uid.sudo().name,
                        name=rec.display_name,
                        date=format_datetime(self.env, rec.write_date),
                    )
                )

    def _xrm_note_first_response(self):
        """An outbound contact on a lead may be its first human answer."""
        outbound = self.filtered(
            lambda i: i.lead_id and i.direction == "outbound" and i.active
        )
        for rec in outbound:
            rec.lead_id._xrm_set_first_response(rec.date, rec.user_id)

    def _xrm_move_first_contacts(self):
        """A relationship's first documented interaction -> First contact.

        Only relationships with no stage yet or in an earlier stage move:
        a documented call with an active customer is not a first contact.
        """
        if not self or not xrm_setting(self.env, "auto_first_contact"):
            return
        stage = self.env["xrm.journey.stage"].search(
            [("automation_role", "=", "first_contact")], limit=1
        )
        partners = self.filtered(lambda i: i.state == "done").partner_id
        partners = partners.filtered(
            lambda p: not p.xrm_stage_id or p.xrm_stage_id.sequence < stage.sequence
        )
        if not stage or not partners:
            return
        documented = dict(
            self.sudo()._read_group(
                [("partner_id", "in", partners.ids), ("state", "=", "done")],
                ["partner_id"],
                ["__count"],
            )
        )
        firsts = partners.filtered(lambda p: documented.get(p) == 1)
        self.env["xrm.journey.stage"]._xrm_auto_move(
            firsts, "first_contact", reason=_("First documented interaction")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_documented(self):
        if self.env.user.has_group("xrm_relationship.group_xrm_manager"):
            return
        # Once documented, always memory: Back to To Document lets a
        # salesperson correct the notes, not delete them.
        if any(rec.state == "done" or rec.was_documented for rec in self):
            raise UserError(
                _(
                    "Documented interactions are the company's memory, even "
                    "when put back to To Document: archive them instead of "
                    "deleting them."
                )
            )

    @api.model
    def _xrm_action_list(self, domain, context):
        """The interactions action, narrowed to one partner or document."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xrm_relationship.xrm_interaction_action"
        )
        action["domain"] = domain
        action["context"] = context
        return action

    @api.model
    def _xrm_action_log(self, context):
        """A new interaction in a dialog, prefilled from ``context``."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Log Interaction"),
            "res_model": "xrm.interaction",
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_document(self, summary=None, outcome=None, quality=None):
        """Mark as documented, with the notes given or those already written.

        The form saves its notes, then calls this without values. Integrators
        pass them here in one call (JSON-2, JSON-RPC); notes someone else
        saved first are not overwritten (see _xrm_guard_documentation).
        """
        given = {"summary": summary, "outcome": outcome, "quality": quality}
        vals = {name: value for name, value in given.items() if value is not None}
        # Already documented with these notes (or, from the form, perhaps by
        # someone else meanwhile): nothing to do.
        todo = self if vals else self.filtered(lambda i: i.state != "done")
        for rec in todo:
            missing = [
                rec._fields[name]._description_string(self.env)
                for name in DOCUMENTATION_FIELDS
                if not _filled(vals.get(name, rec[name]))
            ]
            if missing:
                raise ValidationError(
                    _(
                        "A documented interaction needs a summary, an outcome "
                        "and a quality. Missing on “%(name)s”: %(missing)s.",
                        name=rec.display_name,
                        missing=", ".join(missing),
                    )
                )
        todo.write(dict(vals, state="done"))
        return True

    def action_reset_to_draft(self):
        self.write({"state": "draft"})
        return True

    # ------------------------------------------------------------------
    # Demo data (demo/xrm_interaction_demo.xml, demo/xrm_care_demo.xml)
    # ------------------------------------------------------------------
    @api.model
    def _load_demo_history(self):
        """The demo relationships' long history, which XML cannot express."""
        from ..demo import xrm_demo_history  # demo code stays out of production

        return xrm_demo_history.load_history(self.env)

    @api.model
    def _load_demo_care(self):
        """What the relationship-care demo records need on top of the history."""
        from ..demo import xrm_demo_history

        return xrm_demo_history.load_care(self.env)

    def action_xrm_log_feedback(self):
        """*Log Feedback*: a feedback form prefilled from this record."""
        self.ensure_one()
        return self.env["xrm.feedback"]._xrm_action_log(
            self,
            {
                "partner_id": self.partner_id.id,
                "contact_id": self.contact_id.id,
                "interaction_id": self.id,
                "ticket_id": self.ticket_id.id,
                "name": (self.summary or "").strip().split("\n")[0][:120] or self.name,
            },
        )
