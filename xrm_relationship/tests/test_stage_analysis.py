# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Stage analysis: every column on a hand-built journey, computed by hand.

W = [2026-01-01, 2026-07-01) (date_from 2026-01-01, date_to 2026-06-30).

Moves (days in the stage left):
  P1  → Contact 2025-12-20 · Contact → Onboarding 02-01 (43)
      · Onboarding → Churned 05-01 (89)
  P2  → Contact 01-10 · Contact → Onboarding 01-20 (10)
      · Onboarding → Support 03-01 (40) · Support → Contact 2026-07-01 00:00 (after W)
  P3  → Contact 02-01 · Contact → Onboarding 03-01 (28)
      · Onboarding → Churned 2027-02-01
  P4  → Contact 03-01 · Contact → Onboarding 06-30 23:00 (121.9)
      · Onboarding → Churned 2027-07-15 (more than 365 days after leaving Contact)
  P5  → Onboarding 04-01 · Onboarding → Churned 04-15 (14)

Contact: entered 3 (P2, P3, P4); stays 10, 28, 43, 121.9 → median 35.5;
  left 4; churned after 2 (P1 in 89 days, P3 in 337 days; P4 too late) → 50 %.
Onboarding: entered 5; stays 89, 40, 14 → median 40; left 3 (P1, P2, P5);
  churned after 2 (P1, P5: the move out is itself into churn) → 66.67 %.
Support: entered 1, nothing ended. Churned: entered 2 (P1, P5).

