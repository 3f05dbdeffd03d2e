"""Journey: a planner signs in, clicks through to planning, opens a scenario, tries a what-if
(one base removed, another added) and lands on the new results, focused, with the sites
table of what was just scored; no internal codes or optimiser figures show unless "How this
was worked out" is opened; a new scenario starts on the council's travel mode. Clicks only
after the sign-in page; axe on every page visited. Desktop viewport (a staff journey)."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario, TravelMode
from familyreach.planning.services import scenario_run_enqueue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}

# What issue 17 saw on these pages, and internal codes like them.
FORBIDDEN = [
    "Objective",
    "greedy",
    "lagrangian",
    "p-median",
    "Method:",
    "childrens_centre",
    "village_hall",
    "imd_rank",
    "sorted by",
    "min_travel",
    "public_transport",
    "under_fives",
]


def test_planner_tries_a_what_if_and_lands_on_its_results(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    planner: User,
    make_scenario: Callable[..., Scenario],
) -> None:
    scenario = make_scenario(
        name="Two bases by bus",
        number_of_bases=2,
        district_minimum=1,
        outreach=[("Caister Village Hall", 2)],
        travel_mode=TravelMode.PUBLIC_TRANSPORT,
    )
    scenario_run_enqueue(scenario=scenario, user=None)
    run = scenario.latest_finished_run
    assert run is not None
    removed = Venue.objects.filter(pk__in=run.bases).order_by("name").first()
    assert removed is not None
    added = "Acle Library"
    assert added not in set(Venue.objects.filter(pk__in=run.bases).values_list("name", flat=True))

    page.set_viewport_size(DESKTOP)
    sign_in(page, planner)
    assert axe(page) == []
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Planning").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Planning")
    assert axe(page) == []

    page.get_by_role("link", name="Two bases by bus").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two bases by bus")
    sites = page.get_by_test_id("sites-table")
    expect(sites).to_contain_text(removed.name)
    expect(sites).not_to_contain_text(added)
    assert axe(page) == []

    page.get_by_label("Remove a site").select_option(label=f"{removed.name} (base)")
    page.get_by_label("Add a base (venue name or id)").fill(added)
    page.get_by_role("button", name="Recalculate").click()

    results = page.get_by_role("heading", name="Results with your changes")
    expect(results).to_be_focused()
    expect(results).to_be_in_viewport()
    expect(page.get_by_role("heading", name="What if?")).not_to_be_in_viewport()
    expect(page.get_by_test_id("what-if-summary")).to_contain_text(
        "Now scoring 2 bases and 1 outreach venue."
    )
    expect(page.get_by_test_id("what-if-measures")).to_contain_text("With changes")
    sites = page.get_by_test_id("sites-table")
    expect(sites).to_contain_text(added)
    expect(sites).to_contain_text("Added")
    expect(sites).not_to_contain_text(removed.name)
    expect(page.get_by_test_id("what-if-removed")).to_contain_text(removed.name)
    # The map draws the sites scored: the added base is one of its markers.
    expect(page.locator(".planning-map .leaflet-interactive").first).to_be_attached()

    main = page.locator("main")
    text = main.inner_text()
    for word in FORBIDDEN:
        assert word not in text, word
    assert "Children's centre" in text or "Library" in text  # kinds by their labels
    assert axe(page) == []

    # The technical account is there for those who open it.
    page.get_by_text("How this was worked out").click()
    expect(page.get_by_test_id("how-worked-out")).to_contain_text("Method:")
    expect(page.get_by_test_id("how-worked-out")).to_contain_text("as short as possible")

    # A new scenario starts on the travel mode the council's scenarios use.
    page.get_by_role("link", name="All scenarios").click()
    page.get_by_role("button", name="New scenario").click()
    expect(page.get_by_label("Public transport or walking")).to_be_checked()
    assert axe(page) == []
