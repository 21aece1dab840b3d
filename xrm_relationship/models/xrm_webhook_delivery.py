# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta
from urllib.parse import urlparse

import requests

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

TIMEOUT = 5
MAX_BACKOFF_MINUTES = 24 * 60


def sign(secret, webhook_id, timestamp, body):
    """Standard Webhooks signature: ``v1,`` + base64 HMAC-SHA256 of id.ts.body.

    A ``whsec_`` secret is base64 after its prefix (as the Standard Webhooks
    libraries issue them); any other secret is used as its UTF-8 bytes.
    """
    if secret.startswith("whsec_"):
        key = base64.b64decode(secret[len("whsec_") :])
    else:
        key = secret.encode()
    content = f"{webhook_id}.{timestamp}.{body}".encode()
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class XrmWebhookDelivery(models.Model):
    """One outbound webhook: what was sent, where, and how it went.

    Sent after the transaction that caused it commits, so a user's save
    never waits on (or fails because of) the receiving system; retried with
    backoff by a cron. The secret is never stored here.
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
    max_attempts = fields.Integer(default=5)
    next_attempt = fields.Datetime(readonly=True, index=True)
    response_code = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    res_model = fields.Char(string="Source Model", readonly=True)
    res_id = fields.Integer(string="Source Record", readonly=True)

    @api.model
    def _xrm_check_webhook_url(self, url):
        parsed = urlparse(url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValidationError(
                _("A webhook URL must be an http:// or https:// address (got %s).", url)
            )
        return True

    @api.constrains("url")
    def _check_url(self):
        for delivery in self:
            self._xrm_check_webhook_url(delivery.url)

    # ------------------------------------------------------------------
    # Queueing and sending
    # ------------------------------------------------------------------
    @api.model
    def _xrm_config(self, record=None):
        """(url, secret): the record's own webhook, else the Settings' one."""
        url = secret = False
        if record is not None and hasattr(record, "_xrm_webhook_config"):
            url, secret = record._xrm_webhook_config()
        if not url:
            get = self.env["ir.config_parameter"].sudo().get_param
            url = get("xrm_relationship.webhook_url")
            secret = secret or get("xrm_relationship.webhook_secret")
        return url or False, secret or False

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

    def _xrm_send(self):
        """POST each delivery once; never raises. Returns the sent ones."""
        sent = self.browse()
        now = fields.Datetime.now()
        for delivery in self.sudo():
            if delivery.state not in ("pending", "retry"):
                continue
            record = None
            if delivery.res_model and delivery.res_model in self.env:
                record = self.env[delivery.res_model].browse(delivery.res_id).exists()
            _url, secret = self._xrm_config(record or None)
            timestamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "Odoo-xrm_relationship",
                "webhook-id": delivery.webhook_id,
                "webhook-timestamp": timestamp,
            }
            if secret:
                headers["webhook-signature"] = sign(
                    secret, delivery.webhook_id, timestamp, delivery.payload
                )
            code, error = 0, False
            try:
                response = requests.post(
                    delivery.url,
                    data=delivery.payload.encode(),
                    headers=headers,
                    timeout=TIMEOUT,
                )
                code = response.status_code
                if not 200 <= code < 300:
                    error = _(
                        "HTTP %(code)s: %(body)s", code=code, body=response.text[:200]
                    )
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {str(exc)[:300]}"
            attempts = delivery.attempts + 1
            vals = {"attempts": attempts, "response_code": code, "last_error": error}
            if not error:
                vals.update(state="sent", sent_date=now, next_attempt=False)
                sent |= delivery
            elif attempts >= delivery.max_attempts:
                vals.update(state="failed", next_attempt=False)
                _logger.warning(
                    "XRM webhook %s to %s gave up after %s attempts: %s",
                    delivery.webhook_id,
                    delivery.url,
                    attempts,
                    error,
                )
            else:
                backoff = min(2**attempts, MAX_BACKOFF_MINUTES)
                vals.update(
                    state="retry", next_attempt=now + timedelta(minutes=backoff)
                )
                _logger.info(
                    "XRM webhook %s failed (%s), retry in %s min",
                    delivery.webhook_id,
                    error,
                    backoff,
                )
            delivery.write(vals)
        return sent

    @api.model
    def _cron_xrm_webhook_retry(self, batch_size=50):
        """Send due deliveries in batches; one bad endpoint stops nothing."""
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
        for index in range(0, len(due), batch_size):
            batch = due[index : index + batch_size]
            batch._xrm_send()
            cron._commit_progress(len(batch))
        return due

    def action_send_now(self):
        self.filtered(lambda d: d.state != "sent").write(
            {"state": "retry", "next_attempt": False}
        )
        self._xrm_send()
        return True
