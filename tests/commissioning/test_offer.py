"""The consistent offer (commissioning/offer.py) against a hand-built world whose every figure is
worked out by hand below; small-number suppression; who sees the page; and the contract measure
"offer per 1,000 under-fives" equal to the page's figure for the same quarter and districts."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning import offer
from familyreach.commissioning.equity import concentration_index
from familyreach.commissioning.models import Contract, ContractMeasure
from familyreach.commissioning.services import return_draft
from familyreach.delivery.models import Contact, OccurrenceStatus
from familyreach.delivery.services import SessionDetails, session_create
from familyreach.directory import services as directory_services
from familyreach.families.models import Child, Family
from familyreach.geo.models import Area, District, VenueKind
from tests.factories.geo import GREAT_YARMOUTH, NORWICH, AreaFactory, DistrictFactory, VenueFactory

pytestmark = pytest.mark.django_db

QUARTER = offer.Period(date(2026, 4, 1), date(2026, 6, 30))  # 91 days: 13 weeks


@dataclass
class World:
    norwich: District
    yarmouth: District
    areas: dict[str, Area]


def _session(user: Any, venue: Any, *, capacity: int, start: date, ends: time, **rule: Any) -> Any:
    return session_create(
        user=user,
        details=SessionDetails(
            title="Stay and play",
            category="stay_and_play",
            venue=venue,
            capacity=capacity,
            start_date=start,
            start_time=time(10, 0),
            end_time=ends,
            **rule,
        ),
        generate_until=date(2026, 7, 31),
    )


def _families(area: Area, count: int, contacts_each: int) -> list[Family]:
    made = []
    for _ in range(count):
        family = Family.objects.create(area=area, district=area.district)
        Child.objects.create(family=family, date_of_birth=date(2024, 3, 1))
        for day in range(contacts_each):
            Contact.objects.create(
                family=family,
                date=date(2026, 5, 1 + day),
                kind="session_attendance",
                area=area,
                district=area.district,
            )
        made.append(family)
    return made


@pytest.fixture
def world(manager: User) -> World:
    """Norwich: area N1 (IMD and IDACI decile 1, so greatest need; 200 under-fives) with a
    library, N2 (decile 6; 200) with a family base. Great Yarmouth: Y1 (decile 1; 300), 10 km
    from any venue, and Y2 (decile 9; 100) with a village hall."""
    norwich, yarmouth = DistrictFactory(code=NORWICH), DistrictFactory(code=GREAT_YARMOUTH)

    def area(
        code: str, district: District, decile: int, under_fives: float, lat: float, lon: float
    ) -> Area:
        return AreaFactory(
            code=code,
            district=district,
            imd_decile=decile,
            idaci_decile=decile,
            under_fives=under_fives,
            under_fives_is_estimate=True,
            latitude=lat,
            longitude=lon,
        )

    areas = {
        "N1": area("E01000101", norwich, 1, 200.0, 52.630, 1.290),
        "N2": area("E01000102", norwich, 6, 200.0, 52.640, 1.300),
        "Y1": area("E01000103", yarmouth, 1, 300.0, 52.690, 1.700),
        "Y2": area("E01000104", yarmouth, 9, 100.0, 52.600, 1.700),
    }
    library = VenueFactory(name="Norwich Library", area=areas["N1"])
    base = VenueFactory(name="Norwich Family Base", kind=VenueKind.FAMILY_BASE, area=areas["N2"])
    # No area recorded: placed in the nearest area centre of its district (Y2).
    hall = VenueFactory(
        name="Caister Village Hall", district=yarmouth, latitude=52.601, longitude=1.701
    )
    # Every Monday of the quarter (13), 10:00–11:30, 15 places; one date called off.
    weekly = _session(
        manager,
        library,
        capacity=15,
        start=date(2026, 4, 6),
        ends=time(11, 30),
        end_date=date(2026, 6, 29),
    )
    # Called off on the day (the service refuses past dates, so the world marks it directly).
    weekly.occurrences.filter(date=date(2026, 4, 13)).update(status=OccurrenceStatus.CANCELLED)
    # At the base: every Monday of the quarter, 10:00–12:00, 10 places.
    _session(
        manager,
        base,
        capacity=10,
        start=date(2026, 4, 6),
        ends=time(12, 0),
        end_date=date(2026, 6, 29),
    )
    # At the hall: once, 10:00–11:00, 13 places; and once after the quarter (not counted).
    _session(
        manager, hall, capacity=13, start=date(2026, 5, 4), ends=time(11, 0), recurrence="one_off"
    )
    _session(
        manager, hall, capacity=50, start=date(2026, 7, 6), ends=time(11, 0), recurrence="one_off"
    )
    # A session for over-fives only is not part of the offer to under-fives.
    _session(
        manager,
        library,
        capacity=40,
        start=date(2026, 5, 5),
        ends=time(12, 0),
        recurrence="one_off",
        age_from_months=60,
        age_to_months=96,
    )

    # Families with a child under five at the quarter's end, and their contacts in it.
    _families(areas["N1"], 6, 3)
    _families(areas["N2"], 6, 1)
    _families(areas["Y1"], 2, 0)
    [in_y2] = _families(areas["Y2"], 1, 2)
    # Not counted: a phone call (not a "seen" kind), a contact after the quarter, and a family
    # whose only child was five before the quarter ended.
    Contact.objects.create(family=in_y2, date=date(2026, 5, 20), kind="phone", area=areas["Y2"])
    Contact.objects.create(
        family=in_y2, date=date(2026, 7, 2), kind="session_attendance", area=areas["Y2"]
    )
    older = Family.objects.create(area=areas["Y1"], district=yarmouth)
    Child.objects.create(family=older, date_of_birth=date(2021, 1, 1))
    Contact.objects.create(
        family=older, date=date(2026, 5, 2), kind="session_attendance", area=areas["Y1"]
    )
    return World(norwich=norwich, yarmouth=yarmouth, areas=areas)


def _rows(table: offer.OfferTable) -> dict[str, offer.OfferRow]:
    return {row.key: row for row in table.rows}


def test_every_figure_by_district_and_decile(world: World) -> None:
    table = offer.offer_table(period=QUARTER)
    rows = _rows(table)
    county, norwich, yarmouth = rows["county"], rows[NORWICH], rows[GREAT_YARMOUTH]

    # Hours: 12 Mondays × 1.5 h (one called off) + 13 × 2 h at the base; 1 h at the hall.
    assert norwich.hours == pytest.approx(44.0)
    assert yarmouth.hours == pytest.approx(1.0)
    assert county.hours == pytest.approx(45.0)
    # Places a week: (12 × 15 + 13 × 10) / 13 weeks in Norwich, 13 / 13 in Great Yarmouth.
    assert norwich.places_a_week == pytest.approx(310 / 13)
    assert norwich.places_per_thousand == pytest.approx(310 / 13 / 400 * 1000)
    assert yarmouth.places_per_thousand == pytest.approx(1 / 400 * 1000)
    assert county.places_per_thousand == pytest.approx(323 / 13 / 800 * 1000)
    # Outreach venues: the library and the hall; the family base is not one.
    assert (county.outreach_venues, norwich.outreach_venues, yarmouth.outreach_venues) == (2, 1, 1)
    # By bus or on foot, Y1 (10 km out in the country) is not within 30 minutes; the rest are
    # (by car it would be: the mode matters).
    assert norwich.within_share == pytest.approx(1.0)
    assert yarmouth.within_share == pytest.approx(100 / 400)
    assert county.within_share == pytest.approx(500 / 800)
    # Greatest need (IDACI deciles 1–2): N1 and Y1.
    assert county.greatest_need_share == pytest.approx(500 / 800)

    # By IMD decile: the library's places fall in decile 1 (N1 and Y1), the base's in 6, the
    # hall's in 9.
    assert [row.key for row in table.deciles] == ["1", "6", "9"]
    assert rows["1"].places_per_thousand == pytest.approx(180 / 13 / 500 * 1000)
    assert rows["6"].places_per_thousand == pytest.approx(130 / 13 / 200 * 1000)
    assert rows["9"].outreach_venues == 1
    assert rows["1"].within_share == pytest.approx(200 / 500)

    # Thinner than need: below the county's places while more of its under-fives are in
    # greatest-need areas than the county's 62.5 %.
    assert [row.key for row in table.districts if row.thinner_than_need] == [GREAT_YARMOUTH]
    assert [row.key for row in table.deciles if row.thinner_than_need] == ["1"]
    assert table.thin_districts == [yarmouth]

    # Families with an under-five and their seen contacts in the quarter.
    assert (county.families, county.contacts) == (15, 26)
    # The index over them, ranked by IMD decile, as equity.py works it out.
    expected = concentration_index(
        [3] * 6 + [0] * 2 + [1] * 6 + [2], [1] * 6 + [1] * 2 + [6] * 6 + [9]
    )
    assert county.equity == expected
    assert county.equity is not None
    assert county.equity.value < 0


def test_small_numbers_are_hidden_as_insight_hides_them(world: World) -> None:
    rows = _rows(offer.offer_table(period=QUARTER))
    # Great Yarmouth has 3 families (1–4: hidden); Norwich then too, or the county's 15 minus
    # Norwich's 12 would give it away. The same over deciles: 9 (1 family), then 6.
    assert rows[GREAT_YARMOUTH].hidden == {"families", "contacts"}
    assert rows[NORWICH].hidden == {"families", "contacts"}
    assert rows["9"].hidden == {"families", "contacts"}
    assert rows["6"].hidden == {"families", "contacts"}
    assert rows["1"].hidden == frozenset()
    assert rows["county"].hidden == frozenset()
    assert rows[NORWICH].count_text("families") == "[c]"
    # An index built on a hidden count is hidden too.
    assert rows[NORWICH].equity_text == "[c]"
    assert rows["county"].equity_text.startswith("-")

    with override_settings(INSIGHT_SUPPRESSION_THRESHOLD=1):
        shown = _rows(offer.offer_table(period=QUARTER))
    assert shown[GREAT_YARMOUTH].count_text("families") == "3"
    assert shown[NORWICH].equity_text != "[c]"


def test_the_page_and_its_csv(
    world: World, signed_in: Callable[[User], Client], planner: User
) -> None:
    client = signed_in(planner)
    response = client.get(reverse("commissioning:offer"), {"quarter": "2026-06-30"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is the offer consistent?" in page
    assert "1 April 2026 to 30 June 2026" in page
    assert offer.RULE in page
    # The thin district has its button into the planning loop; Norwich has none.
    assert page.count(">Plan outreach here<") == 1
    assert f'name="district" value="{GREAT_YARMOUTH}"' in page
    assert "[c]" in page
    assert "This quarter is in progress" not in page
    # Without a quarter, the page opens on the one in progress (its timetable).
    current = client.get(reverse("commissioning:offer")).content.decode()
    assert "This quarter is in progress" in current

    download = client.get(reverse("commissioning:offer-csv"), {"quarter": "2026-06-30"})
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.content.decode())))
    heading = lines.index(list(offer.HEADINGS))
    by_row = {line[0]: line for line in lines[heading + 1 :]}
    assert by_row["Great Yarmouth"][8] == "2.5"
    assert by_row["Great Yarmouth"][10] == "[c]"
    assert by_row["Great Yarmouth"][14] == "yes"
    assert by_row["County"][5] == "45.0"


def test_a_providers_manager_is_refused(
    signed_in: Callable[[User], Client], make_user: Callable[..., User]
) -> None:
    provider = make_user(Role.PROVIDER_MANAGER, username="pat-provider")
    assert signed_in(provider).get(reverse("commissioning:offer")).status_code == 403
    assert signed_in(provider).get(reverse("commissioning:offer-csv")).status_code == 403


def test_the_contract_measure_equals_the_page(
    world: World, signed_in: Callable[[User], Client], planner: User
) -> None:
    provider = directory_services.organization_upsert(
        source="test", source_reference="offer-provider", name="Offer Provider", description="x"
    )
    contracts = {}
    for name, districts in (("County-wide", []), ("Great Yarmouth only", [world.yarmouth])):
        contract = Contract.objects.create(
            name=name,
            provider=provider,
            starts_on=date(2026, 4, 1),
            ends_on=date(2029, 3, 31),
            annual_value=Decimal("1000000"),
        )
        contract.districts.set(districts)
        ContractMeasure.objects.create(
            contract=contract, code="offer_per_thousand", target=20.0, tolerance=5.0
        )
        contracts[name] = return_draft(user=None, contract=contract, quarter_end=QUARTER.end)

    rows = _rows(offer.offer_table(period=QUARTER))
    page = signed_in(planner).get(reverse("commissioning:offer"), {"quarter": "2026-06-30"})
    html = page.content.decode()
    county_measure = contracts["County-wide"].measures.get()
    yarmouth_measure = contracts["Great Yarmouth only"].measures.get()

    assert county_measure.value == pytest.approx(rows["county"].places_per_thousand)
    assert county_measure.text == offer.per_thousand_text(rows["county"].places_per_thousand)
    assert county_measure.text == "31.1"
    assert county_measure.rating == "green"
    assert {part["district"]: part["text"] for part in county_measure.by_district} == {
        "Great Yarmouth": "2.5",
        "Norwich": "59.6",
    }
    assert yarmouth_measure.value == pytest.approx(rows[GREAT_YARMOUTH].places_per_thousand)
    assert yarmouth_measure.text == "2.5"
    assert yarmouth_measure.rating == "red"
    # The same texts are on the page, in the rows of the county and of the district.
    for key, text in (("county", "31.1"), (GREAT_YARMOUTH, "2.5")):
        row_start = html.index(f'data-row="{key}"')
        cell = html.index('data-figure="places-per-thousand">', row_start)
        assert html[cell:].split(">", 1)[1].startswith(text + "<")
