# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.rules import no_meaningful_contact_sql, stage_overdue_sql
from ..tools.settings import xrm_setting


class XrmEarlyWarning(models.AbstractModel):
    """Partner-level early warnings (SPEC § KPIs) and their activities.

    No meaningful contact for N days, health turning red, stage overdue:
    one activity per partner and kind for the partner's salesperson, never
    duplicated, marked done when the warning no longer holds.
    """

    _name = "xrm.early.warning"
    _description = "Relationship Early Warnings"

    @api.model
    def _xrm_no_contact_limit(self, now):
        """Before this instant, no meaningful contact raises a warning."""
        days = int(xrm_setting(self.env, "warning_no_contact_days", "60") or 60)
        return now - timedelta(days=days)

    @api.model
    def _xrm_warning_candidates(self):
        """{(partner_id, kind): salesperson_id} of warnings that hold now."""
        now = fields.Datetime.now()
        limit = self._xrm_no_contact_limit(now)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.user_id, kind.name
                  FROM res_partner p
                  JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
                  JOIN res_users u ON u.id = p.user_id AND u.active
                  CROSS JOIN LATERAL (VALUES
                    ('no_contact', p.xrm_stage_date < %(limit)s AND %(silent)s),
                    ('health_red', p.xrm_health = 'red'),
                    ('stage_overdue', %(overdue)s)
                  ) AS kind(name, holds)
                 WHERE p.active AND p.id = p.commercial_partner_id
                   AND s.is_churn IS NOT TRUE AND kind.holds
                """,
                limit=limit,
                silent=no_meaningful_contact_sql("p", limit),
                overdue=stage_overdue_sql("p", "s", now),
            )
        )
        return {(pid, kind): user_id for pid, user_id, kind in self.env.cr.fetchall()}

    @api.model
    def _cron_xrm_early_warnings(self):
        """Schedule the warnings that hold and close those that no longer do."""
        Activity = self.env["mail.activity"].sudo()
        candidates = self._xrm_warning_candidates()
        open_warnings = Activity.search(
            [("res_model", "=", "res.partner"), ("xrm_warning_kind", "!=", False)]
        )
        existing = {(a.res_id, a.xrm_warning_kind): a for a in open_warnings}
        cleared = Activity.browse(
            a.id for key, a in existing.items() if key not in candidates
        )
        if cleared:
            cleared.action_feedback(feedback=self.env._("The warning has cleared."))
        activity_type = self.env.ref("xrm_relationship.mail_activity_type_xrm_warning")
        model_id = self.env["ir.model"]._get_id("res.partner")
        kinds = dict(
            Activity._fields["xrm_warning_kind"]._description_selection(self.env)
        )
        deadline = fields.Date.context_today(self) + timedelta(days=2)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": partner_id,
                "activity_type_id": activity_type.id,
                "user_id": user_id,
                "date_deadline": deadline,
                "summary": kinds[kind],
                "xrm_warning_kind": kind,
            }
            for (partner_id, kind), user_id in sorted(candidates.items())
            if (partner_id, kind) not in existing
        ]
        created = Activity.create(vals_list)
        return created, cleared
