"""The distance search gives exactly what its documented meaning says, on a varied directory.

The search query is tuned per database (on PostgreSQL a GiST index on the position answers the
bounding box: docs/decisions/0012-search-index.md). This test builds a directory with every kind
of listing the filters tell apart — statuses, visibility windows, ages, categories, delivery
methods, the peer-led mark, prices, languages, schedules on different days and times, family
bases, several services at one place, services at two places, places without a position, no
place at all, points on the bounding box's edges and corners — and compares `/find`'s results
(rows, order, distances, totals, pages, the nearest matches further away, the list with no
venue) and the ORUK API's distance search with an answer worked out in plain Python over every
row. It runs on SQLite and on PostgreSQL (`scripts/with-postgres.sh`).
"""

import math
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from familyreach.directory import selectors, services, taxonomy
from familyreach.directory.models import (
    CostOption,
    Language,
    ListingStatus,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    TaxonomyTerm,
)
from familyreach.geo.distance import bounding_box, haversine_km
from familyreach.geo.models import District, Postcode

pytestmark = pytest.mark.django_db

CENTRE = (52.6, 1.73)
CATEGORIES = ["stay-and-play", "baby-groups", "infant-feeding", "parenting", "peer-support"]
DELIVERY = ["in-person", "online", "phone", "home-visit"]
LANGUAGES = ["English", "Polish", "Portuguese"]
# Few names, so that services at one place often tie on distance and name (then the id decides).
NAMES = ["Stay and play", "Baby group", "Feeding drop-in", "Rhyme time", "Dads' group"]
BYDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "MO,WE", "TU,TH", "1WE", "2SA,SU"]


@dataclass
class Row:
    """One listing as the oracle sees it: everything the filters read."""

    service: Service
    categories: set[str] = field(default_factory=set)
    delivery: set[str] = field(default_factory=set)
    run_by_local_parents: bool = False
    paid: bool = False
    languages: set[str] = field(default_factory=set)
    schedules: list[tuple[str, time, time]] = field(default_factory=list)
    places: list[tuple[uuid.UUID, Location]] = field(default_factory=list)
    area_districts: list[str | None] = field(default_factory=list)


@dataclass
class Directory:
    rows: list[Row]
    yarmouth: District


