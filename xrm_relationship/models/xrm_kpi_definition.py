# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime, time, timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from ..tools.rules import purchases_sql, satisfied_sql, stage_overdue_sql

_logger = logging.getLogger(__name__)

STATUS = [("ok", "OK"), ("warning", "Warning"), ("critical", "Critical")]
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
# Who is warned, how, and why a run failed: configuration for managers only.
MANAGER = "xrm_relationship.group_xrm_manager"


class XrmKpiDefinition(models.Model):
    """One KPI of SPEC, its thresholds and what happens when it is breached.

    The formulas live in ``_xrm_kpi_<code>_rows``: each returns the SQL of the
    rows behind the number (one per record counted), so the same query gives
    the value (aggregated with GROUPING SETS for the company and each
    salesperson) and the drill-down to the records.
    """

    _name = "xrm.kpi.definition"
    _description = "Relationship KPI"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True, index=True)
    description = fields.Text(
        string="Formula", translate=True, help="Exactly what is counted."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    period_kind = fields.Selection(
        [
            ("rolling", "Rolling window"),
            ("fixed", "Fixed by definition"),
            ("snapshot", "Snapshot"),
        ],
        default="rolling",
        required=True,
        readonly=True,
        help="Rolling: the window is the last N days before the as-of date. "
        "Fixed: the formula sets its own window. Snapshot: the state on the day.",
    )
    period_days = fields.Integer(string="Period (days)", default=90, tracking=True)
    unit = fields.Selection(
        [
            ("percent", "%"),
            ("minutes", "minutes"),
            ("hours", "hours"),
            ("days", "days"),
            ("score", "/ 5"),
            ("count", "count"),
            ("points", "points"),
        ],
        default="percent",
        required=True,
        readonly=True,
    )
    direction = fields.Selection(
        [("higher", "Higher is better"), ("lower", "Lower is better")],
        default="higher",
        required=True,
        tracking=True,
    )
    target = fields.Float(tracking=True)
    warning_threshold = fields.Float(tracking=True)
    critical_threshold = fields.Float(tracking=True)
    responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        groups=MANAGER,
        tracking=True,
        help="Gets the activity when the KPI is breached.",
    )
    responsible_group_id = fields.Many2one(
        "res.groups",
        groups=MANAGER,
        help="Used when no responsible person is set: its first member gets "
        "the activity.",
    )
    action_activity = fields.Boolean(
        string="Schedule an Activity on Breach", default=True, groups=MANAGER
    )
    # A company's webhook is its own: never copied to another definition.
    action_webhook = fields.Boolean(
        string="Send a Webhook on Status Change", groups=MANAGER, copy=False
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        groups=MANAGER,
        copy=False,
        help="Empty: the global webhook of the Settings (URL and secret) is used.",
    )
    webhook_secret = fields.Char(
        groups=MANAGER,
        copy=False,
        help="Signs the body sent to this KPI's own URL (HMAC-SHA256, Standard "
        "Webhooks); a whsec_ secret is base64 after its prefix. Empty: unsigned.",
    )
    value_ids = fields.One2many("xrm.kpi.value", "definition_id", string="Values")
    last_run = fields.Datetime(readonly=True, copy=False)
    last_success = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False, groups=MANAGER)
    last_value_id = fields.Many2one(
        "xrm.kpi.value", string="Latest Company Value", readonly=True, copy=False
    )
    last_value = fields.Float(related="last_value_id.value", string="Latest Value")
    last_status = fields.Selection(STATUS, readonly=True, copy=False)
    last_date = fields.Date(related="last_value_id.date", string="As Of")
    breach_since = fields.Date(readonly=True, copy=False)
    breach_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, groups=MANAGER
    )

    _code_company_unique = models.Constraint(
        "UNIQUE(code, company_id)", "This KPI already exists for this company."
    )

    @api.constrains("period_days", "period_kind")
    def _check_period(self):
        for kpi in self:
            if kpi.period_kind == "rolling" and not 1 <= kpi.period_days <= 3660:
                raise ValidationError(
                    _("The period of %s must be between 1 and 3660 days.", kpi.name)
                )

    @api.constrains("warning_threshold", "critical_threshold", "direction")
    def _check_thresholds(self):
        for kpi in self:
            warning, critical = kpi.warning_threshold, kpi.critical_threshold
            if kpi.direction == "higher" and critical > warning:
                raise ValidationError(
                    _(
                        "%(kpi)s: higher is better, so the critical threshold "
                        "(%(critical)s) cannot be above the warning threshold "
                        "(%(warning)s).",
                        kpi=kpi.name,
                        critical=critical,
                        warning=warning,
                    )
                )
            if kpi.direction == "lower" and critical < warning:
                raise ValidationError(
                    _(
                        "%(kpi)s: lower is better, so the critical threshold "
                        "(%(critical)s) cannot be below the warning threshold "
                        "(%(warning)s).",
                        kpi=kpi.name,
                        critical=critical,
                        warning=warning,
                    )
                )

    @api.constrains("webhook_url")
    def _check_webhook_url(self):
        for kpi in self.sudo():
            if kpi.webhook_url:
                self.env["xrm.webhook.delivery"]._xrm_check_webhook_destination(
                    kpi.webhook_url
                )

    @api.constrains("webhook_secret")
    def _check_webhook_secret(self):
        label = self._fields["webhook_secret"]._description_string(self.env)
        for kpi in self.sudo():
            if kpi.webhook_secret:
                self.env["xrm.webhook.delivery"]._xrm_check_webhook_secret(
                    kpi.webhook_secret, label
                )

    # ------------------------------------------------------------------
    # Status and thresholds
    # ------------------------------------------------------------------
    def _xrm_status(self, value):
        """Which side of the thresholds ``value`` is on; on the line is not past it."""
        self.ensure_one()
        if self.direction == "higher":
            if value < self.critical_threshold:
                return "critical"
            if value < self.warning_threshold:
                return "warning"
        else:
            if value > self.critical_threshold:
                return "critical"
            if value > self.warning_threshold:
                return "warning"
        return "ok"

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------
    def _xrm_period(self):
        """Window length; an incentive run asks for its own period by context."""
        return self.env.context.get("xrm_period_days") or self.period_days

    def _xrm_window(self, as_of):
        """(start, end) datetimes of W = [D − period, D), UTC midnights."""
        end = datetime.combine(as_of, time.min)
        return end - timedelta(days=self._xrm_period()), end

    def _xrm_rows_sql(self, as_of):
        """SQL of the rows behind this KPI on ``as_of``.

        Columns: res_model, res_id, user_id (attribution), stage_id, num, den
        (den NULL for counts), in_num (counted in the numerator).
        """
        self.ensure_one()
        method = getattr(self, f"_xrm_kpi_{self.code}_rows", None)
        if not method:
            raise UserError(_("KPI %s has no formula in this version.", self.code))
        start, end = self._xrm_window(as_of)
        return method(as_of, start, end)

    @api.model
    def compute_kpis(self, as_of=None):
        """Compute every active KPI (or these ones) as of ``as_of``.

        A model-level entry point: from outside (JSON-2, JSON-RPC) it is
        called without ids and computes every KPI of the caller's companies;
        ``as_of`` is a date or a ``YYYY-MM-DD`` string, today by default.
        Needs write access to KPI definitions. Replaces the snapshots of the
        same KPI and date; returns the stored ``xrm.kpi.value`` records
        (their ids through the APIs). One failing KPI is logged on its
        definition and does not stop the others.
        """
        return self._xrm_compute(as_of=as_of)

    @api.model
    def _cron_compute_kpis(self):
        self._xrm_ensure_company_kpis()
        return self._xrm_compute(commit=True)

    @api.model
    def _xrm_ensure_company_kpis(self):
        """Give every company its own copy of the shipped KPIs.

        Thresholds are per company; a company created after the install
        starts from the main company's settings.
        """
        Definition = self.sudo().with_context(active_test=False)
        main = self.env.ref("base.main_company")
        templates = Definition.search([("company_id", "=", main.id)])
        existing = {
            (kpi.company_id.id, kpi.code)
            for kpi in Definition.search([("company_id", "!=", main.id)])
        }
        created = Definition
        for company in self.env["res.company"].sudo().search([("id", "!=", main.id)]):
            for template in templates:
                if (company.id, template.code) not in existing:
                    # Webhook URL, secret and switch are not copied (copy=False):
                    # the main company's endpoint is not the new company's.
                    created |= template.copy(
                        {
                            "company_id": company.id,
                            "name": template.name,
                            "responsible_user_id": False,
                        }
                    )
        return created

    def _xrm_compute(self, as_of=None, commit=False):
        # Computing rewrites every salesperson's snapshots: managers (and the
        # cron) only, whoever calls the public compute_kpis().
        self.env["xrm.kpi.definition"].check_access("write")
        try:
            as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self)
        except (TypeError, ValueError):
            raise UserError(
                _("as_of must be a date (YYYY-MM-DD), not “%s”.", as_of)
            ) from None
        definitions = self or self.search([])
        Value = self.env["xrm.kpi.value"]
        values = Value
        cron = self.env["ir.cron"]
        if commit:
            cron._commit_progress(remaining=len(definitions))
        for kpi in definitions:
            now = fields.Datetime.now()
            try:
                with self.env.cr.savepoint():
                    kpi_values = kpi._xrm_compute_one(as_of)
                    kpi._xrm_after_compute(kpi_values, as_of)
                values |= kpi_values
                kpi.write({"last_run": now, "last_success": now, "last_error": False})
            except CONCURRENCY_ERRORS:
                # Another transaction touched the same rows (e.g. another run
                # of this KPI committed first): fail the whole job so it
                # restarts from the last commit (the cron and the RPC layer
                # both retry), instead of filing it as a broken KPI.
                raise
            except Exception as error:  # one KPI must not stop the others
                _logger.exception("XRM KPI %s failed for %s", kpi.code, as_of)
                kpi.write({"last_run": now, "last_error": str(error)[:2000]})
            if commit:
                cron._commit_progress(1)
        return values

    def _xrm_compute_one(self, as_of):
        """Aggregate the rows for the company, each salesperson (and each stage)."""
        self.ensure_one()
        Value = self.env["xrm.kpi.value"]
        self.env.flush_all()
        # Runs of the same KPI queue here instead of interleaving their
        # replace-then-insert. Writing the row (not only locking it) makes a
        # run that waited fail with a serialization error once the other
        # commits, which Odoo retries; the unique index on values backs this up.
        self.env.cr.execute(
            SQL(
                "UPDATE xrm_kpi_definition SET last_run = NOW() AT TIME ZONE 'UTC'"
                " WHERE id = %s",
                self.id,
            )
        )
        self.invalidate_recordset(["last_run"])
        grouping = SQL("GROUPING SETS ((), (user_id))")
        if self.code == "stage_overdue_ratio":
            grouping = SQL("GROUPING SETS ((), (user_id), (stage_id))")
        self.env.cr.execute(
            SQL(
                """
                SELECT GROUPING(user_id) = 0 AS by_user, user_id,
                       %(stage_grouping)s AS by_stage, %(stage)s AS stage_id,
                       SUM(num), SUM(den), COUNT(den)
                  FROM (%(rows)s) AS rows
                 GROUP BY %(grouping)s
                """,
                rows=self._xrm_rows_sql(as_of),
                grouping=grouping,
                stage_grouping=SQL("GROUPING(stage_id) = 0")
                if self.code == "stage_overdue_ratio"
                else SQL("FALSE"),
                stage=SQL("stage_id")
                if self.code == "stage_overdue_ratio"
                else SQL("NULL::int"),
            )
        )
        results = self.env.cr.fetchall()
        factor = 100.0 if self.unit == "percent" else 1.0
        vals_list = []
        for (
            by_user,
            user_id,
            by_stage,
            stage_id,
            num_sum,
            den_sum,
            den_count,
        ) in results:
            if (by_user and not user_id) or (by_stage and not stage_id):
                continue  # rows nobody is attributed to count for the company only
            num = num_sum or 0.0
            if self.unit == "count":
                value, den = num, None
            elif not den_count or not den_sum:
                continue  # empty denominator: no value, not 0
            else:
                den = den_sum
                value = factor * num / den
            vals_list.append(
                {
                    "definition_id": self.id,
                    "date": as_of,
                    "company_id": self.company_id.id,
                    "user_id": user_id if by_user else False,
                    "stage_id": stage_id if by_stage else False,
                    "value": value,
                    "numerator": num,
                    "denominator": den or 0.0,
                    "has_denominator": den is not None,
                    "status": self._xrm_status(value),
                }
            )
        # Same KPI and day: replace, never add (the cron may run twice).
        Value.sudo().search(
            [("definition_id", "=", self.id), ("date", "=", as_of)]
        ).unlink()
        return Value.sudo().create(vals_list)

    def _xrm_after_compute(self, values, as_of):
        """Remember the company value, then act on its status."""
        self.ensure_one()
        company_value = values.filtered(lambda v: v.is_company_scope)
        latest = self.env["xrm.kpi.value"].search(
            [
                ("definition_id", "=", self.id),
                ("user_id", "=", False),
                ("stage_id", "=", False),
            ],
            order="date desc, id desc",
            limit=1,
        )
        if latest.date and latest.date > as_of:
            return  # a back-fill does not change what is happening now
        previous_status = self.last_status
        status = company_value.status or False
        self.write({"last_value_id": company_value.id, "last_status": status})
        if self.action_activity:
            self._xrm_handle_breach(company_value, as_of)
        if self.action_webhook and company_value and status != previous_status:
            self._xrm_send_webhook(company_value)

    # ------------------------------------------------------------------
    # Decisions: breach activity and webhook
    # ------------------------------------------------------------------
    def _xrm_responsible(self):
        self.ensure_one()
        if self.responsible_user_id:
            return self.responsible_user_id
        users = self.responsible_group_id.user_ids.filtered(
            lambda u: u.active and not u.share
        )
        return users.sorted("id")[:1]

    def _xrm_breach_note(self, value):
        threshold = (
            self.critical_threshold
            if value.status == "critical"
            else self.warning_threshold
        )
        unit = dict(self._fields["unit"]._description_selection(self.env))[self.unit]
        return _(
            "%(kpi)s is %(status)s: %(value).1f %(unit)s against a %(status)s "
            "threshold of %(threshold).1f (%(gap).1f past it), since %(since)s. "
            "Target: %(target).1f. Open the value to see the records behind it.",
            kpi=self.name,
            status=value.status,
            value=value.value,
            unit=unit,
            threshold=threshold,
            gap=abs(value.value - threshold),
            since=format_date(self.env, self.breach_since or value.date),
            target=self.target,
        )

    def _xrm_handle_breach(self, value, as_of):
        """One activity per breach: created once, updated, closed when it clears."""
        self.ensure_one()
        breached = value and value.status in ("warning", "critical")
        activity = self.breach_activity_id.exists()
        if breached:
            if not self.breach_since:
                self.breach_since = as_of
                user = self._xrm_responsible()
                if not user:
                    _logger.warning(
                        "XRM KPI %s breached but nobody is responsible", self.code
                    )
                    return
                activity = self.activity_schedule(
                    "xrm_relationship.mail_activity_type_xrm_kpi_breach",
                    summary=_(
                        "%(kpi)s: %(status)s", kpi=self.name, status=value.status
                    ),
                    note=self._xrm_breach_note(value),
                    user_id=user.id,
                )
                self.breach_activity_id = activity
            elif activity:
                activity.write(
                    {
                        "summary": _(
                            "%(kpi)s: %(status)s", kpi=self.name, status=value.status
                        ),
                        "note": self._xrm_breach_note(value),
                    }
                )
        elif self.breach_since:
            if activity:
                activity.action_feedback(
                    feedback=_(
                        "Recovered on %(date)s: %(value).1f.",
                        date=format_date(self.env, as_of),
                        value=value.value if value else 0.0,
                    )
                )
            self.write({"breach_since": False, "breach_activity_id": False})

    def _xrm_webhook_config(self):
        """(url, secret) of this KPI, or (False, False) to use the global one."""
        self.ensure_one()
        kpi = self.sudo()
        return kpi.webhook_url or False, kpi.webhook_secret or False

    def _xrm_send_webhook(self, value):
        base_url = self.get_base_url()
        payload = {
            "event": "kpi.status",
            "kpi": self.code,
            "name": self.name,
            "value": value.value,
            "numerator": value.numerator,
            "denominator": value.denominator if value.has_denominator else None,
            "status": value.status,
            "target": self.target,
            "warning_threshold": self.warning_threshold,
            "critical_threshold": self.critical_threshold,
            "direction": self.direction,
            "as_of": fields.Date.to_string(value.date),
            "company": {"id": self.company_id.id, "name": self.company_id.name},
            "scope": "company",
            "link": f"{base_url}/odoo/action-xrm_relationship.xrm_kpi_value_action/"
            f"{value.id}",
        }
        return self.env["xrm.webhook.delivery"]._xrm_enqueue(
            "kpi.status", payload, record=self
        )

    # ------------------------------------------------------------------
    # UI
    # ------------------------------------------------------------------
    def action_compute_now(self):
        self._xrm_compute()
        return True

    def action_open_values(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "xrm_relationship.xrm_kpi_value_action"
        )
        action["domain"] = [("definition_id", "=", self.id)]
        action["context"] = {"search_default_company_scope": 1}
        return action

    # ------------------------------------------------------------------
    # Formulas (SPEC § KPIs). Each returns the rows behind the number.
    # ------------------------------------------------------------------
    def _xrm_company_sql(self, alias):
        return SQL(
            "COALESCE(%s.company_id, %s) = %s",
            SQL.identifier(alias),
            self.company_id.id,
            self.company_id.id,
        )

    def _xrm_purchases_sql(self):
        """Won opportunities of this company: the SPEC's purchases."""
        return purchases_sql(SQL("l.active AND %s", self._xrm_company_sql("l")))

    def _xrm_kpi_return_rate_6m_rows(self, as_of, start, end):
        cohort_start = end - timedelta(days=365)
        cohort_end = end - timedelta(days=180)
        return SQL(
            """
            WITH purchase AS (%(purchases)s),
            anchor AS (
                SELECT DISTINCT ON (partner_id) partner_id, id, user_id, date
                  FROM purchase
                 WHERE date >= %(cohort_start)s AND date < %(cohort_end)s
                 ORDER BY partner_id, date, id
            ),
            -- A join, not a correlated EXISTS over the CTE: linear in purchases.
            returned AS (
                SELECT DISTINCT a.partner_id
                  FROM anchor a
                  JOIN purchase o ON o.partner_id = a.partner_id AND o.id != a.id
                 WHERE o.date > a.date
                   AND o.date <= a.date + INTERVAL '180 days'
                   AND o.date < %(end)s
            )
            SELECT 'res.partner' AS res_model, a.partner_id AS res_id,
                   a.user_id, NULL::int AS stage_id,
                   (r.partner_id IS NOT NULL)::int::float8 AS num, 1.0::float8 AS den,
                   r.partner_id IS NOT NULL AS in_num,
                   a.date AS anchor_date  -- what preceded a return starts here
              FROM anchor a
              LEFT JOIN returned r ON r.partner_id = a.partner_id
            """,
            purchases=self._xrm_purchases_sql(),
            cohort_start=cohort_start,
            cohort_end=cohort_end,
            end=end,
        )

    def _xrm_kpi_agent_response_hours_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'xrm.interaction' AS res_model, i.id AS res_id, i.user_id,
                   NULL::int AS stage_id,
                   EXTRACT(EPOCH FROM (COALESCE(
                       (SELECT MIN(o.date) FROM xrm_interaction o
                         WHERE o.partner_id = i.partner_id AND o.active
                           AND o.direction = 'outbound'
                           AND o.date > i.date AND o.date < %(end)s),
                       %(end)s) - i.date)) / 3600.0 AS num,
                   1.0::float8 AS den, TRUE AS in_num
              FROM xrm_interaction i
              JOIN res_partner p ON p.id = i.partner_id
             WHERE i.active AND i.direction = 'inbound'
               AND p.xrm_relation_type = 'agent'
               AND i.date >= %(start)s AND i.date < %(end)s
               AND i.company_id = %(company)s
            """,
            start=start,
            end=end,
            company=self.company_id.id,
        )

    def _xrm_kpi_undocumented_ratio_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'xrm.interaction' AS res_model, i.id AS res_id, i.user_id,
                   NULL::int AS stage_id,
                   (i.state = 'draft')::int::float8 AS num, 1.0::float8 AS den,
                   i.state = 'draft' AS in_num
              FROM xrm_interaction i
             WHERE i.active AND i.date >= %(start)s AND i.date < %(end)s
               AND i.company_id = %(company)s
            """,
            start=start,
            end=end,
            company=self.company_id.id,
        )

    def _xrm_kpi_ticket_satisfaction_rate_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'helpdesk.ticket' AS res_model, t.id AS res_id, t.user_id,
                   NULL::int AS stage_id, s.satisfied::int::float8 AS num,
                   1.0::float8 AS den, s.satisfied AS in_num
              FROM helpdesk_ticket t
              CROSS JOIN LATERAL (
                SELECT EXISTS (
                    SELECT 1 FROM rating_rating r
                     WHERE r.res_model = 'helpdesk.ticket' AND r.res_id = t.id
                       AND r.consumed AND %(satisfied)s
                ) AS satisfied
              ) s
             WHERE t.active AND t.closed_date >= %(start)s AND t.closed_date < %(end)s
               AND %(company)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("t"),
            satisfied=satisfied_sql("r"),
        )

    def _xrm_kpi_contact_to_churn_days_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   NULL::int AS stage_id,
                   EXTRACT(EPOCH FROM (p.xrm_churn_date::timestamp - last.date))
                       / 86400.0 AS num,
                   1.0::float8 AS den, TRUE AS in_num
              FROM res_partner p
              CROSS JOIN LATERAL (
                SELECT MAX(i.date) AS date FROM xrm_interaction i
                 WHERE i.partner_id = p.id AND i.active AND i.is_meaningful
                   AND i.date < p.xrm_churn_date::timestamp
              ) last
             WHERE p.active AND last.date IS NOT NULL
               AND p.xrm_churn_date >= %(start)s::date
               AND p.xrm_churn_date < %(end)s::date
               AND %(company)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("p"),
        )

    def _xrm_kpi_csat_avg_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'rating.rating' AS res_model, r.id AS res_id, t.user_id,
                   NULL::int AS stage_id, r.rating AS num, 1.0::float8 AS den,
                   TRUE AS in_num
              FROM rating_rating r
              JOIN helpdesk_ticket t ON t.id = r.res_id
             WHERE r.res_model = 'helpdesk.ticket' AND r.consumed
               AND r.rating BETWEEN 1 AND 5
               AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
               AND t.active AND %(company)s
            UNION ALL
            SELECT 'xrm.interaction', i.id, i.user_id, NULL::int,
                   i.csat::float8, 1.0::float8, TRUE
              FROM xrm_interaction i
             WHERE i.active AND i.csat BETWEEN 1 AND 5
               AND i.date >= %(start)s AND i.date < %(end)s
               AND i.company_id = %(company_id)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("t"),
            company_id=self.company_id.id,
        )

    def _xrm_kpi_retention_rate_rows(self, as_of, start, end):
        return SQL(
            """
            WITH purchase AS (%(purchases)s),
            buyer AS (SELECT DISTINCT partner_id FROM purchase WHERE date < %(start)s)
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   NULL::int AS stage_id,
                   (p.xrm_churn_date IS NULL
                    OR p.xrm_churn_date >= %(end)s::date)::int::float8 AS num,
                   1.0::float8 AS den,
                   (p.xrm_churn_date IS NULL
                    OR p.xrm_churn_date >= %(end)s::date) AS in_num
              FROM res_partner p
              JOIN buyer ON buyer.partner_id = p.id
             WHERE p.active AND p.xrm_relation_type = 'customer'
               AND (p.xrm_churn_date IS NULL OR p.xrm_churn_date >= %(start)s::date)
               AND %(company)s
            """,
            purchases=self._xrm_purchases_sql(),
            start=start,
            end=end,
            company=self._xrm_company_sql("p"),
        )

    def _xrm_kpi_nrr_rows(self, as_of, start, end):
        previous_start = start - timedelta(days=self._xrm_period())
        # One aggregate over both windows: joining two aggregated CTEs lets
        # the planner pick a nested loop over tens of thousands of customers.
        return SQL(
            """
            WITH purchase AS (%(purchases)s),
            amounts AS (
                SELECT partner_id,
                       SUM(amount) FILTER (WHERE date < %(start)s) AS before,
                       COALESCE(SUM(amount) FILTER (WHERE date >= %(start)s), 0)
                           AS now
                  FROM purchase
                 WHERE date >= %(previous_start)s AND date < %(end)s
                 GROUP BY partner_id
                HAVING COUNT(*) FILTER (WHERE date < %(start)s) > 0
            )
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   NULL::int AS stage_id,
                   a.now::float8 AS num, a.before::float8 AS den, a.now > 0 AS in_num
              FROM amounts a
              JOIN res_partner p ON p.id = a.partner_id
             WHERE p.active
            """,
            purchases=self._xrm_purchases_sql(),
            previous_start=previous_start,
            start=start,
            end=end,
        )

    def _xrm_kpi_stage_overdue_ratio_rows(self, as_of, start, end):
        overdue = stage_overdue_sql("p", "s", end)
        return SQL(
            """
            SELECT 'res.partner' AS res_model, p.id AS res_id, p.user_id,
                   p.xrm_stage_id AS stage_id,
                   (%(overdue)s)::int::float8 AS num, 1.0::float8 AS den,
                   %(overdue)s AS in_num
              FROM res_partner p
              JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
             WHERE p.active AND s.max_days > 0 AND p.xrm_stage_date < %(end)s
               AND %(company)s
            """,
            overdue=overdue,
            end=end,
            company=self._xrm_company_sql("p"),
        )

    def _xrm_kpi_network_growth_rows(self, as_of, start, end):
        return SQL(
            """
            SELECT 'res.partner' AS res_model, p.id AS res_id, ref.user_id,
                   NULL::int AS stage_id, 1.0::float8 AS num, NULL::float8 AS den,
                   TRUE AS in_num
              FROM res_partner p
              JOIN res_partner ref ON ref.id = p.xrm_referred_by_id
             WHERE p.active AND p.create_date >= %(start)s
               AND p.create_date < %(end)s AND %(company)s
            UNION ALL
            -- Referrals reported by outside systems (engagement events).
            SELECT 'xrm.engagement.event', e.id, p.user_id, NULL::int,
                   1.0::float8, NULL::float8, TRUE
              FROM xrm_engagement_event e
              JOIN res_partner p ON p.id = e.partner_id
             WHERE e.event_type = 'referral' AND e.date >= %(start)s
               AND e.date < %(end)s AND e.company_id = %(company_id)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("p"),
            company_id=self.company_id.id,
        )

    def _xrm_kpi_contact_pressure_breaches_rows(self, as_of, start, end):
        """Outbound contacts in W that went past the relationship's limit.

        A contact breaches when the outbound contacts to the same partner in
        [its date − pressure period, its date] (itself included, whatever
        the company) exceed the partner's limit as set today.
        """
        Interaction = self.env["xrm.interaction"]
        days = Interaction._xrm_pressure_days()
        limits = SQL(", ").join(
            SQL("(%s::varchar, %s::int)", rtype, limit)
            for rtype, limit in Interaction._xrm_pressure_type_limits().items()
        )
        return SQL(
            """
            WITH limits(rtype, lim) AS (VALUES %(limits)s),
            outbound AS (
                SELECT i.id, i.user_id, i.partner_id, i.date, i.company_id,
                       COUNT(*) OVER (
                           PARTITION BY i.partner_id ORDER BY i.date
                           RANGE BETWEEN %(period)s PRECEDING AND CURRENT ROW
                       ) AS n
                  FROM xrm_interaction i
                 WHERE i.active AND i.direction = 'outbound'
                   AND i.date >= %(lookback)s AND i.date < %(end)s
            )
            SELECT 'xrm.interaction' AS res_model, o.id AS res_id, o.user_id,
                   NULL::int AS stage_id, 1.0::float8 AS num, NULL::float8 AS den,
                   TRUE AS in_num
              FROM outbound o
              JOIN res_partner p ON p.id = o.partner_id
              LEFT JOIN limits l ON l.rtype = COALESCE(p.xrm_relation_type, 'other')
             WHERE o.date >= %(start)s AND o.company_id = %(company)s
               AND COALESCE(NULLIF(p.xrm_max_outbound, 0), l.lim, 0) > 0
               AND o.n > COALESCE(NULLIF(p.xrm_max_outbound, 0), l.lim)
            """,
            limits=limits,
            period=timedelta(days=days),
            lookback=start - timedelta(days=days),
            start=start,
            end=end,
            company=self.company_id.id,
        )

    def _xrm_kpi_first_response_minutes_rows(self, as_of, start, end):
        """Leads from fast-response sources created in W: minutes to answer.

        Unanswered by D (or answered later): counted until D, so silence
        does not flatter the mean.
        """
        return SQL(
            """
            SELECT 'crm.lead' AS res_model, l.id AS res_id, l.user_id,
                   NULL::int AS stage_id,
                   EXTRACT(EPOCH FROM (
                       LEAST(COALESCE(l.xrm_first_response_date, %(end)s), %(end)s)
                       - l.create_date)) / 60.0 AS num,
                   1.0::float8 AS den,
                   COALESCE(l.xrm_first_response_date < %(end)s, FALSE) AS in_num
              FROM crm_lead l
             WHERE l.active AND l.xrm_fast_response
               AND l.create_date >= %(start)s AND l.create_date < %(end)s
               AND %(company)s
            """,
            start=start,
            end=end,
            company=self._xrm_company_sql("l"),
        )

    def _xrm_kpi_supplier_friction_rows(self, as_of, start, end):
        # The formula lives with the ranking it feeds (report/xrm_supplier_friction).
        friction = self.env["xrm.supplier.friction"]._xrm_rows_sql(
            start, end, self.company_id.ids
        )
        return SQL(
            """
            SELECT 'res.partner' AS res_model, f.partner_id AS res_id, f.user_id,
                   NULL::int AS stage_id, f.score AS num, 1.0::float8 AS den,
                   f.score > 0 AS in_num
              FROM (%s) f
            """,
            friction,
        )

    def _xrm_figures_by_user(self, as_of, user_ids):
        """{user_id: (numerator, denominator, rows, rows in numerator)}."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT user_id, SUM(num), SUM(den), COUNT(*), "
                "COUNT(*) FILTER (WHERE in_num) FROM (%s) AS rows "
                "WHERE user_id = ANY(%s) GROUP BY user_id",
                self._xrm_rows_sql(as_of),
                list(user_ids),
            )
        )
        return {row[0]: row[1:] for row in self.env.cr.fetchall()}

    def _xrm_record_ids(self, as_of, user_id=None, stage_id=None, part="den"):
        """{model: ids} behind a value: ``part`` 'num' or 'den'."""
        self.ensure_one()
        conditions = [SQL("TRUE")]
        if user_id:
            conditions.append(SQL("user_id = %s", user_id))
        if stage_id:
            conditions.append(SQL("stage_id = %s", stage_id))
        if part == "num":
            conditions.append(SQL("in_num"))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT res_model, array_agg(DISTINCT res_id) FROM (%s) AS rows "
                "WHERE %s GROUP BY res_model",
                self._xrm_rows_sql(as_of),
                SQL(" AND ").join(conditions),
            )
        )
        return dict(self.env.cr.fetchall())
