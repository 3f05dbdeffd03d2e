"""The outbox's own rules: backoff, urgency, who may send a message again."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.outbox import notify
from familyreach.outbox.models import MessageStatus, OutboundMessage
from familyreach.outbox.sending import messages_delete_old, messages_send_due, retry_delay
from familyreach.outbox.services import message_retry

pytestmark = pytest.mark.django_db


def test_backoff_doubles_from_a_minute_up_to_the_cap(settings: Any) -> None:
    assert [retry_delay(n) for n in range(1, 10)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)
    ]
    settings.OUTBOX_RETRY_MAX_SECONDS = 600
    assert retry_delay(8) == timedelta(minutes=10)


def test_safeguarding_messages_are_urgent_and_go_first() -> None:
    booking = notify.send_text(to="07700900111", body="Booked.", kind=notify.Kind.BOOKING)
    concern = notify.send_email(
        to="duty@example.org", subject="Concern", body="...", kind=notify.Kind.SAFEGUARDING
    )
    assert concern.urgent
    assert not booking.urgent
    assert messages_send_due(limit=1).sent == 1  # console backend: logged, not sent
    concern.refresh_from_db()
    booking.refresh_from_db()
    assert concern.status == MessageStatus.SENT
    assert booking.status == MessageStatus.PENDING


def test_only_managers_send_a_message_again(make_user: Callable[..., User], manager: User) -> None:
    message = notify.send_email(to="someone@example.org", subject="S", body="B")
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=8, last_error="500 Exception: Internal server error"
    )
    with pytest.raises(PermissionDenied):
        message_retry(message_id=message.pk, user=make_user(Role.VOLUNTEER_COORDINATOR))

    retried = message_retry(message_id=message.pk, user=manager)
    assert retried.status == MessageStatus.PENDING
    assert retried.attempts == 0
    assert "after 8 attempts. Last error: 500 Exception" in retried.last_error
    # Named in the audit log even outside a web request (a shell, a task).
    entry = LogEntry.objects.get(action=LogEntry.Action.UPDATE, object_pk=str(message.pk))
    assert entry.actor == manager

    assert messages_send_due().sent == 1
    with pytest.raises(ValidationError, match="already sent"):
        message_retry(message_id=message.pk, user=manager)


def test_sent_messages_are_deleted_after_the_keeping_period(settings: Any) -> None:
    settings.OUTBOX_KEEP_SENT_DAYS = 90
    with time_machine.travel(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False) as clock:
        sent = notify.send_email(to="a@example.org", subject="S", body="B")
        failed = notify.send_email(to="b@example.org", subject="S", body="B")
        messages_send_due()
        OutboundMessage.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED)
        clock.shift(timedelta(days=90))
        assert messages_delete_old() == 0  # not yet past the period
        clock.shift(timedelta(days=1))
        assert messages_delete_old() == 1
        assert messages_delete_old() == 0
    assert list(OutboundMessage.objects.values_list("pk", flat=True)) == [failed.pk]
    assert not OutboundMessage.objects.filter(pk=sent.pk).exists()


def test_the_console_backend_logs_recipients_masked(caplog: pytest.LogCaptureFixture) -> None:
    notify.send_email(to="jane.parent@example.org", subject="Booked", body="...")
    notify.send_text(to="07700 900123", body="Booked.")
    with caplog.at_level("WARNING"):
        assert messages_send_due(limit=5).sent == 2
    logged = caplog.text
    assert "jane.parent" not in logged
    assert "900123" not in logged
    assert "j…@example.org" in logged
    assert "…0123" in logged
