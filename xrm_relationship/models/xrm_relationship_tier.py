# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.batch import id_array, without_jit
from ..tools.nightly import (
    changes_sql,
    fingerprint,
    moved,
    run_nightly_on_relationships,
)
from ..tools.rules import satisfied_sql
from ..tools.settings import xrm_setting_number

_logger = logging.getLogger(__name__)

# Signals of positive activity and their Settings weight (default).
TIER_SIGNALS = {
    "positive": 1.0,  # documented interactions with a positive outcome
    "engagement": 1.0,  # engagement events other than referrals
    "referral": 3.0,  # referred relationships and referral events
    "goal": 2.0,  # achieved customer goals
    "satisfied": 1.0,  # ticket ratings of 4 or 5
}


class XrmRelationshipTier(models.Model):
    """A priority level of relationships (key, growing, standard, dormant).

    Tiers reward consistent positive activity over rolling periods, not one
    big deal: a relationship's score adds its weighted signals per period,
    each period capped, so four steady quarters beat one busy week. Tiers are
    checked in sequence; the first whose minimum score and minimum number of
    active periods both hold applies.
    """

    _name = "xrm.relationship.tier"
    _description = "Relationship Tier"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: the tier applies to every company."
    )
    min_score = fields.Float(
        string="Minimum Score",
        digits=(5, 1),
        help="Score of 0-100: the capped, weighted positive activity of the "
        "rolling periods.",
    )
    min_active_periods = fields.Integer(
        help="How many of the rolling periods must have some positive activity."
    )
    appreciation_activity = fields.Boolean(
        string="Let Them Know They Matter",
        help="A relationship entering this tier gives its salesperson one "
        "activity: thank them, tell them they matter.",
    )
    color = fields.Integer()
    description = fields.Text(translate=True)
    partner_count = fields.Integer(
        string="Relationships", compute="_compute_partner_count"
    )

    @api.constrains("min_score", "min_active_periods")
    def _check_thresholds(self):
        periods = self._xrm_tier_params()["periods"]
        for tier in self:
            if not 0 <= tier.min_score <= 100:
                raise ValidationError(
                    _("The minimum score of %s must be between 0 and 100.", tier.name)
                )
            if not 0 <= tier.min_active_periods <= periods:
                raise ValidationError(
                    _(
                        "The minimum active periods of %(tier)s must be between 0 "
                        "and %(periods)s (the number of periods in the Settings).",
                        tier=tier.name,
                        periods=periods,
                    )
                )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("xrm_tier_id", "in", self.ids)], ["xrm_tier_id"], ["__count"]
            )
        )
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    def action_open_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xrm_relationship.res_partner_action_relationship"
        )
        action["domain"] = [("xrm_tier_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Assignment (set-based)
    # ------------------------------------------------------------------
    @api.model
    def _xrm_tier_params(self):
        """Settings of the tier score, with their defaults."""

        def number(key, default, cast=float):
            return xrm_setting_number(self.env, key, default, cast)

        params = {
            "period_days": max(number("tier_period_days", 90, int), 1),
            "periods": max(number("tier_periods", 4, int), 1),
            "cap": max(number("tier_period_cap", 10.0), 0.1),
        }
        params["weights"] = {
            kind: max(number(f"tier_weight_{kind}", default), 0.0)
            for kind, default in TIER_SIGNALS.items()
        }
        return params

    @api.model
    def _xrm_tier_reason(self, partner, params):
        """Why ``partner`` has its tier, in the reader's language (stored counts)."""
        if not partner.xrm_tier_date:
            return False
        signals = [
            (partner.xrm_tier_positive_count, _("positive interactions")),
            (partner.xrm_tier_engagement_count, _("engagement events")),
            (partner.xrm_tier_referral_count, _("referrals")),
            (partner.xrm_tier_goal_count, _("goals achieved")),
            (partner.xrm_tier_satisfied_count, _("satisfied ticket ratings")),
        ]
        found = ", ".join(f"{label} {count}" for count, label in signals if count)
        return _(
            "Score %(score)s / 100, active in %(active)s of %(periods)s periods "
            "of %(days)s days: %(signals)s.",
            score=round(partner.xrm_tier_score, 1),
            active=partner.xrm_tier_active_periods,
            periods=params["periods"],
            days=params["period_days"],
            signals=found or _("no positive activity"),
        )

    @api.model
    def _xrm_assign(self, partners, as_of=None):
        """Score ``partners`` (commercial entities) and set their tier.

        One statement for the whole batch; the few whose tier changed get a
        history line, a chatter note and, entering a tier that asks for it,
        one activity for their salesperson. Returns the history records.
        """
        partners = partners._xrm_commercial_entities()
        if not partners:
            return self.env["xrm.tier.history"]
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        params = self._xrm_tier_params()
        end = datetime.combine(as_of, time.min)
        period = timedelta(days=params["period_days"])
        start = end - period * params["periods"]
        weights = params["weights"]
        self.env.flush_all()
        query = SQL(
            """
            WITH target AS (
                -- the tier before, read here: a self-join of res_partner in
                -- the UPDATE is misestimated into a nested loop per row
                SELECT p.id, COALESCE(p.company_id, %(company)s) AS company_id,
                       p.xrm_tier_id AS old_tier_id, p.xrm_tier_since AS old_since
                  FROM res_partner p
                 WHERE p.id = ANY(%(ids)s)
            ), signal AS (
                SELECT i.partner_id, 'positive' AS kind, i.date
                  FROM xrm_interaction i
                 WHERE i.partner_id = ANY(%(ids)s) AND i.active
                   AND i.state = 'done' AND i.outcome = 'positive'
                   AND i.date >= %(start)s AND i.date < %(end)s
                UNION ALL
                SELECT e.partner_id,
                       CASE WHEN e.event_type = 'referral' THEN 'referral'
                            ELSE 'engagement' END,
                       e.date
                  FROM xrm_engagement_event e
                 WHERE e.partner_id = ANY(%(ids)s)
                   AND e.date >= %(start)s AND e.date < %(end)s
                UNION ALL
                SELECT r.xrm_referred_by_id, 'referral', r.create_date
                  FROM res_partner r
                 WHERE r.xrm_referred_by_id = ANY(%(ids)s) AND r.active
                   AND r.create_date >= %(start)s AND r.create_date < %(end)s
                UNION ALL
                -- Dated by the deadline; achieved early: the current period.
                SELECT g.partner_id, 'goal',
                       LEAST(COALESCE(g.deadline::timestamp, g.write_date),
                             %(last)s)
                  FROM xrm_customer_goal g
                 WHERE g.partner_id = ANY(%(ids)s) AND g.state = 'achieved'
                   AND COALESCE(g.deadline::timestamp, g.write_date) >= %(start)s
                UNION ALL
                -- The batch's tickets, then their ratings by ticket: joined
                -- freely, the planner misjudges the tickets of a batch (three
                -- times too many) and reads every rating (150 ms at 10x for
                -- 30 ms). OFFSET 0 keeps the sub-select a per-ticket probe.
                SELECT t.commercial_partner_id, 'satisfied', r.rated_on
                  FROM helpdesk_ticket t
                 CROSS JOIN LATERAL (
                    SELECT r.rated_on FROM rating_rating r
                     WHERE r.res_id = t.id AND r.res_model = 'helpdesk.ticket'
                       AND r.consumed AND %(satisfied)s
                       AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
                    OFFSET 0) r
                 WHERE t.active AND t.commercial_partner_id = ANY(%(ids)s)
            ), per_period AS (
                SELECT s.partner_id,
                       FLOOR(EXTRACT(EPOCH FROM (%(end)s - s.date))
                             / %(period_seconds)s)::int AS k,
                       SUM(CASE s.kind
                             WHEN 'positive' THEN %(w_positive)s
                             WHEN 'engagement' THEN %(w_engagement)s
                             WHEN 'referral' THEN %(w_referral)s
                             WHEN 'goal' THEN %(w_goal)s
                             ELSE %(w_satisfied)s END) AS points,
                       COUNT(*) FILTER (WHERE s.kind = 'positive') AS n_positive,
                       COUNT(*) FILTER (WHERE s.kind = 'engagement') AS n_engagement,
                       COUNT(*) FILTER (WHERE s.kind = 'referral') AS n_referral,
                       COUNT(*) FILTER (WHERE s.kind = 'goal') AS n_goal,
                       COUNT(*) FILTER (WHERE s.kind = 'satisfied') AS n_satisfied
                  FROM signal s
                 GROUP BY 1, 2
            ), per_partner AS (
                SELECT partner_id,
                       SUM(LEAST(points, %(cap)s)) AS capped,
                       COUNT(*) FILTER (WHERE points > 0) AS active_periods,
                       SUM(n_positive) AS n_positive,
                       SUM(n_engagement) AS n_engagement,
                       SUM(n_referral) AS n_referral,
                       SUM(n_goal) AS n_goal,
                       SUM(n_satisfied) AS n_satisfied
                  FROM per_period
                 GROUP BY 1
            ), scored AS (
                SELECT t.id, t.company_id, t.old_tier_id, t.old_since,
                       ROUND((100.0 * COALESCE(pp.capped, 0)
                              / %(max_points)s)::numeric, 1)::float8 AS score,
                       COALESCE(pp.active_periods, 0) AS active_periods,
                       COALESCE(pp.n_positive, 0) AS n_positive,
                       COALESCE(pp.n_engagement, 0) AS n_engagement,
                       COALESCE(pp.n_referral, 0) AS n_referral,
                       COALESCE(pp.n_goal, 0) AS n_goal,
                       COALESCE(pp.n_satisfied, 0) AS n_satisfied
                  FROM target t
                  LEFT JOIN per_partner pp ON pp.partner_id = t.id
            ), tiered AS (
                -- A handful of tiers: the first in sequence that holds.
                SELECT s.*,
                       (SELECT tr.id FROM xrm_relationship_tier tr
                         WHERE tr.active
                           AND (tr.company_id IS NULL
                                OR tr.company_id = s.company_id)
                           AND s.score >= COALESCE(tr.min_score, 0)
                           AND s.active_periods
                               >= COALESCE(tr.min_active_periods, 0)
                         ORDER BY tr.sequence, tr.id LIMIT 1) AS tier_id
                  FROM scored s
            )
            UPDATE res_partner p
               SET xrm_tier_id = f.tier_id, xrm_tier_score = f.score,
                   xrm_tier_active_periods = f.active_periods,
                   xrm_tier_positive_count = f.n_positive,
                   xrm_tier_engagement_count = f.n_engagement,
                   xrm_tier_referral_count = f.n_referral,
                   xrm_tier_goal_count = f.n_goal,
                   xrm_tier_satisfied_count = f.n_satisfied,
                   xrm_tier_date = %(as_of)s,
                   xrm_tier_since = CASE
                       WHEN f.old_tier_id IS DISTINCT FROM f.tier_id
                       THEN %(as_of)s ELSE f.old_since END
              FROM tiered f
             WHERE p.id = f.id
               -- the id list: the planner would otherwise read every
               -- partner for a batch scattered over the id range
               AND p.id = ANY(%(ids)s)
         RETURNING p.id, f.old_tier_id, f.tier_id, f.score, f.active_periods
            """,
            company=self.env.company.id,
            ids=id_array(partners.ids),
            start=start,
            end=end,
            last=end - timedelta(seconds=1),
            period_seconds=period.total_seconds(),
            cap=params["cap"],
            max_points=params["cap"] * params["periods"],
            as_of=as_of,
            satisfied=satisfied_sql("r"),
            **{f"w_{kind}": weight for kind, weight in weights.items()},
        )
        without_jit(self.env.cr)
        self.env.cr.execute(query)
        changes = [row for row in self.env.cr.fetchall() if row[1] != row[2]]
        tier_fields = [name for name in partners._fields if name.startswith("xrm_tier")]
        partners.invalidate_recordset(tier_fields)
        return self._xrm_after_tier_changes(changes, as_of)

    @api.model
    def _xrm_after_tier_changes(self, changes, as_of):
        """History, chatter note and appreciation activity for the changes."""
        History = self.env["xrm.tier.history"].sudo()
        if not changes:
            return History
        Partner = self.env["res.partner"].sudo()
        tiers = self.sudo().with_context(active_test=False)
        history = History.create(
            [
                {
                    "partner_id": pid,
                    "date": as_of,
                    "from_tier_id": old,
                    "to_tier_id": new,
                    "score": score,
                    "active_periods": active,
                }
                for pid, old, new, score, active in changes
            ]
        )
        # A first assignment is not news: only real moves go to the chatter.
        bodies = {}
        for pid, old, new, score, _active in changes:
            if old:
                bodies[pid] = self.env._(
                    "Relationship tier: %(old)s → %(new)s (score %(score)s).",
                    old=tiers.browse(old).name,
                    new=tiers.browse(new).name or self.env._("none"),
                    score=score,
                )
        if bodies:
            Partner.browse(list(bodies))._message_log_batch(bodies)
        entering = [
            pid
            for pid, old, new, _s, _a in changes
            if new
            and tiers.browse(new).appreciation_activity
            and not (old and tiers.browse(old).appreciation_activity)
        ]
        self._xrm_schedule_appreciation(Partner.browse(entering))
        return history

    @api.model
    def _xrm_schedule_appreciation(self, partners):
        """One "let them know they matter" activity per partner, never two."""
        partners = partners.filtered(lambda p: p.user_id and p.user_id.active)
        if not partners:
            return self.env["mail.activity"]
        activity_type = self.env.ref(
            "xrm_relationship.mail_activity_type_xrm_appreciation"
        )
        Activity = self.env["mail.activity"].sudo()
        pending = set(
            Activity.search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", partners.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ).mapped("res_id")
        )
        model_id = self.env["ir.model"]._get_id("res.partner")
        deadline = fields.Date.context_today(self) + timedelta(days=7)
        return Activity.create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": partner.user_id.id,
                    "date_deadline": deadline,
                    "summary": self.env._("Let %s know they matter", partner.name),
                    "note": self.env._(
                        "%(partner)s has entered the %(tier)s tier: %(reason)s "
                        "Thank them personally: a call, a note, an invitation.",
                        partner=partner.name,
                        tier=partner.xrm_tier_id.name,
                        reason=partner.xrm_tier_reason,
                    ),
                }
                for partner in partners
                if partner.id not in pending
            ]
        )

    @api.model
    def _xrm_tier_rules(self):
        """Everything besides the inputs that tiers depend on (fingerprint)."""
        tiers = self.sudo().with_context(active_test=False).search([], order="id")
        return fingerprint(
            {
                "params": self._xrm_tier_params(),
                "company": self.env.company.id,
                "tiers": tiers.read(
                    [
                        "sequence",
                        "active",
                        "company_id",
                        "min_score",
                        "min_active_periods",
                        "appreciation_activity",
                    ],
                    load=None,
                ),
            }
        )

    @api.model
    def _xrm_tier_changed_sql(self, run):
        """SQL partner ids whose tier inputs changed since ``run``'s watermark.

        Written, deleted or moved inputs, and every signal that crossed a
        period edge: periods roll with the as-of date, so a signal moving
        from one period to the next can change the capped score.
        """
        params = self._xrm_tier_params()
        period = timedelta(days=params["period_days"])
        old_end = datetime.combine(fields.Date.to_date(run.previous), time.min)
        end = datetime.combine(run.as_of, time.min)
        parts = [
            SQL(
                """
                SELECT id FROM res_partner WHERE write_date >= %(since)s
                UNION SELECT xrm_referred_by_id FROM res_partner
                       WHERE write_date >= %(since)s
                         AND xrm_referred_by_id IS NOT NULL
                UNION %(changes)s
                UNION SELECT partner_id FROM xrm_interaction
                       WHERE write_date >= %(since)s
                UNION SELECT partner_id FROM xrm_engagement_event
                       WHERE write_date >= %(since)s
                UNION SELECT partner_id FROM xrm_customer_goal
                       WHERE write_date >= %(since)s
                UNION SELECT commercial_partner_id FROM helpdesk_ticket
                       WHERE write_date >= %(since)s
                UNION SELECT t.commercial_partner_id
                        FROM rating_rating r JOIN helpdesk_ticket t ON t.id = r.res_id
                       WHERE r.res_model = 'helpdesk.ticket'
                         AND r.write_date >= %(since)s
                """,
                since=run.since,
                changes=changes_sql(run.since),
            )
        ]
        for k in range(params["periods"] + 1):
            old_edge, edge = old_end - k * period, end - k * period
            parts.append(
                SQL(
                    """
                    SELECT partner_id FROM xrm_interaction
                     WHERE outcome = 'positive' AND %(i)s
                    UNION SELECT partner_id FROM xrm_engagement_event WHERE %(e)s
                    UNION SELECT xrm_referred_by_id FROM res_partner
                           WHERE xrm_referred_by_id IS NOT NULL AND %(r)s
                    UNION SELECT partner_id FROM xrm_customer_goal
                           WHERE state = 'achieved' AND (%(g)s
                                 OR (deadline IS NULL AND %(gw)s))
                    UNION SELECT t.commercial_partner_id
                            FROM rating_rating r
                            JOIN helpdesk_ticket t ON t.id = r.res_id
                           WHERE r.res_model = 'helpdesk.ticket'
                             AND %(satisfied)s AND %(rt)s
                    """,
                    i=moved(SQL("date"), old_edge, edge),
                    e=moved(SQL("date"), old_edge, edge),
                    r=moved(SQL("create_date"), old_edge, edge),
                    g=moved(SQL("deadline"), old_edge.date(), edge.date()),
                    gw=moved(SQL("write_date"), old_edge, edge),
                    rt=moved(SQL("r.rated_on"), old_edge, edge),
                    satisfied=satisfied_sql("r"),
                )
            )
        return SQL(" UNION ").join(parts)

    @api.model
    def _cron_xrm_assign_tiers(self, batch_size=5000, full=False, as_of=None):
        """Tier the active relationships, committing batch by batch.

        Incremental as the health job is (tools/nightly.py): only the
        relationships whose signals changed or crossed a period edge since
        the last run, every one when ``full``, without a watermark or when
        the tiers or their Settings changed. Resumable, like the health job:
        only relationships not yet tiered today are taken, so a run stopped
        by the cron's time budget (or killed) goes on where it stopped when
        Odoo calls it again, and a finished day is not redone. A second run
        the same day changes nothing: history, notes and activities only
        follow a change of tier.
        """
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        return run_nightly_on_relationships(
            self.env,
            "tiers",
            as_of=as_of,
            rules=self._xrm_tier_rules(),
            changed=self._xrm_tier_changed_sql,
            done_field="xrm_tier_date",
            done_date=as_of,
            process=lambda batch: self._xrm_assign(batch, as_of),
            full=full,
            batch_size=batch_size,
            logger=_logger,
            label="XRM tiers",
        )
