# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The set-based KPI engine against a plain Python reference on random data.

The world is seeded and built through the ORM in its own company; the
reference reads it back record by record and applies SPEC's rules literally.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from odoo.tests import tagged

from .common import XrmWorld

D = date(2026, 6, 1)
END = datetime.combine(D, time.min)


class KpiReferenceMixin:
    """SPEC's KPI rules applied record by record to ``world_partners``."""

    REFERENCE_CODES = (
        "undocumented_ratio",
        "agent_response_hours",
        "ticket_satisfaction_rate",
        "csat_avg",
        "contact_to_churn_days",
        "retention_rate",
        "nrr",
    )

    def _records(self):
        partners = self.world_partners.with_context(active_test=False)
        interactions = self.env["xrm.interaction"].search(
            [("partner_id", "in", partners.ids)]
        )
        leads = self.env["crm.lead"].search(
            [("partner_id", "in", partners.ids), ("won_status", "=", "won")]
        )
        purchases = [
            (lead.partner_id.commercial_partner_id, lead.date_closed, lead)
            for lead in leads
        ]
        tickets = self.env["helpdesk.ticket"].search(
            [("partner_id", "in", partners.ids)]
        )
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)]
        )
        return partners, interactions, purchases, tickets, ratings

    @staticmethod
    def _collect(rows):
        """rows: (user, num, den) -> {scope: (num, den)} with None = company."""
        totals = defaultdict(lambda: [0.0, 0.0])
        for user, num, den in rows:
            for key in (None, user or "nobody"):
                totals[key][0] += num
                totals[key][1] += den
        totals.pop("nobody", None)
        return totals

    def _reference(self, code, period, as_of):  # noqa: C901 (one branch per KPI)
        partners, interactions, purchases, tickets, ratings = self._records()
        end = datetime.combine(as_of, time.min)
        start = end - timedelta(days=period)
        rows = []
        if code == "undocumented_ratio":
            for i in interactions.filtered(lambda i: start <= i.date < end):
                rows.append((i.user_id, float(i.state == "draft"), 1.0))
        elif code == "agent_response_hours":
            for i in interactions.filtered(
                lambda i: start <= i.date < end
                and i.direction == "inbound"
                and i.partner_id.xrm_relation_type == "agent"
            ):
                answers = interactions.filtered(
                    lambda o, i=i: o.partner_id == i.partner_id
                    and o.direction == "outbound"
                    and i.date < o.date < end
                )
                until = min(answers.mapped("date"), default=end)
                rows.append((i.user_id, (until - i.date).total_seconds() / 3600, 1.0))
        elif code == "ticket_satisfaction_rate":
            for t in tickets.filtered(
                lambda t: t.closed_date and start <= t.closed_date < end
            ):
                happy = any(r.rating >= 4 and r.res_id == t.id for r in ratings)
                rows.append((t.user_id, float(happy), 1.0))
        elif code == "csat_avg":
            for r in ratings.filtered(lambda r: start <= r.rated_on < end):
                rows.append(
                    (
                        self.env["helpdesk.ticket"].browse(r.res_id).user_id,
                        r.rating,
                        1.0,
                    )
                )
            for i in interactions.filtered(lambda i: i.csat and start <= i.date < end):
                rows.append((i.user_id, float(i.csat), 1.0))
        elif code == "contact_to_churn_days":
            for p in partners.filtered(
                lambda p: p.active
                and p.xrm_churn_date
                and start.date() <= p.xrm_churn_date < as_of
            ):
                churn = datetime.combine(p.xrm_churn_date, time.min)
                before = interactions.filtered(
                    lambda i, p=p, churn=churn: i.partner_id == p
                    and i.is_meaningful
                    and i.date < churn
                )
                if before:
                    last = max(before.mapped("date"))
                    rows.append(
                        (p.user_id, (churn - last).total_seconds() / 86400, 1.0)
                    )
        elif code == "retention_rate":
            for p in partners.filtered(
                lambda p: p.active and p.xrm_relation_type == "customer"
            ):
                churn = p.xrm_churn_date
                if churn and churn < start.date():
                    continue
                if not any(c == p and d < start for c, d, _lead in purchases):
                    continue
                rows.append((p.user_id, float(not churn or churn >= as_of), 1.0))
        elif code == "nrr":
            previous = start - timedelta(days=period)
            for p in partners.filtered("active"):
                before = sum(
                    lead.expected_revenue
                    for c, d, lead in purchases
                    if c == p and previous <= d < start
                )
                if not any(
                    c == p and previous <= d < start for c, d, _lead in purchases
                ):
                    continue
                now = sum(
                    lead.expected_revenue
                    for c, d, lead in purchases
                    if c == p and start <= d < end
                )
                rows.append((p.user_id, now, before))
        return self._collect(rows)

    def _assert_engine_equals_reference(self, as_of):
        for code in self.REFERENCE_CODES:
            with self.subTest(kpi=code):
                kpi = self._kpi(code)
                scopes = self._by_scope(kpi.compute_kpis(as_of=as_of))
                reference = self._reference(code, kpi.period_days, as_of)
                self.assertTrue(reference[None][1], f"{code}: the world is too small")
                factor = 100.0 if kpi.unit == "percent" else 1.0
                for scope, (num, den) in reference.items():
                    if not den:
                        self.assertNotIn(scope, scopes)
                        continue
                    value = scopes[scope]
                    self.assertAlmostEqual(value.numerator, num, places=1)
                    self.assertAlmostEqual(value.denominator, den, places=1)
                    self.assertAlmostEqual(value.value, factor * num / den, places=1)
                self.assertEqual(
                    set(scopes), set(k for k, v in reference.items() if v[1])
                )


