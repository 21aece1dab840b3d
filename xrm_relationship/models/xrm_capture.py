# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import _, api, fields, models
from odoo.exceptions import MissingError
from odoo.tools import format_datetime

from ..tools.capture import capture_suspended, isolated, run_isolated
from ..tools.constants import RELATIONSHIP_DOCUMENTS, XRM_PREFETCH
from ..tools.settings import xrm_setting

CAPTURE_PARTNER_FIELDS = ["name", "commercial_partner_id", "company_id"]


class XrmCapture(models.AbstractModel):
    """Contacts the system sees become draft interactions.

    Mixed into the models whose events are contacts (mail.message,
    mail.activity, calendar.event): each one says which of its events are
    contacts and with whom; this says where they are remembered, in which
    company and when, once per event, without ever refusing the event.
    """

    _name = "xrm.capture"
    _description = "Relationship Capture"

    @api.model
    def _xrm_capture_enabled(self, channel_key):
        if capture_suspended(self.env):
            return False
        return xrm_setting(self.env, f"capture_{channel_key}")

    @api.model
    def _xrm_links_for(self, model, res_ids, answers=False):
        """{res_id: vals} linking an interaction to the record it happened on.

        ``answers``: the contacts are ours (outbound), so a lead's first
        response is read next: it is read with the rest of the lead.
        """
        links = {}
        if model not in RELATIONSHIP_DOCUMENTS:
            return links
        # The documents are read from the cache when they are there (the
        # message was just posted on them): no query asking if they exist.
        records = self.env[model].sudo().browse(res_ids)
        if answers and model == "crm.lead":
            # The first response (the addon's prefetch group) with the rest
            # of the lead, not in a query of its own later.
            records.fetch(
                [
                    name
                    for name, field in records._fields.items()
                    if field.prefetch is True or field.prefetch == XRM_PREFETCH
                ]
            )
        for record in records:
            try:
                vals = self._xrm_link_vals(record)
                if vals["partner_id"]:
                    vals["company_id"] = (
                        record.company_id.id if "company_id" in record else False
                    ) or self.env.company.id
                    links[record.id] = vals
            except MissingError:
                continue  # deleted meanwhile: nothing to link to
        return links

    @api.model
    def _xrm_link_vals(self, record):
        if record._name == "res.partner":
            return {"partner_id": record.id, "user_id": record.user_id.id}
        if record._name == "crm.lead":
            return {
                "partner_id": record.partner_id.id,
                "lead_id": record.id,
                "user_id": record.user_id.id,
                "team_id": record.team_id.id,
            }
        return {
            "partner_id": record.partner_id.id,
            "ticket_id": record.id,
            "user_id": record.user_id.id,
        }

    @api.model
    def _xrm_capture_company(self, vals):
        """The company a captured interaction lives in.

        The document's (or, without one, the relationship's) when the
        relationship may be used there; otherwise the relationship's own, so
        a customer of another company on a ticket is still remembered, where
        that company's people see it. A contact person of yet another company
        is left out rather than refusing the capture.
        """
        Partner = self.env["res.partner"].sudo()
        partner = Partner.browse(vals["partner_id"]).commercial_partner_id
        company = self.env["res.company"].browse(
            vals.get("company_id") or partner.company_id.id or self.env.company.id
        )
        if partner.company_id and partner.company_id != company:
            company = partner.company_id
        contact = Partner.browse(vals.get("contact_id") or [])
        if contact.company_id and contact.company_id != company:
            vals["contact_id"] = False
        vals["company_id"] = company.id
        return vals

    @api.model
    def _xrm_capture(self, vals_list, check_existing=True):
        """Create draft interactions for events not captured yet (by source_ref).

        Never refuses the event that triggered it: impossible dates are
        clamped, the company is made consistent with the relationship, and
        an event that still cannot be captured is skipped with a warning
        while the others of the batch are captured. ``check_existing=False``:
        the events were just created, none can have been captured (the
        unique index on source_ref still refuses a duplicate).
        """
        # sudo: capture happens on behalf of the system, whoever triggered it.
        Interaction = self.env["xrm.interaction"].sudo()
        vals_list = [
            v for v in vals_list if v.get("partner_id") and v.get("source_ref")
        ]
        if not vals_list:
            return self.env["xrm.interaction"]
        existing = set()
        if check_existing:
            existing = set(
                Interaction.with_context(active_test=False)
                .search([("source_ref", "in", [v["source_ref"] for v in vals_list])])
                .mapped("source_ref")
            )
        # What capture and the interaction's create read of the relationships
        # (the document's partner is rarely in the cache yet): these columns
        # alone, in one query, not the whole wide partner row.
        self.env["res.partner"].sudo().browse(
            {v["partner_id"] for v in vals_list}
        ).fetch(CAPTURE_PARTNER_FIELDS)
        now = fields.Datetime.now()
        new_vals, seen, future = [], set(), {}
        for event_vals in vals_list:
            if event_vals["source_ref"] in existing or event_vals["source_ref"] in seen:
                continue
            seen.add(event_vals["source_ref"])
            vals = self._xrm_capture_company(dict(event_vals, state="draft"))
            date = fields.Datetime.to_datetime(vals.get("date"))
            if date and date > now:
                # A sender's clock (or a forged Date: header) in the future.
                future[vals["source_ref"]] = date
                vals["date"] = now
            new_vals.append(vals)
        if not new_vals:
            return self.env["xrm.interaction"]
        batch = len(new_vals) > 1
        if not batch and isolated(self.env):
            # One event, inside its caller's savepoint already: a second one
            # would isolate nothing more.
            return self._xrm_capture_create(new_vals, future)
        captured = run_isolated(
            self.env,
            self._xrm_capture_create,
            new_vals,
            future,
            what=f"capture of {new_vals[0]['source_ref']}" + (" and more" * batch),
            level=logging.INFO if batch else logging.WARNING,
        )
        if captured is None and batch:
            # One bad event must not cost the others: one savepoint each.
            captured = Interaction
            for vals in new_vals:
                captured |= (
                    run_isolated(
                        self.env,
                        self._xrm_capture_create,
                        [vals],
                        future,
                        what=f"capture of {vals['source_ref']}",
                    )
                    or Interaction
                )
        return captured or Interaction

    @api.model
    def _xrm_capture_create(self, vals_list, future):
        # A captured draft is the system's note of a contact: no "created"
        # line in its chatter, no followers, no "assigned to you" email to
        # the salesperson per captured message (they follow the document).
        Interaction = self.env["xrm.interaction"].sudo()
        records = Interaction._xrm_insert_drafts(vals_list)
        if records is None:
            records = (
                Interaction.with_context(tracking_disable=True)
                .create(vals_list)
                .with_env(Interaction.env)  # later edits are tracked as usual
            )
        for rec in records.filtered(lambda r: r.source_ref in future):
            rec._message_log(
                body=_(
                    "The event said it happened on %(claimed)s, in the future: "
                    "it is dated when it was received instead.",
                    claimed=format_datetime(self.env, future[rec.source_ref]),
                )
            )
        return records
