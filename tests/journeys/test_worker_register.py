"""A family worker takes a register by clicks alone, on a phone: from their landing page (My
week) to the session date, its register, ticks a family, closes the register after a
confirmation, reopens it (same day), and opens the printable sign-in sheet. axe on every page."""

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.delivery.models import Booking, Contact, Occurrence
from familyreach.delivery.services import SessionDetails, session_create
from familyreach.families.models import Family
from familyreach.geo.models import Venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def todays_occurrence(family_worker: User, yarmouth_library: Venue) -> Occurrence:
    """A session today that has already started (from midnight), so its register can close."""
    today = timezone.localdate()
    session = session_create(
        user=family_worker,
        details=SessionDetails(
            title="Stay and play",
            category="stay_and_play",
            venue=yarmouth_library,
            capacity=10,
            start_date=today,
            start_time=time(0, 0),
            end_time=time(23, 59),
            recurrence="one_off",
        ),
        staff=[family_worker],
        generate_until=today + timedelta(days=1),
    )
    return session.occurrences.get()


def test_a_worker_closes_a_register_with_confirmation_reopens_it_and_prints_it(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    family_worker: User,
    todays_occurrence: Occurrence,
    yarmouth_family: Family,
) -> None:
    Booking.objects.create(
        occurrence=todays_occurrence, family=yarmouth_family, status="confirmed", channel="staff"
    )
    page.set_viewport_size(PHONE)
    sign_in(page, family_worker)  # lands on My week
    expect(page.get_by_role("heading", level=1)).to_contain_text("My week")
    assert axe(page) == []

    page.get_by_role("link", name="Bookings for Stay and play").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stay and play")
    assert axe(page) == []
    page.get_by_role("link", name="Take the register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register: Stay and play")
    _fits_the_phone(page)
    assert axe(page) == []

    page.get_by_label("Amy Smith with Ben").check()
    page.get_by_role("button", name="Save and close register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to close the register?"
    )
    expect(page.get_by_test_id("close-summary")).to_contain_text("1 family ticked as here")
    _fits_the_phone(page)
    assert axe(page) == []
    assert not Contact.objects.filter(occurrence=todays_occurrence).exists()
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm the register is complete")
    assert axe(page) == []
    page.get_by_label("I have checked the register is complete").check()
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("The register was closed")
    assert axe(page) == []
    assert Contact.objects.filter(occurrence=todays_occurrence).count() == 1

    page.get_by_role("button", name="Reopen the register").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Register reopened")
    expect(page.get_by_label("Amy Smith with Ben")).to_be_checked()
    assert axe(page) == []
    assert not Contact.objects.filter(occurrence=todays_occurrence).exists()

    page.get_by_role("link", name="Print a sign-in sheet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign-in sheet: Stay and play")
    sheet = page.get_by_test_id("sign-in-sheet")
    expect(sheet).to_contain_text("Amy Smith")
    expect(sheet).to_contain_text("Ben")
    assert axe(page) == []
    # On paper: no navigation or buttons; names and tick boxes stay.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(sheet).to_be_visible()
    expect(sheet.locator(".app-tick-box").first).to_be_visible()
    expect(page.get_by_role("link", name="download it as a spreadsheet (CSV)")).to_be_hidden()
