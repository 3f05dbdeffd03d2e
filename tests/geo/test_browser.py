"""The areas page in Debian's Chromium: map drawn, table sortable, and axe finds nothing serious."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.fixtures.geo import NorfolkWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_areas_page_map_table_and_accessibility(
    page: Page,
    live_server: Any,
    norfolk: NorfolkWorld,
    planner: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    sign_in(page, planner)
    page.goto(f"{live_server.url}/staff/areas?district={norfolk.great_yarmouth.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Areas and need")
    # Leaflet fetched the GeoJSON and drew the circles on its canvas.
    expect(page.locator("#areas-map.leaflet-container")).to_be_visible()
    expect(page.locator("#areas-map .leaflet-overlay-pane canvas")).to_have_count(1)
    expect(page.locator("table tbody tr")).to_have_count(61)
    assert axe(page) == []

    page.get_by_role("link", name="Under-fives", exact=True).click()
    expect(page).to_have_url(
        f"{live_server.url}/staff/areas?sort=under_fives&district={norfolk.great_yarmouth.code}"
    )
    header = page.locator("th[aria-sort='ascending']")
    expect(header).to_contain_text("Under-fives")
    page.get_by_label("District").select_option(label="Norwich")
    page.get_by_role("button", name="Show areas").click()
    expect(page.locator("table tbody tr")).to_have_count(83)
    assert axe(page) == []
