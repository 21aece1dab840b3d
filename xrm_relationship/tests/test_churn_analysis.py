# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What led where: interactions before churn and those that made opportunities."""

from datetime import date

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import XrmWorld


@tagged("post_install", "-at_install")
class TestChurnAnalysis(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.churn_lookback_days", "30"
        )
        done = {"state": "done"}
        cls.lost = cls._partner(cls, "Lost Ltd")
        cls.gone = cls._partner(cls, "Gone GmbH")
        cls.kept = cls._partner(cls, "Kept Inc")
        lead = cls.env["crm.lead"]
        cls.lead_kept = lead.create(
            {"name": "Upsell", "type": "opportunity", "partner_id": cls.kept.id}
        )
        cls.lead_archived = lead.create(
            {"name": "Dropped", "type": "opportunity", "partner_id": cls.kept.id}
        )
        cls.lead_lost = lead.create(
            {"name": "Renewal", "type": "opportunity", "partner_id": cls.lost.id}
        )
        i = cls._interaction
        # Lost Ltd, churned 2026-05-01: W = [2026-04-01, 2026-05-01)
        cls.a = i(
            cls,
            cls.lost,
            "2026-04-30 15:00:00",
            channel="email",
            outcome="negative",
            **done,
        )
        cls.b = i(
            cls,
            cls.lost,
            "2026-04-10 10:00:00",
            user=cls.bob,
            outcome="neutral",
            **done,
        )
        cls.c = i(
            cls,
            cls.lost,
            "2026-04-01 00:00:00",
            channel="meeting",
            outcome="positive",
            **done,
        )
        i(cls, cls.lost, "2026-03-31 23:59:59", channel="email")  # before W
        i(cls, cls.lost, "2026-05-01 00:00:00")  # the churn day: after
        i(cls, cls.lost, "2026-04-20 10:00:00", active=False)  # archived
        cls.k = i(
            cls, cls.lost, "2026-02-01 10:00:00", generated_lead_id=cls.lead_lost.id
        )
        # Gone GmbH, churned 2026-05-15
        cls.g = i(
            cls,
            cls.gone,
            "2026-05-10 10:00:00",
            channel="email",
            outcome="negative",
            **done,
        )
        # Kept Inc never churned
        i(
            cls,
            cls.kept,
            "2026-04-30 10:00:00",
            channel="email",
            outcome="negative",
            **done,
        )
        cls.first = i(
            cls, cls.kept, "2026-03-01 10:00:00", generated_lead_id=cls.lead_kept.id
        )
        i(cls, cls.kept, "2026-03-05 10:00:00", generated_lead_id=cls.lead_kept.id)
        i(
            cls,
            cls.kept,
            "2026-03-02 10:00:00",
            channel="email",
            generated_lead_id=cls.lead_archived.id,
        )
        cls.lead_archived.action_archive()
        # Last: documenting interactions moves the journey, which clears churn.
        cls.lost.write({"xrm_churn_date": date(2026, 5, 1)})
        cls.gone.write({"xrm_churn_date": date(2026, 5, 15)})
        cls.partners = cls.lost | cls.gone | cls.kept

    def setUp(self):
        super().setUp()
        self.env.flush_all()  # the reports read the tables in SQL

    def test_interactions_before_churn(self):
        Report = self.env["xrm.churn.precursor"]
        rows = Report.search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(
            rows.mapped("interaction_id"), self.a | self.b | self.c | self.g
        )
        by_id = {row.interaction_id: row for row in rows}
        self.assertEqual(by_id[self.a].days_before_churn, 1)
        self.assertEqual(by_id[self.b].days_before_churn, 21)
        self.assertEqual(by_id[self.c].days_before_churn, 30)
        self.assertEqual(by_id[self.g].days_before_churn, 5)
        self.assertEqual(by_id[self.b].user_id, self.bob)
        self.assertEqual(by_id[self.a].churn_date, date(2026, 5, 1))
        groups = dict(
            Report._read_group(
                [("partner_id", "in", self.partners.ids)], ["channel"], ["__count"]
            )
        )
        self.assertEqual(groups, {"email": 2, "phone": 1, "meeting": 1})
        [(mean,)] = Report._read_group(
            [("partner_id", "in", self.partners.ids)], [], ["days_before_churn:avg"]
        )
        self.assertAlmostEqual(mean, (1 + 21 + 30 + 5) / 4)

    def test_channels_that_precede_churn_or_create_opportunities(self):
        Effect = self.env["xrm.interaction.effect"]
        domain = [("partner_id", "in", self.partners.ids)]
        rows = Effect._read_group(
            domain,
            ["channel"],
            [
                "__count",
                "preceded_churn:sum",
                "churn_share:avg",
                "generated_opportunity:sum",
                "opportunity_share:avg",
            ],
        )
        by_channel = {row[0]: row[1:] for row in rows}
        # email: a, g precede churn among 5 (a, g, the one before W, kept's
        # negative and the archived lead's); phone: b among 5, 2 generated
        # (k, first; the later duplicate of 'first' too: 3).
        self.assertEqual(by_channel["email"][:3], (5, 2, 40.0))
        self.assertEqual(by_channel["email"][3], 0)
        self.assertEqual(by_channel["phone"][:2], (5, 1))
        self.assertAlmostEqual(by_channel["phone"][2], 20.0)
        self.assertEqual(by_channel["phone"][3], 3)
        self.assertAlmostEqual(by_channel["phone"][4], 60.0)
        self.assertEqual(by_channel["meeting"][:3], (1, 1, 100.0))
        by_outcome = dict(
            Effect._read_group(domain, ["outcome"], ["preceded_churn:sum"])
        )
        self.assertEqual(by_outcome["negative"], 2)
        self.assertEqual(by_outcome["neutral"], 1)
        self.assertEqual(by_outcome["positive"], 1)

    def test_lead_shows_the_interaction_that_generated_it(self):
        self.assertEqual(self.lead_kept.xrm_source_interaction_id, self.first)
        self.assertEqual(self.lead_lost.xrm_source_interaction_id, self.k)
        other = self.env["crm.lead"].create(
            {"name": "Cold", "partner_id": self.gone.id}
        )
        self.assertFalse(other.xrm_source_interaction_id)

    def test_generated_opportunity_of_another_relationship_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "generated opportunity"):
            self.g.write({"generated_lead_id": self.lead_kept.id})

    def test_salesperson_cannot_read_the_analyses(self):
        for model in ("xrm.churn.precursor", "xrm.interaction.effect"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.xrm_user).search([])
