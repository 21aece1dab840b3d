# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Signed webhooks, checked by a real HTTP server on localhost."""

import base64
import hashlib
import hmac
import importlib.util
import json
import shutil
import socket
import ssl
import tempfile
import threading
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from unittest.mock import patch

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import XrmCommon

SECRET = "s3cret-for-tests"


def _certificate(folder, name):
    """A self-signed certificate for ``name`` only: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.crt", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


class Receiver(BaseHTTPRequestHandler):
    """Records what it receives; answers with the server's configured status."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.server.received.append((dict(self.headers), body))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST  # a followed redirect would arrive here

    def log_message(self, *args):
        pass


class WebhookCase(XrmCommon):
    """A receiver on 127.0.0.1 and the global webhook pointing at it."""

    def setUp(self):
        super().setUp()
        self.server = HTTPServer(("127.0.0.1", 0), Receiver)
        self.server.received = []
        self.server.status = 200
        self.server.location = None
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("xrm_relationship.webhook_url", self.url)
        params.set_param("xrm_relationship.webhook_secret", SECRET)
        # The receiver listens on 127.0.0.1: allowed only by this switch.
        params.set_param("xrm_relationship.webhook_allow_private", True)
        self.Delivery = self.env["xrm.webhook.delivery"]

    def _queue(self, payload=None):
        return self.Delivery._xrm_enqueue("kpi.status", payload or {"kpi": "nrr"})


@tagged("post_install", "-at_install")
class TestWebhook(WebhookCase):
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
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_url", f"http://127.0.0.1:{closed_port}/"
        )
        refused = self._queue()
        refused._xrm_send()
        self.assertEqual(refused.state, "retry")
        self.assertIn("ConnectionError", refused.last_error)
        # A hanging endpoint: requests gives up after the timeout. (Odoo's test
        # harness wraps requests and ignores timeouts, so the raise is simulated.)
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_url", self.url
        )
        hanging = self._queue()
        timeouts = []

        def hang(url, timeout=None, **kwargs):
            timeouts.append(timeout)
            raise requests.Timeout(f"Read timed out. (read timeout={timeout})")

        with patch.object(requests.Session, "post", side_effect=hang):
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


MODULE = "odoo.addons.xrm_relationship.models.xrm_webhook_delivery"
PRIVATE_URLS = (
    "http://127.0.0.1:8069/hook",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://localhost/",
    "http://api.localhost/",
    "http://0.0.0.0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.10/",
    "http://100.100.100.200/latest/meta-data/",  # shared space (Alibaba metadata)
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://224.0.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/",
    "http://user:pw@10.0.0.1/",
)