Satisfaction: Contact 5 (P1 interaction) and 4 (P1 ticket rated 01-05, in
Contact since 2025-12-20) → 4.5; Onboarding 2 (P2 interaction) and 3 (P2 ticket
rated 02-15, in Onboarding since 01-20) → 2.5, a drop of 2.0. Left out: an answer
before W, an archived one, a rating given before its relationship had a stage.
Quality: Contact 4 and 2 → 3.0; Onboarding 5 → 5.0; drafts do not count.
"""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import XrmWorld, dt

WINDOW = {"xrm_date_from": "2026-01-01", "xrm_date_to": "2026-06-30"}


@tagged("post_install", "-at_install")
class TestStageAnalysis(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only this world's company: demo data lives in the main one (and
        # the moves of the relationships XrmWorld moved there go with them).
        cls.env.cr.execute(
            "UPDATE xrm_journey_transition t SET company_id = p.company_id"
            " FROM res_partner p WHERE p.id = t.partner_id AND t.company_id IS NULL"
        )
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
        )
        Stage = cls.env["xrm.journey.stage"]
        cls.contact = Stage.create({"name": "SA Contact", "sequence": 901})
        cls.onboarding = Stage.create({"name": "SA Onboarding", "sequence": 902})
        cls.support = Stage.create({"name": "SA Support", "sequence": 903})
        cls.churned = Stage.create(
            {"name": "SA Churned", "sequence": 904, "is_churn": True}
        )
        cls.p1, cls.p2, cls.p3, cls.p4, cls.p5 = (
            cls._partner(cls, f"SA P{n}") for n in range(1, 6)
        )
        c, o, s, x = cls.contact, cls.onboarding, cls.support, cls.churned
        moves = [
            (cls.p1, None, c, "2025-12-20 10:00:00", 0),
            (cls.p1, c, o, "2026-02-01 10:00:00", 43),
            (cls.p1, o, x, "2026-05-01 10:00:00", 89),
            (cls.p2, None, c, "2026-01-10 10:00:00", 0),
            (cls.p2, c, o, "2026-01-20 10:00:00", 10),
            (cls.p2, o, s, "2026-03-01 10:00:00", 40),
            (cls.p2, s, c, "2026-07-01 00:00:00", 122),
            (cls.p3, None, c, "2026-02-01 10:00:00", 0),
            (cls.p3, c, o, "2026-03-01 10:00:00", 28),
            (cls.p3, o, x, "2027-02-01 10:00:00", 337),
            (cls.p4, None, c, "2026-03-01 10:00:00", 0),
            (cls.p4, c, o, "2026-06-30 23:00:00", 121.9),
            (cls.p4, o, x, "2027-07-15 10:00:00", 380),
            (cls.p5, None, o, "2026-04-01 10:00:00", 0),
            (cls.p5, o, x, "2026-04-15 10:00:00", 14),
        ]
        cls.moves = cls.env["xrm.journey.transition"].create(
            [
                {
                    "partner_id": partner.id,
                    "from_stage_id": from_stage.id if from_stage else False,
                    "to_stage_id": to_stage.id,
                    "date": dt(when),
                    "days_in_previous_stage": days,
                }
                for partner, from_stage, to_stage, when, days in moves
            ]
        )
        i = cls._interaction
        done = {"state": "done"}
        cls.csat_contact = i(
            cls, cls.p1, "2026-01-15 10:00:00", stage_id=c.id, csat=5, quality=4, **done
        )
        cls.csat_onboarding = i(
            cls, cls.p2, "2026-02-10 10:00:00", stage_id=o.id, csat=2, quality=5, **done
        )
        i(cls, cls.p2, "2025-12-31 10:00:00", stage_id=o.id, csat=1, **done)
        i(cls, cls.p2, "2026-02-11 10:00:00", stage_id=o.id, csat=1, active=False)
        cls.quality_contact = i(
            cls, cls.p3, "2026-02-05 10:00:00", stage_id=c.id, quality=2, **done
        )
        i(cls, cls.p3, "2026-02-06 10:00:00", stage_id=c.id)  # a draft
        ticket_p1 = cls._ticket(cls, cls.p1, None)
        cls.rating_contact = cls._rating(cls, ticket_p1, 4, "2026-01-05 10:00:00")
        ticket_p2 = cls._ticket(cls, cls.p2, None)
        cls.rating_onboarding = cls._rating(cls, ticket_p2, 3, "2026-02-15 10:00:00")
        # P4 had no stage yet: its rating belongs to no stage.
        cls._rating(cls, cls._ticket(cls, cls.p4, None), 1, "2026-02-20 10:00:00")
        cls.stages = c | o | s | x

    def _rows(self, **context):
        Report = self.env["xrm.stage.analysis"].with_context(**(context or WINDOW))
        rows = Report.search([("stage_id", "in", self.stages.ids)])
        return {row.stage_id: row for row in rows}

    def test_every_column(self):
        rows = self._rows()
        self.assertEqual(set(rows), set(self.stages))
        expected = {
            # entered, stays, median, left, churned, rate, csat n, csat, drop,
            # quality n, quality
            self.contact: (3, 4, 35.5, 4, 2, 50.0, 2, 4.5, 0.0, 2, 3.0),
            self.onboarding: (5, 3, 40.0, 3, 2, 200 / 3, 2, 2.5, 2.0, 1, 5.0),
            self.support: (1, 0, 0.0, 0, 0, 0.0, 0, 0.0, 0.0, 0, 0.0),
            self.churned: (2, 0, 0.0, 0, 0, 0.0, 0, 0.0, 0.0, 0, 0.0),
        }
        columns = (
            "entered",
            "stay_count",
            "median_days",
            "left_count",
            "churned_after",
            "churn_rate",
            "csat_count",
            "csat_avg",
            "csat_drop",
            "quality_count",
            "quality_avg",
        )
        for stage, figures in expected.items():
            for column, want in zip(columns, figures, strict=True):
                with self.subTest(stage=stage.name, column=column):
                    self.assertAlmostEqual(rows[stage][column], want, places=2)

    def test_window_moves_the_figures(self):
        # Only March: P4 entered Contact, P2 and P3 moved on.
        rows = self._rows(xrm_date_from="2026-03-01", xrm_date_to="2026-03-31")
        self.assertEqual(rows[self.contact].entered, 1)
        self.assertEqual(rows[self.contact].left_count, 1)  # P3
        self.assertEqual(rows[self.contact].churned_after, 1)
        self.assertAlmostEqual(rows[self.onboarding].median_days, 40.0)
        self.assertEqual(rows[self.onboarding].churned_after, 0)  # P2: Support

    def test_bad_window_is_refused_clearly(self):
        Report = self.env["xrm.stage.analysis"]
        with self.assertRaises(UserError):
            Report.with_context(
                xrm_date_from="2026-07-01", xrm_date_to="2026-01-01"
            ).search([])
        with self.assertRaises(UserError):
            Report.with_context(xrm_date_from="yesterday").search([])

    def test_every_figure_opens_its_records(self):
        contact = self._rows()[self.contact].with_context(**WINDOW)
        moves = self.moves

        def ids(action):
            return set(self.env[action["res_model"]].search(action["domain"]).ids)

        entered = moves.filtered(
            lambda m: m.to_stage_id == self.contact
            and date(2026, 1, 1) <= m.date.date() <= date(2026, 6, 30)
        )
        self.assertEqual(ids(contact.action_open_entered()), set(entered.ids))
        stays = moves.filtered(
            lambda m: m.from_stage_id == self.contact
            and date(2026, 1, 1) <= m.date.date() <= date(2026, 6, 30)
        )
        self.assertEqual(ids(contact.action_open_stays()), set(stays.ids))
        self.assertEqual(
            ids(contact.action_open_left()),
            set((self.p1 | self.p2 | self.p3 | self.p4).ids),
        )
        self.assertEqual(
            ids(contact.action_open_churned()), set((self.p1 | self.p3).ids)
        )
        self.assertEqual(
            ids(contact.action_open_csat_interactions()), {self.csat_contact.id}
        )
        self.assertEqual(
            ids(contact.action_open_csat_ratings()), {self.rating_contact.id}
        )
        self.assertEqual(
            ids(contact.action_open_quality()),
            {self.csat_contact.id, self.quality_contact.id},
        )

    def test_dashboard_card_names_the_stages(self):
        card = self.env["xrm.stage.analysis"]._xrm_insight_card(
            date(2026, 1, 1), date(2026, 6, 30)
        )
        self.assertEqual(card["csat_drop"]["id"], self.onboarding.id)
        self.assertAlmostEqual(card["csat_drop"]["drop"], 2.0)
        self.assertEqual(card["churn"]["id"], self.onboarding.id)
        self.assertAlmostEqual(card["churn"]["rate"], 200 / 3, places=2)

    @freeze_time("2026-07-01 08:00:00")
    def test_dashboard_names_the_stages_to_managers_only(self):
        manager = self._manager("sa_dash_manager")
        data = (
            self.env["xrm.dashboard"]
            .with_user(manager)
            .with_context(allowed_company_ids=self.company.ids)
            .get_stage_insight({"company_id": self.company.id, "period_days": 365})
        )
        insight = data
        self.assertEqual(insight["csat_drop"]["id"], self.onboarding.id)
        self.assertEqual(insight["churn"]["id"], self.onboarding.id)
        self.assertEqual(insight["churn"]["left"], 3)
        self.assertEqual(insight["date_to"], "2026-07-01")
        own = (
            self.env["xrm.dashboard"]
            .with_user(self.alice)
            .get_stage_insight({"company_id": self.company.id})
        )
        self.assertFalse(own)

    def _manager(self, login):
        return new_test_user(
            self.env,
            login=login,
            groups="xrm_relationship.group_xrm_manager",
            company_id=self.company.id,
            company_ids=[(6, 0, self.company.ids)],
        )

    def test_managers_only(self):
        manager = self._manager("sa_manager")
        Report = self.env["xrm.stage.analysis"].with_context(**WINDOW)
        row = Report.with_user(manager).search([("stage_id", "=", self.contact.id)])
        self.assertEqual(row.entered, 3)
        with self.assertRaises(AccessError):
            Report.with_user(self.alice).search([])

    def test_another_company_counts_its_own_only(self):
        other = self.env["res.company"].create({"name": "SA Elsewhere"})
        manager = new_test_user(
            self.env,
            login="sa_manager_b",
            groups="xrm_relationship.group_xrm_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        row = (
            self.env["xrm.stage.analysis"]
            .with_user(manager)
            .with_context(allowed_company_ids=other.ids, **WINDOW)
            .search([("stage_id", "=", self.contact.id)])
        )
        self.assertEqual(
            (row.entered, row.left_count, row.csat_count, row.quality_count),
            (0, 0, 0, 0),
        )
