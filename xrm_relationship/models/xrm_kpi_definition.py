# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from datetime import datetime, time, timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.batch import without_jit
from ..tools.kpi import KPI_CODES, KPI_SCOPES, KPI_UNITS, KpiFormula

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

    The formulas live in ``_xrm_kpi_<code>_rows`` (xrm_kpi_formula.py): each
    returns the SQL of the rows behind the number (one per record counted),
    so the same query gives the value (aggregated with GROUPING SETS for the
    company and each scope the formula declares) and the drill-down to the
    records. The list of KPIs is the selection of ``code``: an addon adds one
    with ``selection_add`` (``ondelete`` "cascade") and its formula method
    (see tools/kpi.py).
    """

    _name = "xrm.kpi.definition"
    _description = "Relationship KPI"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(KPI_CODES, required=True, readonly=True, index=True)
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
    # Declared by the KPI's formula (@kpi_formula), not set per record.
    unit = fields.Selection(
        KPI_UNITS,
        compute="_compute_unit",
        store=True,
        precompute=True,
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

    @api.depends("code")
    def _compute_unit(self):
        for kpi in self:
            declaration = kpi._xrm_formula_declaration(missing_ok=True)
            kpi.unit = declaration.unit if declaration else kpi.unit or "percent"

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

    def _xrm_formula_name(self):
        return f"_xrm_kpi_{self.code}_rows"

    def _xrm_formula_declaration(self, missing_ok=False):
        """The ``KpiFormula`` its formula method declares (tools/kpi.py).

        Looked up along the class hierarchy, so that an override of a
        formula need not repeat the decorator.
        """
        self.ensure_one()
        name = self._xrm_formula_name()
        for cls in type(self).__mro__:
            declaration = getattr(vars(cls).get(name), "_xrm_kpi_formula", None)
            if isinstance(declaration, KpiFormula):
                return declaration
        if missing_ok:
            return None
        raise UserError(_("KPI %s has no formula in this version.", self.code))

    def _xrm_rows_sql(self, as_of):
        """SQL of the rows behind this KPI on ``as_of``.

        Columns: res_model, res_id, user_id (attribution), stage_id, num, den
        (den NULL for counts), in_num (counted in the numerator).
        """
        self.ensure_one()
        self._xrm_formula_declaration()  # a code without a formula: a clear error
        start, end = self._xrm_window(as_of)
        return getattr(self, self._xrm_formula_name())(as_of, start, end)

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
        # Outside callers choose the context: the stored snapshots keep each
        # definition's own period (only the incentive engine, in server code,
        # reads a KPI over a plan's period).
        return self.with_context(xrm_period_days=None)._xrm_compute(as_of=as_of)

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
        if created:
            Definition._xrm_copy_shipped_translations()  # no xmlid: none of fa.po
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
            without_jit(self.env.cr)  # again after each commit
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
        """Aggregate the rows for the company and each scope it is grouped by."""
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
        # The company (the empty set) and each declared scope; a scope it is
        # not grouped by reads as "not by it" (FALSE, NULL).
        group_by = self._xrm_formula_declaration().group_by
        scope_columns = SQL(", ").join(
            SQL("GROUPING(%s) = 0, %s", SQL.identifier(scope), SQL.identifier(scope))
            if scope in group_by
            else SQL("FALSE, NULL::int")
            for scope in KPI_SCOPES
        )
        grouping = SQL(", ").join(
            [SQL("()"), *(SQL("(%s)", SQL.identifier(scope)) for scope in group_by)]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT %(scope_columns)s, SUM(num), SUM(den), COUNT(den)
                  FROM (%(rows)s) AS rows
                 GROUP BY GROUPING SETS (%(grouping)s)
                """,
                scope_columns=scope_columns,
                rows=self._xrm_rows_sql(as_of),
                grouping=grouping,
            )
        )
        results = self.env.cr.fetchall()
        factor = 100.0 if self.unit == "percent" else 1.0
        vals_list = []
        for row in results:
            *scoped, num_sum, den_sum, den_count = row
            # {scope: (grouped by it, its id)}, in the order of scope_columns
            scopes = {
                scope: (scoped[2 * index], scoped[2 * index + 1])
                for index, scope in enumerate(KPI_SCOPES)
            }
            if any(grouped and not id_ for grouped, id_ in scopes.values()):
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
                    **{
                        scope: id_ if grouped else False
                        for scope, (grouped, id_) in scopes.items()
                    },
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
            company_value._xrm_handle_breach(self, as_of)
        if self.action_webhook and company_value and status != previous_status:
            self.env["xrm.webhook.delivery"]._xrm_enqueue_kpi_status(company_value)

    # ------------------------------------------------------------------
    # Decisions: who gets the breach activity (xrm.kpi.value), whose webhook
    # ------------------------------------------------------------------
    def _xrm_responsible(self):
        self.ensure_one()
        if self.responsible_user_id:
            return self.responsible_user_id
        users = self.responsible_group_id.user_ids.filtered(
            lambda u: u.active and not u.share
        )
        return users.sorted("id")[:1]

    def _xrm_webhook_config(self):
        """(url, secret) of this KPI, or (False, False) to use the global one."""
        self.ensure_one()
        kpi = self.sudo()
        return kpi.webhook_url or False, kpi.webhook_secret or False

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
    # The rows behind a value: figures and drill-down
    # ------------------------------------------------------------------

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
