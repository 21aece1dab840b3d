# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Health over time on the relationship: trend, change, confidence, churn risk."""

from datetime import timedelta

from odoo import api, fields, models

from ..tools.constants import INTERNAL, XRM_PREFETCH

TREND_WEEKS = 12
# One block per week on the absolute 0–100 scale (not stretched to the
# partner's own range, which would make a flat score look dramatic).
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values):
    """Text sparkline of 0–100 values; None (no score that week) is a dot."""
    top = len(SPARK_BLOCKS) - 1
    return "".join(
        "·"
        if value is None
        else SPARK_BLOCKS[min(top, max(0, round(value / 100 * top)))]
        for value in values
    )


# Kept apart from res_partner.py on purpose: health over time is one concept
# with its own file, as the engines live on their own models.
class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # Written by the health engine with the receipt (xrm.health.snapshot).
    xrm_health_uncertain = fields.Boolean(
        string="Health Uncertain",
        readonly=True,
        groups=INTERNAL,
        help="The score rests on very few inputs or mostly on contacts nobody "
        "documented.",
        prefetch=XRM_PREFETCH,
    )
    xrm_cs_change = fields.Float(
        string="CS Change",
        digits=(5, 1),
        compute="_compute_xrm_health_trend",
        groups=INTERNAL,
    )
    xrm_cs_change_since = fields.Date(
        string="Changed Since",
        compute="_compute_xrm_health_trend",
        groups=INTERNAL,
        help="The day of the previous computed score the change is against.",
    )
    xrm_health_change_summary = fields.Text(
        string="Why It Changed", compute="_compute_xrm_health_trend", groups=INTERNAL
    )
    xrm_health_sparkline = fields.Char(
        string="12-Week Trend", compute="_compute_xrm_health_trend", groups=INTERNAL
    )
    # Written by the nightly churn scoring (xrm.churn.model).
    xrm_churn_risk = fields.Integer(
        string="Churn Risk",
        readonly=True,
        groups=INTERNAL,
        aggregator="avg",
        help="Chance (0–100) of entering a churn stage within 90 days, learned "
        "from the company's own history.",
        prefetch=XRM_PREFETCH,
    )
    xrm_churn_risk_factors = fields.Text(
        string="Churn Risk Reasons",
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )
    xrm_churn_risk_date = fields.Date(
        string="Churn Risk Scored On",
        readonly=True,
        groups=INTERNAL,
        prefetch=XRM_PREFETCH,
    )

    @api.depends("xrm_health_snapshot_ids.cs_score", "xrm_health_snapshot_ids.date")
    def _compute_xrm_health_trend(self):
        Snapshot = self.env["xrm.health.snapshot"]
        today = fields.Date.context_today(self)
        first = today - timedelta(weeks=TREND_WEEKS) + timedelta(days=1)
        for partner in self:
            snaps = Snapshot.search(
                [("partner_id", "=", partner._origin.id)],
                order="date desc, id desc",
                limit=2,
            )
            latest, previous = (snaps[:1], snaps[1:2])
            partner.xrm_cs_change = (
                latest.cs_score - previous.cs_score if previous else 0.0
            )
            partner.xrm_cs_change_since = previous.date if previous else False
            partner.xrm_health_change_summary = latest.change_summary or False
            weeks = [None] * TREND_WEEKS
            # The nightly job writes a snapshot only for relationships it
            # recomputed (their inputs changed): a week without one kept the
            # score before it.
            held = Snapshot.search(
                [("partner_id", "=", partner._origin.id), ("date", "<", first)],
                order="date desc, id desc",
                limit=1,
            )
            for snap in held + Snapshot.search(
                [("partner_id", "=", partner._origin.id), ("date", ">=", first)],
                order="date asc, id asc",
            ):
                # the week's last score stands for the week and the next ones
                week = max(0, min(TREND_WEEKS - 1, (snap.date - first).days // 7))
                weeks[week:] = [snap.cs_score] * (TREND_WEEKS - week)
            partner.xrm_health_sparkline = (
                sparkline(weeks) if any(w is not None for w in weeks) else False
            )
