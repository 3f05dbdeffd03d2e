"""Journey: a planner signs in, clicks from the landing page to Contracts and on to "Is the offer
consistent?", finds the district where the offer is thinner than need and clicks "Plan outreach
here", landing on the draft planning scenario seeded for that district. Clicks only after the
sign-in page; axe on every page visited. Desktop viewport (a staff journey)."""

import re
from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.commissioning import offer
from familyreach.delivery.models import Contact
from familyreach.delivery.services import SessionDetails, session_create
from familyreach.families.models import Child, Family
from familyreach.insight.models import OutreachSeed
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.planning.models import Scenario
from tests.factories.geo import GREAT_YARMOUTH, NORWICH, AreaFactory, DistrictFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def _world(manager: User) -> None:
    """The latest quarter that has ended (whatever today is): a weekly session in Norwich, one
    in Great Yarmouth, where most under-fives live in greatest-need areas."""
    period = offer.quarter_of(offer.quarter_ends()[0])
    norwich, yarmouth = DistrictFactory(code=NORWICH), DistrictFactory(code=GREAT_YARMOUTH)
    areas = [
        AreaFactory(
            district=norwich, imd_decile=d, idaci_decile=d, under_fives=u, latitude=a, longitude=o
        )
        for d, u, a, o in ((1, 200.0, 52.630, 1.290), (6, 200.0, 52.640, 1.300))
    ] + [
        AreaFactory(
            district=yarmouth, imd_decile=d, idaci_decile=d, under_fives=u, latitude=a, longitude=o
        )
        for d, u, a, o in ((1, 300.0, 52.690, 1.700), (9, 100.0, 52.600, 1.700))
    ]
    for venue, capacity, recurrence in (
        (VenueFactory(name="Norwich Library", area=areas[0]), 15, "weekly"),
        (VenueFactory(name="Caister Village Hall", area=areas[3]), 13, "one_off"),
    ):
        session_create(
            user=manager,
            details=SessionDetails(
                title="Stay and play",
                category="stay_and_play",
                venue=venue,
                capacity=capacity,
                start_date=period.start + timedelta(days=7),
                end_date=period.end,
                start_time=time(10, 0),
                end_time=time(11, 30),
                recurrence=recurrence,
            ),
            generate_until=period.end,
        )
    for number, area in enumerate(areas * 3):
        family = Family.objects.create(area=area, district=area.district)
        Child.objects.create(family=family, date_of_birth=period.end - timedelta(days=400))
        if number % 3 == 0:
            Contact.objects.create(
                family=family, date=period.start + timedelta(days=20), kind="session_attendance"
            )
    # "Plan outreach here" seeds the scenario from the latest reach figures.
    reach_snapshot_refresh(user=None, as_of=period.end)


def test_planner_finds_where_the_offer_is_thin_and_plans_outreach_there(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    planner: User,
    manager: User,
) -> None:
    _world(manager)
    page.set_viewport_size(DESKTOP)
    sign_in(page, planner)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    assert axe(page) == []

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Contracts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts")
    page.get_by_role("link", name="Is the offer consistent?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is the offer consistent?")
    # It opens on the quarter in progress; the world's sessions are in the last one that ended.
    expect(page.get_by_test_id("in-progress")).to_be_visible()
    page.get_by_label("Quarter").select_option(offer.quarter_ends()[0].isoformat())
    page.get_by_role("button", name="Show the quarter").click()
    expect(page.get_by_test_id("in-progress")).to_have_count(0)
    expect(page.get_by_test_id("rule")).to_contain_text("Thinner than need")
    yarmouth = page.locator(f'#table-districts tr[data-row="{GREAT_YARMOUTH}"]')
    expect(yarmouth).to_contain_text("Thinner than need")
    expect(page.locator(f'#table-districts tr[data-row="{NORWICH}"]')).not_to_contain_text(
        "Thinner than need"
    )
    assert axe(page) == []

    page.get_by_role("button", name="Plan outreach here in Great Yarmouth").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outreach to unreached need")
    assert axe(page) == []
    # The scenario was seeded from Great Yarmouth's greatest-need areas only.
    scenario = Scenario.objects.get()
    seeds = OutreachSeed.objects.filter(scenario=scenario).select_related("area__district")
    assert {seed.area.district.code for seed in seeds} == {GREAT_YARMOUTH}
    assert str(scenario.pk) in page.url
