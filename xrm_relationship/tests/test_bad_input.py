# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Bad input through every door: a clear error or a correct record, never half.

Doors: the ORM (what forms call), imports (``load``), the JSON-2 API,
the webhook settings and engagement events from outside systems.
"""

from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import XrmCommon, XrmHttpCase, new_api_key

RTL_EMOJI = "مشتری از تماس راضی بود 👍🏽 — שלום עולם 🇮🇷 «quoted»"
BIG_TEXT = ("سلام 👋 " * 15_000)[:100_000]  # 100,000 characters, multi-byte


@tagged("post_install", "-at_install")
class TestBadInput(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {"name": "Input Co", "is_company": True, "user_id": cls.xrm_user.id}
        )
        cls.Interaction = cls.env["xrm.interaction"].with_user(cls.xrm_user)

    def _count(self):
        return self.env["xrm.interaction"].search_count(
            [("partner_id", "=", self.partner.id)]
        )

    def test_texts_of_any_script_and_size_are_kept_exactly(self):
        rec = self.Interaction.create(
            {
                "partner_id": self.partner.id,
                "summary": BIG_TEXT,
                "outcome": "positive",
                "quality": 4,
                "state": "done",
            }
        )
        rec.invalidate_recordset()
        self.assertEqual(len(rec.summary), 100_000)
        self.assertEqual(rec.summary, BIG_TEXT)
        self.assertTrue(rec.is_meaningful)
        other = self.Interaction.create(
            {"partner_id": self.partner.id, "summary": RTL_EMOJI}
        )
        other.invalidate_recordset()
        self.assertEqual(other.summary, RTL_EMOJI)
        self.assertEqual(self.Interaction.search([("summary", "ilike", "👍🏽")]), other)

    def test_out_of_range_and_missing_values_are_refused(self):
        base = {"partner_id": self.partner.id}
        bad = [
            ({"quality": 6}, ValidationError, "Quality"),
            ({"quality": -1}, ValidationError, "Quality"),
            ({"csat": 9}, ValidationError, "CSAT"),
            ({"state": "done"}, ValidationError, "summary, an outcome"),
            (
                {"state": "done", "summary": "   ", "outcome": "neutral", "quality": 3},
                ValidationError,
                "summary",
            ),
            (
                {"date": fields.Datetime.now() + timedelta(days=400)},
                ValidationError,
                "future",
            ),
            ({"partner_id": False}, UserError, "needs a relationship"),
            ({"partner_id": 2_000_000_000}, UserError, "does not exist"),
        ]
        before = self._count()
        for vals, error, message in bad:
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(error, message),
                self.env.cr.savepoint(),
            ):
                self.Interaction.create({**base, **vals})
        self.assertEqual(self._count(), before)
        # a batch with one bad record stores none of them
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.Interaction.create([base, {**base, "quality": 7}])
        self.assertEqual(self._count(), before)
        # An old call is memory, not an error: kept as it was.
        old = self.Interaction.create({**base, "date": datetime(1990, 1, 2, 9, 30)})
        self.assertEqual(old.date, datetime(1990, 1, 2, 9, 30))

    def test_wrong_types_are_refused_without_a_trace(self):
        base = {"partner_id": self.partner.id}
        before = self._count()
        bad = (
            {"quality": "excellent"},
            {"csat": [4]},
            {"date": "yesterday-ish"},
            {"channel": "pigeon"},
            {"partner_id": "Input Co"},
            {"lead_id": {"id": 1}},
        )
        for vals in bad:
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(ValidationError, "is not a valid value"),
            ):
                self.Interaction.create({**base, **vals})
        self.assertEqual(self._count(), before)
        rec = self.Interaction.create({**base, "quality": "4", "summary": "kept"})
        self.assertEqual(rec.quality, 4)  # a number as text is still a number
        for vals in bad[:3]:
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                rec.write(vals)
        self.assertEqual(rec.quality, 4)

    def test_import_reports_each_bad_row_and_imports_nothing(self):
        fields_ = ["partner_id/.id", "date", "channel", "quality", "summary"]
        partner = str(self.partner.id)
        rows = [
            [partner, "2026-01-05 10:00:00", "phone", "3", RTL_EMOJI],
            [partner, "2026-01-06 10:00:00", "phone", "12", "too good"],
            [partner, "not a date", "phone", "", "no date"],
            ["999999999", "2026-01-07 10:00:00", "phone", "", "nobody"],
            [partner, "2026-01-08 10:00:00", "pigeon", "", "no such channel"],
            [partner, "2026-01-09 10:00:00", "phone", "three", "words"],
        ]
        before = self._count()
        with mute_logger("odoo.sql_db", "odoo.models"):
            result = self.Interaction.load(fields_, rows)
        self.assertFalse(result["ids"])
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertGreaterEqual(len(errors), 5, result["messages"])
        text = " ".join(m["message"] for m in errors)
        self.assertIn("Quality must be between 1 and 5", text)
        self.assertEqual(self._count(), before)
        # the good row alone goes in, text intact
        result = self.Interaction.load(fields_, rows[:1])
        self.assertEqual(len(result["ids"]), 1, result["messages"])
        rec = self.env["xrm.interaction"].browse(result["ids"])
        self.assertEqual(
            (rec.summary, rec.quality, rec.user_id), (RTL_EMOJI, 3, self.xrm_user)
        )

    def test_domains_and_contexts_do_not_reach_other_records(self):
        colleague = self.env["xrm.interaction"].create(
            {
                "partner_id": self.env["res.partner"]
                .create({"name": "Colleague Co", "is_company": True})
                .id,
                "user_id": self.xrm_manager.id,
                "summary": "Discount of 40 percent agreed",
            }
        )
        Partner = self.env["res.partner"].with_user(self.xrm_user)
        # probing a colleague's notes through a related path finds nothing
        self.assertFalse(
            Partner.search([("xrm_interaction_ids.summary", "ilike", "40 percent")])
        )
        self.assertFalse(self.Interaction.search([("summary", "ilike", "40 percent")]))
        self.assertFalse(
            self.Interaction.with_context(active_test=False).search(
                [("id", "=", colleague.id)]
            )
        )
        # an unknown company in the context is refused, not ignored
        other = self.env["res.company"].create({"name": "Not Mine"})
        with self.assertRaises(AccessError):
            self.Interaction.with_context(allowed_company_ids=[other.id]).search([])
        # grouping does not count what cannot be read
        groups = self.Interaction._read_group(
            [("user_id", "=", self.xrm_manager.id)], [], ["__count"]
        )
        self.assertEqual(groups[0][0], 0)

    def test_webhook_and_kpi_settings_refuse_nonsense(self):
        kpi = self.env.ref("xrm_relationship.xrm_kpi_undocumented_ratio").with_user(
            self.xrm_manager
        )
        before = kpi.read(["period_days", "warning_threshold", "critical_threshold"])
        for vals in (
            {"period_days": 0},
            {"period_days": 100_000},
            {"webhook_url": "file:///etc/passwd"},
            {"webhook_url": "javascript:alert(1)"},
            {"direction": "lower", "warning_threshold": 50, "critical_threshold": 10},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaises(ValidationError),
                self.env.cr.savepoint(),
            ):
                kpi.write(vals)
        kpi.invalidate_recordset()
        self.assertEqual(
            kpi.read(["period_days", "warning_threshold", "critical_threshold"]),
            before,
        )
        with self.assertRaises(AccessError):
            kpi.with_user(self.xrm_user).write({"webhook_url": "https://x.example"})
        settings = self.env["res.config.settings"]  # an administrator's
        with self.assertRaises(ValidationError):
            settings.create({"xrm_webhook_url": "gopher://old.example"})


@tagged("post_install", "-at_install")
class TestBadInputJson2(XrmHttpCase):
    """The same refusals seen from an outside system."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env, login="xrm_bad_input", groups="xrm_relationship.group_xrm_user"
        )
        cls.partner = cls.env["res.partner"].create(
            {"name": "API Co", "is_company": True, "user_id": cls.user.id}
        )
        cls.key = new_api_key(cls.env, cls.user, "bad input")

    def _call(self, model, method, **params):
        return self.json2(self.key, model, method, **params)

    def _events(self):
        return self.env["xrm.engagement.event"].search(
            [("partner_id", "=", self.partner.id)]
        )

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_bad_records_answer_an_error_and_store_nothing(self):
        good = {"partner_id": self.partner.id, "summary": RTL_EMOJI}
        cases = [
            [good, {**good, "quality": 11}],
            [{**good, "quality": "great"}],
            [{**good, "date": "2999-01-01 00:00:00"}],
            [{**good, "partner_id": 987_654_321}],
            [{"summary": "no partner"}],
        ]
        for vals_list in cases:
            with self.subTest(vals_list=vals_list):
                response = self._call("xrm.interaction", "create", vals_list=vals_list)
                self.assertIn(response.status_code, (400, 422, 500), response.text)
                error = response.json()
                self.assertTrue(error["message"])
                self.assertNotIn("Traceback", error["message"])
        self.assertFalse(
            self.env["xrm.interaction"].search([("partner_id", "=", self.partner.id)])
        )
        response = self._call("xrm.interaction", "create", vals_list=[good])
        self.assertEqual(response.status_code, 200, response.text)
        [rec_id] = response.json()
        self.assertEqual(self.env["xrm.interaction"].browse(rec_id).summary, RTL_EMOJI)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_engagement_batches_are_all_or_nothing(self):
        base = {"partner_id": self.partner.id, "event_type": "visit", "source": "shop"}
        response = self._call(
            "xrm.engagement.event",
            "create",
            vals_list=[
                {**base, "external_id": "A-1", "description": RTL_EMOJI},
                {**base, "external_id": "A-1"},  # the same event twice
            ],
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertIn("already received", response.json()["message"])
        self.assertFalse(self._events())
        for bad in (
            {**base, "event_type": "telepathy"},
            {**base, "date": "1800-13-45 00:00:00"},
            {**base, "description": "x" * 100_000},
            {**base, "url": "ftp://files.example.com/a"},
        ):
            with self.subTest(bad=bad):
                response = self._call("xrm.engagement.event", "create", vals_list=[bad])
                self.assertNotEqual(response.status_code, 200)
        self.assertFalse(self._events())
        response = self._call(
            "xrm.engagement.event",
            "create",
            vals_list=[{**base, "external_id": "A-1", "description": RTL_EMOJI}],
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self._events().description, RTL_EMOJI)

    @mute_logger("odoo.http")
    def test_context_cannot_switch_to_a_company_not_allowed(self):
        other = self.env["res.company"].create({"name": "Elsewhere"})
        response = self._call(
            "xrm.interaction",
            "search_read",
            domain=[],
            fields=["summary"],
            context={"allowed_company_ids": [other.id]},
        )
        self.assertEqual(response.status_code, 403, response.text)
