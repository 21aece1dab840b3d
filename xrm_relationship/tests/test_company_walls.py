# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Company walls hold in reports and aggregates (issue 19, point 8).

Company B's people also see the contacts shared by every company
(``company_id`` empty): what they are shown about them must come from
company B only.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestCompanyWalls(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Walls B"})
        in_b = {
            "company_id": cls.company_b.id,
            "company_ids": [(6, 0, cls.company_b.ids)],
        }
        cls.alice = new_test_user(
            cls.env,
            login="wall_alice",
            name="Alice Alpha",
            groups="xrm_relationship.group_xrm_user",
        )
        cls.bert = new_test_user(
            cls.env,
            login="wall_bert",
            name="Bert Beta",
            groups="xrm_relationship.group_xrm_user",
            **in_b,
        )
        cls.cleo = new_test_user(
            cls.env,
            login="wall_cleo",
            name="Cleo Colleague",
            groups="xrm_relationship.group_xrm_user",
            **in_b,
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="wall_manager_b",
            groups="xrm_relationship.group_xrm_manager",
            **in_b,
        )
        cls.now = fields.Datetime.now().replace(microsecond=0)

    def _shared(self, name, **vals):
        return self.env["res.partner"].create(
            {"name": name, "is_company": True, "company_id": False, **vals}
        )

    def _contact(self, partner, user, company, days=2, **vals):
        return self.env["xrm.interaction"].create(
            {
                "partner_id": partner.id,
                "user_id": user.id,
                "company_id": company.id,
                "date": self.now - timedelta(days=days),
                "channel": "phone",
                **vals,
            }
        )

    def test_supplier_friction_counts_the_readers_company_only(self):
        supplier = self._shared("Shared Steel", xrm_relation_type="supplier")
        negative = {
            "state": "done",
            "summary": "Late again",
            "outcome": "negative",
            "quality": 2,
            "direction": "inbound",
        }
        self._contact(supplier, self.alice, self.company_a, **negative)
        self._contact(supplier, self.alice, self.company_a, days=3, **negative)
        self._contact(supplier, self.bert, self.company_b, **negative)
        self.env.flush_all()
        Friction = self.env["xrm.supplier.friction"]
        row_b = Friction.with_user(self.manager_b).search(
            [("partner_id", "=", supplier.id)]
        )
        self.assertEqual(len(row_b), 1)
        self.assertEqual(row_b.interaction_count, 1)
        self.assertEqual(row_b.negative_count, 1)
        self.assertEqual(row_b.score, 3.0)
        groups = Friction.with_user(self.manager_b)._read_group(
            [("partner_id", "=", supplier.id)], [], ["negative_count:sum"]
        )
        self.assertEqual(groups[0][0], 1)
        # rows depend on the reader: another reader, another read
        Friction.invalidate_model()
        row_a = Friction.with_user(self.xrm_manager).search(
            [("partner_id", "=", supplier.id)]
        )
        self.assertEqual(row_a.negative_count, 2)

    def test_contact_pressure_shows_no_other_company_nor_unreadable_contacts(self):
        ICP = self.env["ir.config_parameter"].sudo()
        ICP.set_param("xrm_relationship.pressure_period_days", "30")
        customer = self._shared("Shared Pressed", xrm_max_outbound=2)
        out = {"direction": "outbound"}
        self._contact(customer, self.alice, self.company_a, **out)
        self._contact(customer, self.alice, self.company_a, days=3, **out)
        self._contact(customer, self.bert, self.company_b, **out)
        self._contact(customer, self.cleo, self.company_b, days=4, **out)
        self.assertEqual(customer.with_user(self.bert).xrm_pressure_count, 2)
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.bert)
            .with_context(default_model="res.partner", default_res_ids=customer.ids)
            .create({"body": "Hello again"})
        )
        warning = composer.xrm_pressure_warning
        self.assertIn("already had 2 outbound contacts", warning)
        self.assertIn("Bert Beta", warning)
        self.assertNotIn("Alice Alpha", warning)  # another company
        self.assertNotIn("Cleo Colleague", warning)  # not readable by Bert
        # company A's salesperson sees company A's contacts
        self.assertEqual(customer.with_user(self.alice).xrm_pressure_count, 2)

    def test_dashboard_of_company_b(self):
        stage = self.env.ref("xrm_relationship.xrm_journey_stage_active")
        partner = self._shared("Shared Dash", xrm_stage_id=stage.id)
        partner.flush_recordset()
        self.env.cr.execute(
            "UPDATE res_partner SET xrm_health = 'red', xrm_cs_score = 10 "
            "WHERE id = %s",
            [partner.id],
        )
        partner.invalidate_recordset()
        self._contact(
            partner,
            self.alice,
            self.company_a,
            state="done",
            summary="Company A talked",
            outcome="positive",
            quality=5,
        )
        data = self.env["xrm.dashboard"].with_user(self.manager_b).get_dashboard_data()
        names = {name for _id, name in data["options"]["users"]}
        self.assertIn("Bert Beta", names)
        self.assertNotIn("Alice Alpha", names)
        [row] = [row for row in data["at_risk"] if row["id"] == partner.id]
        self.assertFalse(row["last_contact"])
        self.assertIn("no meaningful contact", row["reasons"])
        data_a = (
            self.env["xrm.dashboard"].with_user(self.xrm_manager).get_dashboard_data()
        )
        [row_a] = [row for row in data_a["at_risk"] if row["id"] == partner.id]
        self.assertTrue(row_a["last_contact"])

    def test_analyses_rows_follow_the_interactions_company(self):
        churned = self._shared("Shared Gone")
        mine = self._contact(churned, self.bert, self.company_b, days=5)
        theirs = self._contact(churned, self.alice, self.company_a, days=6)
        churned.write({"xrm_churn_date": fields.Date.context_today(churned)})
        self.env.flush_all()
        for model in ("xrm.churn.precursor", "xrm.interaction.effect"):
            with self.subTest(model=model):
                rows = (
                    self.env[model]
                    .with_user(self.manager_b)
                    .search([("partner_id", "=", churned.id)])
                )
                self.assertEqual(rows.interaction_id, mine)
                self.assertNotIn(theirs, rows.interaction_id)

    def test_shared_partner_health_does_not_depend_on_who_computes(self):
        partner = self._shared("Shared Health", xrm_relation_type="customer")
        # quality 3: CX 50, yellow with the default bands (green 70, yellow 40)
        self._contact(
            partner,
            self.alice,
            self.company_a,
            state="done",
            summary="Fine",
            outcome="neutral",
            quality=3,
        )
        self.env["xrm.health.profile"].create(
            {
                "relation_type": "customer",
                "company_id": self.company_b.id,
                "green_threshold": 45,
                "yellow_threshold": 10,
            }
        )
        partner.with_user(self.manager_b).action_xrm_compute_health()
        by_b = partner.xrm_health
        # what the nightly job (superuser, main company) stores
        partner._xrm_compute_health()
        self.assertEqual(partner.xrm_health, by_b)
        self.assertEqual(partner.xrm_health, "yellow")
