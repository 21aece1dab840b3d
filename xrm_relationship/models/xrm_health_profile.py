# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.batch import id_array, without_jit
from ..tools.constants import HEALTH_WINDOW_DAYS, RELATION_TYPES
from ..tools.nightly import (
    changes_sql,
    fingerprint,
    moved,
    record_changes,
    run_nightly_on_relationships,
)
from ..tools.settings import xrm_setting_number

_logger = logging.getLogger(__name__)

DEFAULT_CX_WEIGHT = 0.5
DEFAULT_GREEN = 70.0
DEFAULT_YELLOW = 40.0


class XrmHealthProfile(models.Model):
    """How CS health is weighed for one relationship type, and the engine.

    A supplier is not scored like a customer: each type may have its own CX
    weight and health bands. Types without a profile use the Settings values.
    The health engine (CS = CX + CO, SPEC formulas) lives here too, as the
    tier engine lives on xrm.relationship.tier: it writes the partners'
    health fields and the day's xrm.health.snapshot.
    """

    _name = "xrm.health.profile"
    _description = "Customer Success Health Profile"
    _order = "relation_type, id"

    name = fields.Char(compute="_compute_name", store=True)
    relation_type = fields.Selection(
        RELATION_TYPES, string="Relationship Type", required=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    cx_weight = fields.Float(
        string="CX Weight",
        default=DEFAULT_CX_WEIGHT,
        digits=(3, 2),
        help="CS = w × CX + (1 − w) × CO. 1 scores only experience, 0 only outcomes.",
    )
    green_threshold = fields.Float(
        string="Green From", default=DEFAULT_GREEN, help="CS at or above: green."
    )
    yellow_threshold = fields.Float(
        string="Yellow From",
        default=DEFAULT_YELLOW,
        help="CS at or above (and below green): yellow; below: red.",
    )
    active = fields.Boolean(default=True)

    _relation_type_company_unique = models.Constraint(
        "UNIQUE(relation_type, company_id)",
        "There is already a health profile for this relationship type.",
    )

    @api.depends("relation_type")
    def _compute_name(self):
        labels = dict(self._fields["relation_type"]._description_selection(self.env))
        for profile in self:
            profile.name = labels.get(profile.relation_type)

    @api.constrains("cx_weight", "green_threshold", "yellow_threshold")
    def _check_bands(self):
        for profile in self:
            self._xrm_check_health_parameters(
                profile.cx_weight, profile.green_threshold, profile.yellow_threshold
            )

    @api.model
    def _xrm_check_health_parameters(self, weight, green, yellow):
        if not 0 <= weight <= 1:
            raise ValidationError(_("The CX weight must be between 0 and 1."))
        if not 0 <= yellow <= green <= 100:
            raise ValidationError(
                _(
                    "Health bands must satisfy 0 ≤ yellow ≤ green ≤ 100 "
                    "(got yellow %(yellow)s, green %(green)s).",
                    yellow=yellow,
                    green=green,
                )
            )

    @api.model
    def _xrm_default_parameters(self):
        """(weight, green, yellow) from Settings, for types without a profile."""
        return (
            xrm_setting_number(self.env, "cs_cx_weight", DEFAULT_CX_WEIGHT),
            xrm_setting_number(self.env, "cs_green", DEFAULT_GREEN),
            xrm_setting_number(self.env, "cs_yellow", DEFAULT_YELLOW),
        )

    @api.model
    def _xrm_parameters_by_type(self, company):
        """{relation_type or None: (weight, green, yellow)} for one company."""
        params = {None: self._xrm_default_parameters()}
        for profile in self.sudo().search([("company_id", "=", company.id)]):
            params[profile.relation_type] = (
                profile.cx_weight,
                profile.green_threshold,
                profile.yellow_threshold,
            )
        return params

    # ------------------------------------------------------------------
    # Health engine (CS = CX + CO), SPEC formulas
    # ------------------------------------------------------------------
    @api.model
    def _xrm_health_window(self, as_of=None):
        """(first day, first instant, end instant) of the 365-day health window."""
        as_of = as_of or fields.Date.context_today(self)
        start = as_of - timedelta(days=HEALTH_WINDOW_DAYS)
        return (
            start,
            datetime.combine(start, time.min),
            datetime.combine(as_of + timedelta(days=1), time.min),
        )

    @api.model
    def _xrm_shared_health_company(self):
        """The company whose health bands score contacts shared by every company.

        A shared contact is one row with one stored score, computed from the
        ratings, interactions and goals of every company: one set of bands
        too, the main company's, whoever (or whichever job) computes it.
        """
        return self.env.ref("base.main_company", raise_if_not_found=False) or (
            self.env["res.company"].sudo().search([], order="id", limit=1)
        )

    @api.model
    def _xrm_compute_health(self, partners, as_of=None):
        """Compute CX, CO, CS and health of ``partners`` (their commercial
        entities) in one query.

        Also upserts the day's history snapshot. Returns
        ``{partner_id: (previous_health, new_health)}``.
        """
        partners = partners._xrm_commercial_entities()
        if not partners:
            return {}
        as_of = as_of or fields.Date.context_today(self)
        start_date, start, end = self._xrm_health_window(as_of)
        shared_company = self._xrm_shared_health_company()
        company_ids = set(partners.company_id.ids) | {shared_company.id}
        param_rows = []
        for company in self.env["res.company"].browse(sorted(company_ids)):
            for rtype, (weight, green, yellow) in self._xrm_parameters_by_type(
                company
            ).items():
                param_rows.append(
                    SQL(
                        "(%s::int, %s::varchar, %s::float8, %s::float8, %s::float8)",
                        company.id,
                        rtype,
                        weight,
                        green,
                        yellow,
                    )
                )
        self.env.flush_all()
        ids = partners.ids
        query = SQL(
            """
            WITH target AS (
                SELECT p.id, COALESCE(p.company_id, %(company)s) AS company_id,
                       p.company_id AS own_company_id,
                       p.xrm_relation_type AS rtype, p.xrm_health AS old_health
                  FROM res_partner p
                 WHERE p.id = ANY(%(ids)s) AND p.id BETWEEN %(lo)s AND %(hi)s
            ), inter AS (
                -- One pass over the batch's interactions of the window: the
                -- receipt's counts (how many contacts were never documented:
                -- uncertainty) and the CSAT answers given outside tickets.
                SELECT i.partner_id, COUNT(*) AS n,
                       COUNT(*) FILTER (WHERE i.state = 'draft') AS draft_n,
                       SUM(i.csat) FILTER (WHERE i.csat BETWEEN 1 AND 5)
                           AS csat_total,
                       COUNT(*) FILTER (WHERE i.csat BETWEEN 1 AND 5) AS csat_n
                  FROM xrm_interaction i
                 WHERE i.partner_id = ANY(%(ids)s)
                   AND i.partner_id BETWEEN %(lo)s AND %(hi)s
                   AND i.active AND i.date >= %(start)s AND i.date < %(end)s
                 GROUP BY 1
            ), csat AS (
                -- Ticket ratings and interaction answers pooled (SPEC CX); an
                -- interaction's rating counts through its csat only, as in
                -- the csat_avg KPI. Whole numbers: the sums are exact.
                SELECT a.partner_id, SUM(a.total) / SUM(a.n)::float8 AS avg,
                       SUM(a.n) AS n
                  FROM (
                    SELECT t.commercial_partner_id AS partner_id,
                           SUM(r.rating) AS total, COUNT(*) AS n
                      FROM rating_rating r
                      JOIN helpdesk_ticket t ON t.id = r.res_id
                     WHERE r.res_model = 'helpdesk.ticket'
                       AND r.consumed AND r.rating BETWEEN 1 AND 5
                       AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
                       AND t.commercial_partner_id = ANY(%(ids)s)
                       AND t.commercial_partner_id BETWEEN %(lo)s AND %(hi)s
                     GROUP BY 1
                    UNION ALL
                    SELECT partner_id, csat_total, csat_n FROM inter
                     WHERE csat_n > 0
                  ) a
                 GROUP BY 1
            ), goals AS (
                SELECT g.partner_id,
                       AVG(CASE WHEN g.state = 'achieved' THEN 100
                                ELSE COALESCE(g.progress, 0) END) AS avg,
                       COUNT(*) AS n
                  FROM xrm_customer_goal g
                 WHERE g.partner_id = ANY(%(ids)s)
                   AND g.partner_id BETWEEN %(lo)s AND %(hi)s
                   AND g.state != 'cancelled'
                   AND (g.state = 'open' OR g.deadline >= %(start_date)s)
                 GROUP BY 1
            ), params(company_id, rtype, w, green, yellow) AS (
                VALUES %(params)s
            ), parts AS (
                SELECT t.id, t.company_id, t.own_company_id, t.old_health,
                       csat.avg AS csat_avg, COALESCE(csat.n, 0) AS csat_n,
                       quality.avg AS q_avg, COALESCE(quality.n, 0) AS q_n,
                       goals.avg AS co, COALESCE(goals.n, 0) AS goal_n,
                       COALESCE(inter.n, 0) AS doc_n,
                       COALESCE(inter.draft_n, 0) AS draft_n, hp.id AS profile_id,
                       COALESCE(pt.w, pd.w) AS w,
                       COALESCE(pt.green, pd.green) AS green,
                       COALESCE(pt.yellow, pd.yellow) AS yellow,
                       -- CX: mean of the parts that exist, each scaled 1-5 -> 0-100
                       -- (arithmetic, not a sub-select per partner)
                       CASE WHEN csat.avg IS NULL AND quality.avg IS NULL THEN NULL
                            ELSE (COALESCE((csat.avg - 1) / 4 * 100, 0)
                                  + COALESCE((quality.avg - 1) / 4 * 100, 0))
                                 / ((csat.avg IS NOT NULL)::int
                                    + (quality.avg IS NOT NULL)::int)
                       END AS cx
                  FROM target t
                  LEFT JOIN csat ON csat.partner_id = t.id
                  -- One index-only probe per partner (xrm_interaction's
                  -- health_quality index): cost follows the batch, not how
                  -- its rows are scattered over the table. Here, not in a
                  -- CTE joined back: both misjudged as a few rows, the two
                  -- were joined by comparing every pair (3 s a batch).
                  LEFT JOIN LATERAL (
                    SELECT AVG(i.quality) AS avg, COUNT(*) AS n
                      FROM xrm_interaction i
                     WHERE i.partner_id = t.id
                       AND i.active AND i.state = 'done'
                       AND i.quality IS NOT NULL AND i.quality BETWEEN 1 AND 5
                       AND i.date >= %(start)s AND i.date < %(end)s
                  ) quality ON TRUE
                  LEFT JOIN goals ON goals.partner_id = t.id
                  LEFT JOIN inter ON inter.partner_id = t.id
                  LEFT JOIN xrm_health_profile hp
                    ON hp.active AND hp.company_id = t.company_id
                   AND hp.relation_type = t.rtype
                  LEFT JOIN params pt
                    ON pt.company_id = t.company_id AND pt.rtype = t.rtype
                  LEFT JOIN params pd
                    ON pd.company_id = t.company_id AND pd.rtype IS NULL
            ), scored AS (
                SELECT parts.*,
                       CASE WHEN cx IS NOT NULL AND co IS NOT NULL
                            THEN w * cx + (1 - w) * co
                            ELSE COALESCE(cx, co) END AS cs
                  FROM parts
            ), final AS (
                SELECT scored.*,
                       CASE WHEN cs IS NULL THEN NULL
                            WHEN cs >= green THEN 'green'
                            WHEN cs >= yellow THEN 'yellow'
                            ELSE 'red' END AS health,
                       %(uncertain)s AS uncertain
                  FROM scored
            ), upd AS (
                UPDATE res_partner p
                   SET xrm_cx_score = f.cx, xrm_co_score = f.co,
                       xrm_cs_score = f.cs, xrm_health = f.health,
                       xrm_health_date = %(as_of)s,
                       xrm_cx_csat_avg = f.csat_avg, xrm_cx_csat_count = f.csat_n,
                       xrm_cx_quality_avg = f.q_avg, xrm_cx_quality_count = f.q_n,
                       xrm_co_goal_count = f.goal_n, xrm_cs_cx_weight = f.w,
                       xrm_health_uncertain = f.uncertain
                  FROM final f
                 WHERE p.id = f.id
                   -- The id list, not the id range: an incremental batch is
                   -- scattered over the whole range (the planner would read
                   -- every partner), and both together are misjudged as a
                   -- few rows, joined to the batch row by row (quadratic).
                   AND p.id = ANY(%(ids)s)
             RETURNING p.id, f.old_health, f.health AS new_health
            ), cleared AS (
                DELETE FROM xrm_health_snapshot s
                 WHERE s.date = %(as_of)s
                   AND s.partner_id BETWEEN %(lo)s AND %(hi)s
                   AND s.partner_id IN (SELECT f.id FROM final f WHERE f.cs IS NULL)
            ), snap AS (
                -- The system's record, no user columns: their two foreign
                -- key checks a row were two fifths of the cost of the upsert.
                INSERT INTO xrm_health_snapshot (
                       partner_id, company_id, date, cx_score, co_score, cs_score,
                       has_cx, has_co, health, %(receipt_columns)s,
                       create_date, write_date)
                SELECT f.id, f.own_company_id, %(as_of)s, f.cx, f.co, f.cs,
                       f.cx IS NOT NULL, f.co IS NOT NULL, f.health,
                       %(receipt_values)s,
                       NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                  FROM final f
                 WHERE f.cs IS NOT NULL
                ON CONFLICT (partner_id, date) DO UPDATE
                   SET cx_score = EXCLUDED.cx_score, co_score = EXCLUDED.co_score,
                       cs_score = EXCLUDED.cs_score, has_cx = EXCLUDED.has_cx,
                       has_co = EXCLUDED.has_co, health = EXCLUDED.health,
                       %(receipt_updates)s,
                       write_date = EXCLUDED.write_date
            )
            SELECT id, old_health, new_health FROM upd
            """,
            company=shared_company.id,
            ids=id_array(ids),
            # The id range lets each batch read only its own rows through the
            # partner indexes instead of scanning the whole window every time.
            lo=min(ids),
            hi=max(ids),
            start=start,
            end=end,
            start_date=start_date,
            as_of=as_of,
            params=SQL(", ").join(param_rows),
            **self.env["xrm.health.snapshot"]._xrm_receipt_sql("f"),
        )
        without_jit(self.env.cr)
        self.env.cr.execute(query)
        changes = {pid: (old, new) for pid, old, new in self.env.cr.fetchall()}
        # The early warnings read the colour, written here without write_date.
        record_changes(
            self.env,
            [pid for pid, (old, new) in changes.items() if old != new],
            warnings_only=True,
        )
        health_fields = [
            name
            for name in partners._fields
            if name.startswith(("xrm_c", "xrm_health"))
        ]
        partners.invalidate_recordset(health_fields)
        self.env["xrm.health.snapshot"].invalidate_model()
        return changes

    @api.model
    def _xrm_health_inputs(self, partner, part):
        """(model, domain) of the records behind one part of ``partner``'s score.

        ``part`` is ``ratings`` (of tickets), ``answers`` (interaction CSAT)
        or ``interactions`` (CX), or ``goals`` (CO);
        the window is the one of the partner's last computation.
        """
        commercial = partner.commercial_partner_id
        start_date, start, end = self._xrm_health_window(partner.xrm_health_date)
        if part == "ratings":
            tickets = (
                self.env["helpdesk.ticket"]
                .with_context(active_test=False)
                .search([("commercial_partner_id", "=", commercial.id)])
            )
            return "rating.rating", [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "in", tickets.ids),
                ("consumed", "=", True),
                ("rating", ">=", 1),
                ("rated_on", ">=", start),
                ("rated_on", "<", end),
            ]
        if part == "answers":
            # Interactions whose CSAT (a customer's answer or one typed in)
            # counts in CX with the ticket ratings, as in the health SQL.
            return "xrm.interaction", [
                ("partner_id", "=", commercial.id),
                ("csat", ">=", 1),
                ("csat", "<=", 5),
                ("date", ">=", start),
                ("date", "<", end),
            ]
        if part == "interactions":
            return "xrm.interaction", [
                ("partner_id", "=", commercial.id),
                ("state", "=", "done"),
                ("quality", ">=", 1),
                ("date", ">=", start),
                ("date", "<", end),
            ]
        return "xrm.customer.goal", [
            ("partner_id", "=", commercial.id),
            ("state", "!=", "cancelled"),
            "|",
            ("state", "=", "open"),
            ("deadline", ">=", start_date),
        ]

    @api.model
    def _xrm_health_rules(self):
        """Everything besides the inputs that health depends on (fingerprint)."""
        companies = self.env["res.company"].sudo().search([], order="id")
        profiles = self.sudo().with_context(active_test=False).search([], order="id")
        return fingerprint(
            {
                "window": HEALTH_WINDOW_DAYS,
                "shared": self._xrm_shared_health_company().id,
                "params": [
                    sorted(self._xrm_parameters_by_type(c).items(), key=str)
                    for c in companies
                ],
                "profiles": profiles.read(
                    ["relation_type", "company_id", "active"], load=None
                ),
            }
        )

    @api.model
    def _xrm_health_changed_sql(self, run):
        """SQL partner ids whose health inputs changed since ``run``'s watermark.

        Written (``write_date``), deleted or moved (xrm.nightly.change), or
        crossing an edge of the 365-day window between the two as-of dates.
        """
        before = fields.Date.to_date(run.previous)
        old_day, old_start, old_end = self._xrm_health_window(before)
        day, start, end = self._xrm_health_window(run.as_of)
        since = run.since
        return SQL(
            """
            SELECT id FROM res_partner WHERE write_date >= %(since)s
            UNION %(changes)s
            UNION SELECT partner_id FROM xrm_interaction
                   WHERE write_date >= %(since)s
            UNION SELECT partner_id FROM xrm_interaction WHERE %(i_start)s
            UNION SELECT partner_id FROM xrm_interaction WHERE %(i_end)s
            UNION SELECT partner_id FROM xrm_customer_goal
                   WHERE write_date >= %(since)s
            UNION SELECT partner_id FROM xrm_customer_goal WHERE %(g_start)s
            UNION SELECT commercial_partner_id FROM helpdesk_ticket
                   WHERE write_date >= %(since)s
            UNION SELECT t.commercial_partner_id
                    FROM rating_rating r JOIN helpdesk_ticket t ON t.id = r.res_id
                   WHERE r.res_model = 'helpdesk.ticket'
                     AND r.write_date >= %(since)s
            UNION SELECT t.commercial_partner_id
                    FROM rating_rating r JOIN helpdesk_ticket t ON t.id = r.res_id
                   WHERE r.res_model = 'helpdesk.ticket'
                     AND (%(r_start)s OR %(r_end)s)
            """,
            since=since,
            changes=changes_sql(since),
            i_start=moved(SQL("date"), old_start, start),
            i_end=moved(SQL("date"), old_end, end),
            g_start=moved(SQL("deadline"), old_day, day),
            r_start=moved(SQL("r.rated_on"), old_start, start),
            r_end=moved(SQL("r.rated_on"), old_end, end),
        )

    @api.model
    def _cron_xrm_health(self, batch_size=5000, full=False, as_of=None):
        """Recompute the relationships' health, committing batch by batch.

        Incremental when a previous run left its watermark: only the
        relationships whose inputs changed, or whose 365-day window moved
        past an input, since that run (tools/nightly.py); every relationship
        when ``full``, when there is no watermark, or when the rules changed
        (profiles, Settings). Resumable: only relationships not yet computed
        today are taken, so a run stopped by the cron's time budget (or
        killed) goes on where it stopped when Odoo calls it again, and a
        finished day is not redone. One failing batch is logged and does not
        stop the others (and is retried by the next run).
        """
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        return run_nightly_on_relationships(
            self.env,
            "health",
            as_of=as_of,
            rules=self._xrm_health_rules(),
            changed=self._xrm_health_changed_sql,
            done_field="xrm_health_date",
            done_date=as_of,
            process=lambda batch: self._xrm_compute_health(batch, as_of),
            full=full,
            batch_size=batch_size,
            logger=_logger,
            label="XRM health",
        )
