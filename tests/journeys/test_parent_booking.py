"""A parent books a place by clicks alone on a phone (390×844): from the home page, through
/find to the session's service page, "Book a place" on a date, the form (the postcode searched
already in it), "Check your email", the link from the email (read from the outbox, as the
parent opens it from their inbox), "Confirm booking", the booking reference on the
confirmation, and the cancel link ("Are you sure?", then cancelled). axe on every page:
nothing serious or critical."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from familyreach.delivery.models import Booking, BookingStatus, Occurrence
from familyreach.families.models import Family
from familyreach.geo.models import Area
from tests.fixtures.outbox import booking_confirmation_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def on_a_phone_at_the_front_door(
    page: Page, live_server: Any, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    """A parent's phone open at the front page, with the baby group's next date to book."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_parent_books_from_the_service_page_and_cancels(
    page: Page, live_server: Any, axe: Callable[..., Any], on_a_phone_at_the_front_door: None
) -> None:
    assert axe(page) == []

    page.get_by_label("Enter a postcode or town").fill("NR30 1NE")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("results")
    expect(results).to_contain_text("Baby group")
    _fits_the_phone(page)
    assert axe(page) == []

    results.get_by_role("link", name="Baby group", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baby group")
    booking_block = page.get_by_test_id("book-a-place")
    expect(booking_block.get_by_role("heading", name="Book a place")).to_be_visible()
    _fits_the_phone(page)
    assert axe(page) == []

    booking_block.get_by_role("link", name="Book a place").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book: Baby group")
    # The first date listed (today's, if it has not started yet).
    assert "/book/" in page.url
    _fits_the_phone(page)
    assert axe(page) == []

    # The postcode searched on /find came with the link.
    expect(page.get_by_label("Postcode")).to_have_value("NR30 1NE")
    page.get_by_label("First name", exact=True).fill("Pia")
    page.get_by_label("Last name", exact=True).fill("Public")
    page.get_by_label("Your child's first name").fill("Pip")
    dob = page.get_by_role("group", name="Your child's date of birth")
    # Pip is three months old whatever the day the test runs: a baby the baby group is for, and
    # never born in the future.
    born = timezone.localdate() - timedelta(days=91)
    dob.get_by_label("Day").fill(str(born.day))
    dob.get_by_label("Month").fill(str(born.month))
    dob.get_by_label("Year").fill(str(born.year))
    page.get_by_label("Email address").fill("pia@example.org")
    page.get_by_label("I have read how my information is used").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_test_id("hold-note")).to_contain_text("holding a place for you")
    # Nothing is on record until the parent follows the link.
    assert not Family.objects.exists()
    _fits_the_phone(page)
    assert axe(page) == []

    page.goto(live_server.url + booking_confirmation_path("pia@example.org"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your booking")
    _fits_the_phone(page)
    assert axe(page) == []
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Your place is booked")
    assert Family.objects.count() == 1
    booking = Booking.objects.get()
    expect(page.get_by_test_id("booking-reference")).to_have_text(booking.reference)
    expect(page.get_by_role("link", name="Add it to your calendar (.ics file)")).to_be_visible()
    _fits_the_phone(page)
    assert axe(page) == []

    page.get_by_role("link", name="Cancel this booking").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to cancel your booking?"
    )
    _fits_the_phone(page)
    assert axe(page) == []
    page.get_by_role("button", name="Yes, cancel my booking").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Booking cancelled")
    expect(page.locator(".govuk-panel__body")).to_contain_text(booking.reference)
    assert axe(page) == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_parent_filters_sessions_by_postcode_and_age_with_the_keyboard_only(
    page: Page, axe: Callable[..., Any], on_a_phone_at_the_front_door: None
) -> None:
    """From a /find card's "Book a place" to /book/'s filters, by keyboard."""
    page.get_by_label("Enter a postcode or town").fill("NR30 1NE")
    page.keyboard.press("Enter")
    page.get_by_test_id("results").get_by_role("link", name="Book a place at Baby group").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a session")
    # The card's link carried the postcode searched: the dates are already near it.
    expect(page.get_by_label("Your postcode or town")).to_have_value("NR30 1NE")
    expect(page.get_by_test_id("book-count")).to_contain_text("within 5 miles of NR30 1NE")
    assert axe(page) == []
    page.get_by_label("Your child's age").select_option(label="3 years old")
    page.get_by_role("button", name="Show sessions").press("Enter")
    expect(page.get_by_test_id("book-count")).to_have_text("0 sessions within 5 miles of NR30 1NE")
    assert axe(page) == []
    page.get_by_label("Your child's age").select_option(label="Under 1")
    page.get_by_role("button", name="Show sessions").press("Enter")
    expect(page.get_by_test_id("book-count")).to_contain_text("within 5 miles of NR30 1NE")
    page.get_by_role("link", name="Baby group").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book: Baby group")
    _fits_the_phone(page)
    expect(page.get_by_label("Postcode")).to_have_value("NR30 1NE")
