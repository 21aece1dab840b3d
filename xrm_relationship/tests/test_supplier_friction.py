# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Supplier friction: the score, its ranking and its KPI, by hand."""

from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .test_kpi import KpiWorld, dt

D = date(2026, 6, 1)  # W = [2026-03-03, 2026-06-01) for 90 days


@tagged("post_install", "-at_install")
class TestSupplierFriction(KpiWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new_stage = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.done_stage = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")

    def _issue(self, partner, created, priority="1", closed=None):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": f"Issue {partner.name} {created}",
                "description": "<p>Late delivery</p>",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "priority": priority,
                "stage_id": (self.done_stage if closed else self.new_stage).id,
            }
        )
        ticket.write({"closed_date": dt(closed) if closed else False})
        ticket.flush_recordset()
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            [dt(created), ticket.id],
        )
        ticket.invalidate_recordset(["create_date"])
        return ticket

    def _world(self):
        supplier = self._partner("Steel Supply", rtype="supplier")
        contractor = self._partner("Crane Works", rtype="contractor", user=self.bob)
        quiet = self._partner("Quiet Supply", rtype="supplier")
        customer = self._partner("Grumpy Customer")
        done = {"state": "done"}
        out, inb = {"direction": "outbound"}, {"direction": "inbound"}
        # Steel Supply: 2 negatives; waits of 2 days and 1 day (to D): 1.5 mean.
        self._interaction(
            supplier, "2026-05-01 10:00:00", outcome="negative", **done, **out
        )
        self._interaction(
            supplier, "2026-05-03 10:00:00", outcome="neutral", **done, **inb
        )
        self._interaction(
            supplier, "2026-05-20 09:00:00", outcome="negative", **done, **inb
        )
        self._interaction(supplier, "2026-05-31 00:00:00", **out)
        self._interaction(supplier, "2026-02-01 10:00:00", outcome="negative", **done)
        self._interaction(
            supplier, "2026-05-05 10:00:00", outcome="negative", active=False, **done
        )
        # Escalations: created in W with High / Very High priority (t1, t4);
        # open at D: t1, t3 (before W) and t4 (closed after D).
        self._issue(supplier, "2026-04-10 08:00:00", priority="3")
        self._issue(supplier, "2026-04-15 08:00:00", closed="2026-04-20 08:00:00")
        self._issue(supplier, "2026-01-10 08:00:00", priority="2")
        self._issue(
            supplier, "2026-05-10 08:00:00", priority="2", closed="2026-06-05 08:00:00"
        )
        self._issue(supplier, "2026-06-02 08:00:00", priority="3")  # after D: out
        # Crane Works: one request answered in 12 hours.
        self._interaction(
            contractor,
            "2026-05-30 12:00:00",
            user=self.bob,
            outcome="positive",
            **done,
            **out,
        )
        self._interaction(contractor, "2026-05-31 00:00:00", user=self.bob, **inb)
        # Quiet Supply: nothing in W; a customer is never a supplier.
        self._interaction(quiet, "2026-01-01 10:00:00", **out)
        self._interaction(customer, "2026-05-02 10:00:00", outcome="negative", **done)
        self._issue(customer, "2026-05-02 10:00:00", priority="3")
        return supplier, contractor, quiet, customer

    def test_score_by_hand(self):
        supplier, contractor, quiet, customer = self._world()
        start = dt("2026-03-03 00:00:00")
        end = dt("2026-06-01 00:00:00")
        sql = self.env["xrm.supplier.friction"]._xrm_rows_sql(
            start, end, self.company.ids
        )
        self.env.flush_all()
        self.env.cr.execute(sql)
        columns = [c.name for c in self.env.cr.description]
        rows = {
            row["partner_id"]: row
            for row in (
                dict(zip(columns, r, strict=True)) for r in self.env.cr.fetchall()
            )
        }
        self.assertEqual(set(rows), {supplier.id, contractor.id})
        steel = rows[supplier.id]
        self.assertEqual(steel["negative_count"], 2)
        self.assertEqual(steel["escalation_count"], 2)
        self.assertEqual(steel["open_ticket_count"], 3)
        self.assertEqual(steel["wait_count"], 2)
        self.assertAlmostEqual(steel["delay_days"], 1.5)
        # 3 × 2 + 2 × 2 + 3 + 1.5
        self.assertAlmostEqual(steel["score"], 14.5)
        self.assertAlmostEqual(rows[contractor.id]["score"], 0.5)

    def test_kpi(self):
        self._world()
        kpi = self._kpi("supplier_friction")
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        # mean of 14.5 and 0.5
        self.assertValue(scopes[None], 7.5, 15.0, 2)
        self.assertValue(scopes[self.alice], 14.5, 14.5, 1)
        self.assertValue(scopes[self.bob], 0.5, 0.5, 1)
        self.assertEqual(scopes[None].status, "warning")  # lower is better, > 5
        ids = kpi._xrm_record_ids(D, part="num")
        self.assertEqual(len(ids["res.partner"]), 2)

    def test_live_ranking(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.friction_days", "30"
        )
        now = fields.Datetime.now().replace(microsecond=0)
        supplier = self._partner("Late Logistics", rtype="supplier")
        calm = self._partner("Calm Components", rtype="supplier")

        def at(days):
            return fields.Datetime.to_string(now - timedelta(days=days))

        done = {"state": "done"}
        self._interaction(
            supplier, at(10), outcome="negative", direction="outbound", **done
        )
        self._interaction(supplier, at(8), direction="inbound")  # 2 days
        self._interaction(supplier, at(40), outcome="negative", **done)  # too old
        self._issue(supplier, at(5), priority="3")  # escalation, still open
        self._interaction(calm, at(3), direction="inbound", outcome="positive", **done)
        self.env.flush_all()  # the view reads the tables in SQL
        ranking = self.env["xrm.supplier.friction"].search(
            [("partner_id", "in", (supplier | calm).ids)]
        )
        self.assertEqual(ranking.mapped("partner_id"), supplier | calm)
        # 3 × 1 + 2 × 1 + 1 + 2 days
        self.assertAlmostEqual(ranking[0].score, 8.0, places=3)
        self.assertEqual(ranking[1].score, 0.0)

    def test_salesperson_cannot_read_the_ranking(self):
        with self.assertRaises(AccessError):
            self.env["xrm.supplier.friction"].with_user(self.xrm_user).search([])

    def test_period_setting_is_checked(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xrm_friction_days": 0})
