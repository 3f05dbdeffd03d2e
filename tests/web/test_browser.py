"""In Debian's Chromium: the front door and sign-in work and axe finds nothing serious."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible(page: Page, live_server: Any, axe: Callable[..., Any]) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find support for your family")
    expect(page.locator("body")).to_have_class(
        "govuk-template__body js-enabled govuk-frontend-supported"
    )
    assert axe(page) == []


def test_sign_in_page_is_accessible(page: Page, live_server: Any, axe: Callable[..., Any]) -> None:
    page.goto(live_server.url + "/staff/sign-in")
    assert axe(page) == []


def test_sign_in_errors_are_accessible(
    page: Page, live_server: Any, axe: Callable[..., Any]
) -> None:
    page.goto(live_server.url + "/staff/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your username")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    assert axe(page) == []


def test_staff_sign_in_and_out(
    page: Page,
    live_server: Any,
    planner: User,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    sign_in(page, planner)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
    assert axe(page) == []
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def test_home_page_works_at_320_pixels(page: Page, live_server: Any) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320
    page.get_by_label("Enter a postcode or town").fill("NR30 1NE")
    expect(page.get_by_role("button", name="Search")).to_be_visible()
