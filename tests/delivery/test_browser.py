"""In Chromium on a phone-sized screen (375 px wide): a family books a session online, and a
worker takes a register; axe finds nothing serious or critical on any page on the way."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.delivery.models import Booking, Contact, Occurrence
from familyreach.families.models import Family
from tests.fixtures.outbox import booking_confirmation_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_family_books_a_session_on_a_phone(
    page: Page, live_server: Any, axe: Callable[..., Any], next_occurrence: Occurrence
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/book/")
    assert axe(page) == []
    page.get_by_role("link", name="Baby group").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book: Baby group")
    _no_sideways_scroll(page)
    assert axe(page) == []
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your first name")
    assert axe(page) == []
    page.get_by_label("First name", exact=True).fill("Pia")
    page.get_by_label("Last name", exact=True).fill("Public")
    page.get_by_label("Postcode").fill("nr30 1ne")
    page.get_by_label("Your child's first name").fill("Pip")
    dob = page.get_by_role("group", name="Your child's date of birth")
    dob.get_by_label("Day").fill("1")
    dob.get_by_label("Month").fill("9")
    dob.get_by_label("Year").fill("2025")
    page.get_by_role("checkbox", name="By email").check()
    page.get_by_label("Email address").fill("pia@example.org")
    page.get_by_label("I have read how my information is used").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    _no_sideways_scroll(page)
    assert axe(page) == []
    page.goto(live_server.url + booking_confirmation_path("pia@example.org"))
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Your place is booked")
    _no_sideways_scroll(page)
    assert axe(page) == []
    family = Family.objects.get(carers__first_name="Pia")
    assert Booking.objects.get(family=family).status == "confirmed"


def test_a_worker_takes_a_register_on_a_phone(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    family_worker: User,
    past_occurrence: Occurrence,
    yarmouth_family: Family,
    norwich_family: Family,
) -> None:
    for family in (yarmouth_family, norwich_family):
        Booking.objects.create(
            occurrence=past_occurrence, family=family, status="confirmed", channel="staff"
        )
    page.set_viewport_size(PHONE)
    sign_in(page, family_worker)
    page.goto(f"{live_server.url}/staff/?week={past_occurrence.date.isoformat()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("My week")
    assert axe(page) == []
    page.get_by_role("link", name="Register for Baby group").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register: Baby group")
    _no_sideways_scroll(page)
    assert axe(page) == []
    page.get_by_label("Amy Smith with Ben").check()
    page.locator(f"#adults-{yarmouth_family.pk}").fill("2")
    page.get_by_role("button", name="Save register", exact=True).click()
    expect(page.locator("#register-totals")).to_contain_text("1 family · 2 adults")
    page.get_by_role("link", name="Add a walk-in family").click()
    assert axe(page) == []
    page.get_by_label("Parent or carer's first name").fill("Wendy")
    page.get_by_label("Postcode").fill("NR30 1NE")
    page.get_by_label("Child's first name", exact=True).fill("Will")
    dob = page.get_by_role("group", name="Child's date of birth")
    dob.get_by_label("Day").fill("2")
    dob.get_by_label("Month").fill("2")
    dob.get_by_label("Year").fill("2025")
    page.get_by_label("I have told the family how we use and keep their information").check()
    page.get_by_role("button", name="Add and tick as here").click()
    expect(page.locator("#register-totals")).to_contain_text("2 families")
    assert axe(page) == []
    page.get_by_role("button", name="Save and close register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to close the register?"
    )
    assert axe(page) == []
    page.get_by_label("I have checked the register is complete").check()
    page.get_by_role("button", name="Close the register").click()
    expect(page.locator(".govuk-inset-text")).to_contain_text("The register was closed")
    assert axe(page) == []
    contacts = Contact.objects.filter(occurrence=past_occurrence)
    assert contacts.count() == 2
    assert set(contacts.values_list("family__carers__first_name", flat=True)) == {"Amy", "Wendy"}


def test_a_worker_calls_off_a_date_on_a_phone(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    family_worker: User,
    next_occurrence: Occurrence,
    yarmouth_family: Family,
) -> None:
    Booking.objects.create(
        occurrence=next_occurrence, family=yarmouth_family, status="confirmed", channel="staff"
    )
    page.set_viewport_size(PHONE)
    sign_in(page, family_worker)
    path = f"/staff/sessions/{next_occurrence.session_id}/occurrences/{next_occurrence.date}"
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("link", name="Cancel this date").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel Baby group")
    _no_sideways_scroll(page)
    assert axe(page) == []
    page.get_by_role("button", name="Cancel this date").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason")
    assert axe(page) == []
    page.get_by_label("Why is it cancelled?").fill("The library is closed for repairs")
    page.get_by_role("button", name="Cancel this date").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 booking cancelled")
    assert axe(page) == []
    next_occurrence.refresh_from_db()
    assert next_occurrence.status == "cancelled"
