# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import XrmCommon


def _tour_world(env, manager, salesperson):
    """A stage with three relationships (two the salesperson's) and a KPI value."""
    stage = env["xrm.journey.stage"].create(
        {"name": "Tour Stage", "max_days": 10, "sequence": 900}
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Tour Partner {letter}",
                "is_company": True,
                "xrm_relation_type": "customer",
                "user_id": user.id,
                "xrm_stage_id": stage.id,
            }
            for letter, user in (("A", salesperson), ("B", salesperson), ("C", manager))
        ]
    )
    # One of the salesperson's has been there too long: the stage is a bottleneck.
    partners[0].xrm_stage_date = fields.Datetime.now() - timedelta(days=40)
    kpi = env.ref("xrm_relationship.xrm_kpi_network_growth")
    env["xrm.kpi.value"].create(
        {
            "definition_id": kpi.id,
            "date": fields.Date.context_today(kpi) + timedelta(days=1),
            "company_id": kpi.company_id.id,
            "value": 42,
            "numerator": 42,
            "status": "ok",
        }
    )
    return stage, partners


@tagged("post_install", "-at_install")
class TestDashboardData(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage, cls.partners = _tour_world(cls.env, cls.xrm_manager, cls.xrm_user)

    def _row(self, data):
        return next(s for s in data["funnel"] if s["id"] == self.stage.id)

    def test_manager_sees_everyone_salesperson_only_themselves(self):
        Dashboard = self.env["xrm.dashboard"]
        manager = Dashboard.with_user(self.xrm_manager).get_dashboard_data({})
        row = self._row(manager)
        self.assertEqual((row["count"], row["overdue"]), (3, 1))
        self.assertTrue(manager["is_manager"])
        card = next(c for c in manager["kpis"] if c["code"] == "network_growth")
        self.assertEqual(card["value"], 42)
        # a salesperson asking for everyone still gets their own dashboard
        mine = Dashboard.with_user(self.xrm_user).get_dashboard_data(
            {"user_id": self.xrm_manager.id}
        )
        self.assertEqual(mine["filters"]["user_id"], self.xrm_user.id)
        self.assertEqual(self._row(mine)["count"], 2)
        self.assertFalse(mine["options"]["users"])
        at_risk = {r["id"] for r in mine["at_risk"]}
        self.assertNotIn(self.partners[2].id, at_risk)

    def test_at_risk_red_lowest_cs_first(self):
        """The at-risk list opens with the red relationships, lowest CS
        first, up to its length (read in the order of an index, stopped)."""
        from ..models.xrm_dashboard import AT_RISK_LIMIT

        Partner = self.env["res.partner"]
        Partner.search([("xrm_health", "=", "red")]).write({"xrm_health": "yellow"})
        scores = [37.5, 5.0, 21.0, 12.5] + [30.0 + k for k in range(AT_RISK_LIMIT)]
        red = Partner.create(
            [
                {
                    "name": f"Red {k}",
                    "is_company": True,
                    "xrm_relation_type": "customer",
                    "user_id": self.xrm_user.id,
                    "xrm_stage_id": self.stage.id,
                }
                for k in range(len(scores))
            ]
        )
        for partner, score in zip(red, scores, strict=True):
            partner.write({"xrm_health": "red", "xrm_cs_score": score})
        red[1].action_archive()  # gone: not listed, the next lowest is
        data = (
            self.env["xrm.dashboard"].with_user(self.xrm_manager).get_dashboard_data({})
        )
        listed = [row["id"] for row in data["at_risk"]]
        expected = sorted(red - red[1], key=lambda p: p.xrm_cs_score)
        self.assertEqual(listed, [p.id for p in expected[:AT_RISK_LIMIT]])
        self.assertEqual(listed[:3], [red[3].id, red[2].id, red[4].id])

    def test_bottleneck_is_the_stage_with_most_overdue(self):
        data = (
            self.env["xrm.dashboard"]
            .with_user(self.xrm_manager)
            .get_dashboard_data({"relation_type": "customer"})
        )
        bottlenecks = [s for s in data["funnel"] if s["bottleneck"]]
        self.assertEqual(len(bottlenecks), 1)
        ratio = bottlenecks[0]["overdue"] / bottlenecks[0]["count"]
        for stage in data["funnel"]:
            if stage["count"] and not stage["is_churn"]:
                self.assertLessEqual(stage["overdue"] / stage["count"], ratio)

    def test_funnel_days_overdue_health_and_team_by_hand(self):
        """Days in stage, overdue at the stage's limit, health, the team filter.

        The stage allows 10 days: overdue from 11 days on. A entered 40 days
        ago, B 11 days and an hour ago (both overdue), C 10 days ago (not).
        """
        now = fields.Datetime.now()
        first, second, third = self.partners
        first.write({"xrm_stage_date": now - timedelta(days=40), "xrm_health": "red"})
        second.write(
            {
                "xrm_stage_date": now - timedelta(days=11, hours=1),
                "xrm_health": "green",
                "xrm_relation_type": "supplier",
            }
        )
        third.xrm_stage_date = now - timedelta(days=10)
        Dashboard = self.env["xrm.dashboard"].with_user(self.xrm_manager)
        row = self._row(Dashboard.get_dashboard_data({}))
        # (40 + 11 1/24 + 10) / 3 = 20.35 days
        self.assertEqual((row["count"], row["overdue"], row["avg_days"]), (3, 2, 20.3))
        # The salesperson's team: A and B only, (40 + 11 1/24) / 2 = 25.52 days.
        team = self.env["crm.team"].create(
            {"name": "XRM Team", "member_ids": [(6, 0, self.xrm_user.ids)]}
        )
        data = Dashboard.get_dashboard_data({"team_id": team.id})
        row = self._row(data)
        self.assertEqual((row["count"], row["overdue"], row["avg_days"]), (2, 2, 25.5))
        health = {r["type"]: r for r in data["health"]}
        self.assertEqual(set(health), {"customer", "supplier"})
        self.assertEqual(
            (health["customer"]["red"], health["customer"]["green"]), (1, 0)
        )
        self.assertEqual(
            (health["supplier"]["green"], health["supplier"]["red"]), (1, 0)
        )

    def test_funnel_sums_company_and_shared_relationships(self):
        """The scan groups by company too: a stage's figures add both groups.

        A (this company) entered 40 days ago, B and C (shared, no company)
        20 and 10: 3 in the stage, 2 over its 10 days, (40 + 20 + 10) / 3 =
        23.3 days; A and B red, one of each group.
        """
        Dashboard = self.env["xrm.dashboard"].with_user(self.xrm_manager)

        def red_customers(data):
            return next(r for r in data["health"] if r["type"] == "customer")["red"]

        red_before = red_customers(Dashboard.get_dashboard_data())
        now = fields.Datetime.now()
        first, second, third = self.partners
        first.write(
            {
                "company_id": self.env.company.id,
                "xrm_stage_date": now - timedelta(days=40),
                "xrm_health": "red",
            }
        )
        second.write({"xrm_stage_date": now - timedelta(days=20), "xrm_health": "red"})
        third.write({"xrm_stage_date": now - timedelta(days=10)})
        self.assertFalse(second.company_id or third.company_id)
        data = Dashboard.get_dashboard_data()
        row = self._row(data)
        self.assertEqual((row["count"], row["overdue"], row["avg_days"]), (3, 2, 23.3))
        self.assertEqual(red_customers(data) - red_before, 2)

    def test_leaderboard_by_hand_and_for_a_team(self):
        """Retention, documentation and its stability, then a team's members.

        A: retention 80 %, 20 % undocumented; documented 8 (10 - 2), 4 and 6
        in the three 30-day windows: stability 4 / 8 = 0.5. B: retention 90 %
        and no windows. Under the team filter (A only) B is not listed.
        """
        Value = self.env["xrm.kpi.value"]
        retention = self.env.ref("xrm_relationship.xrm_kpi_retention_rate")
        undocumented = self.env.ref("xrm_relationship.xrm_kpi_undocumented_ratio")
        # After the demo's own snapshots, so these are the latest.
        day = fields.Date.context_today(retention) + timedelta(days=1)
        company = self.env.company
        first = new_test_user(
            self.env, login="xrm_leader_a", groups="xrm_relationship.group_xrm_user"
        )
        second = new_test_user(
            self.env, login="xrm_leader_b", groups="xrm_relationship.group_xrm_user"
        )

        def value(definition, user, date, figure, numerator=0, denominator=0):
            Value.create(
                {
                    "definition_id": definition.id,
                    "company_id": company.id,
                    "user_id": user.id,
                    "date": date,
                    "value": figure,
                    "numerator": numerator,
                    "denominator": denominator,
                    "status": "ok",
                }
            )

        value(retention, first, day, 80)
        value(retention, second, day, 90)
        for back, numerator, denominator in ((0, 2, 10), (30, 1, 5), (60, 0, 6)):
            share = 100.0 * numerator / denominator
            value(
                undocumented,
                first,
                day - timedelta(days=back),
                share,
                numerator,
                denominator,
            )
        Dashboard = self.env["xrm.dashboard"].with_user(self.xrm_manager)
        leaders = Dashboard.get_dashboard_data({"company_id": company.id})["leaders"]
        by_id = {row["id"]: row for row in leaders}
        self.assertEqual([row["id"] for row in leaders][:2], [second.id, first.id])
        self.assertEqual(
            (
                by_id[first.id]["retention"],
                by_id[first.id]["documentation"],
                by_id[first.id]["documented"],
                by_id[first.id]["stability"],
            ),
            (80, 80.0, 8, 0.5),
        )
        self.assertEqual(
            (by_id[second.id]["retention"], by_id[second.id]["stability"]), (90, None)
        )
        team = self.env["crm.team"].create(
            {"name": "Leaders Team", "member_ids": [(6, 0, first.ids)]}
        )
        leaders = Dashboard.get_dashboard_data(
            {"company_id": company.id, "team_id": team.id}
        )["leaders"]
        self.assertEqual([row["id"] for row in leaders], [first.id])

    def test_users_without_xrm_rights_get_nothing(self):
        with self.assertRaises(AccessError):
            self.env["xrm.dashboard"].with_user(self.plain_user).get_dashboard_data({})

    def test_kpi_card_opens_the_records(self):
        value = self.env["xrm.kpi.value"].search(
            [("code", "=", "undocumented_ratio"), ("is_company_scope", "=", True)],
            order="date desc",
            limit=1,
        )
        self.assertTrue(value, "the demo computes KPIs at install")
        action = value.action_open_records()
        self.assertEqual(action["res_model"], "xrm.interaction")
        self.assertEqual(
            self.env["xrm.interaction"].search_count(action["domain"]),
            int(value.denominator),
        )


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_tours(self):
        manager = new_test_user(
            self.env,
            login="tour_manager",
            groups="xrm_relationship.group_xrm_manager,sales_team.group_sale_manager",
        )
        salesperson = new_test_user(
            self.env,
            login="tour_sales",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
        )
        _tour_world(self.env, manager, salesperson)
        self.start_tour(
            "/odoo/xrm-dashboard", "xrm_dashboard_manager_tour", login="tour_manager"
        )
        self.start_tour(
            "/odoo/xrm-dashboard", "xrm_dashboard_salesperson_tour", login="tour_sales"
        )