def _term(code: str, taxonomy_code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(taxonomy__code=taxonomy_code, code=code)


def _edge_points(radius_miles: float) -> list[tuple[float, float]]:
    """Points on the bounding box of a search of this radius from CENTRE: its corners (inside the
    box, outside the circle), the middle of each edge (on the circle, give or take rounding)."""
    south, north, west, east = bounding_box(*CENTRE, radius_miles * 1.609344)
    latitude, longitude = CENTRE
    return [
        (north, east),
        (south, west),
        (north, longitude),
        (south, longitude),
        (latitude, east),
        (latitude, west),
    ]


@pytest.fixture
def directory() -> Directory:
    services.taxonomy_ensure()
    council = services.council_organization_ensure()
    yarmouth, _ = District.objects.get_or_create(
        code="E07000145",
        defaults={"name": "Great Yarmouth", "council_code": "E10000020", "council_name": "Norfolk"},
    )
    norwich, _ = District.objects.get_or_create(
        code="E07000148",
        defaults={"name": "Norwich", "council_code": "E10000020", "council_name": "Norfolk"},
    )
    Postcode.objects.create(
        postcode="NR30 1NE",
        compact="NR301NE",
        outward="NR30",
        latitude=CENTRE[0],
        longitude=CENTRE[1],
        district=yarmouth,
    )
    rng = random.Random(19)
    today = timezone.localdate()
    terms = {code: _term(code, taxonomy.CATEGORY_TAXONOMY) for code in CATEGORIES}
    terms |= {code: _term(code, taxonomy.DELIVERY_TAXONOMY) for code in DELIVERY}
    positions: list[tuple[float | None, float | None]] = [
        (CENTRE[0] + rng.uniform(-0.35, 0.35), CENTRE[1] + rng.uniform(-0.55, 0.55))
        for _ in range(70)
    ]
    positions += _edge_points(5) + _edge_points(2)
    positions += [(None, None), (CENTRE[0], None), CENTRE]
    locations = [
        Location.objects.create(
            name=f"Place {number}",
            latitude=latitude,
            longitude=longitude,
            is_family_base=rng.random() < 0.2,
        )
        for number, (latitude, longitude) in enumerate(positions)
    ]
    statuses = [ListingStatus.ACTIVE] * 7 + [
        ListingStatus.TEMPORARILY_CLOSED,
        ListingStatus.INACTIVE,
        ListingStatus.DEFUNCT,
    ]
    windows = [(None, None)] * 6 + [
        (today - timedelta(days=9), None),
        (today + timedelta(days=3), None),
        (None, today - timedelta(days=1)),
        (None, today),
        (today, today + timedelta(days=30)),
    ]
    rows = []
    for number in range(170):
        visible_from, visible_until = rng.choice(windows)
        minimum_age = rng.choice([None, 0, 0, 1, 2, 0.5])
        maximum_age = rng.choice([None, 1, 2, 4, 5, 4.5])
        if minimum_age is not None and maximum_age is not None and maximum_age < minimum_age:
            maximum_age = None
        service = Service.objects.create(
            organization=council,
            name=rng.choice(NAMES),
            description=f"Listing {number}",
            status=rng.choice(statuses),
            visible_from=visible_from,
            visible_until=visible_until,
            minimum_age=minimum_age,
            maximum_age=maximum_age,
            for_pregnancy=rng.random() < 0.2,
        )
        row = Row(service)
        row.categories = set(rng.sample(CATEGORIES, rng.choice([0, 1, 1, 2, 3])))
        row.delivery = set(rng.sample(DELIVERY, rng.choice([1, 1, 2])))
        for code in row.categories | row.delivery:
            ServiceAttribute.objects.create(service=service, taxonomy_term=terms[code])
        if rng.random() < 0.2:
            services.service_mark_run_by_local_parents(service=service)
            row.run_by_local_parents = True
        price = rng.choice([None, None, None, Decimal("0"), Decimal("2.50")])
        if price is not None:
            CostOption.objects.create(service=service, option="Per session", amount=price)
            row.paid = price > 0
        row.languages = set(rng.sample(LANGUAGES, rng.choice([0, 1, 1, 2])))
        for name in row.languages:
            Language.objects.create(service=service, name=name)
        place_count = rng.choice([0, 1, 1, 1, 1, 1, 2])
        # Several services at the edge points and at the centre, so ties and edges are common.
        chosen = rng.sample(locations, place_count)
        if place_count and rng.random() < 0.3:
            chosen[0] = rng.choice(locations[70:])
        for location in dict.fromkeys(chosen):
            link = ServiceAtLocation.objects.create(service=service, location=location)
            row.places.append((link.pk, location))
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            byday = rng.choice(BYDAYS)
            opens_at = time(rng.choice([8, 9, 10, 11, 12, 13, 16, 17, 18]), rng.choice([0, 30]))
            closes_at = time(min(23, opens_at.hour + rng.choice([1, 2])), opens_at.minute)
            Schedule.objects.create(
                service=service,
                freq="WEEKLY",
                byday=byday,
                opens_at=opens_at,
                closes_at=closes_at,
                dtstart=date(2026, 1, 5),
            )
            row.schedules.append((byday, opens_at, closes_at))
        if not row.places:
            for district in rng.choice([[], [yarmouth], [norwich], [norwich, yarmouth]]):
                ServiceArea.objects.create(service=service, name=district.name, district=district)
                row.area_districts.append(district.code)
        service.refresh_from_db()
        row.service = service
        rows.append(row)
    if connection.vendor == "postgresql":
        # A live database has statistics (autovacuum analyses it); a test's fresh tables have
        # none, and PostgreSQL then plans the search blind (seconds a query here). ANALYZE
        # inside the test's transaction counts the rows it inserted.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Directory(rows=rows, yarmouth=yarmouth)


# --- The oracle: the documented meaning, row by row ------------------------------------------


def _visible(service: Service, statuses: set[str]) -> bool:
    today = timezone.localdate()
    return (
        service.status in statuses
        and (service.visible_from is None or service.visible_from <= today)
        and (service.visible_until is None or service.visible_until >= today)
    )


def _matches_find(row: Row, filters: selectors.FindFilters) -> bool:
    service = row.service
    if not _visible(service, {ListingStatus.ACTIVE}):
        return False
    if filters.age == "pregnancy" and not service.for_pregnancy:
        return False
    if filters.age not in ("", "pregnancy"):
        age = float(filters.age)
        if service.minimum_age is not None and service.minimum_age > age:
            return False
        if service.maximum_age is not None and service.maximum_age < age:
            return False
    if filters.categories and not row.categories & set(filters.categories):
        return False
    if filters.delivery and not row.delivery & set(filters.delivery):
        return False
    if filters.run_by_local_parents and not row.run_by_local_parents:
        return False
    if filters.free_only and row.paid:
        return False
    if filters.language and filters.language.lower() not in {n.lower() for n in row.languages}:
        return False
    if filters.days or filters.times_of_day:
        return any(
            (not filters.days or any(day in byday for day in filters.days))
            and (
                not filters.times_of_day
                or any(start <= opens_at < end for start, end in filters.times_of_day)
            )
            for byday, opens_at, _closes_at in row.schedules
        )
    return True


def _nearby(
    rows: list[Row], radius_km: float, *, family_bases_only: bool = False
) -> list[tuple[uuid.UUID, uuid.UUID, float]]:
    found = []
    for row in rows:
        for link_id, location in row.places:
            if location.latitude is None or location.longitude is None:
                continue
            if family_bases_only and not location.is_family_base:
                continue
            km = float(haversine_km(*CENTRE, [location.latitude], [location.longitude])[0])
            if km <= radius_km + 1e-9:
                found.append((km, row.service.name, str(link_id), link_id, row.service.pk))
    found.sort(key=lambda item: item[:3])
    return [(item[3], item[4], item[0]) for item in found]


def _remote(rows: list[Row], district_code: str) -> list[uuid.UUID]:
    remote = [
        row.service
        for row in rows
        if not row.places and (not row.area_districts or district_code in row.area_districts)
    ]
    remote.sort(key=lambda service: (service.name, service.pk))
    return [service.pk for service in remote[:20]]


FIND_FILTERS = [
    selectors.FindFilters(),
    selectors.FindFilters(categories=("stay-and-play",), days=("MO",)),
    selectors.FindFilters(categories=("baby-groups", "parenting"), free_only=True),
    selectors.FindFilters(days=("TU", "SA"), times_of_day=((time(0), time(12)),)),
    selectors.FindFilters(times_of_day=((time(12), time(17)), (time(17), time(23, 59, 59)))),
    selectors.FindFilters(age="pregnancy"),
    selectors.FindFilters(age="1", delivery=("in-person",)),
    selectors.FindFilters(age="5", language="polish"),
    selectors.FindFilters(family_bases=True),
    selectors.FindFilters(run_by_local_parents=True, days=("WE",)),
    selectors.FindFilters(delivery=("online", "phone"), categories=("infant-feeding",)),
]


def test_find_gives_the_oracles_rows_order_distances_and_pages(directory: Directory) -> None:
    # One test for every filter: building the directory is what takes the time.
    for filters in FIND_FILTERS:
        _check_find(directory, filters)
    _check_variety(directory)


def _check_find(directory: Directory, filters: selectors.FindFilters) -> None:
    matching = [row for row in directory.rows if _matches_find(row, filters)]
    for radius_miles in (1, 2, 5, 10, 20):
        expected = _nearby(
            matching, radius_miles * 1.609344, family_bases_only=filters.family_bases
        )
        pages = max(1, math.ceil(len(expected) / 10))
        for page in sorted({1, 2, pages, pages + 1}):
            results = selectors.find_services(
                latitude=CENTRE[0],
                longitude=CENTRE[1],
                district_code=directory.yarmouth.code,
                radius_miles=radius_miles,
                filters=filters,
                page=page,
                per_page=10,
            )
            assert results.total == len(expected)
            wanted = expected[(page - 1) * 10 : page * 10]
            assert [(n.card.service_id, round(n.distance_km, 9)) for n in results.nearby] == [
                (service_id, round(km, 9)) for _link, service_id, km in wanted
            ], (radius_miles, page)
            beyond = (
                []
                if expected
                else _nearby(matching, 25 * 1.609344, family_bases_only=filters.family_bases)[:3]
            )
            assert [n.card.service_id for n in results.nearest_beyond] == [
                service_id for _link, service_id, _km in beyond
            ]
            remote = [] if filters.family_bases else _remote(matching, directory.yarmouth.code)
            assert [card.service_id for card in results.remote] == remote


def _check_variety(directory: Directory) -> None:
    """Guards the test above: each filter keeps some listings within 20 miles and drops others,
    and some searches are split over pages and tie on distance."""
    everything = _nearby(
        [row for row in directory.rows if _matches_find(row, selectors.FindFilters())],
        20 * 1.609344,
    )
    assert len(everything) > 30
    for filters in FIND_FILTERS[1:]:
        kept = _nearby(
            [row for row in directory.rows if _matches_find(row, filters)],
            20 * 1.609344,
            family_bases_only=filters.family_bases,
        )
        assert 0 < len(kept) < len(everything), filters
    distances = [round(km, 9) for _link, _service, km in everything]
    assert len(set(distances)) < len(distances)  # ties, broken by name and then id


API_QUERIES = [
    "",
    "&day=MO",
    "&day=TU&start_time=09:00",
    "&end_time=12:00",
    "&minimum_age=0&maximum_age=4",
    "&taxonomy_term_id={stay_and_play}",
    "&taxonomy_id={delivery}&day=WE",
]


def test_the_oruk_api_gives_the_oracles_services_nearest_first(
    client: Client, directory: Directory
) -> None:
    for extra in API_QUERIES:
        _check_api(client, directory, extra)


def _check_api(client: Client, directory: Directory, extra: str) -> None:
    stay_and_play = _term("stay-and-play", taxonomy.CATEGORY_TAXONOMY)
    extra = extra.format(
        stay_and_play=stay_and_play.pk,
        delivery=_term("online", taxonomy.DELIVERY_TAXONOMY).taxonomy_id,
    )
    parameters = dict(re.findall(r"&([a-z_]+)=([^&]+)", extra))

    def matches(row: Row) -> bool:
        if not _visible(row.service, {ListingStatus.ACTIVE, ListingStatus.TEMPORARILY_CLOSED}):
            return False
        service = row.service
        if "minimum_age" in parameters and not (
            service.minimum_age is not None
            and service.minimum_age >= float(parameters["minimum_age"])
        ):
            return False
        if "maximum_age" in parameters and not (
            service.maximum_age is not None
            and service.maximum_age <= float(parameters["maximum_age"])
        ):
            return False
        if "taxonomy_term_id" in parameters and "stay-and-play" not in row.categories:
            return False
        if "taxonomy_id" in parameters and not row.delivery:
            return False
        schedule_wanted = {"day", "start_time", "end_time"} & parameters.keys()
        if schedule_wanted:
            return any(
                ("day" not in parameters or parameters["day"] in byday)
                and (
                    "start_time" not in parameters
                    or opens_at >= time.fromisoformat(parameters["start_time"])
                )
                and (
                    "end_time" not in parameters
                    or closes_at <= time.fromisoformat(parameters["end_time"])
                )
                for byday, opens_at, closes_at in row.schedules
            )
        return True

    matching = [row for row in directory.rows if matches(row)]
    for proximity in (1000, 8000, 16093, 40000):
        expected = list(
            dict.fromkeys(
                service_id for _link, service_id, _km in _nearby(matching, proximity / 1000)
            )
        )
        for page, per_page in ((1, 500), (2, 7)):
            response = client.get(
                f"/openreferral/services?postcode=NR30+1NE&proximity={proximity}"
                f"&page={page}&per_page={per_page}{extra}"
            )
            assert response.status_code == 200
            body = response.json()
            assert body["total_items"] == len(expected)
            assert [item["id"] for item in body["contents"]] == [
                str(i) for i in expected[(page - 1) * per_page : page * per_page]
            ], (proximity, page, per_page)
        links = client.get(
            f"/openreferral/service_at_locations?postcode=NR30+1NE&proximity={proximity}{extra}"
        ).json()
        assert [item["id"] for item in links["contents"]] == [
            str(link) for link, _service, _km in _nearby(matching, proximity / 1000)
        ]


def test_postgresql_answers_the_box_from_the_gist_index(db: None) -> None:
    """On PostgreSQL the candidates' query names the indexed expression; elsewhere the columns."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        selectors.services_at_locations_near(
            services=selectors.services_public(),
            latitude=CENTRE[0],
            longitude=CENTRE[1],
            radius_km=8,
        )
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "<@ box(point(" in sql
        assert 'point("directory_location"."longitude", "directory_location"."latitude")' in sql
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'directory_location_point_gist'"
            )
            (definition,) = cursor.fetchone()
        assert "USING gist (point(longitude, latitude))" in definition
    else:
        assert '"directory_location"."latitude" >=' in sql
        assert "<@" not in sql