@tagged("post_install", "-at_install")
class TestKpiReference(KpiReferenceMixin, XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(7)
        cls.world_users = [cls.alice, cls.bob]
        types = ["customer", "customer", "agent", "supplier", "other"]
        partners = cls.env["res.partner"]
        for n in range(30):
            partners |= cls.env["res.partner"].create(
                {
                    "name": f"Ref Partner {n}",
                    "is_company": True,
                    "company_id": cls.company.id,
                    "xrm_relation_type": rng.choice(types),
                    "user_id": rng.choice(cls.world_users).id,
                }
            )
        cls.world_partners = partners

        def when(days_back):
            return END - timedelta(days=days_back, minutes=rng.randint(0, 1440))

        interactions = []
        for _n in range(300):
            state = rng.choice(["draft", "done", "done"])
            vals = {
                "partner_id": rng.choice(partners).id,
                "company_id": cls.company.id,
                "user_id": rng.choice(cls.world_users).id,
                "date": when(rng.randint(-2, 400)),
                "channel": "phone",
                "direction": rng.choice(["inbound", "outbound"]),
                "state": state,
                "csat": rng.choice([0, 0, 0, 1, 3, 5]) or False,
            }
            if state == "done":
                vals.update(summary="x", outcome="neutral", quality=rng.randint(1, 5))
            interactions.append(vals)
        cls.env["xrm.interaction"].create(interactions)
        for _n in range(60):
            partner = rng.choice(partners)
            lead = cls.env["crm.lead"].create(
                {
                    "name": "Ref deal",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "user_id": rng.choice(cls.world_users).id,
                    "expected_revenue": rng.randint(1, 50) * 100,
                }
            )
            lead.action_set_won()
            lead.write({"date_closed": when(rng.randint(-2, 800))})
        model = cls.env["ir.model"]._get_id("helpdesk.ticket")
        for _n in range(40):
            ticket = cls.env["helpdesk.ticket"].create(
                {
                    "name": "Ref ticket",
                    "description": "<p>x</p>",
                    "partner_id": rng.choice(partners).id,
                    "company_id": cls.company.id,
                    "user_id": rng.choice(cls.world_users).id,
                }
            )
            closed = when(rng.randint(-2, 120))
            ticket.write({"closed_date": closed})
            if rng.random() < 0.7:
                rating = cls.env["rating.rating"].create(
                    {
                        "res_model_id": model,
                        "res_id": ticket.id,
                        "rating": rng.randint(1, 5),
                        "consumed": True,
                    }
                )
                rating.write({"rated_on": closed + timedelta(hours=rng.randint(1, 90))})
        # Journey last: documented interactions and wins moved partners.
        stages = cls.env["xrm.journey.stage"].search(
            [("is_churn", "=", False), ("max_days", ">", 0)]
        )
        for partner in partners:
            partner.xrm_stage_id = rng.choice(stages)
            values = {"xrm_stage_date": when(rng.randint(0, 120))}
            if rng.random() < 0.3:
                values["xrm_churn_date"] = (
                    END - timedelta(days=rng.randint(-5, 300))
                ).date()
            if rng.random() < 0.3:
                values["xrm_referred_by_id"] = rng.choice(partners).id
            partner.write(values)
            cls.env.cr.execute(
                "UPDATE res_partner SET create_date = %s WHERE id = %s",
                [when(rng.randint(0, 150)), partner.id],
            )
        cls.env.invalidate_all()

    def test_engine_equals_reference(self):
        self._assert_engine_equals_reference(D)
