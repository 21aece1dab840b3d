# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pay stays private and a confirmed run stays what was paid, through every door.

The doors are the ones a user has: the ORM (``with_user``), JSON-2 with an API
key, the reports and the spreadsheet download. Two salespeople share a plan;
the lines carry distinctive amounts so that a leak shows in any output.
"""

import importlib.util
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

MANAGER = "xrm_relationship.group_xrm_manager"
HIDDEN_LINE_FIELDS = ("amount_before_clawback", "clawback_amount")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "19.0.1.2.0"
    / "post-incentive_private_export.py"
)


@tagged("post_install", "-at_install")
class TestIncentiveTrust(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company_b = env["res.company"].create({"name": "Pay Company B"})
        cls.manager = new_test_user(
            env,
            login="pay_manager",
            name="Mina Manager",
            groups=MANAGER,
            company_ids=[(6, 0, [env.company.id, cls.company_b.id])],
        )
        cls.sales = new_test_user(
            env,
            login="pay_sales",
            name="Sara Sales",
            groups="xrm_relationship.group_xrm_user",
        )
        cls.colleague = new_test_user(
            env,
            login="pay_colleague",
            name="Cyrus Colleague",
            groups="xrm_relationship.group_xrm_user",
        )
        cls.plain = new_test_user(env, login="pay_plain_user", groups="base.group_user")
        cls.plan = env["xrm.incentive.plan"].create(
            {
                "name": "Pay Plan",
                "period": "monthly",
                "user_ids": [(6, 0, [cls.sales.id, cls.colleague.id])],
                "base_amount": 2005.47,
                "clawback_amount": 117.28,
            }
        )
        cls.other_plan = env["xrm.incentive.plan"].create(
            {"name": "Other Plan", "period": "monthly", "user_ids": cls.sales.ids}
        )
        Run = env["xrm.incentive.run"]
        cls.confirmed = Run.create(
            {"plan_id": cls.plan.id, "date_from": date(2026, 1, 1)}
        )
        cls.computed = Run.create(
            {"plan_id": cls.plan.id, "date_from": date(2026, 2, 1)}
        )
        for run in cls.confirmed | cls.computed:
            run.action_compute()
            # Distinctive amounts: any of them in an output is a leak.
            run.line_ids.filtered(lambda line: line.user_id == cls.sales).write(
                {
                    "score": 67.0,
                    "amount_before_clawback": 1345.67,
                    "clawback_count": 2,
                    "clawback_amount": 234.56,
                    "amount": 1111.11,
                }
            )
            run.line_ids.filtered(lambda line: line.user_id == cls.colleague).write(
                {"score": 43.0, "amount_before_clawback": 876.54, "amount": 876.54}
            )
        cls.confirmed.action_confirm()
        cls.keys = {
            user: env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="pay",
                expiration_date=datetime.now() + timedelta(days=1),
            )
            for user in (cls.manager, cls.sales)
        }

    def _json2(self, user, model, method, **params):
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(params),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.keys[user]}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )

    def _line(self, run, user):
        return run.line_ids.filtered(lambda line: line.user_id == user)

    def _snapshot(self, run):
        """Every stored figure of a run and its lines, as the database has it."""
        self.env.invalidate_all()
        fields = [
            name
            for name, field in self.env["xrm.incentive.line"]._fields.items()
            if field.store and name not in ("write_date", "write_uid")
        ]
        return (
            run.sudo().read(
                ["state", "plan_id", "company_id", "date_from", "date_to"]
                + ["confirmed_by_id", "confirmed_date", "line_ids"]
            ),
            run.sudo().line_ids.read(fields),
        )

    @staticmethod
    def _xlsx_text(content):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(
                book.read(name).decode()
                for name in book.namelist()
                if name.startswith("xl/") and name.endswith(".xml")
            )

    # ------------------------------------------------------------------
    # Pay stays private
    # ------------------------------------------------------------------
    @mute_logger("odoo.http")
    def test_xlsx_export_leaves_no_file_a_salesperson_can_read(self):
        Attachment = self.env["ir.attachment"].sudo()
        on_runs = [("res_model", "=", "xrm.incentive.run")]
        before = Attachment.search(on_runs)
        action = self.confirmed.with_user(self.manager).action_export_xlsx()
        # no file is stored: nobody, not even a colleague of the run, finds one
        self.assertEqual(Attachment.search(on_runs), before)
        self.assertFalse(
            self.env["ir.attachment"].with_user(self.sales).search(on_runs)
        )
        self.assertNotIn("/web/content", action["url"])
        # the manager downloads everyone's lines, streamed
        self.authenticate("pay_manager", "pay_manager")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], XLSX)
        sheet = self._xlsx_text(response.content)
        for text in ("Sara Sales", "Cyrus Colleague", "1345.67", "234.56"):
            self.assertIn(text, sheet)
        self.assertEqual(Attachment.search(on_runs), before)
        # the salesperson asking for the same address gets their own line only,
        # without the amounts that reveal the plan's
        self.authenticate("pay_sales", "pay_sales")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        sheet = self._xlsx_text(response.content)
        self.assertIn("Sara Sales", sheet)
        self.assertIn("1111.11", sheet)
        for text in ("Cyrus Colleague", "876.54", "1345.67", "234.56", "Clawback"):
            self.assertNotIn(text, sheet)
        # an internal user without XRM rights gets nothing
        self.authenticate("pay_plain_user", "pay_plain_user")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"Sara Sales", response.content)

    def test_upgrade_removes_the_exports_earlier_versions_stored(self):
        Attachment = self.env["ir.attachment"]
        old_export = Attachment.create(
            {
                "name": f"{self.confirmed.name}.xlsx",
                "raw": b"everyone's pay",
                "res_model": "xrm.incentive.run",
                "res_id": self.confirmed.id,
                "mimetype": XLSX,
            }
        )
        self.assertTrue(old_export.with_user(self.sales).read(["raw"]))  # the leak
        posted = Attachment.create(
            {
                "name": "budget.xlsx",
                "raw": b"posted on purpose",
                "res_model": "xrm.incentive.run",
                "res_id": self.confirmed.id,
                "mimetype": XLSX,
            }
        )
        self.confirmed.message_post(body="Budget", attachment_ids=posted.ids)
        spec = importlib.util.spec_from_file_location("xrm_pay_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "19.0.1.1.0")
        self.assertFalse(old_export.exists())
        self.assertTrue(posted.exists())

    @mute_logger("odoo.http", "odoo.models")
    def test_salesperson_line_does_not_reveal_plan_amounts(self):
        line = self._line(self.confirmed, self.sales)
        own = line.with_user(self.sales)
        # the ORM
        self.assertEqual(own.amount, 1111.11)
        self.assertEqual(own.clawback_count, 2)
        for name in HIDDEN_LINE_FIELDS:
            with self.subTest(field=name):
                with self.assertRaises(AccessError):
                    own.read([name])
                with self.assertRaises(AccessError):
                    own.search_count([(name, ">", 0)])
        # JSON-2: a read of every field, a read of a hidden one, a search on it
        response = self._json2(
            self.sales,
            "xrm.incentive.line",
            "search_read",
            domain=[("run_id", "=", self.confirmed.id)],
        )
        self.assertEqual(response.status_code, 200, response.text)
        (row,) = response.json()
        self.assertEqual((row["id"], row["amount"]), (line.id, 1111.11))
        self.assertFalse(set(HIDDEN_LINE_FIELDS) & set(row))
        self.assertNotIn("234.56", response.text)
        self.assertNotIn("1345.67", response.text)
        for name in HIDDEN_LINE_FIELDS:
            with self.subTest(json2=name):
                response = self._json2(
                    self.sales,
                    "xrm.incentive.line",
                    "web_read",
                    ids=line.ids,
                    specification={name: {}},
                )
                self.assertEqual(response.status_code, 403, response.text)
                response = self._json2(
                    self.sales,
                    "xrm.incentive.line",
                    "search_count",
                    domain=[(name, ">", 234)],
                )
                self.assertEqual(response.status_code, 403, response.text)
        response = self._json2(
            self.sales,
            "xrm.incentive.run",
            "read",
            ids=self.confirmed.ids,
            fields=["amount_total"],
        )
        self.assertEqual(response.json()[0]["amount_total"], 1111.11)
        # the statement and the run's PDF, printed by the salesperson
        Report = self.env["ir.actions.report"].with_user(self.sales)
        for report, ids in (
            ("xrm_relationship.report_xrm_incentive_line", line.ids),
            ("xrm_relationship.report_xrm_incentive_run", self.confirmed.ids),
        ):
            with self.subTest(report=report):
                html, _kind = Report._render_qweb_html(report, ids)
                self.assertIn(b"1,111.11", html)
                for text in (b"345.67", b"234.56", b"876.54", b"Cyrus"):
                    self.assertNotIn(text, html)
        # the manager's statement keeps the whole story
        html, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html("xrm_relationship.report_xrm_incentive_line", line.ids)
        )
        for text in (b"1,345.67", b"234.56", b"1,111.11"):
            self.assertIn(text, html)
        # printing stores no copy of the PDF for others to read
        report = self.env.ref("xrm_relationship.action_report_xrm_incentive_run")
        self.assertFalse(report.attachment or report.attachment_use)

    # ------------------------------------------------------------------
    # A confirmed run cannot change
    # ------------------------------------------------------------------
    def _doors(self):
        """Each way a manager could try to change the confirmed run."""
        run = self.confirmed
        moved = self._line(self.computed, self.colleague)
        paid = self._line(run, self.sales)
        confirming = {"xrm_confirming": True}
        return {
            "reset to draft with the confirming key": (
                "xrm.incentive.run",
                "write",
                {"ids": run.ids, "context": confirming, "vals": {"state": "draft"}},
            ),
            "period with the confirming key": (
                "xrm.incentive.run",
                "write",
                {
                    "ids": run.ids,
                    "context": confirming,
                    "vals": {"date_to": "2026-01-15"},
                },
            ),
            "plan": (
                "xrm.incentive.run",
                "write",
                {"ids": run.ids, "vals": {"plan_id": self.other_plan.id}},
            ),
            "compute again": ("xrm.incentive.run", "action_compute", {"ids": run.ids}),
            "delete the run": ("xrm.incentive.run", "unlink", {"ids": run.ids}),
            "move a draft line in with a new amount": (
                "xrm.incentive.line",
                "write",
                {"ids": moved.ids, "vals": {"run_id": run.id, "amount": 1e6}},
            ),
            "create a line in it": (
                "xrm.incentive.line",
                "create",
                {
                    "vals_list": [
                        {"run_id": run.id, "user_id": self.manager.id, "amount": 1e6}
                    ]
                },
            ),
            "create a line in it by a context default": (
                "xrm.incentive.line",
                "create",
                {
                    "context": {"default_run_id": run.id},
                    "vals_list": [{"user_id": self.manager.id, "amount": 1e6}],
                },
            ),
            "edit a line with the confirming key": (
                "xrm.incentive.line",
                "write",
                {"ids": paid.ids, "context": confirming, "vals": {"amount": 1e6}},
            ),
            "delete a line": ("xrm.incentive.line", "unlink", {"ids": paid.ids}),
            "move its plan to another company": (
                "xrm.incentive.plan",
                "write",
                {"ids": self.plan.ids, "vals": {"company_id": self.company_b.id}},
            ),
        }

    @mute_logger("odoo.http")
    def test_confirmed_run_cannot_change_through_json2(self):
        before = self._snapshot(self.confirmed)
        for door, (model, method, params) in self._doors().items():
            with self.subTest(door=door):
                response = self._json2(self.manager, model, method, **params)
                self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(self._snapshot(self.confirmed), before)
        self.assertEqual(self.plan.company_id, self.env.company)
        # nor is a run confirmed, or its confirmer named, except by Confirm
        for vals in (
            {"state": "confirmed"},
            {"confirmed_by_id": self.sales.id},
            {"confirmed_date": "2020-01-01 00:00:00"},
        ):
            with self.subTest(vals=vals):
                response = self._json2(
                    self.manager,
                    "xrm.incentive.run",
                    "write",
                    ids=self.computed.ids,
                    vals=vals,
                )
                self.assertEqual(response.status_code, 422, response.text)
        for context in ({}, {"default_state": "confirmed"}):
            with self.subTest(create=context):
                vals = {"plan_id": self.plan.id, "date_from": "2026-03-01"}
                if not context:
                    vals.update(state="confirmed", confirmed_by_id=self.sales.id)
                response = self._json2(
                    self.manager,
                    "xrm.incentive.run",
                    "create",
                    context=context,
                    vals_list=[vals],
                )
                self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(self.computed.state, "computed")
        self.assertFalse(self.computed.confirmed_by_id)
        self.assertFalse(
            self.env["xrm.incentive.run"].search(
                [("plan_id", "=", self.plan.id), ("date_from", "=", "2026-03-01")]
            )
        )
        # the legitimate path still works through the same door
        response = self._json2(
            self.manager, "xrm.incentive.run", "action_confirm", ids=self.computed.ids
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.computed.state, "confirmed")
        self.assertEqual(self.computed.confirmed_by_id, self.manager)

    def test_confirmed_run_cannot_change_through_the_orm(self):
        before = self._snapshot(self.confirmed)
        for door, (model, method, json2_params) in self._doors().items():
            kwargs = dict(json2_params)
            records = self.env[model].with_user(self.manager)
            records = records.with_context(**kwargs.pop("context", {}))
            records = records.browse(kwargs.pop("ids", []))
            with self.subTest(door=door), self.assertRaises(UserError):
                with self.env.cr.savepoint():
                    getattr(records, method)(**kwargs)
        self.assertEqual(self._snapshot(self.confirmed), before)
        with self.assertRaises(UserError):
            self.computed.with_user(self.manager).write({"state": "confirmed"})
        with self.assertRaises(UserError):
            self.env["xrm.incentive.run"].with_user(self.manager).create(
                {
                    "plan_id": self.plan.id,
                    "date_from": date(2026, 3, 1),
                    "state": "confirmed",
                }
            )
        # a salesperson has no write at all: AccessError first, as before
        with self.assertRaises(AccessError):
            self.computed.with_user(self.sales).write({"state": "draft"})
        # the manager's own steps are unchanged
        run = self.computed.with_user(self.manager)
        run.action_compute()
        run.action_confirm()
        self.assertEqual(run.state, "confirmed")
