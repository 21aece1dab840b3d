# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Integrators document a captured interaction in one call.

``xrm.interaction.action_document`` takes the notes (summary, outcome,
quality), through JSON-2 and JSON-RPC with a salesperson's API key, as the
README's "API for integrators" shows. Missing notes give a clear message;
notes someone saved first are not overwritten.
"""

import json
from datetime import datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

NOTES = {"summary": "Wants a pilot in June", "outcome": "positive", "quality": 4}


@tagged("post_install", "-at_install")
class TestDocumentThroughTheApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env,
            login="api_sales",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
        )
        cls.colleague = new_test_user(
            cls.env, login="api_colleague", groups="xrm_relationship.group_xrm_user"
        )
        # The colleague looks after the relationship: both may document.
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Api Co",
                "is_company": True,
                "email": "team@api.example",
                "user_id": cls.colleague.id,
            }
        )
        message = cls.customer.with_user(cls.salesperson).message_post(
            body="Following up", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        cls.captured = cls.env["xrm.interaction"].search(
            [("source_ref", "=", f"mail.message,{message.id}")]
        )
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.salesperson)
            ._generate(
                scope="rpc",
                name="api",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )

    def _json2(self, method, **params):
        return self.url_open(
            f"/json/2/xrm.interaction/{method}",
            data=json.dumps(params),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.key}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )

    def test_document_through_json2(self):
        self.assertEqual(self.captured.state, "draft")
        response = self._json2("action_document", ids=self.captured.ids, **NOTES)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.captured.state, "done")
        self.assertEqual(self.captured.summary, NOTES["summary"])
        self.assertEqual(self.captured.quality, 4)
        self.assertTrue(self.captured.is_meaningful)
        self.assertEqual(self.captured.write_uid, self.salesperson)

    def test_document_through_jsonrpc_execute_kw(self):
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "service": "object",
                        "method": "execute_kw",
                        "args": [
                            self.env.cr.dbname,
                            self.salesperson.id,
                            self.key,
                            "xrm.interaction",
                            "action_document",
                            [self.captured.ids],
                            NOTES,
                        ],
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertNotIn("error", response.json(), response.text)
        self.assertEqual(self.captured.state, "done")
        self.assertEqual(self.captured.outcome, "positive")

    @mute_logger("odoo.http")
    def test_missing_notes_are_named(self):
        response = self._json2(
            "action_document", ids=self.captured.ids, summary="Only a summary"
        )
        self.assertEqual(response.status_code, 422, response.text)
        message = response.json()["message"]
        self.assertIn("Outcome", message)
        self.assertIn("Quality", message)
        self.assertEqual(self.captured.state, "draft")
        self.assertFalse(self.captured.summary)

    @mute_logger("odoo.http")
    def test_first_save_wins_through_json2(self):
        self.captured.with_user(self.colleague).action_document(
            summary="Colleague: they asked for a discount",
            outcome="negative",
            quality=2,
        )
        response = self._json2("action_document", ids=self.captured.ids, **NOTES)
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("already documented", response.json()["message"])
        self.assertEqual(self.captured.outcome, "negative")
        # The same notes again (a retried call) are not an error.
        response = self._json2(
            "action_document",
            ids=self.captured.ids,
            summary="Colleague: they asked for a discount",
            outcome="negative",
            quality=2,
        )
        self.assertEqual(response.status_code, 200, response.text)
