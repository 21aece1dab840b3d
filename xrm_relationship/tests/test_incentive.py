# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Retention incentives on a hand-built quarter, with hand-computed figures.

Q2 2026: [2026-04-01, 2026-06-30], as-of 2026-07-01, a 91-day window; the
previous period starts 2025-12-31.

Alice: retention 1 kept / 2 = 50; NRR 1500 / (1000 + 1000 + 500) = 60;
CSAT 5 → 100; documentation 4 / 4 = 100; goals 1 / 2 = 50.
Score = (40·50 + 20·60 + 20·100 + 10·100 + 10·50) / 100 = 67.0.
Clawback: one customer won on 2026-01-15 churned 26 days later.
Bob: retention 1 / 1 = 100; NRR 0 / 1000 = 0; no CSAT, no goals (left out);
documentation 1 / 2 = 50. Score = (40·100 + 20·0 + 10·50) / 70 = 64.29;
below the 80 % documentation gate: no bonus.
"""

import io
import shutil
import zipfile
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_kpi import KpiWorld


@tagged("post_install", "-at_install")
class TestIncentive(KpiWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("retention_rate", "nrr", "csat_avg", "undocumented_ratio"):
            source = cls.env.ref(f"xrm_relationship.xrm_kpi_{code}")
            source.copy({"company_id": cls.company.id, "name": source.name})
        alice, bob = cls.alice, cls.bob
        # Alice's customers
        a1 = cls._customer("Kept by Alice", alice)
        cls._won(a1, "2026-01-10 10:00:00", 1000)
        cls._won(a1, "2026-05-10 10:00:00", 1500)
        a2 = cls._customer("Lost by Alice", alice)
        cls._won(a2, "2026-02-01 10:00:00", 1000)
        a3 = cls._customer("Won then gone", alice)
        cls._won(a3, "2026-01-15 10:00:00", 500)
        a2.write({"xrm_churn_date": date(2026, 6, 15)})  # 134 days: no clawback
        a3.write({"xrm_churn_date": date(2026, 2, 10)})  # 26 days: clawback
        for when in ("2026-04-02", "2026-04-20", "2026-05-03", "2026-06-30"):
            cls.env["xrm.interaction"].create(
                {
                    "partner_id": a1.id,
                    "company_id": cls.company.id,
                    "user_id": alice.id,
                    "date": f"{when} 10:00:00",
                    "state": "done",
                    "summary": "Review",
                    "outcome": "positive",
                    "quality": 4,
                }
            )
        ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Question",
                "description": "<p>?</p>",
                "partner_id": a1.id,
                "company_id": cls.company.id,
                "user_id": alice.id,
            }
        )
        rating = cls.env["rating.rating"].create(
            {
                "res_model_id": cls.ticket_model,
                "res_id": ticket.id,
                "rating": 5,
                "consumed": True,
            }
        )
        rating.write({"rated_on": "2026-05-05 10:00:00"})
        Goal = cls.env["xrm.customer.goal"]
        for state in ("achieved", "missed"):
            Goal.create(
                {
                    "partner_id": a1.id,
                    "company_id": cls.company.id,
                    "name": f"Goal {state}",
                    "user_id": alice.id,
                    "deadline": date(2026, 5, 31),
                    "state": state,
                    "progress": 100 if state == "achieved" else 40,
                }
            )
        # Bob's customer
        b1 = cls._customer("Kept by Bob", bob)
        cls._won(b1, "2026-03-01 10:00:00", 1000)
        for state in ("done", "draft"):
            vals = {
                "partner_id": b1.id,
                "company_id": cls.company.id,
                "user_id": bob.id,
                "date": "2026-05-15 10:00:00",
                "state": state,
            }
            if state == "done":
                vals.update(summary="Call", outcome="neutral", quality=3)
            cls.env["xrm.interaction"].create(vals)
        cls.plan = cls.env["xrm.incentive.plan"].create(
            {
                "name": "Keep them",
                "company_id": cls.company.id,
                "period": "quarterly",
                "user_ids": [(6, 0, [alice.id, bob.id])],
                "base_amount": 1000,
                "pool_amount": 1000,
                "clawback_amount": 100,
                "clawback_days": 90,
            }
        )

    @classmethod
    def _customer(cls, name, user):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "company_id": cls.company.id,
                "xrm_relation_type": "customer",
                "user_id": user.id,
            }
        )

    @classmethod
    def _won(cls, partner, when, amount):
        lead = cls.env["crm.lead"].create(
            {
                "name": f"Deal {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "user_id": partner.user_id.id,
                "expected_revenue": amount,
            }
        )
        lead.action_set_won()
        lead.write({"date_closed": when})
        return lead

    def _run(self, **plan_vals):
        if plan_vals:
            self.plan.write(plan_vals)
        run = self.env["xrm.incentive.run"].create(
            {"plan_id": self.plan.id, "date_from": date(2026, 5, 14)}
        )
        run.action_compute()
        return run, {line.user_id: line for line in run.line_ids}

    def test_period_figures_score_gate_and_clawback(self):
        run, lines = self._run()
        self.assertEqual(
            (run.date_from, run.date_to), (date(2026, 4, 1), date(2026, 6, 30))
        )
        alice = lines[self.alice]
        self.assertEqual((alice.retained, alice.churned), (1, 1))
        self.assertAlmostEqual(alice.retention_rate, 50.0)
        self.assertAlmostEqual(alice.nrr, 60.0)
        self.assertAlmostEqual(alice.csat, 5.0)
        self.assertAlmostEqual(alice.documentation_rate, 100.0)
        self.assertAlmostEqual(alice.goal_attainment, 50.0)
        self.assertAlmostEqual(alice.score, 67.0)
        self.assertTrue(alice.gate_passed)
        self.assertAlmostEqual(alice.amount_before_clawback, 670.0)
        self.assertEqual(alice.clawback_count, 1)
        self.assertAlmostEqual(alice.clawback_amount, 100.0)
        self.assertAlmostEqual(alice.amount, 570.0)
        bob = lines[self.bob]
        self.assertFalse(bob.has_csat or bob.has_goal_attainment)
        self.assertAlmostEqual(bob.score, 4500 / 70, delta=0.05)  # stored to 0.1
        self.assertFalse(bob.gate_passed)
        self.assertIn("50.0", bob.gate_reason)
        self.assertEqual(bob.amount, 0.0)
        # every figure opens its records
        kept = self.env["res.partner"].search(alice.action_open_retained()["domain"])
        self.assertEqual(kept.mapped("name"), ["Kept by Alice"])
        lost = self.env["res.partner"].search(alice.action_open_churned()["domain"])
        self.assertEqual(lost.mapped("name"), ["Lost by Alice"])
        clawed = self.env["crm.lead"].search(alice.action_open_clawback()["domain"])
        self.assertEqual(clawed.partner_id.name, "Won then gone")

    def test_pool_share(self):
        _run, lines = self._run(amount_rule="pool", gate_documentation=0)
        alice, bob = lines[self.alice], lines[self.bob]
        total = 67.0 + 4500 / 70
        self.assertAlmostEqual(
            alice.amount_before_clawback, 1000 * 67.0 / total, places=2
        )
        self.assertAlmostEqual(
            bob.amount_before_clawback, 1000 * (4500 / 70) / total, places=2
        )
        self.assertAlmostEqual(
            alice.amount, alice.amount_before_clawback - 100, places=2
        )

    def test_recompute_replaces_and_confirmed_run_is_locked(self):
        run, _lines = self._run()
        run.action_compute()
        self.assertEqual(len(run.line_ids), 2)
        run.action_confirm()
        self.assertEqual(run.confirmed_by_id, self.env.user)
        self.assertTrue(run.confirmed_date)
        line = run.line_ids[:1]
        for attempt in (
            run.action_compute,
            lambda: run.write({"date_to": date(2026, 7, 31)}),
            run.unlink,
            lambda: line.write({"amount": 1e6}),
            line.unlink,
        ):
            with self.assertRaises(UserError):
                attempt()
        self.assertEqual(len(run.line_ids), 2)

    def test_salespeople_read_only_their_own_lines(self):
        run, lines = self._run()
        Line = self.env["xrm.incentive.line"]
        mine = Line.with_user(self.bob).with_company(self.company).search([])
        self.assertEqual(mine, lines[self.bob])
        # Their breadcrumb names them and the run, not "xrm.incentive.line,7".
        self.assertEqual(mine.display_name, f"{self.bob.name} · {run.name}")
        with self.assertRaises(AccessError):
            lines[self.alice].with_user(self.bob).with_company(self.company).read(
                ["amount"]
            )
        with self.assertRaises(AccessError):
            Line.with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            run.with_user(self.bob).with_company(self.company).write({"state": "draft"})

    def test_xlsx_export(self):
        run, _lines = self._run()
        data = run._xrm_xlsx_content()  # the download: test_incentive_trust.py
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
        self.assertIn("Alice", strings)
        self.assertIn("Retention %", strings)

    def test_pdf_renders(self):
        if not shutil.which("wkhtmltopdf"):
            self.skipTest("wkhtmltopdf is not installed")
        run, _lines = self._run()
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "xrm_relationship.action_report_xrm_incentive_run", run.ids
            )
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_report_renders(self):
        run, lines = self._run()
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "xrm_relationship.report_xrm_incentive_run", run.ids
        )
        self.assertIn(b"Alice", html)
        self.assertIn(b"Clawback", html)
        # a salesperson's own statement
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "xrm_relationship.report_xrm_incentive_line", lines[self.bob].ids
        )
        self.assertIn(b"Bob", html)
        self.assertNotIn(b"Alice", html)
