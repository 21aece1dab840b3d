# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Score receipts: what each health snapshot was computed from, and why it moved."""

from odoo import api, fields, models
from odoo.tools import SQL

# A score resting on fewer inputs than this, or mostly on contacts nobody
# documented, is marked uncertain (SPEC § Health over time).
UNCERTAIN_MIN_INPUTS = 3
UNCERTAIN_UNDOCUMENTED_SHARE = 0.5

# receipt column -> column of the health engine's ``final`` row
RECEIPT_COLUMNS = {
    "csat_avg": "csat_avg",
    "csat_count": "csat_n",
    "quality_avg": "q_avg",
    "quality_count": "q_n",
    "goal_count": "goal_n",
    "cx_weight": "w",
    "green_threshold": "green",
    "yellow_threshold": "yellow",
    "profile_id": "profile_id",
    "interaction_count": "doc_n",
    "undocumented_count": "draft_n",
    "uncertain": "uncertain",
}


def _scaled(avg):
    """A 1–5 average on the 0–100 scale of CX (SPEC)."""
    return None if avg is None else (avg - 1) / 4 * 100


class XrmHealthSnapshot(models.Model):
    _inherit = "xrm.health.snapshot"

    has_receipt = fields.Boolean(
        readonly=True,
        help="Computed since score receipts exist: its inputs are kept. "
        "Older snapshots only have their scores.",
    )
    csat_avg = fields.Float(string="Ticket Rating Average", digits=(3, 2))
    csat_count = fields.Integer(string="Ticket Ratings")
    quality_avg = fields.Float(string="Interaction Quality Average", digits=(3, 2))
    quality_count = fields.Integer(string="Rated Interactions")
    goal_count = fields.Integer(string="Goals")
    cx_weight = fields.Float(string="CX Weight", digits=(3, 2))
    green_threshold = fields.Float(string="Green From")
    yellow_threshold = fields.Float(string="Yellow From")
    profile_id = fields.Many2one(
        "xrm.health.profile",
        string="Health Profile",
        ondelete="set null",
        help="Empty: the Settings values were used.",
    )
    interaction_count = fields.Integer(string="Contacts")
    undocumented_count = fields.Integer(string="Undocumented Contacts")
    uncertain = fields.Boolean(
        help="Built from very few inputs or mostly from contacts nobody "
        "documented: read it with care.",
    )
    previous_id = fields.Many2one(
        "xrm.health.snapshot", string="Previous Score", compute="_compute_change"
    )
    cs_change = fields.Float(string="Change", digits=(5, 1), compute="_compute_change")
    change_summary = fields.Text(string="Why It Changed", compute="_compute_change")

    @api.model
    def _xrm_receipt_sql(self, alias):
        """SQL pieces the health engine writes the receipt with."""
        row = SQL.identifier(alias)
        columns = list(RECEIPT_COLUMNS)
        return {
            "receipt_columns": SQL(", ").join(
                [SQL.identifier(c) for c in ["has_receipt", *columns]]
            ),
            "receipt_values": SQL(", ").join(
                [SQL("TRUE")]
                + [
                    SQL("%s.%s", row, SQL.identifier(c))
                    for c in RECEIPT_COLUMNS.values()
                ]
            ),
            "receipt_updates": SQL(", ").join(
                SQL("%s = EXCLUDED.%s", SQL.identifier(c), SQL.identifier(c))
                for c in ["has_receipt", *columns]
            ),
            "uncertain": SQL(
                "(csat_n + q_n + goal_n < %s OR (doc_n > 0 AND draft_n > %s * doc_n))",
                UNCERTAIN_MIN_INPUTS,
                UNCERTAIN_UNDOCUMENTED_SHARE,
            ),
        }

    def _xrm_replay(self):
        """(CX, CO, CS, health) recomputed from this receipt alone (SPEC formulas).

        Lets anyone check a past score without the records it came from.
        """
        self.ensure_one()
        parts = [
            _scaled(avg)
            for avg, count in (
                (self.csat_avg, self.csat_count),
                (self.quality_avg, self.quality_count),
            )
            if count
        ]
        cx = sum(parts) / len(parts) if parts else None
        co = self.co_score if self.goal_count else None
        if cx is not None and co is not None:
            cs = self.cx_weight * cx + (1 - self.cx_weight) * co
        else:
            cs = cx if cx is not None else co
        if cs is None:
            health = False
        elif cs >= self.green_threshold:
            health = "green"
        elif cs >= self.yellow_threshold:
            health = "yellow"
        else:
            health = "red"
        return cx, co, cs, health

    @api.depends("partner_id", "date", "cs_score")
    def _compute_change(self):
        for snap in self:
            previous = (
                self.search(
                    [
                        ("partner_id", "=", snap.partner_id.id),
                        ("date", "<", snap.date),
                    ],
                    order="date desc, id desc",
                    limit=1,
                )
                if snap.partner_id and snap.date
                else self.browse()
            )
            snap.previous_id = previous
            snap.cs_change = snap.cs_score - previous.cs_score if previous else 0.0
            snap.change_summary = "\n".join(
                text for _key, text in snap._xrm_change_reasons(previous)
            )

    def _xrm_change_reasons(self, previous):
        """[(input, sentence)] of the inputs that differ from ``previous``.

        ``input`` is ``ratings``, ``interactions``, ``goals``, ``weight`` or
        ``bands``: one entry per input that changed, so a single changed
        rating gives exactly one reason.
        """
        self.ensure_one()
        _ = self.env._
        if not previous:
            return [("first", _("First score: nothing to compare with."))]
        if not (self.has_receipt and previous.has_receipt):
            return [
                (
                    "no_receipt",
                    _(
                        "CS %(change)+.1f since %(date)s (no receipt kept for "
                        "scores computed before receipts existed).",
                        change=self.cs_score - previous.cs_score,
                        date=previous.date,
                    ),
                )
            ]
        reasons = []
        cx_change = (self.cx_score or 0.0) - (previous.cx_score or 0.0)
        for key, label, avg_field, count_field in (
            ("ratings", _("ticket ratings"), "csat_avg", "csat_count"),
            ("interactions", _("rated interactions"), "quality_avg", "quality_count"),
        ):
            text = self._xrm_part_change(previous, label, avg_field, count_field)
            if text:
                reasons.append(
                    (key, _("CX %(change)+.1f: %(what)s", change=cx_change, what=text))
                )
        if (self.goal_count, round(self.co_score or 0.0, 2)) != (
            previous.goal_count,
            round(previous.co_score or 0.0, 2),
        ):
            reasons.append(
                (
                    "goals",
                    _(
                        "CO %(change)+.1f: %(old_n)s → %(new_n)s goals, mean "
                        "progress %(old).0f → %(new).0f",
                        change=(self.co_score or 0.0) - (previous.co_score or 0.0),
                        old_n=previous.goal_count,
                        new_n=self.goal_count,
                        old=previous.co_score or 0.0,
                        new=self.co_score or 0.0,
                    ),
                )
            )
        if round(self.cx_weight, 2) != round(previous.cx_weight, 2):
            reasons.append(
                (
                    "weight",
                    _(
                        "CX weight %(old).2f → %(new).2f",
                        old=previous.cx_weight,
                        new=self.cx_weight,
                    ),
                )
            )
        if (self.green_threshold, self.yellow_threshold) != (
            previous.green_threshold,
            previous.yellow_threshold,
        ):
            reasons.append(
                (
                    "bands",
                    _(
                        "health bands green/yellow %(og).0f/%(oy).0f → "
                        "%(ng).0f/%(ny).0f",
                        og=previous.green_threshold,
                        oy=previous.yellow_threshold,
                        ng=self.green_threshold,
                        ny=self.yellow_threshold,
                    ),
                )
            )
        return reasons

    def _xrm_part_change(self, previous, label, avg_field, count_field):
        """One sentence on how one CX part moved, or '' when it did not."""
        _ = self.env._
        old_n, new_n = previous[count_field], self[count_field]
        old_avg = previous[avg_field] if old_n else 0.0
        new_avg = self[avg_field] if new_n else 0.0
        if old_n == new_n and round(old_avg, 2) == round(new_avg, 2):
            return ""
        if new_n > old_n:
            # What the new ones averaged: total now minus total before.
            added = (new_n * new_avg - old_n * old_avg) / (new_n - old_n)
            return _(
                "%(count)s new %(label)s averaging %(added).1f "
                "(%(old_n)s → %(new_n)s, average %(old).2f → %(new).2f)",
                count=new_n - old_n,
                label=label,
                added=added,
                old_n=old_n,
                new_n=new_n,
                old=old_avg,
                new=new_avg,
            )
        if new_n < old_n:
            return _(
                "%(count)s %(label)s left the 365-day window "
                "(%(old_n)s → %(new_n)s, average %(old).2f → %(new).2f)",
                count=old_n - new_n,
                label=label,
                old_n=old_n,
                new_n=new_n,
                old=old_avg,
                new=new_avg,
            )
        return _(
            "%(label)s changed: average %(old).2f → %(new).2f (%(count)s of them)",
            label=label,
            old=old_avg,
            new=new_avg,
            count=new_n,
        )
