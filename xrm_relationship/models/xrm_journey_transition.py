# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class XrmJourneyTransition(models.Model):
    """One move of a relationship from a journey stage to another."""

    _name = "xrm.journey.transition"
    _description = "Relationship Journey Transition"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True
    )
    from_stage_id = fields.Many2one("xrm.journey.stage", ondelete="restrict")
    to_stage_id = fields.Many2one("xrm.journey.stage", ondelete="restrict", index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users", string="Moved By", default=lambda self: self.env.user
    )
    days_in_previous_stage = fields.Float(
        digits=(16, 2),
        aggregator="avg",
        help="Time the relationship had spent in the stage it left.",
    )
    reason = fields.Char()

    @api.model
    def _xrm_log_moves(self, partners, previous, reason=False):
        """One transition per partner, into the stage it holds now.

        ``previous`` maps a partner id to the (stage, entry date) it left;
        partners missing from it come from no stage.
        """
        now = fields.Datetime.now()
        no_stage = self.env["xrm.journey.stage"]
        vals_list = []
        for partner in partners:
            from_stage, since = previous.get(partner.id, (no_stage, False))
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "from_stage_id": from_stage.id,
                    "to_stage_id": partner.xrm_stage_id.id,
                    "date": now,
                    "days_in_previous_stage": (now - since).total_seconds() / 86400
                    if since
                    else 0.0,
                    "reason": reason,
                }
            )
        return self.sudo().create(vals_list)
