# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Engagement intake is bounded (issue 19, point 7)."""

import json
import time
from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.xrm_engagement_event import MAX_EVENTS_PER_CALL as MAX_EVENTS


@tagged("post_install", "-at_install")
class TestIntakeBounds(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Intake B"})
        cls.integration = new_test_user(
            cls.env, login="intake_a", groups="xrm_relationship.group_xrm_user"
        )
        cls.integration_b = new_test_user(
            cls.env,
            login="intake_b",
            groups="xrm_relationship.group_xrm_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        # shared by both companies
        cls.partner = cls.env["res.partner"].create(
            {"name": "Intake Co", "is_company": True}
        )
        cls.keys = {
            user: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="intake",
                expiration_date=datetime.now() + timedelta(days=1),
            )
            for user in (cls.integration, cls.integration_b)
        }

    def _push(self, user, vals_list):
        return self.url_open(
            "/json/2/xrm.engagement.event/create",
            data=json.dumps({"vals_list": vals_list}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.keys[user]}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
            timeout=60,
        )

    def _vals(self, n, **extra):
        return {
            "partner_id": self.partner.id,
            "event_type": "visit",
            "source": "website",
            "external_id": f"V-{n}",
            **extra,
        }

    def _count(self):
        return self.env["xrm.engagement.event"].search_count(
            [("partner_id", "=", self.partner.id)]
        )

    @mute_logger("odoo.http")
    def test_one_call_is_capped(self):
        response = self._push(
            self.integration, [self._vals(n) for n in range(MAX_EVENTS + 1)]
        )
        self.assertEqual(response.status_code, 422, response.text[:500])
        self.assertIn(f"{MAX_EVENTS:,}", response.json()["message"])
        self.assertEqual(self._count(), 0)

    def test_duplicate_check_is_linear(self):
        Event = self.env["xrm.engagement.event"].with_user(self.integration)
        Event._xrm_check_duplicates([self._vals(0)])  # warm the caches
        queries = []
        for size in (10, 20_000):
            vals_list = [self._vals(n) for n in range(size)]
            before = self.env.cr.sql_log_count
            started = time.perf_counter()
            Event._xrm_check_duplicates(vals_list)
            queries.append(self.env.cr.sql_log_count - before)
        # quadratic in Python, 20,000 keys take many seconds
        self.assertLess(time.perf_counter() - started, 3.0)
        self.assertEqual(queries[0], queries[1], "one query for the whole batch")
        with self.assertRaisesRegex(ValidationError, "V-7"):
            Event._xrm_check_duplicates([self._vals(7), self._vals(7)])

    def test_free_text_has_limits(self):
        Event = self.env["xrm.engagement.event"].with_user(self.integration)
        for name, label, value in (
            ("source", "Source", "s" * 200),
            ("external_id", "External ID", "e" * 300),
            ("url", "URL", "https://example.com/" + "u" * 3000),
        ):
            with (
                self.subTest(field=name),
                self.assertRaisesRegex(ValidationError, label),
                self.env.cr.savepoint(),
            ):
                Event.create(self._vals(1, **{name: value}))
        self.assertEqual(self._count(), 0)

    @mute_logger("odoo.http", "odoo.sql_db")
    def test_errors_do_not_tell_about_other_companies(self):
        self.env["xrm.engagement.event"].create(
            self._vals(1, company_id=self.company_a.id)
        )
        # the same id in company B is another event: uniqueness is per company
        response = self._push(self.integration_b, [self._vals(1)])
        self.assertEqual(response.status_code, 200, response.text)
        # asking for company A: the same refusal whether the id exists there or not
        answers = [
            self._push(
                self.integration_b, [self._vals(n, company_id=self.company_a.id)]
            )
            for n in (1, 999)
        ]
        for response in answers:
            self.assertEqual(response.status_code, 403, response.text)
            self.assertNotIn("already", response.text)
        self.assertEqual(answers[0].json()["message"], answers[1].json()["message"])
        self.assertEqual(self._count(), 2)
