# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "xrm.context.mixin"]
    _xrm_interaction_field = "lead_id"

    # Fast first response to leads from the website (or other configured
    # UTM sources / mediums of the company).
    xrm_fast_response = fields.Boolean(
        string="Fast Response Expected",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Arrived from a source the company answers within minutes "
        "(Settings ▸ XRM ▸ Fast first response).",
    )
    xrm_ack_sent_date = fields.Datetime(
        string="Acknowledged On",
        readonly=True,
        copy=False,
        help="When the automatic acknowledgement was sent; it is sent once.",
    )
    xrm_first_response_date = fields.Datetime(
        string="First Response On",
        readonly=True,
        copy=False,
        help="First outbound contact or message by an internal user after the "
        "lead was created; the acknowledgement does not count.",
    )
    xrm_first_response_user_id = fields.Many2one(
        "res.users", string="First Response By", readonly=True, copy=False
    )
    xrm_first_response_minutes = fields.Float(
        string="Minutes to First Response",
        digits=(16, 1),
        compute="_compute_xrm_first_response_minutes",
        store=True,
        aggregator="avg",
    )
    xrm_waiting_minutes = fields.Integer(
        string="Waiting For an Answer (min)",
        compute="_compute_xrm_waiting_minutes",
    )

    @api.depends("create_date", "xrm_first_response_date")
    def _compute_xrm_first_response_minutes(self):
        for lead in self:
            if lead.create_date and lead.xrm_first_response_date:
                delta = lead.xrm_first_response_date - lead.create_date
                lead.xrm_first_response_minutes = delta.total_seconds() / 60.0
            else:
                lead.xrm_first_response_minutes = 0.0

    def _compute_xrm_waiting_minutes(self):
        now = fields.Datetime.now()
        for lead in self:
            if lead.create_date and not lead.xrm_first_response_date:
                lead.xrm_waiting_minutes = int(
                    (now - lead.create_date).total_seconds() // 60
                )
            else:
                lead.xrm_waiting_minutes = 0

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if self.env.context.get("xrm_no_ack"):
            return leads
        fast = leads.filtered(lambda lead: lead._xrm_is_fast_response_source())
        if fast:
            fast.sudo().write({"xrm_fast_response": True})
            # On creation only: an update never acknowledges again.
            fast._xrm_send_acknowledgement()
        return leads

    def copy(self, default=None):
        # A duplicate is our own doing: the customer was answered already.
        return super(CrmLead, self.with_context(xrm_no_ack=True)).copy(default)

    def _xrm_is_fast_response_source(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        return bool(
            (self.source_id and self.source_id in company.xrm_ack_source_ids)
            or (self.medium_id and self.medium_id in company.xrm_ack_medium_ids)
        )

    def _xrm_ack_template(self):
        self.ensure_one()
        return self.team_id.xrm_ack_template_id or self.env.ref(
            "xrm_relationship.mail_template_xrm_lead_ack", raise_if_not_found=False
        )

    def _xrm_send_acknowledgement(self):
        """Send the team's acknowledgement once per lead that has an email.

        Sent without capture: an automatic email is neither a human answer
        nor contact pressure.
        """
        sent = self.browse()
        for lead in self.sudo():
            template = lead._xrm_ack_template()
            if lead.xrm_ack_sent_date or not lead.email_from or not template:
                continue
            try:
                with self.env.cr.savepoint():
                    template.with_context(xrm_no_capture=True).send_mail(
                        lead.id,
                        email_layout_xmlid="mail.mail_notification_light",
                    )
                    lead.xrm_ack_sent_date = fields.Datetime.now()
                    lead.with_context(xrm_no_capture=True)._message_log(
                        body=self.env._(
                            "Acknowledgement “%(template)s” sent to %(email)s.",
                            template=template.name,
                            email=lead.email_from,
                        )
                    )
            except Exception:  # a broken template must not lose the lead
                _logger.exception("XRM: acknowledgement of lead %s failed", lead.id)
                continue
            sent |= lead
        return sent

    def _xrm_set_first_response(self, date, user):
        """Keep the earliest human answer given after the lead was created."""
        for lead in self.sudo():
            if not date or not lead.create_date or date < lead.create_date:
                continue
            if lead.xrm_first_response_date and lead.xrm_first_response_date <= date:
                continue
            lead.write(
                {
                    "xrm_first_response_date": date,
                    "xrm_first_response_user_id": user.id if user else False,
                }
            )

    def action_set_won(self):
        res = super().action_set_won()
        Partner = self.env["res.partner"]
        if Partner._xrm_setting("auto_won"):
            role = Partner._xrm_setting("auto_won_role", "onboarding")
            won = self.filtered(lambda lead: lead.won_status == "won")
            won.partner_id.commercial_partner_id._xrm_auto_move(
                role, reason=self.env._("Opportunity won")
            )
        return res
