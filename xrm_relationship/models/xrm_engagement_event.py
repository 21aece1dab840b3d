# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .input_check import check_input_types

# One call of an outside system: a day of website visits fits, a flood does not.
MAX_EVENTS_PER_CALL = 1000
# Longest value of each free-text field (Char ``size`` would truncate silently).
MAX_LENGTHS = {
    "source": 64,
    "external_id": 255,
    "url": 2048,
    "description": 10_000,
}


class XrmEngagementEvent(models.Model):
    """A sign of engagement reported by an outside system.

    Website visits, content downloads, referrals, reviews and community
    activity arrive through Odoo's JSON-2 API (``/json/2/xrm.engagement.event/
    create`` with an API key); ``external_id`` makes a retried push harmless.
    """

    _name = "xrm.engagement.event"
    _description = "Engagement Event"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Relationship",
        required=True,
        index=True,
        check_company=True,
        ondelete="cascade",
    )
    contact_id = fields.Many2one("res.partner", check_company=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    event_type = fields.Selection(
        [
            ("visit", "Visit"),
            ("content", "Content"),
            ("referral", "Referral"),
            ("review", "Review"),
            ("community", "Community"),
        ],
        string="Type",
        required=True,
        index=True,
    )
    source = fields.Char(help="The system that reported it, e.g. website.")
    url = fields.Char(string="URL")
    external_id = fields.Char(
        string="External ID", help="The reporting system's id; one event per id."
    )
    description = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    _external_id_unique = models.UniqueIndex(
        "(company_id, COALESCE(source, ''), external_id) WHERE external_id IS NOT NULL",
        "This event was already received from this source.",
    )

    @api.depends("partner_id")
    def _compute_user_id(self):
        for event in self:
            event.user_id = event.partner_id.user_id

    @api.constrains("date", "url", *MAX_LENGTHS)
    def _check_values(self):
        limit = fields.Datetime.now() + timedelta(days=1)
        for event in self:
            if event.date > limit:
                raise ValidationError(
                    _(
                        "An engagement event cannot be dated in the future (%s).",
                        event.date,
                    )
                )
            for name, size in MAX_LENGTHS.items():
                if event[name] and len(event[name]) > size:
                    raise ValidationError(
                        _(
                            "%(field)s is limited to %(size)s characters "
                            "(%(length)s given).",
                            field=self._fields[name]._description_string(self.env),
                            size=size,
                            length=len(event[name]),
                        )
                    )
            if event.url:
                self.env["xrm.webhook.delivery"]._xrm_check_webhook_url(event.url)

    @api.model_create_multi
    def create(self, vals_list):
        if len(vals_list) > MAX_EVENTS_PER_CALL and not self.env.su:
            raise ValidationError(
                _(
                    "At most %(max)s engagement events per call (%(count)s sent): "
                    "send them in several calls.",
                    max=f"{MAX_EVENTS_PER_CALL:,}",
                    count=f"{len(vals_list):,}",
                )
            )
        check_input_types(self, vals_list)
        self._xrm_check_companies(vals_list)
        # Events belong to the commercial entity; the person goes in Contact.
        # A relationship the caller may not read is as unknown as a missing one.
        partners = (
            self.env["res.partner"]
            .browse(
                [vals["partner_id"] for vals in vals_list if vals.get("partner_id")]
            )
            .exists()
            ._filtered_access("read")
        )
        commercial = {p.id: p.commercial_partner_id for p in partners}
        for vals in vals_list:
            partner = commercial.get(vals.get("partner_id"))
            if vals.get("partner_id") and not partner:
                raise ValidationError(
                    _("Unknown relationship id %s.", vals.get("partner_id"))
                )
            if partner and partner.id != vals["partner_id"]:
                vals.setdefault("contact_id", vals["partner_id"])
                vals["partner_id"] = partner.id
        self._xrm_check_duplicates(vals_list)
        return super().create(vals_list)

    def _xrm_check_companies(self, vals_list):
        """Events go to the caller's companies, checked before anything else.

        Otherwise the duplicate check (or the unique index) would tell a
        caller whether an external id exists in a company they are not in.
        """
        if self.env.su:
            return
        allowed = set(self.env.companies.ids)
        if any(
            vals.get("company_id", self.env.company.id) not in allowed
            for vals in vals_list
        ):
            raise AccessError(
                _("Engagement events can only be created in your own companies.")
            )

    def _xrm_check_duplicates(self, vals_list):
        """A clear message for a repeated external id (the index stays the guard).

        Linear: keys are counted once and the existing ones read in one query.
        Uniqueness is per company and source; only events of the caller's
        companies are looked at.
        """
        keys = [
            (
                vals.get("company_id") or self.env.company.id,
                vals.get("source") or "",
                vals["external_id"],
            )
            for vals in vals_list
            if vals.get("external_id")
        ]
        if not keys:
            return
        counts = Counter(keys)
        duplicates = {key for key, count in counts.items() if count > 1}
        existing = self.search_fetch(
            [
                ("external_id", "in", list({key[2] for key in keys})),
                ("company_id", "in", list({key[0] for key in keys})),
            ],
            ["company_id", "source", "external_id"],
        )
        duplicates |= {
            (event.company_id.id, event.source or "", event.external_id)
            for event in existing
        } & counts.keys()
        if duplicates:
            raise ValidationError(
                _(
                    "This event was already received from this source: %s.",
                    ", ".join(sorted(key[2] for key in duplicates)),
                )
            )
