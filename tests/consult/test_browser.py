"""In Chromium: analysing responses, axe clean. Responding (question pages, an error, save and
return, a change, sending) is the journey in tests/journeys/test_consultation_response.py."""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.consult.models import Consultation, Response
from tests.fixtures.consult import consultation_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_consultation(consult_places: dict[str, Any]) -> Consultation:
    return consultation_build(slug="family-services")


def test_analysing_with_charts_and_tables(
    page: Page,
    live_server: Any,
    open_consultation: Consultation,
    respond: Callable[..., Response],
    planner: User,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    respond(open_consultation, postcode="NR30 1NE", text="The bus takes an hour.")
    respond(open_consultation, postcode="NR14 8AB", preferred="15 bases", paper_by=planner)
    sign_in(page, planner)
    page.goto(f"{live_server.url}/staff/consultations/")
    page.get_by_role("link", name=open_consultation.title).click()
    expect(page.get_by_test_id("total")).to_have_text("2")
    by_channel = page.get_by_test_id("table-by-channel")
    expect(by_channel.get_by_role("row", name="Paper")).to_contain_text("1")
    # Chart.js drew into the canvas from the JSON data file (no inline script).
    page.wait_for_function(
        "document.querySelector('canvas[data-chart=\"by-channel\"]').width > 0 && "
        "window.Chart && Chart.getChart(document.querySelector('canvas[data-chart=\"by-channel\"]'))"
    )
    assert axe(page) == []

    page.get_by_label("Break answers down by").select_option("imd_decile")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("caption", has_text="by deprivation of the area").first).to_be_visible()

    page.get_by_role("link", name="Free-text coding").click()
    page.get_by_label("Theme").fill("Travel")
    page.get_by_label("Code", exact=True).fill("Buses")
    page.get_by_label("Keywords (optional)").fill("bus")
    page.get_by_role("button", name="Add code").first.click()
    page.get_by_role("button", name="Apply “Buses”").click()
    expect(page.locator(".govuk-summary-card").first).to_contain_text("Buses")
    assert axe(page) == []

    page.get_by_role("link", name="Committee report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(open_consultation.title)
    assert axe(page) == []

    # A paper form typed in by staff, through the same questions, with its date received.
    page.goto(f"{live_server.url}/staff/consultations/{open_consultation.slug}/paper")
    page.get_by_role("button", name="Save paper response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the paper response was received"
    )
    assert axe(page) == []
    today = timezone.localdate()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("A professional who works with families").check()
    page.get_by_label("15 bases", exact=True).check()
    page.get_by_role("button", name="Save paper response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Paper response saved")
    assert Response.objects.filter(channel="paper").count() == 2

    page.get_by_role("link", name="Moderation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    assert axe(page) == []


def test_public_option_map_and_measures_are_accessible(
    page: Page,
    live_server: Any,
    make_scenario: Callable[..., Any],
    axe: Callable[..., Any],
) -> None:
    from familyreach.consult import services
    from familyreach.planning.services import scenario_run_enqueue

    consultation = consultation_build(slug="with-map")
    scenario = make_scenario(name="2 bases", number_of_bases=2, district_minimum=1)
    scenario_run_enqueue(scenario=scenario, user=None)
    option = services.option_create(
        consultation=consultation, title="2 bases", position=5, scenario=scenario
    )
    page.goto(f"{live_server.url}/consultations/{consultation.slug}/")
    expect(page.get_by_test_id(f"measures-{option.pk}")).to_contain_text("Bases")
    # Leaflet drew the planners' GeoJSON (areas and bases) from the public endpoint.
    expect(page.locator("[data-planning-map] path.leaflet-interactive").first).to_be_attached()
    assert axe(page) == []
