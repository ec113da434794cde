"""Delivery channels against real peers on loopback: SMTP (aiosmtpd) and an HTTP webhook."""

from __future__ import annotations

import urllib.error

import pytest

from activities.notify import Channels, Notification, NotifyActivities
from ledger.store import Ledger
from tests.peers import MailSink, WebhookSink


@pytest.fixture
def outbox(ledger_url):
    ledger = Ledger.open(ledger_url, upgrade=True)
    yield ledger.outbox
    ledger.dispose()


def note(**kw) -> Notification:
    return Notification(**{
        "message_id": "lead-x/phase2:remind", "case_id": "lead-x", "key": "phase2:remind",
        "recipient": "coordinator@example.org", "subject": "Lead X reached phase 2", "body": "Start.",
        **kw,
    })


def test_email_webhook_and_outbox_each_once_across_retries(outbox):
    with MailSink() as mail, WebhookSink() as hook:
        notifier = NotifyActivities(outbox, Channels(smtp_host="127.0.0.1", smtp_port=mail.port,
                                                     webhook_url=hook.url))
        first = notifier.deliver_notification(note())
        again = notifier.deliver_notification(note())  # an activity retry
    assert first.channels == again.channels == ["outbox", "email", "webhook"]
    assert len(mail.messages) == 1
    sender, rcpts, content = mail.messages[0]
    assert rcpts == ["coordinator@example.org"] and b"Lead X reached phase 2" in content
    assert len(hook.posts) == 1
    headers, body = hook.posts[0]
    assert headers["Idempotency-Key"] == "lead-x/phase2:remind" and body["case_id"] == "lead-x"
    [stored] = outbox.messages()
    assert stored.delivered == ("email", "outbox", "webhook")


def test_failed_webhook_is_retried_without_resending_email(outbox):
    with MailSink() as mail, WebhookSink(fail_first=1) as hook:
        notifier = NotifyActivities(outbox, Channels(smtp_host="127.0.0.1", smtp_port=mail.port,
                                                     webhook_url=hook.url))
        with pytest.raises(urllib.error.HTTPError):
            notifier.deliver_notification(note())
        notifier.deliver_notification(note())
    assert len(mail.messages) == 1 and len(hook.posts) == 1
    assert len(outbox.messages()) == 1


def test_role_recipient_without_address_goes_to_outbox_only(outbox):
    with MailSink() as mail:
        notifier = NotifyActivities(outbox, Channels(smtp_host="127.0.0.1", smtp_port=mail.port))
        result = notifier.deliver_notification(note(recipient="coordinating-rom", message_id="m2"))
    assert result.channels == ["outbox"] and mail.messages == []
