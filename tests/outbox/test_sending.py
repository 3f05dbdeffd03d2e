"""Sending through GOV.UK Notify (a local stand-in that answers as its API documentation says):
what the client sends, retries with backoff, permanent failures, crash recovery, idempotence."""

import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import time_machine
from django.db import connection, transaction

from familyreach.outbox import notify
from familyreach.outbox.backends import backend_for_settings
from familyreach.outbox.models import MessageStatus, OutboundMessage
from familyreach.outbox.sending import _claim_next, messages_send_due
from tests.outbox.notify_server import FakeNotify

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _concern_email(reference: str = "SG-1234ABCD") -> OutboundMessage:
    return notify.send_email(
        to="duty-safeguarding@example.org",
        subject=f"Safeguarding concern {reference}",
        body="What happened:\nBruising on the baby's arm.",
        reference=reference,
        kind=notify.Kind.SAFEGUARDING,
    )


def test_the_client_sends_what_notify_expects(notify_api: FakeNotify) -> None:
    email = _concern_email()
    text = notify.send_text(to="07700900222", body="Your place is booked.", reference="booking-7")
    report = messages_send_due()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)

    first, second = notify_api.posts()
    # The urgent safeguarding email went first, then the text.
    assert first.path == "/v2/notifications/email"
    assert first.body == {
        "email_address": "duty-safeguarding@example.org",
        "template_id": notify_api_template(notify_api, "email"),
        "personalisation": {
            "subject": "Safeguarding concern SG-1234ABCD",
            "body": "What happened:\nBruising on the baby's arm.",
        },
        "reference": f"SG-1234ABCD/{email.public_id}",
    }
    assert second.path == "/v2/notifications/sms"
    assert second.body is not None
    assert second.body["phone_number"] == "07700900222"
    assert second.body["template_id"] == notify_api_template(notify_api, "sms")
    assert second.body["personalisation"]["body"] == "Your place is booked."
    # Authenticated as Notify requires: a JWT signed with the key's secret, issued by the
    # service, now.
    header = first.headers["authorization"]
    assert header.startswith("Bearer ")
    claims = jwt.decode(header.removeprefix("Bearer "), notify_api.secret, algorithms=["HS256"])
    assert claims["iss"] == notify_api.service_id
    assert first.headers["content-type"] == "application/json"
    assert first.headers["user-agent"].startswith("NOTIFY-API-PYTHON-CLIENT/")

    email.refresh_from_db()
    text.refresh_from_db()
    assert email.status == text.status == MessageStatus.SENT
    assert email.notify_id == notify_api.accepted[0]["id"]
    assert text.notify_id == notify_api.accepted[1]["id"]
    assert email.sent_by == "govuk-notify"
    assert email.attempts == 1


def notify_api_template(notify_api: FakeNotify, kind: str) -> str:
    return next(t for t, k in notify_api.templates.items() if k == kind)


