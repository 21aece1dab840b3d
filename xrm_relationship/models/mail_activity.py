# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from ..tools.capture import run_isolated


class MailActivity(models.Model):
    _name = "mail.activity"
    _inherit = ["mail.activity", "xrm.capture"]

    # Which relationship early warning this activity is, so a warning is
    # never scheduled twice for the same partner.
    xrm_warning_kind = fields.Selection(
        [
            ("no_contact", "No Meaningful Contact"),
            ("health_red", "Health Red"),
            ("stage_overdue", "Stage Overdue"),
            ("churn_risk", "Churn Risk"),
        ],
        string="Relationship Warning",
        index="btree_not_null",
        readonly=True,
    )

    def _xrm_channel(self):
        """Calls, meetings and emails are contacts; to-dos and uploads are not."""
        self.ensure_one()
        activity_type = self.activity_type_id
        by_xmlid = {
            "mail.mail_activity_data_call": "phone",
            "mail.mail_activity_data_meeting": "meeting",
            "mail.mail_activity_data_email": "email",
        }
        IrModelData = self.env["ir.model.data"]
        for xmlid, channel in by_xmlid.items():
            # Cached id, no query (env.ref would check the type still exists).
            if activity_type.id == IrModelData._xmlid_to_res_id(
                xmlid, raise_if_not_found=False
            ):
                return channel
        return {"phonecall": "phone", "meeting": "meeting"}.get(activity_type.category)

    def _action_done(self, feedback=False, attachment_ids=None):
        # Capture before super(): done activities are archived or deleted there.
        # Isolated: a capture problem never stops an activity being done.
        run_isolated(
            self.env,
            self._xrm_capture_done_activities,
            what=f"capture of mail.activity {self.ids}",
        )
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def _xrm_capture_done_activities(self):
        if not self._xrm_capture_enabled("activity"):
            return self.env["xrm.interaction"]
        vals_list = []
        now = fields.Datetime.now()
        for model, activities in (
            self.filtered("res_model").grouped("res_model").items()
        ):
            links = self._xrm_links_for(
                model, activities.mapped("res_id"), answers=True
            )
            for activity in activities:
                channel = activity._xrm_channel()
                if not channel or activity.res_id not in links:
                    continue
                vals = dict(links[activity.res_id])
                vals.update(
                    {
                        "date": now,
                        "channel": channel,
                        "direction": "outbound",
                        "user_id": activity.user_id.id or self.env.user.id,
                        "source_ref": f"mail.activity,{activity.id}",
                    }
                )
                vals_list.append(vals)
        # Capture runs when an activity is done, which archives it: only an
        # archived one (done again) may have been captured before.
        return self._xrm_capture(
            vals_list, check_existing=not all(self.mapped("active"))
        )
