"""In Chromium: build two scenarios, run them, compare them; axe finds nothing serious."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _build_and_run(page: Page, name: str, bases: str) -> None:
    page.get_by_role("button", name="New scenario").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Number of bases").fill(bases)
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("button", name="Run scenario").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("within 30 minutes of any service point")


def test_build_run_and_compare_two_scenarios(
    page: Page,
    live_server: Any,
    planner: User,
    small_county: dict[str, Any],
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    sign_in(page, planner)
    page.goto(live_server.url + "/staff/planning/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planning")
    assert axe(page) == []

    # A form with a mistake shows the error summary, and is accessible.
    page.get_by_role("button", name="New scenario").click()
    page.get_by_role("button", name="Save scenario").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a name")
    expect(summary).to_contain_text("Enter a number of bases, a budget, or both")
    assert axe(page) == []
    page.goto(live_server.url + "/staff/planning/")

    _build_and_run(page, "One base", "1")
    # The map draws markers from the GeoJSON endpoint.
    expect(page.locator(".planning-map .leaflet-interactive").first).to_be_attached()
    assert axe(page) == []

    page.goto(live_server.url + "/staff/planning/")
    _build_and_run(page, "Three bases", "3")

    # What if: remove a base and see the measures recomputed beside the saved ones.
    page.get_by_label("Remove a site").select_option(index=1)
    page.get_by_role("button", name="Recalculate").click()
    expect(page.get_by_text("Now scoring 2 bases and 0 outreach venues.")).to_be_visible()
    expect(page.get_by_role("columnheader", name="With changes")).to_be_visible()
    assert axe(page) == []

    page.goto(live_server.url + "/staff/planning/")
    page.get_by_label("Compare One base").check()
    page.get_by_label("Compare Three bases").check()
    page.get_by_role("button", name="Compare selected scenarios").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare scenarios")
    expect(page.get_by_text("Against “One base”, “Three bases” has +2 bases")).to_be_visible()
    expect(page.locator("canvas.planning-chart").first).to_be_visible()
    expect(page.locator(".planning-map").nth(1)).to_be_visible()
    assert axe(page) == []
