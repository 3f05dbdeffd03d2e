"""A volunteer raises a safeguarding concern by clicks alone, on a phone: signed in, their
landing page (My week) links to the concern form (issue 17: it used to have no such link).
axe on each page."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_volunteer_reaches_the_concern_form_from_their_landing_page(
    page: Page,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    volunteer_user: User,
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, volunteer_user)
    expect(page.get_by_role("heading", level=1)).to_contain_text("My week from")
    warning = page.get_by_test_id("raise-concern")
    expect(warning).to_contain_text("If a child is in danger now, call 999")
    assert axe(page) == []
    warning.get_by_role("link", name="raise a safeguarding concern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a safeguarding concern")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe(page) == []
