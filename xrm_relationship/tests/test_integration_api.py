# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What an integrator does from outside: JSON-2 with an API key, and JSON-RPC
the way third-party clients (OdooRPC, ...) call ``execute_kw``."""

import json
from datetime import date, datetime, timedelta

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

AS_OF = "2020-01-01"


@tagged("post_install", "-at_install")
class TestIntegrationApi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "manager": new_test_user(
                cls.env,
                login="api_manager",
                groups="xrm_relationship.group_xrm_manager",
            ),
            "sales": new_test_user(
                cls.env, login="api_sales", groups="xrm_relationship.group_xrm_user"
            ),
        }
        cls.keys = {
            who: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(
                scope="rpc",
                name="integration",
                expiration_date=datetime.now() + timedelta(days=1),
            )
            for who, user in cls.users.items()
        }
        cls.delivery = cls.env["xrm.webhook.delivery"].create(
            {
                "name": "kpi.status",
                "url": "https://hooks.example.com/x",
                "payload": "{}",
            }
        )

    def _json2(self, who, model, method, **params):
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(params),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.keys[who]}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )

    def _jsonrpc(self, who, model, method, args, kwargs=None):
        """``execute_kw`` exactly as OdooRPC sends it (an API key as password)."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    self.users[who].id,
                    self.keys[who],
                    model,
                    method,
                    args,
                    kwargs or {},
                ],
            },
        }
        response = self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _assert_values_of(self, ids):
        self.assertTrue(ids)
        self.assertTrue(all(isinstance(value_id, int) for value_id in ids))
        values = self.env["xrm.kpi.value"].browse(ids)
        self.assertEqual(set(values.mapped("date")), {date(2020, 1, 1)})
        self.assertEqual(set(values.company_id.ids), {self.env.company.id})

    def test_compute_kpis_is_a_model_level_call(self):
        # JSON-2, no ids, the date as a string
        response = self._json2(
            "manager", "xrm.kpi.definition", "compute_kpis", as_of=AS_OF
        )
        self.assertEqual(response.status_code, 200, response.text)
        self._assert_values_of(response.json())
        # JSON-RPC execute_kw with empty args, as OdooRPC's
        # env["xrm.kpi.definition"].compute_kpis(as_of=...) sends it
        answer = self._jsonrpc(
            "manager", "xrm.kpi.definition", "compute_kpis", [], {"as_of": AS_OF}
        )
        self.assertNotIn("error", answer)
        self._assert_values_of(answer["result"])
        # and without any argument: today's date
        answer = self._jsonrpc("manager", "xrm.kpi.definition", "compute_kpis", [])
        self.assertNotIn("error", answer)
        self.assertIsInstance(answer["result"], list)

    @mute_logger("odoo.http")
    def test_compute_kpis_refused_to_salespeople_and_bad_dates(self):
        response = self._json2("sales", "xrm.kpi.definition", "compute_kpis")
        self.assertEqual(response.status_code, 403, response.text)
        answer = self._jsonrpc("sales", "xrm.kpi.definition", "compute_kpis", [])
        self.assertEqual(
            answer["error"]["data"]["name"], "odoo.exceptions.AccessError", answer
        )
        # a date that is not one: a clear message, not a traceback
        response = self._json2(
            "manager", "xrm.kpi.definition", "compute_kpis", as_of="yesterday"
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("yesterday", response.json()["message"])

    @mute_logger("odoo.http")
    def test_deliveries_cannot_be_forged_through_json2(self):
        delivery = self.delivery
        response = self._json2(
            "manager",
            "xrm.webhook.delivery",
            "read",
            ids=delivery.ids,
            fields=["url", "state"],
        )
        self.assertEqual(response.json()[0]["url"], "https://hooks.example.com/x")
        for vals in (
            {"url": "https://evil.example/x"},
            {"payload": '{"forged": true}'},
            {"res_model": "xrm.kpi.definition", "res_id": 1},
            {"state": "pending", "attempts": 0, "max_attempts": 99},
        ):
            with self.subTest(vals=vals):
                response = self._json2(
                    "manager",
                    "xrm.webhook.delivery",
                    "write",
                    ids=delivery.ids,
                    vals=vals,
                )
                self.assertEqual(response.status_code, 403, response.text)
        response = self._json2(
            "manager",
            "xrm.webhook.delivery",
            "create",
            vals_list=[{"name": "x", "url": "https://evil.example/x", "payload": "{}"}],
        )
        self.assertEqual(response.status_code, 403, response.text)
        delivery.invalidate_recordset()
        self.assertEqual(
            (delivery.url, delivery.payload, delivery.state, delivery.attempts),
            ("https://hooks.example.com/x", "{}", "pending", 0),
        )
