# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Agent scorecard on hand-built agents, figures computed by hand.

As of D = 2026-07-01: quarter 1 = [2025-07-01, 2025-10-01) … quarter 4 =
[2026-04-01, 2026-07-01).

Steady: 100, 100, 120, 80 → mean 100, population stdev √((0+0+400+400)/4)
= 14.142 → steadiness 0.8586, revenue 400, score 343.43.
Lucky: 0, 0, 0, 1000 → mean 250, stdev √((3 × 250² + 750²)/4) = 433.01
→ 1 − 1.732 < 0 → steadiness 0, score 0: below Steady despite 1000.
Idle: nothing won → mean 0 → steadiness 0.
"""

from math import sqrt

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import XrmWorld, dt

AS_OF = {"xrm_as_of": "2026-07-01"}


@tagged("post_install", "-at_install")
class TestAgentScorecard(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
        )
        cls._kpi(cls, "agent_response_hours")  # 90 days: [2026-04-02, 2026-07-01)
        cls.steady = cls._partner(cls, "Steady Agency", rtype="agent")
        cls.lucky = cls._partner(cls, "Lucky Reseller", rtype="agent")
        cls.idle = cls._partner(cls, "Idle Agent", rtype="agent")
        cls.customer = cls._partner(cls, "Buyer")
        cls.won = cls.env["crm.lead"]
        for agent, when, amount in (
            (cls.steady, "2025-08-15 10:00:00", 100),
            (cls.steady, "2025-11-15 10:00:00", 100),
            (cls.steady, "2026-02-15 10:00:00", 120),
            (cls.steady, "2026-05-15 10:00:00", 80),
            (cls.lucky, "2026-06-30 23:00:00", 1000),
        ):
            cls.won |= cls._agent_deal(cls, agent, when, amount)
        # Outside the four quarters, or not won, or archived: not counted.
        cls._agent_deal(cls, cls.steady, "2025-06-30 23:00:00", 5000)
        cls._agent_deal(cls, cls.steady, "2026-07-01 00:00:00", 5000)
        cls._agent_deal(cls, cls.lucky, "2026-05-01 10:00:00", 7000).action_archive()
        cls.env["crm.lead"].create(
            {
                "name": "Open deal",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "expected_revenue": 9000,
                "xrm_agent_id": cls.steady.id,
            }
        )
        i = cls._interaction
        done = {"state": "done"}
        # Steady: answered after 4 h and 24 h → 14 h; quality (5 + 3 + 4) / 3.
        i(
            cls,
            cls.steady,
            "2026-06-01 10:00:00",
            direction="inbound",
            quality=5,
            **done,
        )
        i(
            cls,
            cls.steady,
            "2026-06-01 14:00:00",
            direction="outbound",
            channel="email",
            quality=3,
            **done,
        )
        i(cls, cls.steady, "2026-06-10 10:00:00", direction="inbound")
        i(
            cls,
            cls.steady,
            "2026-06-11 10:00:00",
            direction="outbound",
            channel="email",
            quality=4,
            **done,
        )
        i(cls, cls.steady, "2025-06-01 10:00:00", channel="meeting")  # a year before
        # Lucky: one visit nobody answered: 61 days until D.
        i(
            cls,
            cls.lucky,
            "2026-05-01 00:00:00",
            direction="inbound",
            channel="visit",
            quality=2,
            **done,
        )

    def _agent_deal(self, agent, when, amount):
        """A won opportunity the agent brought (called with the class too)."""
        lead = self.env["crm.lead"].create(
            {
                "name": f"Deal {agent.name} {when}",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "user_id": self.alice.id,
                "expected_revenue": amount,
                "xrm_agent_id": agent.id,
            }
        )
        lead.action_set_won()
        lead.write({"date_closed": dt(when)})
        return lead

    def _rows(self):
        rows = self.env["xrm.agent.scorecard"].with_context(**AS_OF).search([])
        return {row.partner_id: row for row in rows}

    def test_quarters_steadiness_and_rank(self):
        rows = self._rows()
        steady, lucky, idle = rows[self.steady], rows[self.lucky], rows[self.idle]
        self.assertEqual(
            [
                steady.revenue_q1,
                steady.revenue_q2,
                steady.revenue_q3,
                steady.revenue_q4,
            ],
            [100, 100, 120, 80],
        )
        self.assertEqual(
            [lucky.revenue_q1, lucky.revenue_q2, lucky.revenue_q3, lucky.revenue_q4],
            [0, 0, 0, 1000],
        )
        self.assertEqual(steady.won_count, 4)
        self.assertEqual(steady.revenue_total, 400)
        self.assertAlmostEqual(steady.steadiness, 1 - sqrt(200) / 100, places=4)
        self.assertAlmostEqual(steady.score, 400 * (1 - sqrt(200) / 100), places=2)
        self.assertEqual(lucky.steadiness, 0.0)
        self.assertEqual(lucky.score, 0.0)
        self.assertEqual(idle.steadiness, 0.0)
        ranking = (
            self.env["xrm.agent.scorecard"]
            .with_context(**AS_OF)
            .search([("partner_id", "in", (self.steady | self.lucky).ids)])
        )
        self.assertEqual(ranking.partner_id, self.steady | self.lucky)
        self.assertEqual(ranking[0].partner_id, self.steady)

    def test_response_quality_and_channels(self):
        rows = self._rows()
        steady, lucky = rows[self.steady], rows[self.lucky]
        self.assertAlmostEqual(steady.response_hours, 14.0, places=4)
        self.assertAlmostEqual(lucky.response_hours, 61 * 24.0, places=4)
        self.assertAlmostEqual(steady.quality_avg, 4.0, places=4)
        self.assertAlmostEqual(lucky.quality_avg, 2.0, places=4)
        self.assertEqual(steady.interaction_count, 4)
        self.assertEqual((steady.share_phone, steady.share_email), (50.0, 50.0))
        self.assertEqual(steady.share_meeting, 0.0)
        self.assertEqual(lucky.share_visit, 100.0)

    def test_response_is_the_kpi_rule(self):
        # The same number the agent_response_hours KPI gives on D.
        kpi = self.env["xrm.kpi.definition"].search(
            [
                ("code", "=", "agent_response_hours"),
                ("company_id", "=", self.company.id),
            ]
        )
        value = kpi._xrm_compute(as_of=dt("2026-07-01 00:00:00").date())
        company = value.filtered(lambda v: not v.user_id and not v.team_id)
        self.assertAlmostEqual(company.value, (4 + 24 + 61 * 24) / 3, places=2)

    def test_figures_open_their_records(self):
        row = self._rows()[self.steady].with_context(**AS_OF)
        won = row.action_open_won()
        self.assertEqual(
            self.env["crm.lead"].search(won["domain"]),
            self.won.filtered(lambda lead: lead.xrm_agent_id == self.steady),
        )
        interactions = self.env["xrm.interaction"].search(
            row.action_open_interactions()["domain"]
        )
        self.assertEqual(len(interactions), 4)

    def test_bad_date_is_refused_clearly(self):
        with self.assertRaises(UserError):
            self.env["xrm.agent.scorecard"].with_context(xrm_as_of="soon").search([])

    def test_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["xrm.agent.scorecard"].with_user(self.alice).search([])


@tagged("post_install", "-at_install")
class TestLeadAgent(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls._partner(cls, "Agent Orange", rtype="agent")
        cls.customer = cls._partner(cls, "Client")

    def test_only_an_agent_can_be_the_agent(self):
        lead = self.env["crm.lead"].create({"name": "L", "company_id": self.company.id})
        with self.assertRaises(ValidationError):
            lead.xrm_agent_id = self.customer
        lead.xrm_agent_id = self.agent
        self.assertEqual(lead.xrm_agent_id, self.agent)

    def test_kept_on_conversion(self):
        sales = new_test_user(
            self.env,
            login="agent_sales",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[(6, 0, self.env.companies.ids)],
        )
        lead = (
            self.env["crm.lead"]
            .with_user(sales)
            .create(
                {
                    "name": "From the agent",
                    "type": "lead",
                    "partner_id": self.customer.id,
                    "xrm_agent_id": self.agent.id,
                }
            )
        )
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_user(sales)
            .with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            .create(
                {"name": "convert", "action": "exist", "partner_id": self.customer.id}
            )
        )
        wizard.action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.xrm_agent_id, self.agent)

    def test_kept_when_merged_into_an_opportunity(self):
        opportunity = self.env["crm.lead"].create(
            {
                "name": "Existing",
                "type": "opportunity",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
            }
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "From the agent",
                "type": "lead",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "xrm_agent_id": self.agent.id,
            }
        )
        merged = (opportunity | lead).merge_opportunity(auto_unlink=False)
        self.assertEqual(merged.xrm_agent_id, self.agent)
