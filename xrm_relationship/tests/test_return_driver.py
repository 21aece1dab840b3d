# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What makes customers return: the lift on a hand-built cohort.

As of D = 2026-07-01 the return_rate_6m cohort anchors on first purchases in
[2025-07-01, 2026-01-02); a return is another purchase within 180 days.
  R1 buys 2025-08-01 and 2025-10-01 (returned): meeting/positive 08-10,
     email/neutral 09-01.
  R2 buys 2025-09-01 and 2026-01-15 (returned): meeting/positive 09-05.
  N1 buys 2025-08-15 only: email/neutral 08-20; meeting/positive before the
     anchor and after its 180 days (left out).
  N2 buys 2025-10-01 and 2026-05-01 (212 days: no return): email/negative 10-05.
  X  buys 2025-06-01 only (before the cohort): its meeting is left out.
Cohort 4, returned 2: 50 %.
  meeting/positive: returners 2, non 0 → 100 % / 50 % = lift 2.0
  email/neutral:    returners 1, non 1 → 50 % / 50 % = lift 1.0
  email/negative:   returners 0, non 1 → lift 0
"""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import XrmWorld, dt

AS_OF = {"xrm_as_of": "2026-07-01"}


@tagged("post_install", "-at_install")
class TestReturnDriver(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
        )
        cls._kpi(cls, "return_rate_6m")
        cls.manager = new_test_user(
            cls.env,
            login="return_manager",
            groups="xrm_relationship.group_xrm_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.r1, cls.r2, cls.n1, cls.n2, cls.x = (
            cls._partner(cls, name) for name in ("R1", "R2", "N1", "N2", "X")
        )
        for partner, when in (
            (cls.r1, "2025-08-01"),
            (cls.r1, "2025-10-01"),
            (cls.r2, "2025-09-01"),
            (cls.r2, "2026-01-15"),
            (cls.n1, "2025-08-15"),
            (cls.n2, "2025-10-01"),
            (cls.n2, "2026-05-01"),
            (cls.x, "2025-06-01"),
        ):
            cls._won(cls, partner, when)

        def i(partner, when, channel, outcome):
            return cls._interaction(
                cls,
                partner,
                f"{when} 10:00:00",
                channel=channel,
                outcome=outcome,
                state="done",
            )

        cls.r1_before = i(cls.r1, "2025-08-10", "meeting", "positive") | i(
            cls.r1, "2025-09-01", "email", "neutral"
        )
        cls.r2_before = i(cls.r2, "2025-09-05", "meeting", "positive")
        cls.n1_before = i(cls.n1, "2025-08-20", "email", "neutral")
        i(cls.n1, "2025-07-01", "meeting", "positive")
        i(cls.n1, "2026-03-01", "meeting", "positive")
        cls.n2_before = i(cls.n2, "2025-10-05", "email", "negative")
        i(cls.x, "2025-06-05", "meeting", "positive")

    def _won(self, partner, when):
        lead = self.env["crm.lead"].create(
            {
                "name": f"Deal {partner.name} {when}",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "user_id": self.alice.id,
                "expected_revenue": 100,
            }
        )
        lead.action_set_won()
        lead.write({"date_closed": dt(f"{when} 10:00:00")})
        return lead

    def _report(self):
        return (
            self.env["xrm.return.driver"].with_user(self.manager).with_context(**AS_OF)
        )

    def _rows(self):
        rows = self._report().search([])
        return {(row.channel, row.outcome): row for row in rows}

    def test_lift_and_shares(self):
        rows = self._rows()
        self.assertEqual(
            set(rows),
            {("meeting", "positive"), ("email", "neutral"), ("email", "negative")},
        )
        columns = (
            "returner_count",
            "non_returner_count",
            "returner_interactions",
            "non_returner_interactions",
            "returner_share",
            "non_returner_share",
            "return_rate",
            "cohort_return_rate",
            "lift",
        )
        expected = {
            ("meeting", "positive"): (2, 0, 2, 0, 100, 0, 100, 50, 2.0),
            ("email", "neutral"): (1, 1, 1, 1, 50, 50, 50, 50, 1.0),
            ("email", "negative"): (0, 1, 0, 1, 0, 50, 0, 50, 0.0),
        }
        for key, figures in expected.items():
            for column, want in zip(columns, figures, strict=True):
                with self.subTest(kind=key, column=column):
                    self.assertAlmostEqual(rows[key][column], want, places=2)
        # ranked by lift
        ranked = self._report().search([])
        self.assertEqual(
            (ranked[0].channel, ranked[0].outcome), ("meeting", "positive")
        )

    def test_figures_open_their_interactions(self):
        row = self._rows()[("email", "neutral")].with_context(**AS_OF)
        Interaction = self.env["xrm.interaction"]
        returners = Interaction.search(row.action_open_returners()["domain"])
        self.assertEqual(
            returners, self.r1_before.filtered(lambda i: i.channel == "email")
        )
        others = Interaction.search(row.action_open_non_returners()["domain"])
        self.assertEqual(others, self.n1_before)

    def test_what_preceded_their_return_on_the_partner(self):
        Interaction = self.env["xrm.interaction"]
        action = self.r1.with_context(**AS_OF).action_xrm_open_return_precursors()
        self.assertEqual(Interaction.search(action["domain"]), self.r1_before)
        action = self.n1.with_context(**AS_OF).action_xrm_open_return_precursors()
        self.assertFalse(Interaction.search(action["domain"]))

    def test_managers_only(self):
        with self.assertRaises(AccessError):
            self.env["xrm.return.driver"].with_user(self.alice).search([])
