# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Knowledge pages are suggested only to those who may read them (issue 19)."""

import json
from datetime import datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestPageAccess(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.agent = new_test_user(
            cls.env,
            login="page_agent",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        cls.reader = new_test_user(
            cls.env,
            login="page_reader",
            groups="helpdesk_mgmt.group_helpdesk_user,"
            "document_knowledge.group_document_user",
        )
        cls.guide = cls.env["document.page"].create(
            {
                "name": "Secret boiler reset procedure",
                "content": "<p>Hold the boiler reset for ten seconds.</p>",
            }
        )
        cls.ticket = cls.env["helpdesk.ticket"].create(
            {
                "name": "Boiler reset procedure needed",
                "description": "<p>How do I reset the boiler?</p>",
            }
        )
        cls.suggestion = cls.ticket.xrm_suggestion_ids.filtered(
            lambda s: s.page_id == cls.guide
        )
        assert cls.suggestion, "the page must be suggested for the test"
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.agent)
            ._generate(
                scope="rpc",
                name="pages",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )

    def setUp(self):
        super().setUp()
        # each reader reads the ticket's suggestions afresh, as in a request
        self.env.invalidate_all()

    def test_agent_without_page_rights_gets_no_page(self):
        ticket = self.ticket.with_user(self.agent)
        self.assertNotIn(self.suggestion, ticket.xrm_suggestion_ids)
        Suggestion = self.env["xrm.ticket.suggestion"].with_user(self.agent)
        self.assertFalse(Suggestion.search([("id", "=", self.suggestion.id)]))
        with self.assertRaises(AccessError):  # no guessing titles by search
            Suggestion.search([("page_id.name", "ilike", "boiler")])
        with self.assertRaises(AccessError):
            self.suggestion.with_user(self.agent).read(["name", "answer", "page_id"])
        with self.assertRaises(AccessError):
            self.suggestion.with_user(self.agent).action_send()
        # who may read the page sees it
        self.env.invalidate_all()
        self.assertIn(
            self.suggestion, self.ticket.with_user(self.reader).xrm_suggestion_ids
        )
        [values] = self.suggestion.with_user(self.reader).read(["name"])
        self.assertEqual(values["name"], "Secret boiler reset procedure")

    def test_page_of_a_company_the_reader_is_not_in(self):
        other = self.env["res.company"].create({"name": "Pages Elsewhere"})
        self.guide.company_id = other
        self.env.invalidate_all()
        self.assertNotIn(
            self.suggestion, self.ticket.with_user(self.reader).xrm_suggestion_ids
        )

    @mute_logger("odoo.http")
    def test_json2_read_is_refused(self):
        response = self.url_open(
            "/json/2/xrm.ticket.suggestion/read",
            data=json.dumps({"ids": self.suggestion.ids, "fields": ["name", "answer"]}),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.key}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertNotIn("boiler", response.text.lower())
