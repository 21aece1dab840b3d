# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""My Relationships: each salesperson's mirror, figures computed by hand.

W = [2026-01-01, 2026-07-01). C2 churned on 2026-03-20, C3 on 2026-06-15.
Alice: phone/positive 02-01 → L1 (won), C1 · phone/positive 03-01 → L2 (open),
  C2 (churn after 19 days) · email/negative 02-01 with C3 (churn after 134 days,
  too late) · email/negative 2025-12-01 (before W).
Bob: phone/positive 04-01 with C1 · email/negative 03-10 with C2 (after 10 days).

Alice phone/positive: 2 interactions, 2 opportunities, 1 won, 1 kept, 1 churn,
  mix 2/3. Alice email/negative: 1, 0, 0, 0 kept, 0 churn, mix 1/3.
Team phone/positive: 3 → opportunity 2/3, won 1/3, kept 2/3, churn 1/3, mix 3/5.
Team email/negative: 2 → 0, 0, kept 0, churn 1/2, mix 2/5.
"""

import json
from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import XrmWorld

WINDOW = {"xrm_date_from": "2026-01-01", "xrm_date_to": "2026-06-30"}


def build_mirror_world(cls):
    cls.env = cls.env(
        context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
    )
    cls.c1, cls.c2, cls.c3 = (cls._partner(cls, f"Mirror C{n}") for n in (1, 2, 3))
    Lead = cls.env["crm.lead"]
    cls.l1, cls.l2 = (
        Lead.create(
            {
                "name": name,
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": cls.company.id,
            }
        )
        for name, partner in (("Mirror L1", cls.c1), ("Mirror L2", cls.c2))
    )
    cls.l1.action_set_won()
    i = cls._interaction
    done = {"state": "done"}
    cls.alice_phone = i(
        cls, cls.c1, "2026-02-01 10:00:00", generated_lead_id=cls.l1.id, **done
    ) | i(cls, cls.c2, "2026-03-01 10:00:00", generated_lead_id=cls.l2.id, **done)
    cls.alice_email = i(
        cls, cls.c3, "2026-02-01 10:00:00", channel="email", outcome="negative", **done
    )
    i(cls, cls.c2, "2025-12-01 10:00:00", channel="email", outcome="negative", **done)
    cls.bob_phone = i(cls, cls.c1, "2026-04-01 10:00:00", user=cls.bob, **done)
    cls.bob_email = i(
        cls,
        cls.c2,
        "2026-03-10 10:00:00",
        user=cls.bob,
        channel="email",
        outcome="negative",
        **done,
    )
    # Last: documenting interactions moves the journey, which clears churn.
    cls.c2.write({"xrm_churn_date": date(2026, 3, 20)})
    cls.c3.write({"xrm_churn_date": date(2026, 6, 15)})


@tagged("post_install", "-at_install")
class TestRelationshipMirror(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        build_mirror_world(cls)

    def _rows(self, user):
        rows = (
            self.env["xrm.relationship.mirror"]
            .with_user(user)
            .with_context(**WINDOW)
            .search([])
        )
        return {(row.user_id, row.channel, row.outcome): row for row in rows}

    def test_own_figures_next_to_the_team(self):
        rows = self._rows(self.alice)
        self.assertEqual(
            set(rows),
            {(self.alice, "phone", "positive"), (self.alice, "email", "negative")},
        )
        phone = rows[(self.alice, "phone", "positive")]
        email = rows[(self.alice, "email", "negative")]
        columns = (
            "interaction_count",
            "opportunity_count",
            "won_count",
            "kept_count",
            "churn_count",
            "mix_share",
            "opportunity_share",
            "won_share",
            "kept_share",
            "churn_share",
            "team_interaction_count",
            "team_mix_share",
            "team_opportunity_share",
            "team_won_share",
            "team_kept_share",
            "team_churn_share",
        )
        expected = {
            phone: (2, 2, 1, 1, 1, 200 / 3, 100, 50, 50, 50)
            + (3, 60, 200 / 3, 100 / 3, 200 / 3, 100 / 3),
            email: (1, 0, 0, 0, 0, 100 / 3, 0, 0, 0, 0) + (2, 40, 0, 0, 0, 50),
        }
        for row, figures in expected.items():
            for column, want in zip(columns, figures, strict=True):
                with self.subTest(row=row.channel, column=column):
                    self.assertAlmostEqual(row[column], want, places=2)

    def test_salesperson_never_sees_a_colleague(self):
        Mirror = self.env["xrm.relationship.mirror"].with_context(**WINDOW)
        bob_rows = Mirror.search([("user_id", "=", self.bob.id)])
        self.assertEqual(len(bob_rows), 2)
        as_alice = Mirror.with_user(self.alice)
        self.assertFalse(as_alice.search([("user_id", "=", self.bob.id)]))
        self.assertEqual(as_alice.search_count([("user_id", "!=", self.alice.id)]), 0)
        with self.assertRaises(AccessError):
            bob_rows.with_user(self.alice).read(["interaction_count"])
        # nor through the aggregates of the list and pivot views
        groups = as_alice.formatted_read_group(
            [], ["user_id"], ["interaction_count:sum"]
        )
        self.assertEqual(
            [(g["user_id"][0], g["interaction_count:sum"]) for g in groups],
            [(self.alice.id, 3)],
        )

    def test_managers_see_everyone(self):
        manager = self.env["res.users"].create(
            {
                "name": "Mirror Manager",
                "login": "mirror_manager",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "group_ids": [
                    (4, self.env.ref("xrm_relationship.group_xrm_manager").id)
                ],
            }
        )
        rows = self._rows(manager)
        self.assertEqual(
            set(rows),
            {
                (self.alice, "phone", "positive"),
                (self.alice, "email", "negative"),
                (self.bob, "phone", "positive"),
                (self.bob, "email", "negative"),
            },
        )
        bob_email = rows[(self.bob, "email", "negative")]
        self.assertEqual((bob_email.churn_count, bob_email.kept_count), (1, 0))
        self.assertAlmostEqual(bob_email.mix_share, 50.0)

    def test_figures_open_the_interactions(self):
        row = self._rows(self.alice)[(self.alice, "phone", "positive")]
        action = row.with_context(**WINDOW).action_open_interactions()
        self.assertEqual(
            self.env["xrm.interaction"].search(action["domain"]), self.alice_phone
        )


@tagged("post_install", "-at_install")
class TestRelationshipMirrorApi(XrmWorld, HttpCase):
    """The same wall through JSON-2 with the salesperson's API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        build_mirror_world(cls)
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.alice)
            ._generate(
                scope="rpc",
                name="mirror",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )

    def _json2(self, method, **params):
        return self.url_open(
            f"/json/2/xrm.relationship.mirror/{method}",
            data=json.dumps(params),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.key}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )

    @mute_logger("odoo.http")
    def test_json2_gives_own_rows_only(self):
        context = dict(WINDOW, allowed_company_ids=self.company.ids)
        response = self._json2(
            "search_read",
            domain=[],
            fields=["user_id", "channel", "outcome", "interaction_count"],
            context=context,
        )
        self.assertEqual(response.status_code, 200, response.text)
        rows = response.json()
        self.assertEqual({row["user_id"][0] for row in rows}, {self.alice.id})
        self.assertEqual(sum(row["interaction_count"] for row in rows), 3)
        bob_ids = (
            self.env["xrm.relationship.mirror"]
            .with_context(**WINDOW)
            .search([("user_id", "=", self.bob.id)])
            .ids
        )
        response = self._json2(
            "read", ids=bob_ids, fields=["interaction_count"], context=context
        )
        self.assertEqual(response.status_code, 403, response.text)
