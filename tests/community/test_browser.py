"""On a phone-sized screen (375 px) in Debian's Chromium: a group registers, and a volunteer
raises a safeguarding concern in a few taps; axe finds nothing serious on either journey."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.community.models import CommunityGroup, Concern
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_group_registers_on_a_phone(
    page: Page, live_server: Any, axe: Callable[..., Any], community_geography: Any
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/community-groups/register")
    _fits_the_screen(page)
    assert axe(page) == []

    page.get_by_role("button", name="Register the group").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a name")
    expect(summary).to_contain_text("Name the group's safeguarding lead")
    assert axe(page) == []

    page.get_by_label("Name of the group").fill("Gorleston Bumps and Babies")
    page.get_by_label("Baby group").check()
    page.get_by_label("What happens at the group").fill("Songs, play and a chat for new parents.")
    page.get_by_label("Who is it for?").fill("Parents and carers with babies under one")
    page.get_by_label("Where do you meet?").fill("St Andrew's Church Hall")
    page.get_by_label("Venue postcode").fill("NR31 6AA")
    page.get_by_label("Day").select_option(label="Wednesday")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("11:30")
    page.get_by_label("Group email address").fill("bumps@example.org")
    page.get_by_label("Group lead's full name").fill("Rosa Lee")
    page.get_by_label("Group lead's email address").fill("rosa@example.org")
    page.get_by_label("Safeguarding lead's full name").fill("Ike Obi")
    page.get_by_label("Safeguarding lead's email address").fill("ike@example.org")
    page.get_by_label("Link to your insurance certificate (optional)").fill(
        "https://example.org/insurance.pdf"
    )
    page.get_by_label("Link to your safeguarding policy (optional)").fill(
        "https://example.org/policy.pdf"
    )
    page.get_by_role("button", name="Register the group").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Group registered")
    _fits_the_screen(page)
    assert axe(page) == []
    group = CommunityGroup.objects.get()
    assert group.name == "Gorleston Bumps and Babies"
    assert group.status == "submitted"
    assert {(leader.name, leader.is_safeguarding_lead) for leader in group.leaders.all()} == {
        ("Rosa Lee", False),
        ("Ike Obi", True),
    }


def test_a_volunteer_raises_a_concern_on_a_phone(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    volunteer_user: User,
) -> None:
    forget_stored_messages()
    page.set_viewport_size(PHONE)
    sign_in(page, volunteer_user)
    page.goto(f"{live_server.url}/staff/community/")
    page.get_by_role("link", name="raise a safeguarding concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a safeguarding concern")
    _fits_the_screen(page)
    assert axe(page) == []

    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select how urgent it is")
    assert axe(page) == []

    page.get_by_label("Someone needs to act today").check()
    page.get_by_label("Who are you worried about?").fill("Baby J")
    page.get_by_label("What did you see or hear?").fill("Bruising on the baby's arm.")
    page.get_by_role("button", name="Send to the safeguarding lead").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Concern recorded")
    concern = Concern.objects.get()
    expect(page.locator(".govuk-panel")).to_contain_text(concern.reference)
    _fits_the_screen(page)
    assert axe(page) == []
    assert [message.to for message in stored_messages()] == ["duty-safeguarding@example.org"]


def test_coordinator_pages_are_accessible(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    coordinator: User,
    community_world: dict[str, Any],
) -> None:
    sign_in(page, coordinator)
    world = community_world
    paths = [
        "/staff/community/",
        "/staff/community/volunteers/",
        f"/staff/community/volunteers/{world['supporter'].pk}/",
        "/staff/community/volunteers/new",
        "/staff/community/expiries/",
        f"/staff/community/requests/{world['request'].pk}/",
        "/staff/community/requests/new",
        f"/staff/community/matches/{world['match'].pk}/",
        f"/staff/community/concerns/{world['concern'].pk}/",
        f"/staff/community/groups/{world['group'].pk}/",
        "/staff/community/rooms/",
        f"/staff/community/rooms/{world['room'].pk}/",
    ]
    problems = {}
    for path in paths:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found = axe(page)
        if found:
            problems[path] = found
    assert problems == {}