@tagged("post_install", "-at_install")
class TestWebhookTrust(WebhookCase):
    """Webhooks cannot be pointed at us, forged, re-signed or leak tokens."""

    def _allow_private(self, allowed):
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_allow_private", allowed
        )

    def _kpi(self, code="nrr", company=None):
        kpi = self.env.ref(f"xrm_relationship.xrm_kpi_{code}")
        if company:
            kpi = kpi.copy({"company_id": company.id, "name": kpi.name})
        return kpi

    def test_private_and_metadata_addresses_are_refused(self):
        self._allow_private(False)
        kpi = self._kpi().with_user(self.xrm_manager)
        Settings = self.env["res.config.settings"]  # an administrator's
        for url in PRIVATE_URLS:
            with self.subTest(url=url):
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    kpi.write({"webhook_url": url})
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    Settings.create({"xrm_webhook_url": url})
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    self.Delivery.create({"name": "x", "url": url, "payload": "{}"})
        # a public address is fine
        kpi.write({"webhook_url": "https://hooks.example.com/x"})
        Settings.create({"xrm_webhook_url": "https://93.184.215.14/hook"})
        # the administrator's switch lets local development use them
        self._allow_private(True)
        kpi.write({"webhook_url": "http://127.0.0.1:8069/hook"})
        self.assertEqual(kpi.webhook_url, "http://127.0.0.1:8069/hook")

    def test_private_address_switch_is_for_administrators(self):
        field = self.env["res.config.settings"]._fields["xrm_webhook_allow_private"]
        self.assertEqual(
            field.config_parameter, "xrm_relationship.webhook_allow_private"
        )
        self.assertFalse(
            self.env["res.config.settings"]
            .with_user(self.xrm_manager)
            ._has_field_access(field, "read")
        )
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.xrm_manager).set_param(
                "xrm_relationship.webhook_allow_private", True
            )

    def test_hostname_resolving_to_loopback_is_refused_at_send_time(self):
        self._allow_private(False)
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_url", "https://hooks.example.com/x"
        )
        delivery = self._queue()  # a public-looking name: accepted when saved
        real = socket.getaddrinfo

        def resolve(host, *args, **kwargs):
            if host == "hooks.example.com":  # rebound to the loopback
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
            return real(host, *args, **kwargs)

        with (
            patch("socket.getaddrinfo", side_effect=resolve),
            patch.object(requests.Session, "post") as post,
        ):
            delivery._xrm_send()
        post.assert_not_called()
        self.assertEqual(delivery.state, "failed")
        self.assertIn("127.0.0.1", delivery.last_error)

    def test_post_goes_to_the_address_checked_not_a_new_lookup(self):
        """DNS rebinding: the name resolves to the receiver when checked and
        to another address afterwards; the POST still reaches the checked
        address, with the URL's own Host header."""
        port = self.server.server_port
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_url", f"http://localhost:{port}/hook"
        )
        delivery = self._queue()
        real = socket.getaddrinfo
        lookups = []

        def resolve(host, *args, **kwargs):
            if host == "localhost":
                lookups.append(host)
                # the receiver listens on 127.0.0.1 only: .2 refuses
                address = "127.0.0.1" if len(lookups) == 1 else "127.0.0.2"
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
            return real(host, *args, **kwargs)

        with patch("socket.getaddrinfo", side_effect=resolve):
            delivery._xrm_send()
        self.assertEqual(lookups, ["localhost"], "one lookup: the check's")
        self.assertEqual(delivery.state, "sent", delivery.last_error)
        headers, _body = self.server.received[-1]
        self.assertEqual(headers["Host"], f"localhost:{port}")

    def test_https_to_the_checked_address_verifies_the_name(self):
        """Over TLS the connection goes to the checked address while SNI and
        the certificate check use the name: a certificate for ``localhost``
        only (not for 127.0.0.1) is accepted, and one for another name is not."""
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        server = HTTPServer(("127.0.0.1", 0), Receiver)
        server.received, server.status, server.location = [], 200, None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        trusted, key = _certificate(folder, "localhost")
        context.load_cert_chain(trusted, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        url = f"https://localhost:{server.server_port}/hook"
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.webhook_url", url
        )
        with patch.dict("os.environ", {"REQUESTS_CA_BUNDLE": trusted}):
            delivery = self._queue()
            delivery._xrm_send()
        self.assertEqual(delivery.state, "sent", delivery.last_error)
        self.assertEqual(
            server.received[-1][0]["Host"], f"localhost:{server.server_port}"
        )
        # Trusting only another name's certificate: the check fails.
        other, _key = _certificate(folder, "other.test")
        with patch.dict("os.environ", {"REQUESTS_CA_BUNDLE": other}):
            refused = self._queue()
            refused._xrm_send()
        self.assertEqual(refused.state, "retry")
        self.assertIn("SSL", refused.last_error)

    def test_redirects_are_not_followed(self):
        self.server.status = 302
        self.server.location = "/elsewhere"
        delivery = self._queue()
        delivery._xrm_send()
        self.assertEqual(len(self.server.received), 1, "the redirect is not followed")
        self.assertEqual(delivery.response_code, 302)
        self.assertNotEqual(delivery.state, "sent")
        self.assertIn("302", delivery.last_error)

    def test_deliveries_are_immutable(self):
        delivery = self._queue()
        as_manager = delivery.with_user(self.xrm_manager)
        self.assertEqual(as_manager.read(["url"])[0]["url"], self.url)
        for vals in (
            {"url": "https://evil.example/x"},
            {"payload": '{"kpi": "forged"}'},
            {"state": "pending", "attempts": 0},
            {"max_attempts": 1000},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_manager.write(vals)
        with self.assertRaises(AccessError):
            self.Delivery.with_user(self.xrm_manager).create(
                {"name": "x", "url": "https://evil.example/x", "payload": "{}"}
            )
        # not even server code may change what was queued
        kpi = self._kpi()
        for vals in (
            {"url": "https://evil.example/x"},
            {"payload": '{"kpi": "forged"}'},
            {"res_model": kpi._name, "res_id": kpi.id},
            {"company_id": self.env["res.company"].create({"name": "Other"}).id},
            {"webhook_id": "msg_forged"},
        ):
            with (
                self.subTest(sudo=vals),
                self.assertRaises(UserError),
                self.env.cr.savepoint(),
            ):
                delivery.sudo().write(vals)
        delivery.invalidate_recordset()
        self.assertEqual(delivery.url, self.url)

    def test_signed_only_with_its_own_company_definition_secret(self):
        company_b = self.env["res.company"].create({"name": "Secret Co"})
        kpi_b = self._kpi(company=company_b)
        kpi_b.write({"webhook_url": self.url, "webhook_secret": "b-secret"})
        # a delivery of company A naming company B's definition
        forged = self.Delivery.create(
            {
                "name": "kpi.status",
                "url": self.url,
                "payload": '{"kpi": "forged"}',
                "res_model": kpi_b._name,
                "res_id": kpi_b.id,
                "company_id": self.env.company.id,
            }
        )
        # company B's own definition, but somewhere else than its URL
        elsewhere = self.Delivery.create(
            {
                "name": "kpi.status",
                "url": self.url + "/other",
                "payload": '{"kpi": "forged"}',
                "res_model": kpi_b._name,
                "res_id": kpi_b.id,
                "company_id": company_b.id,
            }
        )
        (forged | elsewhere)._xrm_send()
        self.assertFalse(self.server.received, "nothing signed with B's secret")
        self.assertEqual((forged | elsewhere).mapped("state"), ["failed", "failed"])
        # a genuine delivery of B's definition is signed with B's secret
        genuine = self.Delivery._xrm_enqueue_kpi_status(
            self.env["xrm.kpi.value"].create(
                {
                    "definition_id": kpi_b.id,
                    "date": date(2020, 1, 1),
                    "company_id": company_b.id,
                    "value": 1.0,
                }
            )
        )
        genuine._xrm_send()
        self.assertEqual(genuine.state, "sent")
        headers, body = self.server.received[0]
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}"
        expected = base64.b64encode(
            hmac.new(b"b-secret", signed.encode(), hashlib.sha256).digest()
        ).decode()
        self.assertEqual(headers["webhook-signature"], f"v1,{expected}")

    def test_new_company_does_not_inherit_webhooks(self):
        kpi = self._kpi()
        kpi.write(
            {
                "action_webhook": True,
                "webhook_url": "https://hooks.example.com/main",
                "webhook_secret": "main-secret",
            }
        )
        company = self.env["res.company"].create({"name": "Newcomer"})
        self.env["xrm.kpi.definition"]._xrm_ensure_company_kpis()
        theirs = self.env["xrm.kpi.definition"].search(
            [("company_id", "=", company.id), ("code", "=", "nrr")]
        )
        self.assertEqual(len(theirs), 1)
        self.assertEqual(
            theirs.read(["webhook_url", "webhook_secret", "action_webhook"])[0],
            {
                "id": theirs.id,
                "webhook_url": False,
                "webhook_secret": False,
                "action_webhook": False,
            },
        )
        # nor a duplicate made by hand
        copy = self._kpi("network_growth")
        copy.write(
            {"webhook_url": "https://hooks.example.com/g", "webhook_secret": "g"}
        )
        other = copy.copy(
            {"company_id": self.env["res.company"].create({"name": "C"}).id}
        )
        self.assertFalse(other.webhook_url or other.webhook_secret)

    def test_malformed_whsec_secret_is_refused_when_saved(self):
        kpi = self._kpi().with_user(self.xrm_manager)
        for secret in ("whsec_not base64!", "whsec_abc", "whsec_"):
            with self.subTest(secret=secret):
                with (
                    self.assertRaisesRegex(ValidationError, "Webhook Secret"),
                    self.env.cr.savepoint(),
                ):
                    kpi.write({"webhook_secret": secret})
                with (
                    self.assertRaisesRegex(ValidationError, "Webhook Secret"),
                    self.env.cr.savepoint(),
                ):
                    self.env["res.config.settings"].create(
                        {"xrm_webhook_secret": secret}
                    )
        good = "whsec_" + base64.b64encode(b"0123456789abcdef").decode()
        kpi.write({"webhook_secret": good})
        self.assertEqual(kpi.webhook_secret, good)

    def test_retry_job_goes_on_past_a_delivery_it_cannot_sign(self):
        first = self._queue({"n": 1})
        # a definition whose secret was stored before secrets were checked
        kpi = self._kpi()
        kpi.write({"webhook_url": self.url})
        self.env.cr.execute(
            "UPDATE xrm_kpi_definition SET webhook_secret = 'whsec_abc' WHERE id = %s",
            [kpi.id],
        )
        kpi.invalidate_recordset(["webhook_secret"])
        broken = self.env["xrm.webhook.delivery"]._xrm_enqueue(
            "kpi.status", {"n": 2}, record=kpi
        )
        last = self._queue({"n": 3})
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0) as progress:
            self.Delivery._cron_xrm_webhook_retry()
            self.Delivery._cron_xrm_webhook_retry()
        self.assertEqual((first.state, last.state), ("sent", "sent"))
        self.assertEqual(broken.state, "failed")
        self.assertIn("Webhook Secret", broken.last_error)
        bodies = sorted(body for _headers, body in self.server.received)
        self.assertEqual(bodies, ['{"n": 1}', '{"n": 3}'], "each sent once")
        # committed after each delivery of the first run: a crash loses none
        self.assertGreaterEqual(progress.call_count, 1 + 3)

    def test_urls_with_tokens_are_not_logged_in_full(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        token = "tok3nvalue0123456789abcdef0123456789"
        for port, status in ((self.server.server_port, 500), (closed_port, None)):
            url = (
                f"http://hookuser:hookpass@127.0.0.1:{port}/hooks/{token}"
                f"?access_token=qs-{token}"
            )
            self.env["ir.config_parameter"].sudo().set_param(
                "xrm_relationship.webhook_url", url
            )
            self.server.status = status or 200
            delivery = self._queue()
            delivery.max_attempts = 2
            with self.assertLogs(f"{MODULE}", "INFO") as logs:
                delivery._xrm_send()  # retry: logged at INFO
                delivery.next_attempt = False
                delivery._xrm_send()  # given up: a WARNING
            self.assertEqual(delivery.state, "failed")
            text = "\n".join(logs.output)
            with self.subTest(port=port):
                self.assertIn(f"http://127.0.0.1:{port}/…", text)
                for secret in (token, "hookpass", "hookuser"):
                    self.assertNotIn(secret, text)

    def test_upgrade_clears_webhooks_copied_from_the_main_company(self):
        path = (
            Path(__file__).parents[1]
            / "migrations/19.0.1.2.0/post-webhook_isolation.py"
        )
        spec = importlib.util.spec_from_file_location("xrm_webhook_isolation", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        main = self._kpi()
        main.write(
            {"webhook_url": "https://hooks.example.com/m", "webhook_secret": "m"}
        )
        inherited = self._kpi(company=self.env["res.company"].create({"name": "Old"}))
        own = self._kpi("network_growth", company=inherited.company_id)
        own.write({"webhook_url": "https://hooks.example.com/own"})
        # what earlier versions' copy left behind
        self.env.cr.execute(
            "UPDATE xrm_kpi_definition SET webhook_url = %s, webhook_secret = 'm',"
            " action_webhook = TRUE WHERE id = %s",
            ["https://hooks.example.com/m", inherited.id],
        )
        self.env.invalidate_all()
        with self.assertLogs(migration.__name__, "WARNING"):
            migration.migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertFalse(inherited.webhook_url or inherited.webhook_secret)
        self.assertFalse(inherited.action_webhook)
        self.assertEqual(own.webhook_url, "https://hooks.example.com/own")
        self.assertEqual(main.webhook_url, "https://hooks.example.com/m")

    def test_send_now_still_works_for_managers_only(self):
        """Deliveries have no write access: the button does its own bookkeeping."""
        self.server.status = 500
        delivery = self._queue()
        delivery._xrm_send()
        self.assertEqual(delivery.state, "retry")
        self.server.status = 200
        with self.assertRaises(AccessError):
            delivery.with_user(self.xrm_user).action_send_now()
        delivery.with_user(self.xrm_manager).action_send_now()
        self.assertEqual((delivery.state, delivery.attempts), ("sent", 2))
        self.assertEqual(len(self.server.received), 2)
