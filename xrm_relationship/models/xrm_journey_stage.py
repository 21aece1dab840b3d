# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, fields, models

from ..tools.batch import run_in_batches
from ..tools.settings import xrm_setting

_logger = logging.getLogger(__name__)


class XrmJourneyStage(models.Model):
    """A stage of the relationship journey, and the automatic moves between them.

    The moves (each switchable in Settings) target the stage holding an
    automation role; the partner's write records each move as a transition.
    """

    _name = "xrm.journey.stage"
    _description = "Relationship Journey Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(help="Folded in the relationship kanban.")
    is_churn = fields.Boolean(
        string="Churn Stage",
        help="Entering this stage sets the partner's churn date; leaving it clears it.",
    )
    max_days = fields.Integer(
        string="Maximum Days",
        help="How long a relationship should stay in this stage; 0 means no limit. "
        "Relationships that stay longer are marked overdue.",
    )
    automation_role = fields.Selection(
        [
            ("first_contact", "First contact"),
            ("onboarding", "Onboarding"),
            ("active", "Active"),
            ("support", "Support"),
            ("at_risk", "At risk"),
        ],
        help="Automatic journey moves target the stage holding this role.",
    )

    _max_days_positive = models.Constraint(
        "CHECK(max_days >= 0)", "A stage's maximum days cannot be negative."
    )
    _automation_role_unique = models.Constraint(
        "UNIQUE(automation_role)", "Only one stage can hold each automation role."
    )

    # ------------------------------------------------------------------
    # Automatic journey moves (each switchable in Settings)
    # ------------------------------------------------------------------
    @api.model
    def _xrm_auto_move(self, partners, role, reason=False):
        """Move ``partners`` to the stage holding ``role``; return those moved.

        Churned relationships are left alone: coming back is a decision a
        person records.
        """
        stage = self.search([("automation_role", "=", role)], limit=1)
        if not stage:
            return partners.browse()
        movers = partners.filtered(
            lambda p: p.xrm_stage_id != stage and not p.xrm_stage_id.is_churn
        )
        if movers:
            movers.sudo().with_context(xrm_stage_reason=reason).write(
                {"xrm_stage_id": stage.id}
            )
        return movers

    @api.model
    def _xrm_leave_support(self, partners):
        """All tickets closed: back to the stage held before Support."""
        # Server code on behalf of whoever closed the ticket (a helpdesk agent
        # may have no XRM rights): the journey history is read as superuser.
        support = partners.sudo().filtered(
            lambda p: p.xrm_stage_id.automation_role == "support"
        )
        for partner in support:
            entry = partner.xrm_transition_ids.filtered(
                lambda t, stage=partner.xrm_stage_id: t.to_stage_id == stage
            ).sorted(lambda t: (t.date, t.id))[-1:]
            back_to = entry.from_stage_id or self.search(
                [("automation_role", "=", "active")], limit=1
            )
            if back_to:
                partner.with_context(
                    xrm_stage_reason=self.env._("All tickets closed")
                ).write({"xrm_stage_id": back_to.id})

    @api.model
    def _cron_xrm_at_risk(self, batch_size=5000):
        """No meaningful contact for N days moves a relationship to At risk.

        Batch by batch; those moved leave the candidates, so a run stopped
        by the cron's time budget resumes with the rest.
        """
        Partner = self.env["res.partner"].sudo()
        if not xrm_setting(self.env, "auto_at_risk"):
            return Partner.browse()
        days = int(xrm_setting(self.env, "at_risk_days", "90") or 90)
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        recent = (
            self.env["xrm.interaction"]
            .sudo()
            ._read_group(
                [("is_meaningful", "=", True), ("date", ">=", limit)], ["partner_id"]
            )
        )
        recent_ids = [partner.id for (partner,) in recent]
        reason = self.env._("No meaningful contact for %(days)s days", days=days)
        moved = []
        run_in_batches(
            Partner,
            [
                ("xrm_stage_id", "!=", False),
                ("xrm_stage_id.is_churn", "=", False),
                ("xrm_stage_id.automation_role", "not in", ["at_risk"]),
                ("xrm_stage_date", "<", limit),
                ("id", "not in", recent_ids),
            ],
            lambda batch: moved.append(
                self._xrm_auto_move(batch, "at_risk", reason=reason)
            ),
            batch_size=batch_size,
            logger=_logger,
            label="XRM at risk",
        )
        return Partner.union(*moved)
