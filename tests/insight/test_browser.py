"""The reach dashboard in Debian's Chromium: charts and map drawn from the JSON endpoint under a
strict CSP, tables beside them, and nothing serious for axe."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.insight.services import reach_snapshot_refresh
from tests.fixtures.insight import build_reach_world
from tests.insight.test_figure_consistency import (
    world as consistency_world,  # noqa: F401  (a fixture: sessions, attendance, adopted option)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_draws_charts_and_map_and_is_accessible(
    page: Page,
    live_server: Any,
    manager: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    world = build_reach_world(families=20)
    reach_snapshot_refresh(as_of=world.as_of)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    sign_in(page, manager)
    page.goto(f"{live_server.url}/staff/insight/")
    expect(page.get_by_role("heading", level=1)).to_have_text("County")
    # Leaflet adds its container class and one circle per area; Chart.js sizes the canvases.
    expect(page.locator("#insight-map.leaflet-container")).to_be_visible()
    expect(page.locator("#insight-map path.leaflet-interactive")).to_have_count(3)
    assert page.locator("#chart-deciles").evaluate("canvas => canvas.width") > 0
    expect(page.locator("#table-months tbody tr")).to_have_count(24)
    expect(page.locator("#table-month-groups tbody tr")).to_have_count(24)
    # Twenty families: small numbers are hidden, with the note saying what [c] means.
    expect(page.get_by_test_id("suppression-note")).to_contain_text("[c] = confidential")
    expect(page.locator("#table-months td", has_text="[c]").first).to_be_visible()
    assert errors == []
    assert axe(page) == []
    page.get_by_role("link", name="Great Yarmouth", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Great Yarmouth")
    assert axe(page) == []


def test_a_month_counted_only_so_far_is_drawn_apart_not_as_a_fall(
    page: Page,
    live_server: Any,
    manager: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    world = build_reach_world(families=60)
    # Six days into the month: the "month 6 days old plotted as a fall".
    as_of = world.as_of.replace(day=6)
    reach_snapshot_refresh(as_of=as_of)
    sign_in(page, manager)
    page.goto(f"{live_server.url}/staff/insight/")
    month = f"{as_of:%Y-%m}"
    expect(page.locator("#table-months tr.app-partial-period")).to_have_count(1)
    expect(page.locator("#table-months tr.app-partial-period th")).to_contain_text(
        f"{month} So far"
    )
    expect(page.get_by_test_id("partial-note")).to_contain_text("a part of a month is not a fall")
    # The chart script runs after the page loads; wait until it has drawn (not a fixed sleep).
    page.wait_for_function(
        "window.Chart && Chart.getChart(document.querySelector('#chart-months'))"
    )
    chart = page.locator("#chart-months").evaluate(
        """canvas => {
          const chart = Chart.getChart(canvas);
          return {
            labels: chart.data.labels,
            datasets: chart.data.datasets.map((d) => ({
              label: d.label, showLine: d.showLine !== false, data: d.data,
            })),
          };
        }"""
    )
    assert chart["labels"][-1] == f"{month} (so far)"
    lines = [item for item in chart["datasets"] if item["showLine"]]
    points = [item for item in chart["datasets"] if not item["showLine"]]
    # The lines stop at the last whole month; the part-month is separate points, not joined.
    assert [item["label"] for item in lines] == [
        "Families seen",
        "Counted contacts",
        "Families seen in the window to the month's end",
    ]
    assert all(item["data"][-1] is None for item in lines)
    assert all(item["label"].endswith("(month so far)") for item in points)
    assert len(points) == 3
    assert all(value is None for item in points for value in item["data"][:-1])
    assert axe(page) == []


def test_a_plans_effect_is_reached_by_clicks_and_shows_the_dashboards_reach(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    consistency_world: Any,  # noqa: F811
) -> None:
    world = consistency_world
    sign_in(page, world.manager)  # a manager lands on Today
    reach = page.get_by_test_id("today-reach-figure").inner_text()
    page.get_by_role("link", name="See reach by district and area").click()
    expect(page.locator('[data-figure="seen-reach"]')).to_have_text(reach)
    page.get_by_role("link", name="Estimate a planning scenario").click()
    page.get_by_label("Scenario (with a finished run)").select_option(label="Option A")
    page.get_by_role("button", name="Estimate the effect").click()
    expect(page.get_by_test_id("effect")).to_contain_text("the greatest-need gap would")
    # Today's reach is the dashboard's measured figure, under the dashboard's name.
    expect(
        page.get_by_test_id("effect-figures").locator('[data-figure="seen-reach"]')
    ).to_have_text(reach)
    expect(page.get_by_test_id("assumptions")).to_be_hidden()
    page.get_by_text("How this was worked out").click()
    expect(page.get_by_test_id("assumptions")).to_be_visible()
    assert axe(page) == []