def test_five_failures_then_success_sends_the_message_exactly_once(
    notify_api: FakeNotify,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        message = _concern_email()
        notify_api.fail_next(503, 503, 503, 429, 429)
        waits = []
        for attempt in range(1, 6):
            report = messages_send_due()
            assert report.retrying == 1, attempt
            message.refresh_from_db()
            assert message.status == MessageStatus.PENDING
            assert message.attempts == attempt
            waits.append(message.next_attempt_at - datetime.now(tz=UTC))
            # Not due yet: running again (as the schedule does every minute) sends nothing.
            assert messages_send_due().retrying == 0
            assert len(notify_api.posts()) == attempt
            clock.move_to(message.next_attempt_at)
        assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
        assert "429 RateLimitError: Exceeded rate limit" in message.last_error

        assert messages_send_due().sent == 1
        for _ in range(3):  # later runs, hours later, leave it alone
            clock.shift(timedelta(hours=2))
            assert messages_send_due() == type(messages_send_due())()

    message.refresh_from_db()
    posts = notify_api.posts()
    assert [p.status for p in posts] == [503, 503, 503, 429, 429, 201]
    assert len(notify_api.accepted) == 1
    assert message.status == MessageStatus.SENT
    assert message.notify_id == notify_api.accepted[0]["id"]
    assert message.attempts == 6
    assert message.sent_at == START + timedelta(minutes=1 + 2 + 4 + 8 + 16)


@pytest.mark.parametrize(
    ("status", "error"), [(400, "400 BadRequestError: Can't send"), (403, "403 AuthError")]
)
def test_a_refusal_fails_at_once_without_retrying(
    notify_api: FakeNotify, status: int, error: str
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        message = _concern_email()
        notify_api.fail_next(status)
        assert messages_send_due().failed == 1
        for _ in range(5):
            clock.shift(timedelta(hours=1))
            messages_send_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1
    assert error in message.last_error
    assert message.failed_at == START
    assert len(notify_api.posts()) == 1


def test_a_wrong_key_is_refused_by_notify_and_fails_at_once(
    notify_api: FakeNotify, settings: Any
) -> None:
    # Right service, wrong secret: Notify's own signature check refuses it (nothing queued).
    settings.NOTIFY_API_KEY = f"familyreach_test-{notify_api.service_id}-{uuid.uuid4()}"
    message = _concern_email()
    assert messages_send_due().failed == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error.startswith("403 AuthError: Invalid token")
    assert notify_api.accepted == []


def test_a_template_notify_does_not_have_fails_at_once(
    notify_api: FakeNotify, settings: Any
) -> None:
    settings.NOTIFY_EMAIL_TEMPLATE_ID = str(uuid.uuid4())
    message = _concern_email()
    assert messages_send_due().failed == 1
    message.refresh_from_db()
    assert message.last_error == "400 BadRequestError: Template not found"


def test_it_gives_up_after_the_last_attempt(notify_api: FakeNotify, settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with time_machine.travel(START, tick=False) as clock:
        message = _concern_email()
        notify_api.fail_next(*[500] * 10)
        outcomes = []
        for _ in range(6):
            report = messages_send_due()
            outcomes.append((report.retrying, report.failed))
            clock.shift(timedelta(hours=1))
    message.refresh_from_db()
    assert outcomes == [(1, 0), (1, 0), (0, 1), (0, 0), (0, 0), (0, 0)]
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "500 Exception: Internal server error"
    assert len(notify_api.posts()) == 3


def test_notify_out_of_reach_is_tried_again(settings: Any, notify_api: FakeNotify) -> None:
    # A port nothing listens on: the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{closed_port}"
    message = _concern_email()
    assert messages_send_due().retrying == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.last_error.startswith("503 ")


def _store_then_fail() -> None:
    with transaction.atomic():
        _concern_email()
        raise RuntimeError("what caused the message could not be saved")


def test_a_rolled_back_change_stores_no_message(notify_api: FakeNotify) -> None:
    with pytest.raises(RuntimeError, match="could not be saved"):
        _store_then_fail()
    assert not OutboundMessage.objects.exists()
    assert messages_send_due().sent == 0
    assert notify_api.seen == []


def test_nothing_is_sent_until_the_transaction_commits(
    notify_api: FakeNotify, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = _concern_email()
        assert notify_api.seen == []  # stored, not sent
        # Committed (the test's own transaction aside): the queued task runs now.
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(notify_api.posts()) == 1


def test_the_scheduled_task_is_idempotent(notify_api: FakeNotify) -> None:
    from familyreach.outbox.tasks import send_due_messages

    _concern_email("SG-1")
    _concern_email("SG-2")
    first = send_due_messages.enqueue()
    assert first.return_value == {"sent": 2, "retrying": 0, "failed": 0, "recovered": 0}
    for _ in range(3):
        again = send_due_messages.enqueue()
        assert again.return_value == {"sent": 0, "retrying": 0, "failed": 0, "recovered": 0}
    assert len(notify_api.posts()) == 2
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 2


def test_a_crash_after_notify_accepted_does_not_send_again(notify_api: FakeNotify) -> None:
    """The sender dies between Notify's 201 and recording it: the stale claim is found at
    Notify by its reference and recorded as sent, with no second request to send."""
    with time_machine.travel(START, tick=False) as clock:
        message = _concern_email()
        claimed = _claim_next(now=START)
        assert claimed is not None
        backend_for_settings().send(claimed)  # ... and the process is killed here
        clock.shift(timedelta(minutes=1))
        assert messages_send_due().recovered == 0  # a live sender may still hold it
        clock.shift(timedelta(minutes=5))
        report = messages_send_due()
    assert report.recovered == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.notify_id == notify_api.accepted[0]["id"]
    assert len(notify_api.posts()) == 1
    assert [s.method for s in notify_api.seen] == ["POST", "GET"]


def test_a_crash_before_notify_had_it_sends_it_once(notify_api: FakeNotify) -> None:
    with time_machine.travel(START, tick=False) as clock:
        message = _concern_email()
        assert _claim_next(now=START) is not None  # ... and killed before sending
        clock.shift(timedelta(minutes=6))
        report = messages_send_due()
        assert (report.recovered, report.sent) == (1, 1)
        clock.shift(timedelta(hours=1))
        messages_send_due()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2  # the lost try counts
    assert len(notify_api.posts()) == 1


# Many workers need PostgreSQL's row locks: the SQLite test database is an in-memory shared
# cache that refuses concurrent writers. `make test-postgres` runs this.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_senders_running_at_once_send_each_message_once(notify_api: FakeNotify) -> None:
    """Several workers run the sender at the same moment (each every minute, and after every
    commit): each message is claimed by one of them and reaches Notify once."""
    OutboundMessage.objects.bulk_create(
        OutboundMessage(channel="email", to=f"family{number}@example.org", body="Hello")
        for number in range(30)
    )
    start = threading.Barrier(3)
    reports: list[Any] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait(timeout=30)
            reports.append(messages_send_due())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(report.sent for report in reports) == 30
    recipients = [post.body["email_address"] for post in notify_api.posts() if post.body]
    assert sorted(recipients) == sorted(f"family{number}@example.org" for number in range(30))
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 30


def test_the_command_sends_what_is_due(notify_api: FakeNotify) -> None:
    from io import StringIO

    from django.core.management import call_command

    _concern_email()
    out = StringIO()
    call_command("outbox_send", stdout=out)
    assert out.getvalue().startswith("1 sent, 0 to try again, 0 failed, 0 recovered")
    assert "through govuk-notify" in out.getvalue()
    assert len(notify_api.posts()) == 1
