# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every SPEC KPI on a small hand-built world, with hand-computed numbers.

The world lives in its own company; records shared by all companies
(company_id empty, as demo partners are) are moved to the main company for
the test so that they do not count for it.
"""

from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import D, XrmWorld, dt


@tagged("post_install", "-at_install")
class TestKpi(XrmWorld):
    # ------------------------------------------------------------------
    # The ten KPIs
    # ------------------------------------------------------------------
    def test_undocumented_ratio(self):
        kpi = self._kpi("undocumented_ratio")  # W = [2026-05-02, 2026-06-01)
        p = self._partner("Undoc Co")
        bob = self.bob
        self._interaction(p, "2026-05-02 00:00:00")  # on the window start: in
        self._interaction(p, "2026-05-10 10:00:00", state="done")
        self._interaction(p, "2026-05-20 10:00:00", user=bob)
        self._interaction(p, "2026-05-31 23:59:59", user=bob, state="done")
        self._interaction(p, "2026-05-15 10:00:00", user=bob, state="done")
        self._interaction(p, "2026-06-01 00:00:00")  # D itself: out
        self._interaction(p, "2026-05-01 23:59:59")  # before W: out
        self._interaction(p, "2026-05-12 10:00:00", active=False)  # archived: out
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 40.0, 2, 5)
        self.assertValue(scopes[self.alice], 50.0, 1, 2)
        self.assertValue(scopes[bob], 100 / 3, 1, 3)
        self.assertEqual(len(scopes), 3)

    def test_empty_denominator_gives_no_value(self):
        kpi = self._kpi("undocumented_ratio")
        self.assertFalse(kpi.compute_kpis(as_of=date(2020, 1, 1)))
        self.assertFalse(kpi.last_value_id)
        self.assertFalse(kpi.last_error)

    def test_agent_response_hours(self):
        kpi = self._kpi("agent_response_hours")  # W = [2026-03-03, 2026-06-01)
        agent = self._partner("Agent Co", rtype="agent")
        customer = self._partner("Customer Co")
        bob = self.bob
        outbound = {"direction": "outbound"}
        inbound = {"direction": "inbound"}
        # 6 h, on the window start
        self._interaction(agent, "2026-03-03 00:00:00", **inbound)
        self._interaction(agent, "2026-03-03 06:00:00", **outbound)
        # 24 h
        self._interaction(agent, "2026-05-20 08:00:00", user=bob, **inbound)
        self._interaction(agent, "2026-05-21 08:00:00", user=bob, **outbound)
        # no answer before D: counted until D, 12 h; the later answer is ignored
        self._interaction(agent, "2026-05-31 12:00:00", user=bob, **inbound)
        self._interaction(agent, "2026-06-01 02:00:00", user=bob, **outbound)
        # not an agent, or outside the window: out
        self._interaction(customer, "2026-05-01 10:00:00", **inbound)
        self._interaction(agent, "2026-03-02 23:00:00", **inbound)
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 14.0, 42, 3)
        self.assertValue(scopes[self.alice], 6.0, 6, 1)
        self.assertValue(scopes[bob], 18.0, 36, 2)

    def test_ticket_satisfaction_rate(self):
        kpi = self._kpi("ticket_satisfaction_rate")  # W = [2026-03-03, 2026-06-01)
        p = self._partner("Ticket Co")
        bob = self.bob
        self._ticket(p, "2026-04-01 10:00:00", rating=5)
        self._ticket(p, "2026-04-02 10:00:00", rating=3)
        self._ticket(p, "2026-05-31 23:00:00", user=bob, rating=4)  # 4 satisfies
        self._ticket(p, "2026-05-01 10:00:00", user=bob)  # no rating
        self._ticket(p, "2026-03-03 00:00:00", user=bob, rating=5)  # window start
        self._ticket(p, "2026-06-01 00:00:00", rating=5)  # closed on D: out
        self._ticket(p, False, rating=5, rated="2026-04-01 10:00:00")  # open: out
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 60.0, 3, 5)
        self.assertValue(scopes[self.alice], 50.0, 1, 2)
        self.assertValue(scopes[bob], 200 / 3, 2, 3)

    def test_contact_to_churn_days(self):
        kpi = self._kpi("contact_to_churn_days")  # W = [2025-12-03, 2026-06-01)
        bob = self.bob
        # Churn dates are written last: a documented interaction moves a
        # relationship out of churn (First contact), which clears the date.
        p1 = self._partner("Churn One")
        self._interaction(p1, "2026-03-01 10:00:00", state="done")
        self._interaction(p1, "2026-04-21 00:00:00", state="done")  # last: 10 days
        self._interaction(p1, "2026-04-28 10:00:00", state="done", quality=2)
        self._interaction(p1, "2026-05-01 12:00:00", state="done")  # on churn day
        p2 = self._partner("Churn Two", user=bob)
        self._interaction(p2, "2026-01-02 00:00:00", state="done")  # 30 days
        p3 = self._partner("Churn Silent", user=bob)  # nothing meaningful: out
        p4 = self._partner("Churn On D")  # churned on D: out
        self._interaction(p4, "2026-05-01 00:00:00", state="done")
        p1.write({"xrm_churn_date": date(2026, 5, 1)})
        p2.write({"xrm_churn_date": date(2026, 2, 1)})
        p3.write({"xrm_churn_date": date(2026, 3, 1)})
        p4.write({"xrm_churn_date": D})
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 20.0, 40, 2)
        self.assertValue(scopes[self.alice], 10.0, 10, 1)
        self.assertValue(scopes[bob], 30.0, 30, 1)

    def test_csat_avg(self):
        kpi = self._kpi("csat_avg")  # W = [2026-03-03, 2026-06-01)
        p = self._partner("Csat Co")
        bob = self.bob
        self._ticket(p, "2026-04-01 10:00:00", rating=5)
        self._ticket(p, "2026-04-01 10:00:00", user=bob, rating=2)
        self._ticket(p, "2026-05-31 10:00:00", rating=1, rated="2026-06-01 00:00:00")
        self._interaction(p, "2026-05-05 10:00:00", csat=4)
        self._interaction(p, "2026-03-02 10:00:00", user=bob, csat=3)  # before W
        self._interaction(p, "2026-05-05 11:00:00")  # no CSAT: out
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 11 / 3, 11, 3)
        self.assertValue(scopes[self.alice], 4.5, 9, 2)
        self.assertValue(scopes[bob], 2.0, 2, 1)

    def test_retention_rate(self):
        kpi = self._kpi("retention_rate")  # W = [2025-06-01, 2026-06-01)
        bob = self.bob
        c1 = self._partner("Kept")
        self._purchase(c1, "2025-01-10 10:00:00", 100)
        c2 = self._partner("Lost In W")
        self._purchase(c2, "2025-03-01 10:00:00", 100)
        c2.write({"xrm_churn_date": date(2026, 2, 1)})
        c3 = self._partner("Lost Before W")
        self._purchase(c3, "2024-12-01 10:00:00", 100)
        c3.write({"xrm_churn_date": date(2025, 5, 1)})
        c4 = self._partner("New In W")
        self._purchase(c4, "2025-07-01 10:00:00", 100)
        c5 = self._partner("Churns On D", user=bob)
        self._purchase(c5, "2025-05-31 23:00:00", 100)
        c5.write({"xrm_churn_date": D})  # churned on D: still kept at D
        agent = self._partner("Agent Buyer", rtype="agent")
        self._purchase(agent, "2025-01-01 10:00:00", 100)
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 200 / 3, 2, 3)
        self.assertValue(scopes[self.alice], 50.0, 1, 2)
        self.assertValue(scopes[bob], 100.0, 1, 1)

    def test_nrr(self):
        kpi = self._kpi("nrr")  # W = [2025-06-01, 2026-06-01), before: [2024-06-01, …)
        bob = self.bob
        n1 = self._partner("Grows")
        self._purchase(n1, "2024-07-01 10:00:00", 1000)
        self._purchase(n1, "2025-08-01 10:00:00", 1200)
        n2 = self._partner("Stops")
        self._purchase(n2, "2025-05-31 23:59:00", 500)
        n3 = self._partner("Shrinks", user=bob)
        self._purchase(n3, "2024-06-01 00:00:00", 2000)  # previous window start
        self._purchase(n3, "2026-05-31 10:00:00", 1000)
        self._purchase(n3, "2026-06-01 00:00:00", 500)  # on D: out
        n4 = self._partner("New", user=bob)
        self._purchase(n4, "2025-09-01 10:00:00", 3000)  # not in the base
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 100 * 2200 / 3500, 2200, 3500)
        self.assertValue(scopes[self.alice], 80.0, 1200, 1500)
        self.assertValue(scopes[bob], 50.0, 1000, 2000)

    def test_return_rate_6m(self):
        kpi = self._kpi("return_rate_6m")  # cohort [2025-06-01, 2025-12-03)
        bob = self.bob
        r1 = self._partner("Returns")
        self._purchase(r1, "2025-07-01 10:00:00", 100)
        self._purchase(r1, "2025-12-01 10:00:00", 100)
        r2 = self._partner("Returns On Day 180", user=bob)
        self._purchase(r2, "2025-06-01 00:00:00", 100)  # cohort start
        self._purchase(r2, "2025-11-28 00:00:00", 100)  # anchor + 180 days
        r3 = self._partner("Too Late", user=bob)
        self._purchase(r3, "2025-08-01 10:00:00", 100)
        self._purchase(r3, "2026-03-01 10:00:00", 100)  # 212 days
        r4 = self._partner("After Cohort")
        self._purchase(r4, "2025-12-03 00:00:00", 100)  # D - 180 d: out
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 200 / 3, 2, 3)
        self.assertValue(scopes[self.alice], 100.0, 1, 1)
        self.assertValue(scopes[bob], 50.0, 1, 2)

    def test_stage_overdue_ratio_per_stage(self):
        kpi = self._kpi("stage_overdue_ratio")
        Stage = self.env["xrm.journey.stage"]
        limited = Stage.create({"name": "Limited", "max_days": 10, "sequence": 500})
        unlimited = Stage.create({"name": "Open-ended", "max_days": 0})
        bob = self.bob

        def staged(name, stage, since, user=None):
            partner = self._partner(name, user=user, xrm_stage_id=stage.id)
            partner.write(
                {"xrm_stage_date": datetime.combine(since, datetime.min.time())}
            )
            return partner

        staged("Eleven Days", limited, D - timedelta(days=11))  # overdue
        staged("Ten Days", limited, D - timedelta(days=10))  # exactly max: not
        staged("Thirty Days", limited, D - timedelta(days=30), user=bob)
        staged("No Limit", unlimited, D - timedelta(days=300), user=bob)
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 200 / 3, 2, 3)
        self.assertValue(scopes[self.alice], 50.0, 1, 2)
        self.assertValue(scopes[bob], 100.0, 1, 1)
        self.assertValue(scopes[limited], 200 / 3, 2, 3)
        self.assertNotIn(unlimited, scopes)

    def test_network_growth(self):
        kpi = self._kpi("network_growth")  # W = [2026-03-03, 2026-06-01)
        r1 = self._partner("Referrer One")
        r2 = self._partner("Referrer Two", user=self.bob)

        def referred(name, referrer, created, **vals):
            partner = self._partner(name, xrm_referred_by_id=referrer.id, **vals)
            self.env.cr.execute(
                "UPDATE res_partner SET create_date = %s WHERE id = %s",
                [dt(created), partner.id],
            )
            return partner

        referred("Via One", r1, "2026-04-01 10:00:00")
        referred("Via Two", r2, "2026-03-03 00:00:00")  # window start
        referred("Too Late", r2, "2026-06-01 00:00:00")  # on D: out
        referred("Archived", r1, "2026-04-01 10:00:00", active=False)
        self._partner("Walked In")  # no referrer
        Event = self.env["xrm.engagement.event"]
        # a referral reported by the website counts; a visit does not
        for event_type in ("referral", "visit"):
            Event.create(
                {
                    "partner_id": r1.id,
                    "company_id": self.company.id,
                    "event_type": event_type,
                    "date": dt("2026-05-01 10:00:00"),
                }
            )
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertEqual(scopes[None].value, 3)
        self.assertFalse(scopes[None].has_denominator)
        self.assertEqual(scopes[self.alice].value, 2)
        self.assertEqual(scopes[self.bob].value, 1)
        # a count has a value even when nothing happened
        empty = self._by_scope(kpi.compute_kpis(as_of=date(2020, 1, 1)))
        self.assertEqual(empty[None].value, 0)

    # ------------------------------------------------------------------
    # Engine behaviour
    # ------------------------------------------------------------------
    def test_status_thresholds_both_directions(self):
        lower = self._kpi("undocumented_ratio")  # warning 20, critical 35
        self.assertEqual(lower._xrm_status(20.0), "ok")  # on the line: not past
        self.assertEqual(lower._xrm_status(20.1), "warning")
        self.assertEqual(lower._xrm_status(35.0), "warning")
        self.assertEqual(lower._xrm_status(35.1), "critical")
        higher = self._kpi("retention_rate")  # warning 85, critical 75
        self.assertEqual(higher._xrm_status(85.0), "ok")
        self.assertEqual(higher._xrm_status(84.9), "warning")
        self.assertEqual(higher._xrm_status(75.0), "warning")
        self.assertEqual(higher._xrm_status(74.9), "critical")
        # thresholds on the wrong side of each other are refused, clearly
        with self.assertRaisesRegex(ValidationError, "higher is better"):
            higher.write({"critical_threshold": 90})
        with self.assertRaisesRegex(ValidationError, "lower is better"):
            lower.write({"critical_threshold": 10})
        with self.assertRaises(ValidationError):
            lower.write({"period_days": 0})

    def test_recompute_replaces_snapshots(self):
        kpi = self._kpi("undocumented_ratio")
        p = self._partner("Twice Co")
        self._interaction(p, "2026-05-10 10:00:00")
        self._interaction(p, "2026-05-11 10:00:00", user=self.bob, state="done")
        Value = self.env["xrm.kpi.value"]
        kpi.compute_kpis(as_of=D)
        first = Value.search_count([("definition_id", "=", kpi.id)])
        kpi.compute_kpis(as_of=D)
        self.assertEqual(Value.search_count([("definition_id", "=", kpi.id)]), first)
        self.assertEqual(first, 3)

    def test_cron_commits_per_kpi_and_runs_twice_the_same(self):
        kpis = self._kpi("undocumented_ratio") | self._kpi("network_growth")
        p = self._partner("Cron Co")
        self._interaction(p, "2026-05-10 10:00:00")
        Value = self.env["xrm.kpi.value"]
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0) as progress:
            kpis._xrm_compute(as_of=D, commit=True)
            count = Value.search_count([("definition_id", "in", kpis.ids)])
            kpis._xrm_compute(as_of=D, commit=True)
        self.assertEqual(Value.search_count([("definition_id", "in", kpis.ids)]), count)
        # progress set up once and one step per KPI, twice over
        self.assertEqual(progress.call_count, 2 * (1 + len(kpis)))

    def test_every_company_gets_its_kpis_once(self):
        Definition = self.env["xrm.kpi.definition"]
        created = Definition._xrm_ensure_company_kpis()
        shipped = Definition.search_count(
            [("company_id", "=", self.env.ref("base.main_company").id)]
        )
        mine = Definition.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(mine), shipped)
        self.assertLessEqual(mine, created)
        self.assertFalse(Definition._xrm_ensure_company_kpis())

    def test_failing_kpi_is_logged_and_others_go_on(self):
        broken = self._kpi("undocumented_ratio")
        fine = self._kpi("network_growth")
        Definition = type(self.env["xrm.kpi.definition"])
        with (
            patch.object(
                Definition,
                "_xrm_kpi_undocumented_ratio_rows",
                side_effect=ValueError("boom"),
            ),
            self.assertLogs(
                "odoo.addons.xrm_relationship.models.xrm_kpi_definition", "ERROR"
            ),
        ):
            values = (broken | fine).compute_kpis(as_of=D)
        self.assertIn("boom", broken.last_error)
        self.assertFalse(broken.last_success)
        self.assertTrue(fine.last_success)
        self.assertEqual(values.definition_id, fine)

    def test_drill_down_opens_the_records_behind_the_number(self):
        kpi = self._kpi("undocumented_ratio")
        p = self._partner("Drill Co")
        draft = self._interaction(p, "2026-05-10 10:00:00")
        done = self._interaction(p, "2026-05-11 10:00:00", state="done")
        self._interaction(p, "2026-05-12 10:00:00", user=self.bob)
        company = self._by_scope(kpi.compute_kpis(as_of=D))[None]
        alice_value = kpi.value_ids.filtered(lambda v: v.user_id == self.alice)
        action = alice_value.action_open_numerator()
        self.assertEqual(action["res_model"], "xrm.interaction")
        self.assertEqual(self.env["xrm.interaction"].search(action["domain"]), draft)
        action = alice_value.action_open_denominator()
        self.assertEqual(
            self.env["xrm.interaction"].search(action["domain"]), draft | done
        )
        action = company.action_open_numerator()
        self.assertEqual(len(self.env["xrm.interaction"].search(action["domain"])), 2)

    def test_breach_activity_once_updated_then_closed(self):
        kpi = self._kpi("undocumented_ratio", responsible_user_id=self.xrm_manager.id)
        p = self._partner("Breach Co")
        drafts = self._interaction(p, "2026-05-10 10:00:00") | self._interaction(
            p, "2026-05-11 10:00:00"
        )
        self._interaction(p, "2026-05-12 10:00:00", state="done")
        kpi.compute_kpis(as_of=D)  # 66.7 % > 35: critical
        self.assertEqual(kpi.last_status, "critical")
        activity = kpi.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.xrm_manager)
        self.assertIn("66.7", str(activity.note))
        self.assertIn("35.0", str(activity.note))
        self.assertEqual(kpi.breach_since, D)
        # still breached the next day: the same activity, updated
        self._interaction(p, "2026-05-20 10:00:00")
        kpi.compute_kpis(as_of=D + timedelta(days=1))
        self.assertEqual(kpi.activity_ids, activity)
        self.assertIn("75.0", str(activity.note))
        self.assertEqual(kpi.breach_since, D)
        # documented: recovers, the activity is closed
        self.assertEqual(len(drafts), 2)
        self.env["xrm.interaction"].search(
            [("partner_id", "=", p.id), ("state", "=", "draft")]
        ).write(
            {"state": "done", "summary": "Done", "outcome": "neutral", "quality": 3}
        )
        kpi.compute_kpis(as_of=D + timedelta(days=2))
        self.assertEqual(kpi.last_status, "ok")
        self.assertFalse(kpi.activity_ids)
        self.assertFalse(kpi.breach_since)

    def test_salesperson_reads_own_and_company_values_only(self):
        kpi = self._kpi("undocumented_ratio")
        p = self._partner("Scope Co")
        self._interaction(p, "2026-05-10 10:00:00")
        self._interaction(p, "2026-05-11 10:00:00", user=self.bob)
        kpi.compute_kpis(as_of=D)
        visible = (
            self.env["xrm.kpi.value"]
            .with_user(self.alice)
            .with_company(self.company)
            .search([("definition_id", "=", kpi.id)])
        )
        self.assertEqual(visible.mapped("user_id"), self.alice)
        self.assertEqual(len(visible), 2)  # own and company-wide
