# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.batch import without_jit
from ..tools.constants import RELATION_TYPES
from ..tools.kpi import (
    KPI_CSAT_AVG,
    KPI_RETENTION_RATE,
    KPI_TICKET_SATISFACTION_RATE,
    KPI_UNDOCUMENTED_RATIO,
)
from ..tools.rules import (
    documentation_rate,
    no_meaningful_contact_sql,
    stage_overdue_limit,
    stage_overdue_sql,
)

HISTORY_POINTS = 30
AT_RISK_LIMIT = 12


class XrmDashboard(models.AbstractModel):
    """The relationship dashboard's data, in one call.

    Everything is read with the caller's rights (record rules apply); a
    salesperson's dashboard is always scoped to their own relationships.
    """

    _name = "xrm.dashboard"
    _description = "Relationship Dashboard"

    @api.readonly  # served from db_replica_host when one is configured
    @api.model
    def get_dashboard_data(self, filters=None):
        user = self.env.user
        if not user.has_group("xrm_relationship.group_xrm_user"):
            raise AccessError(_("The relationship dashboard is for XRM users."))
        filters = self._xrm_clean_filters(filters or {})
        without_jit(self.env.cr)
        partner_domain = self._xrm_partner_domain(filters)
        funnel, health = self._xrm_partner_blocks(partner_domain)
        return {
            "filters": filters,
            "is_manager": user.has_group("xrm_relationship.group_xrm_manager"),
            "options": self._xrm_filter_options(),
            "kpis": self._xrm_kpi_cards(filters),
            "funnel": funnel,
            "at_risk": self._xrm_at_risk(partner_domain, filters),
            "health": health,
            "leaders": self._xrm_leaderboard(filters),
            "technicians": self._xrm_technicians(filters),
            "survey": self._xrm_survey(filters),
            "partner_domain": partner_domain,
            "calendar": self.env["res.company"]
            .browse(filters["company_id"])
            ._xrm_calendar_info(),
        }

    # ------------------------------------------------------------------
    # Filters
    # ------------------------------------------------------------------
    def _xrm_clean_filters(self, filters):
        user = self.env.user
        companies = self.env.companies
        company_id = filters.get("company_id")
        if company_id not in companies.ids:
            company_id = self.env.company.id
        clean = {
            "company_id": company_id,
            "team_id": filters.get("team_id") or False,
            "user_id": filters.get("user_id") or False,
            "relation_type": filters.get("relation_type") or False,
            "period_days": max(7, min(int(filters.get("period_days") or 90), 730)),
        }
        if clean["relation_type"] not in dict(RELATION_TYPES):
            clean["relation_type"] = False
        if not user.has_group("xrm_relationship.group_xrm_manager"):
            # A salesperson's dashboard is their own.
            clean.update(user_id=user.id, team_id=False)
        return clean

    @api.readonly
    @api.model
    def get_stage_insight(self, filters=None):
        """The Journey card's stage insight, in a call of its own.

        It runs the stage analysis over the period (about as long as the rest
        of the dashboard together at 100,000 relationships): the dashboard
        shows first and the card follows.
        """
        if not self.env.user.has_group("xrm_relationship.group_xrm_manager"):
            return False
        return self._xrm_stage_insight(self._xrm_clean_filters(filters or {}))

    def _xrm_stage_insight(self, filters):
        """Stage analysis over the period: managers only, as the report."""
        today = fields.Date.context_today(self)
        return (
            self.env["xrm.stage.analysis"]
            .with_context(allowed_company_ids=[filters["company_id"]])
            ._xrm_insight_card(today - timedelta(days=filters["period_days"]), today)
        )

    def _xrm_filter_options(self):
        is_manager = self.env.user.has_group("xrm_relationship.group_xrm_manager")
        salespeople = self.env["res.users"]
        teams = self.env["crm.team"]
        if is_manager:
            # Colleagues of the reader's companies only: not a directory of
            # every company's salespeople.
            companies = self.env.companies
            salespeople = (
                self.env.ref("xrm_relationship.group_xrm_user")
                .sudo()
                .all_user_ids.filtered(
                    lambda u: not u.share and u.active and u.company_ids & companies
                )
            )
            teams = self.env["crm.team"].search([])
        return {
            "companies": [[c.id, c.name] for c in self.env.companies],
            "teams": [[t.id, t.name] for t in teams],
            "users": [[u.id, u.name] for u in salespeople.sorted("name")],
            "relation_types": [
                list(item)
                for item in self.env["res.partner"]
                ._fields["xrm_relation_type"]
                ._description_selection(self.env)
            ],
            "periods": [[30, _("30 days")], [90, _("90 days")], [365, _("1 year")]],
        }

    def _xrm_salesperson_domain(self, filters, user_path, team=True):
        """The salesperson and sales team filters on ``user_path`` (a
        many2one to res.users): a relationship, and a salesperson's figures,
        belong to the teams of its salesperson."""
        domain = []
        if filters["user_id"]:
            domain.append((user_path, "=", filters["user_id"]))
        if team and filters["team_id"]:
            domain.append((f"{user_path}.crm_team_ids", "=", filters["team_id"]))
        return domain

    def _xrm_partner_domain(self, filters):
        domain = [
            ("parent_id", "=", False),
            ("xrm_stage_id", "!=", False),
            ("company_id", "in", [filters["company_id"], False]),
            *self._xrm_salesperson_domain(filters, "user_id"),
        ]
        if filters["relation_type"]:
            domain.append(("xrm_relation_type", "=", filters["relation_type"]))
        return domain

    # ------------------------------------------------------------------
    # Blocks
    # ------------------------------------------------------------------
    def _xrm_kpi_cards(self, filters):
        definitions = self.env["xrm.kpi.definition"].search(
            [("company_id", "=", filters["company_id"])]
        )
        since = fields.Date.context_today(self) - timedelta(days=filters["period_days"])
        scope = [
            ("user_id", "=", filters["user_id"] or False),
            ("stage_id", "=", False),
        ]
        values = self.env["xrm.kpi.value"].search_fetch(
            [("definition_id", "in", definitions.ids), ("date", ">=", since), *scope],
            ["definition_id", "date", "value", "status"],
            order="date asc, id asc",
        )
        by_definition = values.grouped("definition_id")
        units = dict(
            self.env["xrm.kpi.definition"]
            ._fields["unit"]
            ._description_selection(self.env)
        )
        statuses = dict(
            self.env["xrm.kpi.value"]._fields["status"]._description_selection(self.env)
        )
        cards = []
        for kpi in definitions:
            history = by_definition.get(kpi, self.env["xrm.kpi.value"])[
                -HISTORY_POINTS:
            ]
            last = history[-1:]
            previous = history[-2:-1]
            cards.append(
                {
                    "id": kpi.id,
                    "code": kpi.code,
                    "name": kpi.name,
                    "unit": units.get(kpi.unit),
                    "direction": kpi.direction,
                    "target": kpi.target,
                    "value": last.value if last else None,
                    "value_id": last.id or False,
                    "status": last.status or False,
                    "status_label": statuses.get(last.status, ""),
                    "date": fields.Date.to_string(last.date) if last else False,
                    "delta": (last.value - previous.value) if previous else None,
                    "history": history.mapped("value"),
                }
            )
        return cards

    def _xrm_partner_blocks(self, partner_domain):
        """Funnel and health distribution from one scan of the relationships.

        One plain GROUP BY, no join: the columns are in
        res_partner_xrm_dashboard_idx, so PostgreSQL reads the index alone
        (63 MB at 1,000,000 relationships, not the 1 GB table) and the
        stages and types are summed here over a few hundred rows. The groups
        follow the index's order, company first, so each worker aggregates
        rows as they come instead of hashing every one (at 1M: 270 -> 200 ms).
        Overdue uses each limited stage's cutoff (stage_overdue_limit), inline.
        """
        now = fields.Datetime.now()
        limits = self.env["xrm.journey.stage"].search_fetch(
            [("max_days", ">", 0)], ["max_days"]
        )
        overdue = SQL("FALSE")
        if limits:
            overdue = SQL(
                "res_partner.xrm_stage_date <= CASE res_partner.xrm_stage_id %s END",
                SQL(" ").join(
                    SQL(
                        "WHEN %s THEN %s::timestamp",
                        stage.id,
                        stage_overdue_limit(now, stage.max_days),
                    )
                    for stage in limits
                ),
            )
        self.env["res.partner"].flush_model(
            ["xrm_stage_id", "xrm_relation_type", "xrm_health", "xrm_stage_date"]
        )
        query = self.env["res.partner"]._search(partner_domain)
        query.groupby = SQL(
            "res_partner.company_id, res_partner.xrm_stage_id,"
            " res_partner.xrm_relation_type, res_partner.xrm_health"
        )
        rows = self.env.execute_query(
            query.select(
                SQL("res_partner.xrm_stage_id"),
                SQL("res_partner.xrm_relation_type"),
                SQL("res_partner.xrm_health"),
                SQL("COUNT(*)"),
                # Days in stage: now minus the mean entry date (seconds).
                # make replica finds the dashboard's statement by this text.
                SQL("COUNT(res_partner.xrm_stage_date)"),
                SQL("SUM(date_part('epoch', res_partner.xrm_stage_date))"),
                SQL("COUNT(*) FILTER (WHERE %s)", overdue),
            )
        )
        by_stage = defaultdict(lambda: [0, 0, 0.0, 0])
        by_health = defaultdict(int)
        for stage_id, rtype, health, count, dated, epochs, late in rows:
            stage = by_stage[stage_id]
            stage[0] += count
            stage[1] += dated
            stage[2] += epochs or 0.0
            stage[3] += late
            by_health[rtype, health] += count
        now_epoch = now.replace(tzinfo=timezone.utc).timestamp()
        stats = {
            stage_id: (
                count,
                (now_epoch - epochs / dated) / 86400 if dated else None,
                late,
            )
            for stage_id, (count, dated, epochs, late) in by_stage.items()
        }
        health_rows = [(rtype, health, n) for (rtype, health), n in by_health.items()]
        return self._xrm_funnel(stats), self._xrm_health_distribution(health_rows)

    def _xrm_funnel(self, stats):
        stages = self.env["xrm.journey.stage"].search([])
        funnel = []
        for stage in stages:
            count, avg_days, overdue = stats.get(stage.id, (0, None, 0))
            funnel.append(
                {
                    "id": stage.id,
                    "name": stage.name,
                    "count": count,
                    "avg_days": round(avg_days or 0.0, 1),
                    "overdue": overdue,
                    "max_days": stage.max_days,
                    "is_churn": stage.is_churn,
                }
            )
        # The bottleneck: the stage holding the most overdue relationships
        # (share of its own, then count), churn excepted.
        candidates = [s for s in funnel if s["overdue"] and not s["is_churn"]]
        bottleneck = max(
            candidates,
            key=lambda s: (s["overdue"] / s["count"], s["overdue"]),
            default=None,
        )
        for stage in funnel:
            stage["bottleneck"] = stage is bottleneck
        return funnel

    def _xrm_at_risk(self, partner_domain, filters):
        """Up to AT_RISK_LIMIT relationships: health red, then overdue, then silent.

        Three small LIMITed queries instead of one ranking of every partner,
        so the dashboard stays fast with 100,000 relationships. Contacts are
        those of the dashboard's company: a shared relationship is not
        "contacted" for company B because company A called it.
        """
        now = fields.Datetime.now()
        limit = self.env["xrm.early.warning"]._xrm_no_contact_limit(now)
        Partner = self.env["res.partner"]
        self.env["xrm.interaction"].flush_model(
            ["partner_id", "active", "is_meaningful", "date", "company_id"]
        )
        scope = Partner._search(
            [*partner_domain, ("xrm_stage_id.is_churn", "=", False)]
        ).subselect()
        overdue = stage_overdue_sql("p", "s", now)
        company_id = filters["company_id"]
        silent = no_meaningful_contact_sql("p", limit, company_id=company_id)
        picked = []
        for condition, order in (
            (SQL("p.xrm_health = 'red'"), SQL("p.xrm_cs_score, p.id")),
            (overdue, SQL("p.xrm_stage_date, p.id")),
            (silent, SQL("p.xrm_stage_date, p.id")),
        ):
            if len(picked) >= AT_RISK_LIMIT:
                break
            rows = self.env.execute_query(
                SQL(
                    "SELECT p.id FROM res_partner p "
                    "JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id "
                    "WHERE p.id IN %s AND %s AND p.id != ALL(%s) ORDER BY %s LIMIT %s",
                    scope,
                    condition,
                    picked or [0],
                    order,
                    AT_RISK_LIMIT - len(picked),
                )
            )
            picked += [row[0] for row in rows]
        if not picked:
            return []
        rows = self.env.execute_query(
            SQL(
                """
                SELECT p.id, (SELECT MAX(i.date) FROM xrm_interaction i
                               WHERE i.partner_id = p.id AND i.active
                                 AND i.is_meaningful
                                 AND i.company_id = %(company)s),
                       p.xrm_health = 'red', %(overdue)s, %(silent)s
                  FROM res_partner p
                  JOIN xrm_journey_stage s ON s.id = p.xrm_stage_id
                 WHERE p.id = ANY(%(ids)s)
                """,
                overdue=overdue,
                silent=silent,
                ids=picked,
                company=company_id,
            )
        )
        flags = {row[0]: row[1:] for row in rows}
        partners = Partner.browse(picked)
        partners.fetch(["display_name", "user_id", "xrm_stage_id", "xrm_health"])
        result = []
        for partner in partners:
            last_date, red, is_overdue, is_silent = flags[partner.id]
            reasons = []
            if red:
                reasons.append(_("health red"))
            if is_overdue:
                reasons.append(_("stage overdue"))
            if is_silent:
                reasons.append(_("no meaningful contact"))
            result.append(
                {
                    "id": partner.id,
                    "name": partner.display_name,
                    "user": partner.user_id.name or "",
                    "stage": partner.xrm_stage_id.name,
                    "health": partner.xrm_health or False,
                    "last_contact": fields.Datetime.to_string(last_date)
                    if last_date
                    else False,
                    "reasons": reasons,
                }
            )
        return result

    def _xrm_health_distribution(self, groups):
        labels = dict(
            self.env["res.partner"]
            ._fields["xrm_relation_type"]
            ._description_selection(self.env)
        )
        table = {}
        for relation_type, health, count in groups:
            row = table.setdefault(
                relation_type or "none",
                {
                    "type": relation_type or False,
                    "label": labels.get(relation_type, _("Not set")),
                    "green": 0,
                    "yellow": 0,
                    "red": 0,
                    "none": 0,
                },
            )
            row[health or "none"] += count
        return sorted(table.values(), key=lambda r: r["label"])

    def _xrm_user_values_domain(self, filters, codes, team=True):
        """Per-person KPI snapshots of the filters' company, person and team.

        ``team``: the sales team filter applies (the salespeople's cards); the
        technicians' card is not a sales team's.
        """
        return [
            ("company_id", "=", filters["company_id"]),
            ("code", "in", codes),
            ("user_id", "!=", False),
            *self._xrm_salesperson_domain(filters, "user_id", team),
        ]

    def _xrm_latest_user_values(self, filters, codes, team=True):
        """{user: {code: (value, value id)}}: latest per-person snapshots."""
        Value = self.env["xrm.kpi.value"]
        domain = self._xrm_user_values_domain(filters, codes, team)
        latest = Value._read_group(domain, ["code"], ["date:max"])
        result = {}
        for code, date in latest:
            for value in Value.search_fetch(
                [*domain, ("code", "=", code), ("date", "=", date)],
                ["user_id", "value"],
            ):
                result.setdefault(value.user_id, {})[code] = (value.value, value.id)
        return result

    def _xrm_leaderboard(self, filters):
        codes = [KPI_RETENTION_RATE, KPI_CSAT_AVG, KPI_UNDOCUMENTED_RATIO]
        by_user = self._xrm_latest_user_values(filters, codes)
        # Stable output: documented interactions in the last three 30-day
        # windows, read from the undocumented-ratio snapshots (denominator −
        # numerator) of D, D − 30 and D − 60: no scan of the interactions.
        Value = self.env["xrm.kpi.value"]
        domain = self._xrm_user_values_domain(filters, [KPI_UNDOCUMENTED_RATIO])
        latest = Value._read_group(domain, [], ["date:max"])[0][0]
        buckets = {}
        if latest:
            dates = [latest - timedelta(days=30 * k) for k in range(3)]
            for value in Value.search_fetch(
                [*domain, ("date", "in", dates)],
                ["user_id", "date", "numerator", "denominator"],
            ):
                period = dates.index(value.date)
                documented = int(value.denominator - value.numerator)
                buckets.setdefault(value.user_id, [0, 0, 0])[period] = documented
        leaders = []
        for user in set(by_user) | set(buckets):
            figures = by_user.get(user, {})
            periods = buckets.get(user, [0, 0, 0])
            undocumented = figures.get(KPI_UNDOCUMENTED_RATIO, (None, False))[0]
            leaders.append(
                {
                    "id": user.id,
                    "name": user.name,
                    "retention": figures.get(KPI_RETENTION_RATE, (None, False))[0],
                    "retention_value_id": figures.get(
                        KPI_RETENTION_RATE, (None, False)
                    )[1],
                    "csat": figures.get(KPI_CSAT_AVG, (None, False))[0],
                    "csat_value_id": figures.get(KPI_CSAT_AVG, (None, False))[1],
                    "documentation_value_id": figures.get(
                        KPI_UNDOCUMENTED_RATIO, (None, False)
                    )[1],
                    "documentation": documentation_rate(undocumented),
                    "documented": periods[0],
                    "stability": round(min(periods) / max(periods), 2)
                    if max(periods)
                    else None,
                }
            )
        leaders.sort(
            key=lambda r: (
                -(r["retention"] or 0),
                -(r["documentation"] or 0),
                r["name"],
            )
        )
        return leaders

    def _xrm_technicians(self, filters):
        by_user = self._xrm_latest_user_values(
            filters, [KPI_TICKET_SATISFACTION_RATE], team=False
        )
        rows = [
            {
                "id": user.id,
                "name": user.name,
                "satisfaction": figures[KPI_TICKET_SATISFACTION_RATE][0],
                "value_id": figures[KPI_TICKET_SATISFACTION_RATE][1],
            }
            for user, figures in by_user.items()
        ]
        rows.sort(key=lambda r: (-r["satisfaction"], r["name"]))
        return rows

    def _xrm_survey(self, filters):
        """Satisfaction requests of the period: sent, answered, rate, low
        answers, each with the domain of its interactions (reader's rights)."""
        domain = [
            ("company_id", "=", filters["company_id"]),
            *self._xrm_salesperson_domain(filters, "partner_id.user_id"),
        ]
        if filters["relation_type"]:
            domain.append(("relation_type", "=", filters["relation_type"]))
        figures = self.env["xrm.interaction"]._xrm_survey_figures(
            domain, filters["period_days"]
        )
        return {
            "sent": figures["sent"],
            "answered": figures["answered"],
            "low": figures["low"],
            "rate": figures["rate"],
            "avg": figures["avg"],
            "domains": figures["domains"],
        }
