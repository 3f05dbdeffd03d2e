"""In Debian's Chromium: a manager is warned of a safeguarding message Notify refused, finds it
on the messages page, and sends it again; axe finds nothing serious on the way."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.outbox import notify
from familyreach.outbox.models import MessageStatus, OutboundMessage
from tests.outbox.notify_server import FakeNotify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_a_failed_safeguarding_message_and_sends_it_again(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    manager: User,
    notify_api: FakeNotify,
) -> None:
    notify_api.fail_next(400, 503)
    # Each is sent as soon as it is stored (the task runs on commit): the first is refused, the
    # second meets a 503 and waits for another try.
    notify.send_email(
        to="duty-safeguarding@example.org",
        subject="Safeguarding concern SG-0000FAIL",
        body="Bruising on the baby's arm.",
        reference="SG-0000FAIL",
        kind=notify.Kind.SAFEGUARDING,
    )
    notify.send_text(to="07700900333", body="Your place is booked.", kind="booking")
    assert list(OutboundMessage.objects.order_by("id").values_list("status", flat=True)) == [
        MessageStatus.FAILED,
        MessageStatus.PENDING,
    ]

    sign_in(page, manager)
    page.goto(f"{live_server.url}/staff/")
    warning = page.get_by_test_id("safeguarding-not-sent")
    expect(warning).to_contain_text("SG-0000FAIL")
    assert axe(page) == []
    warning.get_by_role("link", name="See the messages that have not been sent").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Messages not sent")
    table = page.get_by_test_id("messages-not-sent")
    expect(table).to_contain_text("400 BadRequestError")
    expect(table).to_contain_text("Trying again")
    assert axe(page) == []
    page.screenshot(path="/tmp/outbox-messages-page.png", full_page=True)

    page.get_by_role(
        "button", name="Try again to send the email to duty-safeguarding@example.org"
    ).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "will be sent again now"
    )
    expect(page.get_by_test_id("safeguarding-not-sent")).to_have_count(0)
    expect(table).not_to_contain_text("duty-safeguarding@example.org")
    assert OutboundMessage.objects.get(reference="SG-0000FAIL").status == MessageStatus.SENT
    assert [post.status for post in notify_api.posts()] == [400, 503, 201]
