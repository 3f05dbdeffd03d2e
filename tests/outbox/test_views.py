"""What people see: managers' messages page and "Try again", the warning on staff pages when a
safeguarding message has not gone, and a concern's own page telling whether its message went."""

from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community.services import safeguarding as safeguarding_services
from familyreach.outbox import notify
from familyreach.outbox.models import MessageStatus, OutboundMessage
from familyreach.outbox.sending import messages_send_due
from tests.outbox.notify_server import FakeNotify

pytestmark = pytest.mark.django_db

BODY = "What happened:\nBruising on the baby's arm."


def _messages_with_trouble(notify_api: FakeNotify) -> dict[str, OutboundMessage]:
    """A safeguarding email Notify refused, a booking text waiting to be tried again after a
    503, and a reminder that went."""
    failed = notify.send_email(
        to="duty-safeguarding@example.org",
        subject="Safeguarding concern SG-0000FAIL",
        body=BODY,
        reference="SG-0000FAIL",
        kind=notify.Kind.SAFEGUARDING,
    )
    retrying = notify.send_text(
        to="07700900333", body="Your place is booked.", reference="booking-9", kind="booking"
    )
    sent = notify.send_email(to="sent@example.org", subject="Reminder", body="A reminder.")
    notify_api.fail_next(400, 503)  # the urgent one is tried first
    report = messages_send_due()
    assert (report.failed, report.retrying, report.sent) == (1, 1, 1)
    return {"failed": failed, "retrying": retrying, "sent": sent}


def test_managers_see_what_has_not_gone_and_why(
    notify_api: FakeNotify, manager: User, signed_in: Callable[[User], Client]
) -> None:
    _messages_with_trouble(notify_api)
    response = signed_in(manager).get("/staff/messages/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "SG-0000FAIL" in page
    assert "400 BadRequestError: Can&#39;t send to this recipient" in page
    assert "Failed" in page
    assert "Trying again" in page
    assert "07700900333" in page
    assert "503 " in page
    assert "sent@example.org" not in page  # sent messages are not trouble
    assert page.count('/try-again" novalidate>') == 2
    assert (
        'Try again<span class="govuk-visually-hidden"> to send the text message to 07700900333'
        in page
    )
    # The manager may read the message itself (to phone it through), and that read is logged.
    assert "Bruising on the baby&#39;s arm." in page
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=manager)
    assert reads.count() == 2


