# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models

from .xrm_interaction import run_isolated


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    @api.model
    def _cron_xrm_capture_meetings(self, lookback_days=7, batch_size=200):
        """Meetings that ended recently with external attendees become contacts.

        Safe to run again: one interaction per (meeting, relationship), keyed
        by source_ref, so a run cut short resumes on the next one. Committed
        per batch; a meeting that cannot be captured is skipped with a
        warning, the rest of its batch is captured.
        """
        Interaction = self.env["xrm.interaction"]
        if not Interaction._xrm_capture_enabled("calendar"):
            return Interaction
        now = fields.Datetime.now()
        events = self.sudo().search(
            [("stop", "<=", now), ("stop", ">=", now - timedelta(days=lookback_days))],
            order="id",
        )
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(events))
        captured = Interaction.sudo()
        for index in range(0, len(events), batch_size):
            batch = events[index : index + batch_size]
            captured |= (
                run_isolated(
                    self.env,
                    batch._xrm_capture_meetings,
                    what=f"capture of calendar.event {batch[:1].id} and next",
                )
                or Interaction.sudo()
            )
            if not Cron._commit_progress(len(batch)):
                break  # out of time: Odoo calls the job again for the rest
        return captured

    def _xrm_capture_meetings(self):
        Interaction = self.env["xrm.interaction"]
        vals_list = []
        for event in self:
            internal = event.partner_ids.filtered(
                lambda p: p.user_ids and not all(u.share for u in p.user_ids)
            )
            externals = (event.partner_ids - internal).commercial_partner_id
            lead = (
                self.env["crm.lead"].browse(event.res_id)
                if event.res_model == "crm.lead" and event.res_id
                else self.env["crm.lead"]
            )
            for commercial in externals:
                vals = {
                    "partner_id": commercial.id,
                    "contact_id": (event.partner_ids - internal)
                    .filtered(lambda p, c=commercial: p.commercial_partner_id == c)[:1]
                    .id,
                    "date": event.start,
                    "channel": "meeting",
                    "direction": "outbound",
                    "user_id": event.user_id.id,
                    "source_ref": f"calendar.event,{event.id},{commercial.id}",
                }
                if lead and lead.partner_id.commercial_partner_id == commercial:
                    vals["lead_id"] = lead.id
                vals_list.append(vals)
        return Interaction._xrm_capture(vals_list)
