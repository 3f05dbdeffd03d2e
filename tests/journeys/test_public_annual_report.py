"""A councillor on a phone (390 x 844) reaches the annual report from the home page by clicks
alone, reads the headline measures for the last two financial years without the page
scrolling sideways, and downloads the open data CSV with its licence. axe finds nothing
serious or critical. Issue 22 ("Transparency")."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.insight.annual_report import financial_years
from familyreach.insight.selectors import today_in_london
from familyreach.insight.services import reach_year_end_snapshots_ensure
from tests.fixtures.insight import ReachWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_councillor_reads_the_annual_report_on_a_phone(
    page: Page,
    live_server: Any,
    reach_world: ReachWorld,
    axe: Callable[..., Any],
    tmp_path: Path,
) -> None:
    reach_year_end_snapshots_ensure()
    latest, before = financial_years(today=today_in_london())
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Annual report").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annual report")
    headline = page.get_by_test_id("annual-headline")
    expect(headline).to_contain_text(latest.short_label)
    expect(headline).to_contain_text(before.short_label)
    expect(headline.get_by_role("row", name="Seen reach")).to_contain_text("%")
    expect(page.get_by_test_id("district-seen_reach")).to_contain_text("Great Yarmouth")
    page.screenshot(path=str(tmp_path / "annual-report-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe(page) == []

    with page.expect_download() as download:
        page.get_by_test_id("annual-report-csv").click()
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.startswith("Financial year,")
    assert "Open Government Licence v3.0" in content
    assert latest.short_label in content
