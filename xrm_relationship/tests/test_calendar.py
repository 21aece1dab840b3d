# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Solar Hijri (jalali) periods and dates; Gregorian unchanged for others.

Hand-checked bounds: 1405/01/01 = 2026-03-21; Q1 1405 = 1405/01/01–1405/03/31
= 2026-03-21–2026-06-21 (months 1-6 have 31 days); 1403 is a leap year
(Esfand 1403 = 2025-02-19–2025-03-20, 30 days), 1404 is not (Esfand 1404 =
2026-02-20–2026-03-20, 29 days).
"""

import io
import shutil
import subprocess
from datetime import date, datetime

import openpyxl

from odoo.tests import tagged

from ..tools.calendar import format_jalali, period_bounds
from . import test_incentive
from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestHijriBounds(XrmCommon):
    def test_quarters_of_1404_and_1405(self):
        quarters = {
            # a day inside → (first day, last day)
            date(2026, 5, 14): (date(2026, 3, 21), date(2026, 6, 21)),  # Q1 1405
            date(2026, 3, 21): (date(2026, 3, 21), date(2026, 6, 21)),
            date(2026, 6, 22): (date(2026, 6, 22), date(2026, 9, 22)),  # Q2 1405
            date(2026, 9, 23): (date(2026, 9, 23), date(2026, 12, 21)),  # Q3 1405
            date(2026, 12, 22): (date(2026, 12, 22), date(2027, 3, 20)),  # Q4 1405
            date(2026, 3, 20): (date(2025, 12, 22), date(2026, 3, 20)),  # Q4 1404
            date(2025, 3, 21): (date(2025, 3, 21), date(2025, 6, 21)),  # Q1 1404
        }
        for day, bounds in quarters.items():
            self.assertEqual(period_bounds(day, 3, "jalali"), bounds, day)

    def test_months_and_the_leap_esfand_of_1403(self):
        months = {
            date(2026, 3, 21): (date(2026, 3, 21), date(2026, 4, 20)),  # Farvardin 1405
            date(2026, 9, 23): (date(2026, 9, 23), date(2026, 10, 22)),  # Mehr, 30 d
            date(2026, 3, 1): (date(2026, 2, 20), date(2026, 3, 20)),  # Esfand 1404
            date(2025, 3, 20): (date(2025, 2, 19), date(2025, 3, 20)),  # Esfand 1403
        }
        for day, bounds in months.items():
            self.assertEqual(period_bounds(day, 1, "jalali"), bounds, day)
        start, end = period_bounds(date(2025, 3, 1), 1, "jalali")
        self.assertEqual((end - start).days + 1, 30)  # leap year: 30 days
        start, end = period_bounds(date(2026, 3, 1), 1, "jalali")
        self.assertEqual((end - start).days + 1, 29)
        self.assertEqual(format_jalali(date(2025, 3, 20)), "1403/12/30")
        self.assertEqual(format_jalali(date(2026, 3, 21), True), "۱۴۰۵/۰۱/۰۱")

    def test_gregorian_periods_unchanged(self):
        self.assertEqual(
            period_bounds(date(2026, 5, 14), 3, "gregorian"),
            (date(2026, 4, 1), date(2026, 6, 30)),
        )
        self.assertEqual(
            period_bounds(date(2024, 2, 10), 1, "gregorian"),
            (date(2024, 2, 1), date(2024, 2, 29)),
        )

    def test_setting_is_the_company_field(self):
        self.assertEqual(self.env.company.xrm_calendar, "gregorian")
        settings = self.env["res.config.settings"].create({"xrm_calendar": "jalali"})
        settings.execute()
        self.assertEqual(self.env.company.xrm_calendar, "jalali")


@tagged("post_install", "-at_install")
class TestIncentiveHijri(test_incentive.TestIncentive):
    """The world of test_incentive.py, in a Solar Hijri company.

    Q1 1405 = [2026-03-21, 2026-06-21], as-of 2026-06-22, a 93-day window;
    the previous period starts 2025-12-18 (the same purchases as Q2 2026).
    One more goal of Alice, achieved, due 2026-03-25: inside Q1 1405 only.
    Alice: retention 1 / 2 = 50; NRR 1500 / 2500 = 60; CSAT 5 → 100;
    documentation 3 / 3 = 100 (the 2026-06-30 review is after the quarter);
    goals 2 / 3 = 66.67. Score = (40·50 + 20·60 + 20·100 + 10·100 +
    10·66.667) / 100 = 68.67; 686.67 before the clawback (the customer won
    2026-01-15, churned 26 days later), 586.67 paid.
    Bob: as in Q2: 100, 0, documentation 1 / 2 = 50 → 64.29, gated: nothing.
    """

    # Only this class's tests: the Gregorian ones run in TestIncentive.
    locals().update(
        {
            name: None
            for name in dir(test_incentive.TestIncentive)
            if name[:5] == "test_"
        }
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"xrm_calendar": "jalali"})
        cls.env["res.lang"]._activate_lang("fa_IR")
        kept = cls.env["res.partner"].search([("name", "=", "Kept by Alice")])
        cls.env["xrm.customer.goal"].create(
            {
                "partner_id": kept.id,
                "company_id": cls.company.id,
                "name": "Goal of Farvardin",
                "user_id": cls.alice.id,
                "deadline": date(2026, 3, 25),
                "state": "achieved",
                "progress": 100,
            }
        )

    def test_run_over_a_hijri_quarter(self):
        run, lines = self._run()
        self.assertEqual(
            (run.date_from, run.date_to), (date(2026, 3, 21), date(2026, 6, 21))
        )
        alice = lines[self.alice]
        self.assertEqual((alice.retained, alice.churned), (1, 1))
        self.assertAlmostEqual(alice.retention_rate, 50.0)
        self.assertAlmostEqual(alice.nrr, 60.0)
        self.assertAlmostEqual(alice.csat, 5.0)
        self.assertAlmostEqual(alice.documentation_rate, 100.0)
        self.assertAlmostEqual(alice.goal_attainment, 200 / 3, delta=0.05)  # to 0.1
        self.assertAlmostEqual(alice.score, 68.67, delta=0.05)
        self.assertAlmostEqual(alice.amount_before_clawback, 686.67, places=1)
        self.assertEqual(alice.clawback_count, 1)
        self.assertAlmostEqual(alice.amount, 586.67, places=1)
        bob = lines[self.bob]
        self.assertAlmostEqual(bob.score, 4500 / 70, delta=0.05)
        self.assertFalse(bob.gate_passed)
        self.assertEqual(bob.amount, 0.0)

    def test_monthly_plan_runs_over_a_hijri_month(self):
        self.plan.period = "monthly"
        run = self.env["xrm.incentive.run"].create(
            {"plan_id": self.plan.id, "date_from": date(2026, 3, 1)}
        )
        self.assertEqual(
            (run.date_from, run.date_to), (date(2026, 2, 20), date(2026, 3, 20))
        )

    def test_names_in_hijri_for_persian_readers_only(self):
        run, lines = self._run()
        persian = run.with_context(lang="fa_IR")
        self.assertEqual(persian.display_name, "Keep them 1405/01/01…1405/03/31")
        self.assertEqual(persian.xrm_period_label, "1405/01/01 – 1405/03/31")
        self.assertIn(
            "1405/01/01", lines[self.bob].with_context(lang="fa_IR").display_name
        )
        self.company.xrm_persian_digits = True
        self.assertEqual(
            run.with_context(lang="fa_IR").xrm_period_label,
            "۱۴۰۵/۰۱/۰۱ – ۱۴۰۵/۰۳/۳۱",
        )
        # Others read Gregorian; the database keeps Gregorian.
        english = run.with_context(lang="en_US")
        self.assertEqual(english.display_name, "Keep them 2026-03-21…2026-06-21")
        self.assertEqual(english.xrm_period_label, "03/21/2026 – 06/21/2026")
        self.assertEqual(run.name, "Keep them 2026-03-21…2026-06-21")

    def test_gregorian_company_stays_gregorian_in_persian(self):
        self.company.xrm_calendar = "gregorian"
        run, _lines = self._run()
        self.assertEqual(
            (run.date_from, run.date_to), (date(2026, 4, 1), date(2026, 6, 30))
        )
        persian = run.with_context(lang="fa_IR")
        self.assertEqual(persian.display_name, "Keep them 2026-04-01…2026-06-30")
        self.assertNotIn("1405", persian.xrm_period_label)

    def _xlsx_cells(self, run):
        book = openpyxl.load_workbook(io.BytesIO(run._xrm_xlsx_content()))
        return [list(row) for row in book.active.iter_rows(values_only=True)]

    def test_xlsx_cells_in_hijri_for_a_persian_reader(self):
        run, _lines = self._run()
        cells = self._xlsx_cells(run.with_context(lang="fa_IR"))
        self.assertEqual(cells[0][1:3], ["1405/01/01", "1405/03/31"])
        cells = self._xlsx_cells(run.with_context(lang="en_US"))
        self.assertEqual(cells[0][:3], ["Period", "03/21/2026", "06/21/2026"])
        self.assertEqual(cells[2][0], "Salesperson")
        self.assertIn("Alice", [row[0] for row in cells[3:]])

    def _pdf_text(self, run):
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, lang=run.env.lang)
            ._render_qweb_pdf(
                "xrm_relationship.action_report_xrm_incentive_run", run.ids
            )
        )
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()

    def test_pdf_prints_hijri_for_a_persian_reader(self):
        if not (shutil.which("wkhtmltopdf") and shutil.which("pdftotext")):
            self.skipTest("wkhtmltopdf and pdftotext (poppler-utils) are needed")
        run, _lines = self._run()
        run.action_confirm()
        text = self._pdf_text(run.with_context(lang="fa_IR"))
        self.assertIn("1405/01/01", text)
        self.assertIn("1405/03/31", text)
        today = format_jalali(datetime.now())[:10]
        self.assertIn(today[:8], text)  # the confirmation date, in Hijri too
        self.assertNotIn("2026", text)
        # Others: Gregorian, as before (the English PDF's web font prints as
        # outlines, with no text for pdftotext: its HTML then).
        html, _kind = (
            self.env["ir.actions.report"]
            .with_context(lang="en_US")
            ._render_qweb_html("xrm_relationship.report_xrm_incentive_run", run.ids)
        )
        self.assertIn(b"03/21/2026", html)
        self.assertNotIn(b"1405", html)
