"""A parent on a phone (390 x 844) finds a group near them by clicks alone: from the home
page, a postcode search, filters opened and one ticked (the radius searched kept), then a
result opened, with its tags and its description in paragraphs. axe finds nothing serious or
critical on any page on the way. Issues 16 ("listings a parent can act on") and 17 (/find)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from familyreach.directory import services
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    baby_group = directory_world.baby_group
    # Fresh from the database: the fixture's copy predates its denormalised columns.
    baby_group.refresh_from_db()
    baby_group.description = (
        "Run by local parents. Songs, baby massage and a cuppa with other parents.\n\n"
        "What to bring: a blanket for your baby. More at https://example.org/baby-group.\n\n"
        "Simulated: this group is test data."
    )
    baby_group.save()
    services.service_mark_run_by_local_parents(service=baby_group)
    return directory_world


def test_a_parent_finds_a_peer_led_group_on_a_phone(
    page: Page,
    live_server: Any,
    world: DirectoryWorld,
    axe: Callable[..., Any],
    tmp_path: Path,
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    assert axe(page) == []

    page.get_by_label("Enter a postcode or town").click()
    page.keyboard.type("NR30 1AA")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("result-count")).to_have_text("3 results within 5 miles of NR30 1AA")
    expect(page.get_by_label("Distance")).to_have_value("5")
    # Results first: the filters are folded, and the first result is on the first screen.
    expect(page.get_by_label("Baby groups")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "find-phone-results.png"))
    first_result = page.get_by_test_id("results").get_by_role("link").first
    box = first_result.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The peer-led and family-base marks, as tags on the cards.
    results = page.get_by_test_id("results")
    expect(results.get_by_text("Run by local parents", exact=True)).to_have_count(1)
    expect(results.get_by_text("Family base", exact=True)).to_have_count(1)
    assert axe(page) == []

    page.locator("summary", has_text="Show filters").click()
    expect(page.get_by_label("Baby groups")).to_be_visible()
    page.screenshot(path=str(tmp_path / "find-phone-filters.png"), full_page=True)
    assert axe(page) == []
    page.get_by_label("Only groups run by local parents").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    # The radius searched stays 5 miles (it fell to 1 mile before, finding nothing).
    expect(page.get_by_test_id("result-count")).to_have_text("1 result within 5 miles of NR30 1AA")
    expect(page.get_by_label("Distance")).to_have_value("5")
    expect(page.get_by_test_id("filters-toggle")).to_contain_text("(1 chosen)")
    assert axe(page) == []

    page.get_by_role("link", name="Baby group in Gorleston").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baby group in Gorleston")
    expect(page.get_by_test_id("listing-tags")).to_have_text("Run by local parents")
    description = page.get_by_test_id("description")
    expect(description.locator("p")).to_have_count(3)
    expect(
        description.get_by_role("link", name="https://example.org/baby-group")
    ).to_have_attribute("rel", "nofollow noopener noreferrer")
    page.screenshot(path=str(tmp_path / "service-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe(page) == []


def test_filters_sit_open_beside_the_results_on_a_desktop(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/")
    page.get_by_label("Enter a postcode or town").fill("NR30 1AA")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Baby groups")).to_be_visible()
    expect(page.get_by_test_id("filters-toggle")).to_be_hidden()
    assert axe(page) == []


def test_filters_fold_and_open_without_javascript(
    browser: Browser, live_server: Any, world: DirectoryWorld
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        page.get_by_label("Enter a postcode or town").fill("NR30 1AA")
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        expect(page.get_by_label("Baby groups")).to_be_hidden()
        page.locator("summary", has_text="Show filters").click()
        expect(page.get_by_label("Baby groups")).to_be_visible()
        expect(page.get_by_text("Hide filters")).to_be_visible()
        page.get_by_label("Baby groups").check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("result-count")).to_have_text(
            "1 result within 5 miles of NR30 1AA"
        )
    finally:
        context.close()
