# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl, urlparse, urlsplit

import requests
from psycopg2 import errors as pg_errors
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.util import parse_url

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, str2bool

_logger = logging.getLogger(__name__)

TIMEOUT = 5
MAX_BACKOFF_MINUTES = 24 * 60
# System parameter, off by default: webhooks to loopback / private addresses.
ALLOW_PRIVATE = "xrm_relationship.webhook_allow_private"
# Names that are never a public host: RFC 6761 / 6762 / 8375, cloud metadata.
PRIVATE_NAMES = (
    "localhost",
    "metadata",
    "metadata.goog",
    "metadata.google.internal",
    "instance-data",
)
PRIVATE_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# What a delivery is: written once by the code that queues it, never changed.
IMMUTABLE_FIELDS = frozenset(
    {"name", "url", "payload", "webhook_id", "company_id", "res_model", "res_id"}
)


def secret_key(secret):
    """HMAC key of a secret: ``whsec_`` + base64 (Standard Webhooks), else UTF-8.

    Raises ValueError for a ``whsec_`` secret that is not base64.
    """
    if not secret.startswith("whsec_"):
        return secret.encode()
    try:
        key = base64.b64decode(secret[len("whsec_") :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64 after whsec_") from exc
    if not key:
        raise ValueError("empty key after whsec_")
    return key


def sign(secret, webhook_id, timestamp, body):
    """Standard Webhooks signature: ``v1,`` + base64 HMAC-SHA256 of id.ts.body."""
    content = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def is_blocked_address(ip):
    """True unless ``ip`` is a public unicast address (IPv4 inside IPv6 too)."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and is_blocked_address(embedded):
            return True
        if ip.is_site_local:
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def literal_address(host):
    """The address a host names literally (``127.1`` and ``2130706433`` too)."""
    host = host.strip("[]").split("%", 1)[0]  # IPv6 brackets and zone
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        address = None
    # The shorthand forms getaddrinfo also accepts (inet_aton): 127.1, 0x7f.1
    if host[:1].isdigit() and set(host.lower()) <= set("0123456789abcdefx."):
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            address = None
    return address


def url_host(url):
    """(host, port) as requests (urllib3) will connect to them."""
    try:
        parsed = parse_url(url or "")
    except ValueError:
        return "", None
    host = (parsed.host or "").strip("[]").lower().rstrip(".")
    return host, parsed.port or (443 if parsed.scheme == "https" else 80)


def redact_url(url):
    """``scheme://host[:port]/…``: paths, queries and credentials carry tokens."""
    try:
        parsed = parse_url(url or "")
    except ValueError:
        return "…"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme or ''}://{parsed.host or ''}{port}/…"


def redact(text, url):
    """``text`` (an error message) without what ``url`` has after its host."""
    if not text or not url:
        return text
    split = urlsplit(url)
    text = text.replace(url, redact_url(url))
    tail = split.path + (f"?{split.query}" if split.query else "")
    parts = [tail, split.query, split.fragment, split.username, split.password]
    parts += [segment for segment in split.path.split("/") if len(segment) >= 12]
    parts += [value for _key, value in parse_qsl(split.query)]
    for part in sorted({p for p in parts if p and len(p) >= 4}, key=len, reverse=True):
        text = text.replace(part, "…")
    return text


class PinnedAdapter(HTTPAdapter):
    """Connects to the address the delivery checked, never to a new lookup.

    Between the check and the connection a name can resolve again to another
    address (DNS rebinding): the POST goes to the checked one, with the URL's
    Host header, and TLS still verifies the certificate against the name.
    Through a proxy the proxy resolves the name, as it always did.
    """

    def __init__(self, address):
        self._address = address
        super().__init__()

    def get_connection(self, url, proxies=None):
        if select_proxy(url, proxies):
            return super().get_connection(url, proxies)
        parsed = parse_url(url)
        pool_kwargs = {}
        if parsed.scheme == "https":
            pool_kwargs = {
                "server_hostname": parsed.host,
                "assert_hostname": parsed.host,
            }
        return self.poolmanager.connection_from_host(
            str(self._address),
            port=url_host(url)[1],
            scheme=parsed.scheme,
            pool_kwargs=pool_kwargs,
        )

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        # requests >= 2.32 calls this one instead (cert_verify follows).
        return self.get_connection(request.url, proxies)

    def add_headers(self, request, **kwargs):
        if not select_proxy(request.url, kwargs.get("proxies")):
            request.headers["Host"] = parse_url(request.url).netloc


class WebhookRefused(Exception):
    """This delivery must not be sent, now or later (the reason is the message)."""


class WebhookRetry(Exception):
    """This attempt failed before anything was sent; the next one may work."""


class XrmWebhookDelivery(models.Model):
    """One outbound webhook: what was sent, where, and how it went.

    Sent after the transaction that caused it commits, so a user's save
    never waits on (or fails because of) the receiving system; retried with
    backoff by a cron. The secret is never stored here. Deliveries are
    created and updated by server code only (managers read and delete them):
    what was queued (URL, body, source, company) never changes.
    """

    _name = "xrm.webhook.delivery"
    _description = "Webhook Delivery"
    _order = "id desc"

    name = fields.Char(string="Event", required=True, readonly=True)
    url = fields.Char(required=True, readonly=True)
    payload = fields.Text(required=True, readonly=True)
    webhook_id = fields.Char(
        required=True, readonly=True, default=lambda self: f"msg_{uuid.uuid4().hex}"
    )
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("retry", "To Retry"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    max_attempts = fields.Integer(default=5, readonly=True)
    next_attempt = fields.Datetime(readonly=True, index=True)
    response_code = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    res_model = fields.Char(string="Source Model", readonly=True)
    res_id = fields.Integer(string="Source Record", readonly=True)

    # ------------------------------------------------------------------
    # Where a webhook may go
    # ------------------------------------------------------------------
    @api.model
    def _xrm_check_webhook_url(self, url):
        parsed = urlparse(url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValidationError(
                _("A webhook URL must be an http:// or https:// address (got %s).", url)
            )
        return True

    @api.model
    def _xrm_private_allowed(self):
        return str2bool(
            self.env["ir.config_parameter"].sudo().get_param(ALLOW_PRIVATE) or "",
            default=False,
        )

    @api.model
    def _xrm_private_error(self, host):
        return _(
            "Webhooks may not go to %(host)s: it is a loopback, private, "
            "link-local, reserved or cloud metadata address. An administrator "
            "can allow private network addresses in Settings (local "
            "development and tests only).",
            host=host,
        )

    @api.model
    def _xrm_check_webhook_destination(self, url, allow_private=None):
        """A webhook URL as saved: http(s), and no private host it names itself.

        Host names are resolved again right before each send.
        """
        self._xrm_check_webhook_url(url)
        if allow_private is None:
            allow_private = self._xrm_private_allowed()
        if allow_private:
            return True
        host, _port = url_host(url)
        address = literal_address(host) if host else None
        if (
            not host
            or host in PRIVATE_NAMES
            or host.endswith(PRIVATE_SUFFIXES)
            or (address is not None and is_blocked_address(address))
        ):
            raise ValidationError(self._xrm_private_error(host or url))
        return True

    @api.model
    def _xrm_secret_error(self, label):
        return _(
            "%(field)s: a secret starting with whsec_ must be base64 after the "
            "prefix (as Standard Webhooks libraries issue them).",
            field=label,
        )

    @api.model
    def _xrm_check_webhook_secret(self, secret, label):
        try:
            secret_key(secret)
        except ValueError:
            raise ValidationError(self._xrm_secret_error(label)) from None
        return True

    @api.constrains("url")
    def _check_url(self):
        for delivery in self:
            self._xrm_check_webhook_destination(delivery.url)

    # ------------------------------------------------------------------
    # CRUD: what was queued stays as it was
    # ------------------------------------------------------------------
    def write(self, vals):
        self.check_access("write")  # users have none: an AccessError first
        changed = IMMUTABLE_FIELDS.intersection(vals)
        if changed:
            raise UserError(
                _(
                    "A webhook delivery records what was sent: its %s cannot "
                    "be changed.",
                    ", ".join(sorted(changed)),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Queueing and sending
    # ------------------------------------------------------------------
    @api.model
    def _xrm_config(self, record=None):
        """(url, secret): the record's own webhook, else the Settings' one.

        A secret goes with its URL: a KPI's own URL is signed with its own
        secret only, the global URL with the global secret.
        """
        if record is not None and hasattr(record, "_xrm_webhook_config"):
            url, secret = record._xrm_webhook_config()
            if url:
                return url, secret or False
        get = self.env["ir.config_parameter"].sudo().get_param
        url = get("xrm_relationship.webhook_url")
        return url or False, (url and get("xrm_relationship.webhook_secret")) or False

    @api.model
    def _xrm_enqueue(self, event, payload, record=None):
        """Queue a delivery and send it once the current transaction commits."""
        url, _secret = self._xrm_config(record)
        if not url:
            return self.browse()
        delivery = self.sudo().create(
            {
                "name": event,
                "url": url,
                "payload": json.dumps(payload, sort_keys=True, default=str),
                "company_id": getattr(record, "company_id", self.env.company).id
                or self.env.company.id,
                "res_model": record._name if record is not None else False,
                "res_id": record.id if record is not None else False,
            }
        )
        dbname = self.env.cr.dbname
        delivery_id = delivery.id

        @self.env.cr.postcommit.add
        def send_after_commit():
            # A new cursor: the transaction that queued it is over.
            from odoo.modules.registry import Registry

            with Registry(dbname).cursor() as cr:
                env = api.Environment(cr, self.env.uid, self.env.context)
                env["xrm.webhook.delivery"].browse(delivery_id).exists()._xrm_send()

        return delivery

    @api.model
    def _xrm_enqueue_kpi_status(self, value):
        """Queue the ``kpi.status`` event of a KPI's company value."""
        kpi = value.definition_id.with_env(self.env)
        base_url = kpi.get_base_url()
        payload = {
            "event": "kpi.status",
            "kpi": kpi.code,
            "name": kpi.name,
            "value": value.value,
            "numerator": value.numerator,
            "denominator": value.denominator if value.has_denominator else None,
            "status": value.status,
            "target": kpi.target,
            "warning_threshold": kpi.warning_threshold,
            "critical_threshold": kpi.critical_threshold,
            "direction": kpi.direction,
            "as_of": fields.Date.to_string(value.date),
            "company": {"id": kpi.company_id.id, "name": kpi.company_id.name},
            "scope": "company",
            "link": f"{base_url}/odoo/action-xrm_relationship.xrm_kpi_value_action/"
            f"{value.id}",
        }
        return self._xrm_enqueue("kpi.status", payload, record=kpi)

    def _xrm_source(self):
        """The record this delivery was queued for, or None (global webhook)."""
        self.ensure_one()
        if not self.res_model:
            return None
        if self.res_model not in self.env:
            raise WebhookRefused(_("Its source model %s is gone.", self.res_model))
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record or not hasattr(record, "_xrm_webhook_config"):
            raise WebhookRefused(_("Its source record is gone."))
        if record.company_id != self.company_id:
            raise WebhookRefused(
                _("Its source belongs to another company: not signed, not sent.")
            )
        return record

    def _xrm_signing_secret(self):
        """(secret, its field's label) of the webhook this delivery was queued
        for, and only of it."""
        self.ensure_one()
        source = self._xrm_source()
        url, secret = self._xrm_config(source)
        if url != self.url:
            raise WebhookRefused(
                _(
                    "The webhook URL changed since this delivery was queued: "
                    "not sent with the new configuration's secret."
                )
            )
        field = (
            source._fields["webhook_secret"]
            if source is not None and secret and source.webhook_url
            else self.env["res.config.settings"]._fields["xrm_webhook_secret"]
        )
        return secret, field._description_string(self.env)

    def _xrm_check_resolved(self):
        """The address to connect to: the host resolved once, and refused
        when any of its addresses is private (unless that is allowed)."""
        self.ensure_one()
        private_allowed = self._xrm_private_allowed()
        if not private_allowed:
            try:
                self._xrm_check_webhook_destination(self.url, allow_private=False)
            except ValidationError as exc:
                raise WebhookRefused(exc.args[0]) from None
        host, port = url_host(self.url)
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except OSError as exc:
            raise WebhookRetry(
                _("Cannot resolve %(host)s: %(error)s", host=host, error=exc)
            ) from None
        addresses = [
            ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos
        ]
        if not addresses:
            raise WebhookRetry(_("Cannot resolve %(host)s.", host=host))
        if not private_allowed:
            for address in addresses:
                if is_blocked_address(address):
                    raise WebhookRefused(self._xrm_private_error(f"{host} ({address})"))
        return addresses[0]

    def _xrm_post(self):
        """One attempt: (response code, error). Raises WebhookRefused/Retry."""
        self.ensure_one()
        secret, label = self._xrm_signing_secret()
        address = self._xrm_check_resolved()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Odoo-xrm_relationship",
            "webhook-id": self.webhook_id,
            "webhook-timestamp": timestamp,
        }
        if secret:
            try:
                headers["webhook-signature"] = sign(
                    secret, self.webhook_id, timestamp, self.payload
                )
            except ValueError:
                raise WebhookRefused(self._xrm_secret_error(label)) from None
        try:
            with requests.Session() as session:
                for scheme in ("http://", "https://"):
                    session.mount(scheme, PinnedAdapter(address))
                # A redirect could lead anywhere, private addresses included.
                response = session.post(
                    self.url,
                    data=self.payload.encode(),
                    headers=headers,
                    timeout=TIMEOUT,
                    allow_redirects=False,
                )
        except requests.RequestException as exc:
            return 0, f"{type(exc).__name__}: {str(exc)[:300]}"
        code = response.status_code
        if 300 <= code < 400:
            return code, _("HTTP %s: redirects are not followed.", code)
        if not 200 <= code < 300:
            return code, _(
                "HTTP %(code)s: %(body)s", code=code, body=response.text[:200]
            )
        return code, False

    def _xrm_lock(self):
        """Take this delivery if it is still to send and no other job has it."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM xrm_webhook_delivery WHERE id = %s"
                        " AND state IN ('pending', 'retry') FOR UPDATE SKIP LOCKED",
                        self.id,
                    )
                )
                taken = bool(self.env.cr.fetchone())
        except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable):
            return False  # another job is sending it
        self.invalidate_recordset()
        return taken

    def _xrm_send(self):
        """POST each delivery once; never raises. Returns the sent ones.

        One delivery that cannot be signed, resolved or sent fails alone.
        """
        sent = self.browse()
        for delivery in self.sudo():
            if not delivery._xrm_lock():
                continue
            final = False
            try:
                code, error = delivery._xrm_post()
            except WebhookRefused as exc:
                code, error, final = 0, str(exc), True
            except WebhookRetry as exc:
                code, error = 0, str(exc)
            except Exception as exc:  # noqa: BLE001 - one must not stop the others
                code, error, final = 0, f"{type(exc).__name__}: {str(exc)[:300]}", True
            delivery._xrm_record_attempt(code, error, final)
            if not error:
                sent |= delivery
        return sent

    def _xrm_record_attempt(self, code, error, final=False):
        """Bookkeeping of one attempt; logs without the URL's path or tokens."""
        self.ensure_one()
        now = fields.Datetime.now()
        attempts = self.attempts + 1
        vals = {"attempts": attempts, "response_code": code, "last_error": error}
        where, why = redact_url(self.url), redact(error, self.url)
        if not error:
            vals.update(state="sent", sent_date=now, next_attempt=False)
        elif final:
            vals.update(state="failed", next_attempt=False)
            _logger.warning(
                "XRM webhook %s to %s refused: %s", self.webhook_id, where, why
            )
        elif attempts >= self.max_attempts:
            vals.update(state="failed", next_attempt=False)
            _logger.warning(
                "XRM webhook %s to %s gave up after %s attempts: %s",
                self.webhook_id,
                where,
                attempts,
                why,
            )
        else:
            backoff = min(2**attempts, MAX_BACKOFF_MINUTES)
            vals.update(state="retry", next_attempt=now + timedelta(minutes=backoff))
            _logger.info(
                "XRM webhook %s to %s failed (%s), retry in %s min",
                self.webhook_id,
                where,
                why,
                backoff,
            )
        self.sudo().write(vals)

    @api.model
    def _cron_xrm_webhook_retry(self):
        """Send due deliveries, committing after each: none is sent twice."""
        now = fields.Datetime.now()
        due = self.sudo().search(
            [
                ("state", "in", ("pending", "retry")),
                "|",
                ("next_attempt", "=", False),
                ("next_attempt", "<=", now),
            ],
            order="id",
        )
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(due))
        for delivery in due:
            delivery._xrm_send()
            if not cron._commit_progress(1):
                break  # out of time: the next run goes on from here
        return due

    def action_send_now(self):
        self.check_access("read")
        todo = self.filtered(lambda d: d.state != "sent")
        todo.sudo().write({"state": "retry", "next_attempt": False})
        todo._xrm_send()
        return True
