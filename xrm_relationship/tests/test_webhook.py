# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Signed webhooks, checked by a real HTTP server on localhost."""

import base64
import hashlib
import hmac
import json
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from unittest.mock import patch

import requests

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import XrmCommon

SECRET = "s3cret-for-tests"


class Receiver(BaseHTTPRequestHandler):
    """Records what it receives; answers with the server's configured status."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestWebhook(XrmCommon):
    def setUp(self):
        super().setUp()
        self.server = HTTPServer(("127.0.0.1", 0), Receiver)
        self.server.received = []
        self.server.status = 200
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("xrm_relationship.webhook_url", self.url)
        params.set_param("xrm_relationship.webhook_secret", SECRET)
        self.Delivery = self.env["xrm.webhook.delivery"]

    def _queue(self, payload=None):
        return self.Delivery._xrm_enqueue("kpi.status", payload or {"kpi": "nrr"})

    def test_signed_body_verified_by_the_receiver(self):
        delivery = self._queue({"kpi": "nrr", "value": 87.5})
        self.assertEqual(delivery.state, "pending")
        self.assertFalse(self.server.received, "nothing is sent before commit")
        delivery._xrm_send()
        self.assertEqual(delivery.state, "sent")
        self.assertEqual(delivery.response_code, 200)
        headers, body = self.server.received[0]
        self.assertEqual(json.loads(body), {"kpi": "nrr", "value": 87.5})
        self.assertEqual(headers["webhook-id"], delivery.webhook_id)
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}"
        expected = base64.b64encode(
            hmac.new(SECRET.encode(), signed.encode(), hashlib.sha256).digest()
        ).decode()
        self.assertEqual(headers["webhook-signature"], f"v1,{expected}")
        # the secret is nowhere on the delivery
        for value in delivery.read()[0].values():
            self.assertNotIn(SECRET, str(value))

    def test_sent_only_after_commit(self):
        callbacks = self.env.cr.postcommit._funcs
        before = len(callbacks)
        self._queue()
        self.assertEqual(len(callbacks), before + 1)
        self.assertFalse(self.server.received)

    def test_failing_endpoint_is_retried_with_backoff_then_given_up(self):
        self.server.status = 500
        delivery = self._queue()
        delivery.max_attempts = 3
        delivery._xrm_send()
        self.assertEqual((delivery.state, delivery.attempts), ("retry", 1))
        self.assertEqual(delivery.response_code, 500)
        self.assertIn("500", delivery.last_error)
        self.assertGreater(delivery.next_attempt, fields.Datetime.now())
        # not due yet: the cron leaves it alone
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            self.Delivery._cron_xrm_webhook_retry()
        self.assertEqual(delivery.attempts, 1)
        delivery.next_attempt = False
        with (
            patch.object(Cron, "_commit_progress", return_value=100.0),
            self.assertLogs("odoo.addons.xrm_relationship", "WARNING") as logs,
        ):
            delivery._xrm_send()
            delivery._xrm_send()
        self.assertEqual((delivery.state, delivery.attempts), ("failed", 3))
        self.assertEqual(len(self.server.received), 3)
        # the log says why it gave up, and never carries the secret
        [given_up] = logs.output
        self.assertIn("gave up after 3 attempts", given_up)
        self.assertIn("HTTP 500", given_up)
        self.assertNotIn(SECRET, given_up)
        # a given-up delivery is not sent again by the cron
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            self.Delivery._cron_xrm_webhook_retry()
        self.assertEqual(len(self.server.received), 3)

    def test_refused_and_hanging_endpoints_never_raise(self):
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        refused = self.Delivery.create(
            {
                "name": "kpi.status",
                "url": f"http://127.0.0.1:{closed_port}/",
                "payload": "{}",
            }
        )
        refused._xrm_send()
        self.assertEqual(refused.state, "retry")
        self.assertIn("ConnectionError", refused.last_error)
        # A hanging endpoint: requests gives up after the timeout. (Odoo's test
        # harness wraps requests and ignores timeouts, so the raise is simulated.)
        hanging = self._queue()
        module = "odoo.addons.xrm_relationship.models.xrm_webhook_delivery"
        timeouts = []

        def hang(url, timeout=None, **kwargs):
            timeouts.append(timeout)
            raise requests.Timeout(f"Read timed out. (read timeout={timeout})")

        with patch(f"{module}.requests.post", side_effect=hang):
            hanging._xrm_send()
        self.assertEqual(timeouts, [5])
        self.assertEqual(hanging.state, "retry")
        self.assertIn("Timeout", hanging.last_error)

    def test_no_url_no_delivery_and_only_http_urls(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_url", False
        )
        self.assertFalse(self._queue())
        for url in ("ftp://example.com/x", "javascript:alert(1)", "example.com"):
            with self.assertRaises(ValidationError):
                self.Delivery.create({"name": "x", "url": url, "payload": "{}"})
            with self.assertRaises(ValidationError):
                self.env["res.config.settings"].create({"xrm_webhook_url": url})

    def test_kpi_status_change_sends_one_signed_webhook(self):
        company = self.env["res.company"].create({"name": "Hooked Co"})
        kpi = self.env.ref("xrm_relationship.xrm_kpi_network_growth").copy(
            {"name": "Referrals", "action_webhook": True, "company_id": company.id}
        )
        kpi.compute_kpis(as_of=date(2020, 1, 1))  # 0 referrals: critical
        deliveries = self.Delivery.search([("res_id", "=", kpi.id)])
        self.assertEqual(len(deliveries), 1)
        payload = json.loads(deliveries.payload)
        self.assertEqual(
            (payload["kpi"], payload["status"], payload["scope"]),
            ("network_growth", "critical", "company"),
        )
        self.assertEqual(payload["critical_threshold"], 1.0)
        kpi.compute_kpis(as_of=date(2020, 1, 2))  # same status: nothing new
        self.assertEqual(self.Delivery.search_count([("res_id", "=", kpi.id)]), 1)

    def test_salesperson_sees_no_delivery_nor_secret(self):
        delivery = self._queue()
        with self.assertRaises(AccessError):
            delivery.with_user(self.xrm_user).read(["payload"])
        kpi = self.env.ref("xrm_relationship.xrm_kpi_nrr")
        kpi.webhook_secret = "kpi-secret"
        with self.assertRaises(AccessError):
            kpi.with_user(self.xrm_user).read(["webhook_secret"])
