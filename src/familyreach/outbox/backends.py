"""Ways a message leaves: GOV.UK Notify, or the console (the demo, and tests without a key).

A backend sends one message and returns what the provider called it, or raises
`TemporarySendError` (worth trying again later: rate limits, Notify's own faults, a network that
is down) or `PermanentSendError` (the same request will fail again: a bad address or template, a
wrong key). The sender service decides what to do with each.
"""

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from familyreach.outbox.models import Channel, OutboundMessage

logger = logging.getLogger(__name__)


class SendError(Exception):
    """A message was not sent."""


class TemporarySendError(SendError):
    """Try again later: 429, 5xx, connection errors and time-outs."""


class PermanentSendError(SendError):
    """Trying again would fail the same way: 400 (bad request) and 403 (authentication)."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str  # Notify's notification id; empty where there is none


class Backend(Protocol):
    name: str

    def send(self, message: OutboundMessage) -> SendResult: ...

    def find_sent(self, message: OutboundMessage) -> SendResult | None:
        """The provider's record of this message if it has one, None if it has none."""
        ...


def mask_recipient(to: str) -> str:
    """An email or phone number as logs may show it: enough to tell two apart when tracing a
    message ("j…@example.org", "…4567"), not enough to contact the person. Logs are read and
    kept more widely than the outbox table, which staff reach only by role."""
    if "@" in to:
        local, _, domain = to.rpartition("@")
        return f"{local[:1]}…@{domain}"
    digits = "".join(character for character in to if character.isdigit())
    return f"…{digits[-4:]}" if len(digits) > 4 else "…"


class ConsoleBackend:
    """The demo: logs each message and sends NOTHING. The row is marked sent by "console", and
    the staff messages page says "demo: not sent"."""

    name = "console"

    def send(self, message: OutboundMessage) -> SendResult:
        logger.warning(
            "notify (console backend, demo: NOT SENT): %s to %s: %s",
            message.channel,
            mask_recipient(message.to),
            message.subject or message.body[:60],
        )
        return SendResult(provider_id="")

    def find_sent(self, message: OutboundMessage) -> SendResult | None:
        # Logging cannot half-happen: a message left "sending" was never logged.
        return None


# HTTP status codes from Notify that the same request will meet again. Everything else that is
# an error (429, 5xx, and the client's 503 for a connection error or time-out) may pass.
PERMANENT_STATUS_CODES = frozenset({400, 401, 403, 404, 405, 413, 415, 422})


def _describe(error: APIError) -> str:
    message = error.message
    if isinstance(message, list):
        message = "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in message
        )
    return f"{error.status_code} {message}"[:2000]


class GovukNotifyBackend:
    """GOV.UK Notify's API through its official client, with one generic template per channel
    whose personalisation fields are `subject` and `body`."""

    name = "govuk-notify"

    def __init__(self, *, api_key: str, base_url: str, timeout: float) -> None:
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)

    def send(self, message: OutboundMessage) -> SendResult:
        personalisation = {"subject": message.subject, "body": message.body}
        try:
            if message.channel == Channel.EMAIL:
                response = self.client.send_email_notification(
                    email_address=message.to,
                    template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                    personalisation=personalisation,
                    reference=message.notify_reference,
                )
            else:
                response = self.client.send_sms_notification(
                    phone_number=message.to,
                    template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                    personalisation=personalisation,
                    reference=message.notify_reference,
                )
        except HTTPError as error:
            if error.status_code in PERMANENT_STATUS_CODES:
                raise PermanentSendError(_describe(error)) from error
            raise TemporarySendError(_describe(error)) from error
        except APIError as error:
            # A 2xx whose body is not JSON: Notify took the message, and sending it again
            # would send it twice. Anything else is a fault that may pass.
            if 200 <= error.status_code < 300:
                return SendResult(provider_id="")
            raise TemporarySendError(_describe(error)) from error
        return SendResult(provider_id=str(response.get("id", "")))

    def find_sent(self, message: OutboundMessage) -> SendResult | None:
        try:
            response = self.client.get_all_notifications(reference=message.notify_reference)
        except APIError as error:
            raise TemporarySendError(_describe(error)) from error
        notifications = response.get("notifications", []) if response else []
        if not notifications:
            return None
        return SendResult(provider_id=str(notifications[0].get("id", "")))


def backend_for_settings() -> Backend:
    """Notify when a key is set (production must set one); otherwise the console."""
    if settings.NOTIFY_API_KEY:
        return GovukNotifyBackend(
            api_key=settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            timeout=settings.NOTIFY_TIMEOUT_SECONDS,
        )
    return ConsoleBackend()
