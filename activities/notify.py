"""Delivering reminders: the outbox (always), email over SMTP and a JSON webhook (if configured).

Channels are deployment configuration, read from the environment by the worker:
``BRANDPUNT_SMTP_HOST`` (+ ``_PORT``, ``_FROM``, ``_USER``, ``_PASSWORD``, ``_STARTTLS``) and
``BRANDPUNT_WEBHOOK_URL``. Each channel delivery is marked in the outbox, so a retry (worker
killed mid-delivery) re-sends only what was not delivered; the email Message-ID and the webhook's
``Idempotency-Key`` header are derived from the message id so receivers can drop a repeat too.
"""

from __future__ import annotations

import hashlib
import json
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

if TYPE_CHECKING:  # the workflow and the CLI import this module; they need no database driver
    from ledger.outbox import Outbox

OUTBOX = "outbox"
EMAIL = "email"
WEBHOOK = "webhook"


class Notification(BaseModel):
    message_id: str
    case_id: str
    key: str
    recipient: str
    subject: str
    body: str
    escalation: bool = False


class Delivery(BaseModel):
    channels: list[str]


class DeliveryRequest(BaseModel):
    """Deliver an outbox message (by id) on these external channels, skipping those already done."""

    message_id: str
    case_id: str
    channels: list[str]


@dataclass(frozen=True)
class Channels:
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "brandpunt@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_starttls: bool = False
    webhook_url: str | None = None
    timeout: float = 10.0
    language: str = "en"
    """The recipients' language (``BRANDPUNT_MAIL_LANGUAGE``: en or nl): the e-mail's and the webhook's
    subject and body are said in it (``reports.mail``); the outbox keeps the recorded text."""

    def configured(self) -> list[str]:
        """The external channels this deployment has (the outbox is always there)."""
        return [name for name, on in ((EMAIL, self.smtp_host), (WEBHOOK, self.webhook_url)) if on]

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Channels:
        e = dict(os.environ if env is None else env)
        return cls(
            smtp_host=e.get("BRANDPUNT_SMTP_HOST") or None,
            smtp_port=int(e.get("BRANDPUNT_SMTP_PORT", "25")),
            smtp_from=e.get("BRANDPUNT_SMTP_FROM", "brandpunt@localhost"),
            language="nl" if e.get("BRANDPUNT_MAIL_LANGUAGE", "").strip().lower().startswith("nl") else "en",
            smtp_user=e.get("BRANDPUNT_SMTP_USER") or None,
            smtp_password=e.get("BRANDPUNT_SMTP_PASSWORD") or None,
            smtp_starttls=e.get("BRANDPUNT_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
            webhook_url=e.get("BRANDPUNT_WEBHOOK_URL") or None,
        )


class NotifyActivities:
    def __init__(self, outbox: Outbox, channels: Channels) -> None:
        self._outbox = outbox
        self._channels = channels

    @activity.defn(name="deliver_notification")
    def deliver_notification(self, n: Notification) -> Delivery:
        from ledger.outbox import OutboxMessage

        self._outbox.put(
            OutboxMessage(
                message_id=n.message_id, case_id=n.case_id, key=n.key, recipient=n.recipient,
                subject=n.subject, body=n.body, escalation=n.escalation,
            )
        )
        done = self._outbox.delivered(n.message_id)
        if OUTBOX not in done:
            self._outbox.mark(n.message_id, OUTBOX)
        channels = [OUTBOX]
        c = self._channels
        if c.smtp_host and "@" in n.recipient:
            if EMAIL not in done:
                self._send_email(n)
                self._outbox.mark(n.message_id, EMAIL, n.recipient)
            channels.append(EMAIL)
        if c.webhook_url:
            if WEBHOOK not in done:
                status = self._post_webhook(n)
                self._outbox.mark(n.message_id, WEBHOOK, f"HTTP {status}")
            channels.append(WEBHOOK)
        return Delivery(channels=channels)

    @activity.defn(name="deliver_external")
    def deliver_external(self, request: DeliveryRequest) -> Delivery:
        """Send a reminder already in the outbox by e-mail and/or webhook.

        Runs apart from the case (the case's commands never wait for it) under a bounded retry
        policy; each channel is marked in the outbox once delivered, so a retry or a worker killed
        mid-delivery re-sends only what was not delivered.
        """
        from activities.guard import own_case

        own_case(request.case_id)
        message = self._outbox.get(request.message_id)
        if message is None:
            raise ApplicationError(
                f"no outbox message {request.message_id[:120]}", type="NoOutboxMessage", non_retryable=True
            )
        n = Notification(
            message_id=message.message_id, case_id=message.case_id, key=message.key,
            recipient=message.recipient, subject=message.subject, body=message.body,
            escalation=message.escalation,
        )
        done = set(message.delivered)
        c = self._channels
        for channel in request.channels:
            if channel in done:
                continue
            if channel == EMAIL and c.smtp_host:
                self._send_email(n)
                self._outbox.mark(n.message_id, EMAIL, n.recipient)
            elif channel == WEBHOOK and c.webhook_url:
                status = self._post_webhook(n)
                self._outbox.mark(n.message_id, WEBHOOK, f"HTTP {status}")
            else:
                raise ApplicationError(
                    f"channel {channel} is not configured on this worker", type="ChannelMissing",
                    non_retryable=True,
                )
        return Delivery(channels=request.channels)

    def _said(self, n: Notification) -> Notification:
        """``n`` with its subject and body in the recipients' language (``Channels.language``)."""
        if self._channels.language == "en":
            return n
        from reports import mail
        from reports.i18n import reading

        with reading(self._channels.language):
            return n.model_copy(update={"subject": mail.subject(n.subject), "body": mail.body(n.body)})

    def _send_email(self, n: Notification) -> None:
        n = self._said(n)
        c = self._channels
        msg = EmailMessage()
        msg["From"] = c.smtp_from
        msg["To"] = n.recipient
        msg["Subject"] = ("[escalation] " if n.escalation else "") + n.subject
        msg["Message-ID"] = f"<{hashlib.sha256(n.message_id.encode()).hexdigest()[:32]}@brandpunt>"
        msg["X-Brandpunt-Case"] = n.case_id
        msg.set_content(n.body)
        assert c.smtp_host is not None
        with smtplib.SMTP(c.smtp_host, c.smtp_port, timeout=c.timeout) as smtp:
            if c.smtp_starttls:
                smtp.starttls()
            if c.smtp_user:
                smtp.login(c.smtp_user, c.smtp_password or "")
            smtp.send_message(msg)

    def _post_webhook(self, n: Notification) -> int:
        n = self._said(n)
        c = self._channels
        assert c.webhook_url is not None
        request = urllib.request.Request(
            c.webhook_url,
            data=json.dumps(n.model_dump()).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": n.message_id},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=c.timeout) as response:  # noqa: S310 - configured URL
            return response.status
