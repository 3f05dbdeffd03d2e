"""In Debian's Chromium: search by postcode (keyboard only), filter, open a service, at 320 px
wide, the map beside the list, and axe finds nothing serious or critical on any public page."""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.directory import services
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    return directory_world


def test_keyboard_only_search_filter_and_open_a_service(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.goto(live_server.url + "/find")
    assert axe(page) == []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_postcode":
            break
    else:
        pytest.fail("The postcode box cannot be reached with the keyboard")
    page.keyboard.type("NR30 1NE")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_test_id("result-count")).to_contain_text(
        "3 results within 5 miles of NR30 1NE"
    )
    # Leaflet drew the same three places as the list.
    expect(page.locator("#find-map .leaflet-interactive")).to_have_count(
        4
    )  # 3 places + the search point
    assert axe(page) == []

    page.get_by_label("Baby groups").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("result-count")).to_contain_text("1 result within 5 miles")
    page.get_by_role("link", name="Baby group in Gorleston").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baby group in Gorleston")
    expect(page.get_by_test_id("cost")).to_contain_text("£2.00")
    assert axe(page) == []


def test_usable_at_320_pixels_wide(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    for path in (
        "/find?postcode=NR30+1NE&radius=5",
        f"/services/{world.stay_and_play.pk}",
        "/request-support",
        "/advice",
    ):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"
        assert axe(page) == [], path


def test_every_public_page_is_accessible(
    page: Page, live_server: Any, world: DirectoryWorld, manager: User, axe: Callable[..., Any]
) -> None:
    services.advice_article_save(
        user=manager,
        article=None,
        slug="feeding-your-baby",
        title="Feeding your baby",
        summary="Help with feeding",
        body="## Getting help\n\n- Your health visitor\n- <https://www.nhs.uk/start-for-life/>",
        topic="feeding",
        status="published",
        review_by=date(2027, 3, 31),
        related_term_codes=["infant-feeding"],
    )
    for path in (
        "/find",
        "/find?postcode=NR30+1N",  # the error summary
        "/find?postcode=Atlantis",  # the suggestion
        "/find?postcode=NR30+1NE&radius=1&day=SU",  # no results advice
        f"/services/{world.feeding.pk}",
        f"/services/{world.closed_for_repairs.pk}",
        "/advice",
        "/advice?q=feeding",
        "/advice/feeding-your-baby",
        "/request-support",
    ):
        page.goto(live_server.url + path)
        assert axe(page) == [], path


def test_request_support_errors_then_success(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.goto(live_server.url + "/request-support")
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select who is asking for help")
    expect(summary).to_be_focused()
    assert axe(page) == []
    page.get_by_label("A parent or carer asking for their own family").check()
    page.get_by_label("Parent or carer's name").fill("Sam Example")
    page.get_by_label("Postcode", exact=True).fill("NR30 1NE")
    page.get_by_label("Children's ages").fill("1")
    page.get_by_label("Parenting").check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address", exact=True).fill("sam@example.org")
    page.get_by_label("The family agrees").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request sent")
    expect(page.get_by_test_id("reference")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    assert axe(page) == []