def test_try_again_sends_a_failed_message(
    notify_api: FakeNotify,
    manager: User,
    django_capture_on_commit_callbacks: Any,
    signed_in: Callable[[User], Client],
) -> None:
    failed = _messages_with_trouble(notify_api)["failed"]
    client = signed_in(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/messages/{failed.pk}/try-again")
    assert response.status_code == 302
    assert response["Location"] == "/staff/messages/"
    failed.refresh_from_db()
    assert failed.status == MessageStatus.SENT
    assert "Tried again by dana-manager" in failed.last_error
    change = LogEntry.objects.get(action=LogEntry.Action.UPDATE, actor=manager)
    assert change.object_pk == str(failed.pk)
    # The audit log keeps who and what happened, never the recipient or the words.
    for entry in LogEntry.objects.all():
        assert "Bruising" not in str(entry.changes)
        assert "duty-safeguarding@example.org" not in str(entry.changes)
    assert [p.status for p in notify_api.posts()] == [400, 503, 201, 201]
    # Sent messages cannot be sent again.
    response = client.post(f"/staff/messages/{failed.pk}/try-again", follow=True)
    assert "already sent or being sent" in response.content.decode()
    assert len(notify_api.posts()) == 4


@pytest.mark.parametrize(
    "role",
    [Role.VOLUNTEER_COORDINATOR, Role.FAMILY_WORKER, Role.VOLUNTEER, Role.PLANNER],
)
def test_no_one_but_managers_sees_messages_or_sends_them_again(
    notify_api: FakeNotify,
    make_user: Callable[..., User],
    role: Role,
    signed_in: Callable[[User], Client],
) -> None:
    failed = _messages_with_trouble(notify_api)["failed"]
    client = signed_in(make_user(role))
    assert client.get("/staff/messages/").status_code == 403
    assert client.post(f"/staff/messages/{failed.pk}/try-again").status_code == 403
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get("/staff/messages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in")


def test_managers_and_coordinators_are_warned_on_every_staff_page(
    notify_api: FakeNotify,
    manager: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    coordinator = make_user(Role.VOLUNTEER_COORDINATOR)
    volunteer = make_user(Role.VOLUNTEER)
    # Nothing wrong yet: no warning.
    assert (
        'data-testid="safeguarding-not-sent"'
        not in signed_in(manager).get("/staff/").content.decode()
    )

    _messages_with_trouble(notify_api)
    manager_page = signed_in(manager).get("/staff/").content.decode()
    assert 'data-testid="safeguarding-not-sent"' in manager_page
    assert (
        "1 safeguarding concern has not reached the duty safeguarding lead: SG-0000FAIL"
        in manager_page
    )
    assert 'href="/staff/messages/"' in manager_page

    coordinator_page = signed_in(coordinator).get("/staff/").content.decode()
    assert "SG-0000FAIL" in coordinator_page
    assert "Phone the duty safeguarding team now" in coordinator_page
    # References only: not the page of messages, not what the message says.
    assert 'href="/staff/messages/"' not in coordinator_page
    assert "Bruising" not in coordinator_page

    volunteer_page = signed_in(volunteer).get("/staff/").content.decode()
    assert "SG-0000FAIL" not in volunteer_page
    assert "SG-0000FAIL" not in Client().get("/").content.decode()


def test_a_safeguarding_message_waiting_for_another_try_warns_too(
    notify_api: FakeNotify, manager: User, signed_in: Callable[[User], Client]
) -> None:
    notify.send_email(
        to="duty-safeguarding@example.org",
        subject="Safeguarding concern SG-0000WAIT",
        body=BODY,
        reference="SG-0000WAIT",
        kind=notify.Kind.SAFEGUARDING,
    )
    client = signed_in(manager)
    assert "SG-0000WAIT" not in client.get("/staff/").content.decode()  # not tried yet
    notify_api.fail_next(429)
    assert messages_send_due().retrying == 1
    assert "SG-0000WAIT" in client.get("/staff/").content.decode()
    # Once it goes, the warning goes.
    OutboundMessage.objects.update(next_attempt_at=OutboundMessage.objects.get().created_at)
    assert messages_send_due().sent == 1
    assert "SG-0000WAIT" not in client.get("/staff/").content.decode()


def _state(client: Client, concern_id: int) -> str:
    page = client.get(f"/staff/community/concerns/{concern_id}/").content.decode()
    start = page.index('data-testid="concern-message-state"')
    return page[start : page.index("</dd>", start)]


def test_a_concern_is_shown_as_stored_then_as_what_became_of_its_message(
    notify_api: FakeNotify, volunteer_user: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(volunteer_user)
    response = client.post(
        "/staff/community/concerns/raise",
        {"urgency": "today", "about": "Baby J", "what_happened": "Bruising on the arm"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Concern recorded" in page
    assert "Concern sent" not in page
    assert "Your concern is stored and will be sent to the duty safeguarding lead at once" in page
    concern_id = int(response["Location"].split("/")[-2])
    assert "Stored, waiting to be sent." in _state(client, concern_id)

    notify_api.fail_next(503)
    messages_send_due()
    assert "Sending failed 1 time; trying again" in _state(client, concern_id)

    OutboundMessage.objects.update(next_attempt_at=OutboundMessage.objects.get().created_at)
    notify_api.fail_next(403)
    messages_send_due()
    assert "Not sent" in _state(client, concern_id)


def test_the_demo_says_plainly_that_nothing_was_sent(
    volunteer_user: User, signed_in: Callable[[User], Client]
) -> None:
    # No Notify key: the console backend logs the message and marks it so.
    concern = safeguarding_services.concern_raise(
        user=volunteer_user, urgency="worried", about="A toddler", what_happened="Left alone"
    )
    assert messages_send_due().sent == 1
    message = OutboundMessage.objects.get(reference=concern.reference)
    assert message.sent_by == "console"
    assert message.notify_id == ""
    state = _state(signed_in(volunteer_user), concern.pk)
    assert "Demo: logged" in state
    assert "<strong>not sent</strong>" in state
