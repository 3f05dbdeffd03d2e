"""Maps in Debian's Chromium (issue 17, "Maps with context"). With no tile layer configured (the
tests, the demo, offline) a map draws the shipped basemap under its points: the land and coast,
the district borders and names, credited as approximate. Without JavaScript there is no empty
box: the map is hidden and the list of the same places is what shows. Clicks only from the
landing page, on a phone for the public page; axe on every page (with JavaScript: axe is a
script, so the no-JavaScript page is checked by what is visible instead)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from familyreach.geo.basemap import NORFOLK_BASEMAP
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
BASEMAP = json.loads(NORFOLK_BASEMAP.read_text(encoding="utf-8"))
BORDERS = sum(1 for f in BASEMAP["features"] if f["properties"]["kind"] == "district-border")
DISTRICT_NAMES = [
    f["properties"]["name"]
    for f in BASEMAP["features"]
    if f["properties"]["kind"] == "district-label"
]


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    return directory_world


def search_from_home(page: Page, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Enter a postcode or town").fill("NR30 1AA")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("result-count")).to_have_text("3 results within 5 miles of NR30 1AA")


def test_a_public_map_draws_the_basemap_under_its_points_on_a_phone(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any], tmp_path: Path
) -> None:
    page.set_viewport_size(PHONE)
    search_from_home(page, live_server)
    assert axe(page) == []
    find_map = page.locator("#find-map")
    find_map.scroll_into_view_if_needed()
    expect(find_map).to_be_visible()
    # The basemap, in its own pane below the points: one land outline with a real shape, every
    # district border, every district name.
    land = find_map.locator(".leaflet-basemap-pane svg path.app-basemap-land")
    expect(land).to_have_count(1)
    assert (land.get_attribute("d") or "").count("L") >= 3  # clipped to the view, still a shape
    expect(find_map.locator(".leaflet-basemap-pane path.app-basemap-border")).to_have_count(BORDERS)
    expect(find_map.locator(".leaflet-basemap-pane .app-basemap-label")).to_have_text(
        DISTRICT_NAMES
    )
    # Still the three places and the search point on top, clickable.
    expect(find_map.locator(".leaflet-overlay-pane .leaflet-interactive")).to_have_count(4)
    pane_order = page.evaluate(
        """() => {
            const z = (name) => Number(getComputedStyle(document.querySelector(`#find-map .leaflet-${name}-pane`)).zIndex);
            return [z("basemap"), z("overlay")];
        }"""
    )
    assert pane_order[0] < pane_order[1], pane_order
    expect(find_map.locator(".leaflet-control-attribution")).to_contain_text(
        "Approximate district outlines"
    )
    page.screenshot(path=str(tmp_path / "find-map-basemap.png"), full_page=True)
    assert axe(page) == []

    # The service page's map draws it too.
    page.get_by_test_id("results").get_by_role("link").first.click()
    page.wait_for_load_state()
    expect(page.locator("#service-map .leaflet-basemap-pane path.app-basemap-land")).to_have_count(
        1
    )
    assert axe(page) == []


def test_without_javascript_the_list_shows_and_no_empty_map_box(
    browser: Browser, live_server: Any, world: DirectoryWorld, tmp_path: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="en-GB")
    try:
        page = context.new_page()
        search_from_home(page, live_server)
        # The map (and its caption about the map) take no room; the list has every place plotted.
        expect(page.get_by_test_id("map-block")).to_be_hidden()
        expect(page.locator("#find-map")).to_be_hidden()
        plotted = json.loads(page.locator("#find-map-data").text_content() or "{}")["points"]
        results = page.get_by_test_id("results")
        expect(results).to_be_visible()
        for point in plotted:
            expect(results.get_by_role("link", name=point["name"], exact=True)).to_be_visible()
        page.screenshot(path=str(tmp_path / "find-no-javascript.png"), full_page=True)

        page.get_by_test_id("results").get_by_role("link").first.click()
        page.wait_for_load_state()
        expect(page.locator("#service-map")).to_be_hidden()
        expect(page.get_by_role("heading", name="Where")).to_be_visible()
    finally:
        context.close()


def test_a_configured_tile_layer_replaces_the_basemap(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    # Tiles from the live server itself (the CSP allows the page's own origin): they need not
    # exist for Leaflet to ask for them, which is what shows the layer is in use.
    tiles = live_server.url + "/tiles/{z}/{x}/{y}.png"
    with override_settings(
        MAP_TILE_URL=tiles, MAP_TILE_ATTRIBUTION="Test tiles © the test", MAP_TILE_MAX_ZOOM=17
    ):
        search_from_home(page, live_server)
        find_map = page.locator("#find-map")
        find_map.scroll_into_view_if_needed()
        expect(find_map.locator("img.leaflet-tile").first).to_be_attached()
        source = find_map.locator("img.leaflet-tile").first.get_attribute("src") or ""
        assert source.startswith(live_server.url + "/tiles/"), source
        expect(find_map.locator(".leaflet-control-attribution")).to_contain_text(
            "Test tiles © the test"
        )
        expect(find_map.locator(".app-basemap-land")).to_have_count(0)
        assert axe(page) == []


def test_a_staff_map_draws_the_basemap(
    page: Page,
    norfolk: NorfolkWorld,
    planner: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    tmp_path: Path,
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, planner)
    page.get_by_role("link", name="Areas", exact=True).first.click()
    page.wait_for_load_state()
    areas_map = page.locator("#areas-map")
    expect(areas_map.locator(".leaflet-basemap-pane path.app-basemap-land")).to_have_count(1)
    expect(areas_map.locator(".leaflet-basemap-pane path.app-basemap-border")).to_have_count(
        BORDERS
    )
    # The areas' circles are still drawn on their canvas above it.
    expect(areas_map.locator(".leaflet-overlay-pane canvas")).to_have_count(1)
    # The whole county in a third of the page: the district names would overlap, so they wait
    # for a closer zoom.
    expect(areas_map.locator(".app-basemap-label")).to_have_count(7)
    expect(areas_map.locator(".app-basemap-label span").first).to_be_hidden()
    for _ in range(2):
        areas_map.get_by_role("button", name="Zoom in").click()
    expect(areas_map.locator(".app-basemap-label span").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "areas-map-basemap.png"))
    assert axe(page) == []
