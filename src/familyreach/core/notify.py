"""Messages to the public (email and text) through GOV.UK Notify, behind one small interface.

`send_email(to=..., subject=..., body=...)` and `send_text(to=..., body=...)` pick the backend:
- with `settings.NOTIFY_API_KEY` set, the GOV.UK Notify client (`notifications-python-client`,
  installed by the deployment) sends through one generic template per channel whose
  personalisation fields are `subject` and `body` (`NOTIFY_EMAIL_TEMPLATE_ID`,
  `NOTIFY_SMS_TEMPLATE_ID`);
- otherwise the outbox backend keeps every message in `OUTBOX` (tests read it, like Django's
  `mail.outbox`) and logs it, so the demo shows what would have been sent and sends nothing.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    channel: str  # "email" or "text"
    to: str
    body: str
    subject: str = ""
    reference: str = ""
    sent_at: datetime = field(default_factory=timezone.now)


class Backend(Protocol):
    def send(self, message: Message) -> None: ...


OUTBOX: list[Message] = []


class OutboxBackend:
    """Records messages instead of sending them (demo and tests)."""

    def send(self, message: Message) -> None:
        OUTBOX.append(message)
        logger.warning(
            "notify (outbox, not sent): %s to %s: %s", message.channel, message.to, message.subject
        )


class GovukNotifyBackend:
    """Sends through GOV.UK Notify. Needs the `notifications-python-client` package."""

    def __init__(self, api_key: str) -> None:
        client_module: Any = import_module("notifications_python_client.notifications")
        self.client = client_module.NotificationsAPIClient(api_key)

    def send(self, message: Message) -> None:
        personalisation = {"subject": message.subject, "body": message.body}
        if message.channel == "email":
            self.client.send_email_notification(
                email_address=message.to,
                template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                personalisation=personalisation,
                reference=message.reference or None,
            )
        else:
            self.client.send_sms_notification(
                phone_number=message.to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation=personalisation,
                reference=message.reference or None,
            )


def backend() -> Backend:
    api_key = getattr(settings, "NOTIFY_API_KEY", "")
    return GovukNotifyBackend(api_key) if api_key else OutboxBackend()


def send_email(*, to: str, subject: str, body: str, reference: str = "") -> Message:
    message = Message(channel="email", to=to, subject=subject, body=body, reference=reference)
    backend().send(message)
    return message


def send_text(*, to: str, body: str, reference: str = "") -> Message:
    message = Message(channel="text", to=to, body=body, reference=reference)
    backend().send(message)
    return message
