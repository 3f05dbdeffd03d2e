"""A consistent offer (issue 22): is what families are offered in proportion to need, in every
district and in every deprivation decile? Reads only (docs/commissioning.md, "A consistent
offer", holds the definitions in plain words).

For a period (a quarter by default), by district and by IMD 2019 decile of the small area:

- **Hours of sessions**: the scheduled (not cancelled) dates of delivery sessions open to
  under-fives, in the period, each its start to end time.
- **Outreach venues in use**: distinct venues with at least one such date that are not family
  bases (a venue with a delivery base, or recorded as a family base or children's centre).
- **Places a week per 1,000 under-fives**: the places (capacity) of those dates, divided by the
  weeks in the period, per 1,000 under-fives of the row's areas (geo's figure, ESTIMATED where
  no single-year count is loaded).
- **Within 30 minutes by bus or on foot**: the share of the row's under-fives whose area centre
  is within 30 minutes of a venue with sessions in the period, by planning's travel times
  (`planning.inputs.travel_minutes`, geo's model or imported times, "public transport or
  walking": the quicker of the bus and walking).
- **Equity**: the concentration index of contacts against deprivation (`equity.py`) among
  families with a child under five at the period's end, each family ranked by its area's IMD
  decile and counted with its contacts in the period (the kinds insight counts as "seen").

A session is placed by its venue's small area; a venue with no area recorded is placed in the
nearest area centre of its own district.

Small numbers: the counts of families and contacts behind the index are suppressed with
insight's rule (`insight.disclosure.protect`, the same threshold and "[c]"), over every total
the page publishes (the county, each district, each decile), and an index built on a hidden
count is hidden too. Hours, places and venues describe the service, not families, and
under-fives are population estimates: they are shown as they are.

"Thinner than need": places a week per 1,000 under-fives below the county's figure while the
share of the row's under-fives living in greatest-need areas (geo's rule, the one reach and
planning use) is above the county's share.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from familyreach.commissioning.equity import ConcentrationIndex, concentration_index
from familyreach.commissioning.quarters import quarter_ends_before, quarter_start_for
from familyreach.delivery.models import Base, Occurrence, OccurrenceStatus
from familyreach.geo import need
from familyreach.geo.models import Area, TravelMode, Venue, VenueKind
from familyreach.geo.population import under_fives_of, under_fives_totals
from familyreach.insight import disclosure, tables
from familyreach.insight.measures import MeasureConfig
from familyreach.planning.inputs import travel_minutes

TRAVEL_MODE = TravelMode.PUBLIC_TRANSPORT
WITHIN_MINUTES = 30.0
UNDER_FIVE_MONTHS = 60
# Venues that are the service's own buildings: the rest, where sessions run, are outreach.
BASE_KINDS = (VenueKind.FAMILY_BASE, VenueKind.CHILDRENS_CENTRE)
RULE = (
    "A row is marked “Thinner than need” when its places a week per 1,000 under-fives are "
    "below the county’s figure while the share of its under-fives living in greatest-need "
    "areas is above the county’s share."
)

COUNTY_NODE: disclosure.Node = disclosure.COUNTY


# --- The period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def quarter_of(quarter_end: date) -> Period:
    """The quarter ending on `quarter_end` (30 June -> 1 April to 30 June)."""
    return Period(quarter_start_for(quarter_end), quarter_end)


def quarter_ends(*, today: date | None = None, count: int = 8) -> list[date]:
    """The last `count` quarters that have ended, latest first."""
    return quarter_ends_before(today or timezone.localdate(), count)


def current_quarter_end(*, today: date | None = None) -> date:
    """The last day of the quarter in progress."""
    return quarter_ends(today=today, count=1)[0] + relativedelta(months=3, day=31)


def in_progress(period: Period, *, today: date | None = None) -> bool:
    return period.end >= (today or timezone.localdate())


# --- Rows --------------------------------------------------------------------------------------


def per_thousand(places_a_week: float, under_fives: float) -> float | None:
    """Places a week per 1,000 under-fives: the one arithmetic the page and the contract
    measure share."""
    if under_fives <= 0:
        return None
    return places_a_week / under_fives * 1000


def per_thousand_text(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


@dataclass
class OfferRow:
    key: str  # "county", a district's code, or a decile ("1".."10", "unknown")
    label: str
    level: str  # "county", "district" or "decile"
    district_id: int | None = None
    under_fives: float = 0.0
    under_fives_is_estimate: bool = False
    greatest_need_under_fives: float = 0.0
    under_fives_within: float = 0.0
    hours: float = 0.0
    places: int = 0
    places_a_week: float = 0.0
    outreach_venues: int = 0
    families: int = 0
    contacts: int = 0
    equity: ConcentrationIndex | None = None
    # Counts hidden by small-number suppression ("families", "contacts").
    hidden: frozenset[str] = frozenset()
    thinner_than_need: bool = False
    _venues: set[int] = field(default_factory=set, repr=False)

    @property
    def places_per_thousand(self) -> float | None:
        return per_thousand(self.places_a_week, self.under_fives)

    @property
    def within_share(self) -> float | None:
        return self.under_fives_within / self.under_fives if self.under_fives > 0 else None

    @property
    def greatest_need_share(self) -> float | None:
        if self.under_fives <= 0:
            return None
        return self.greatest_need_under_fives / self.under_fives

    @property
    def equity_hidden(self) -> bool:
        return bool(self.hidden)

    def count_text(self, name: str) -> str:
        if name in self.hidden:
            return disclosure.MARK
        return f"{getattr(self, name):,}"

    @property
    def equity_text(self) -> str:
        if self.level == "decile":
            return "–"
        if self.equity_hidden:
            return disclosure.MARK
        if self.equity is None:
            return "–"
        return f"{self.equity.value:+.3f}"

    @property
    def equity_interval_text(self) -> str:
        if self.level == "decile" or self.equity_hidden or self.equity is None:
            return ""
        return f"{self.equity.lower:+.3f} to {self.equity.upper:+.3f}"


@dataclass
class OfferTable:
    period: Period
    county: OfferRow
    districts: list[OfferRow]
    deciles: list[OfferRow]
    suppression_threshold: int
    any_estimate: bool
    under_fives_source: str
    includes_simulated: bool
    venues_offering: int

    @property
    def rows(self) -> list[OfferRow]:
        return [self.county, *self.districts, *self.deciles]

    @property
    def thin_districts(self) -> list[OfferRow]:
        return [row for row in self.districts if row.thinner_than_need]


# --- The parts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Areas:
    areas: list[Area]
    greatest_need: set[int]


def _areas() -> _Areas:
    areas = list(Area.objects.select_related("district").order_by("code"))
    return _Areas(areas=areas, greatest_need=need.greatest_need_area_ids())


def _place_venues(venues: Iterable[Venue], areas: list[Area]) -> dict[int, Area]:
    """Each venue's small area: its own, or the nearest area centre in its district (any
    district when it has none)."""
    by_id = {area.pk: area for area in areas}
    placed: dict[int, Area] = {}
    if not areas:
        return placed
    latitudes = np.radians([area.latitude for area in areas])
    longitudes = np.radians([area.longitude for area in areas])
    districts = np.array([area.district_id for area in areas])
    for venue in venues:
        if venue.area_id is not None and venue.area_id in by_id:
            placed[venue.pk] = by_id[venue.area_id]
            continue
        latitude = math.radians(venue.latitude)
        # An equirectangular distance is enough to pick the nearest centre.
        x = (longitudes - math.radians(venue.longitude)) * math.cos(latitude)
        y = latitudes - latitude
        distance = x * x + y * y
        if venue.district_id is not None and (districts == venue.district_id).any():
            distance = np.where(districts == venue.district_id, distance, np.inf)
        placed[venue.pk] = areas[int(np.argmin(distance))]
    return placed


@dataclass
class _VenueOffer:
    hours: float = 0.0
    places: int = 0
    simulated: bool = False


def _sessions_by_venue(period: Period) -> dict[int, _VenueOffer]:
    """Hours and places of the scheduled dates of sessions open to under-fives, by venue. A
    date after its session was archived is not offered, even if it was never cancelled."""
    offers: dict[int, _VenueOffer] = defaultdict(_VenueOffer)
    rows = Occurrence.objects.filter(
        date__gte=period.start,
        date__lte=period.end,
        status=OccurrenceStatus.SCHEDULED,
        session__age_from_months__lt=UNDER_FIVE_MONTHS,
    ).values_list(
        "session__venue_id",
        "date",
        "starts_at",
        "ends_at",
        "capacity",
        "session__archived_at",
        "session__is_simulated",
    )
    for venue_id, day, starts_at, ends_at, capacity, archived_at, simulated in rows:
        if archived_at is not None and day > timezone.localdate(archived_at):
            continue
        offer = offers[venue_id]
        offer.hours += _hours(starts_at, ends_at)
        offer.places += capacity
        offer.simulated = offer.simulated or simulated
    return dict(offers)


def _hours(starts_at: datetime, ends_at: datetime) -> float:
    return max((ends_at - starts_at).total_seconds(), 0.0) / 3600


def _is_base(venue: Venue, base_venues: set[int]) -> bool:
    return venue.pk in base_venues or venue.kind in BASE_KINDS


@dataclass(frozen=True)
class PlacesByDistrict:
    """Places a week and under-fives per district: what the contract measure reads."""

    period: Period
    places_a_week: dict[int, float]
    under_fives: dict[int, float]

    def per_thousand(self, district_ids: Iterable[int]) -> float | None:
        chosen = set(district_ids)
        return per_thousand(
            sum(self.places_a_week.get(district, 0.0) for district in chosen),
            sum(self.under_fives.get(district, 0.0) for district in chosen),
        )


def _places(
    period: Period, areas: list[Area]
) -> tuple[dict[int, _VenueOffer], dict[int, Venue], dict[int, Area]]:
    offers = _sessions_by_venue(period)
    venues = Venue.objects.in_bulk(list(offers))
    placed = _place_venues(venues.values(), areas)
    return offers, venues, placed


def places_by_district(period: Period) -> PlacesByDistrict:
    """The page's district figures for places and under-fives, without the travel and equity
    parts (the contract measure needs only these)."""
    areas = list(Area.objects.order_by("code"))
    offers, _, placed = _places(period, areas)
    places: dict[int, float] = defaultdict(float)
    for venue_id, offer in offers.items():
        places[placed[venue_id].district_id] += offer.places / period.weeks
    under_fives: dict[int, float] = defaultdict(float)
    for area in areas:
        under_fives[area.district_id] += under_fives_of(area)
    return PlacesByDistrict(
        period=period, places_a_week=dict(places), under_fives=dict(under_fives)
    )


def _family_contacts(period: Period) -> tuple[dict[int, int], dict[int, int]]:
    """Families with a child under five at the period's end, with a known area (family id ->
    area id), and their contacts in the period (family id -> count, kinds insight counts)."""
    from familyreach.delivery.models import Contact
    from familyreach.families.models import Child

    config = MeasureConfig.from_settings()
    earliest = config.earliest_under_five_birth(period.end)
    families = dict(
        Child.objects.filter(
            date_of_birth__gt=earliest,
            date_of_birth__lte=period.end,
            family__archived_at__isnull=True,
            family__area__isnull=False,
        )
        .values_list("family_id", "family__area_id")
        .distinct()
    )
    contacts = dict(
        Contact.objects.filter(
            date__gte=period.start,
            date__lte=period.end,
            kind__in=sorted(config.seen_contact_kinds),
        )
        .values("family_id")
        .annotate(number=Count("id"))
        .values_list("family_id", "number")
    )
    return families, contacts


def _decile_key(decile: int | None) -> str:
    return "unknown" if decile is None else str(decile)


def _decile_label(decile: int | None) -> str:
    return "IMD decile unknown" if decile is None else f"IMD decile {decile}"


def offer_table(*, period: Period) -> OfferTable:
    """Every row of the page for `period`: the county, each district and each IMD decile."""
    from familyreach.families.models import Family

    loaded = _areas()
    areas = loaded.areas
    by_id = {area.pk: area for area in areas}
    offers, venues, placed = _places(period, areas)
    base_venues = set(Base.objects.values_list("venue_id", flat=True))

    county = OfferRow(key="county", label="County", level="county")
    districts: dict[int, OfferRow] = {}
    deciles: dict[int | None, OfferRow] = {}

    def rows_of(area: Area) -> list[OfferRow]:
        district = districts.get(area.district_id)
        if district is None:
            district = districts[area.district_id] = OfferRow(
                key=area.district.code,
                label=area.district.name,
                level="district",
                district_id=area.district_id,
            )
        decile = deciles.get(area.imd_decile)
        if decile is None:
            decile = deciles[area.imd_decile] = OfferRow(
                key=_decile_key(area.imd_decile),
                label=_decile_label(area.imd_decile),
                level="decile",
            )
        return [county, district, decile]

    # Under-fives, and those within 30 minutes of a venue with sessions.
    offering = [venues[venue_id] for venue_id in sorted(offers) if venue_id in venues]
    if areas and offering:
        nearest = travel_minutes(areas, offering, TRAVEL_MODE).min(axis=1)
    else:
        nearest = np.full(len(areas), np.inf)
    any_estimate = False
    for area, minutes in zip(areas, nearest, strict=True):
        under_fives = under_fives_of(area)
        any_estimate = any_estimate or (area.under_fives_is_estimate and under_fives > 0)
        for row in rows_of(area):
            row.under_fives += under_fives
            row.under_fives_is_estimate = (
                row.under_fives_is_estimate or area.under_fives_is_estimate
            )
            if area.pk in loaded.greatest_need:
                row.greatest_need_under_fives += under_fives
            if minutes <= WITHIN_MINUTES:
                row.under_fives_within += under_fives

    # Sessions: hours, places and outreach venues where the venue is.
    for venue_id, offer in offers.items():
        area = placed[venue_id]
        for row in rows_of(area):
            row.hours += offer.hours
            row.places += offer.places
            row.places_a_week += offer.places / period.weeks
            if not _is_base(venues[venue_id], base_venues):
                row._venues.add(venue_id)
    for row in [county, *districts.values(), *deciles.values()]:
        row.outreach_venues = len(row._venues)

    # Families and contacts, and the concentration index per district and the county.
    families, contacts = _family_contacts(period)
    people: dict[str, list[tuple[int, int]]] = defaultdict(list)  # row key -> (contacts, decile)
    # In family order, so the index's standard error (which depends on the order of tied
    # people) is the same on every load.
    for family_id, area_id in sorted(families.items()):
        home = by_id.get(area_id)
        if home is None:
            continue
        number = contacts.get(family_id, 0)
        for row in rows_of(home):
            row.families += 1
            row.contacts += number
        if home.imd_decile is not None:
            people["county"].append((number, home.imd_decile))
            people[home.district.code].append((number, home.imd_decile))
    for row in [county, *districts.values()]:
        members = people.get(row.key, [])
        row.equity = concentration_index(
            [contacts_of for contacts_of, _ in members], [decile for _, decile in members]
        )

    threshold = settings.INSIGHT_SUPPRESSION_THRESHOLD
    _suppress(county, list(districts.values()), list(deciles.values()), threshold=threshold)

    county_places = county.places_per_thousand
    county_need = county.greatest_need_share
    for row in [*districts.values(), *deciles.values()]:
        places, share = row.places_per_thousand, row.greatest_need_share
        row.thinner_than_need = (
            county_places is not None
            and places is not None
            and share is not None
            and county_need is not None
            and places < county_places
            and share > county_need
        )

    simulated = any(offer.simulated for offer in offers.values()) or (
        Family.objects.filter(is_simulated=True, archived_at__isnull=True).exists()
    )
    return OfferTable(
        period=period,
        county=county,
        districts=sorted(districts.values(), key=lambda row: row.label),
        deciles=sorted(deciles.values(), key=lambda row: (row.key == "unknown", row.key.zfill(2))),
        suppression_threshold=threshold,
        any_estimate=any_estimate,
        under_fives_source=under_fives_totals(areas).source,
        includes_simulated=simulated,
        venues_offering=len(offers),
    )


def _suppress(
    county: OfferRow, districts: list[OfferRow], deciles: list[OfferRow], *, threshold: int
) -> None:
    """Insight's small-number rule over the totals the page publishes: the county is split
    into districts one way and into deciles another."""
    nodes: dict[disclosure.Node, OfferRow] = {COUNTY_NODE: county}
    for row in districts:
        nodes[("district", row.key)] = row
    for row in deciles:
        nodes[("decile", row.key)] = row
    partitions: list[tuple[disclosure.Node, list[disclosure.Node]]] = [
        (COUNTY_NODE, [("district", row.key) for row in districts]),
        (COUNTY_NODE, [("decile", row.key) for row in deciles]),
    ]
    hidden: dict[disclosure.Node, set[str]] = defaultdict(set)
    for name in ("families", "contacts"):
        values = {node: int(getattr(row, name)) for node, row in nodes.items()}
        for node in disclosure.protect(values, partitions, threshold=threshold):
            hidden[node].add(name)
    for node, row in nodes.items():
        row.hidden = frozenset(hidden.get(node, set()))


# --- The table as rows, for the CSV ------------------------------------------------------------

HEADINGS = (
    "Row",
    "Level",
    "Under-fives (estimated where marked)",
    "Under-fives are estimated",
    "Share of under-fives in greatest-need areas",
    "Hours of sessions",
    "Outreach venues in use",
    "Places a week",
    "Places a week per 1,000 under-fives",
    f"Under-fives within {WITHIN_MINUTES:.0f} minutes by bus or on foot",
    "Families with a child under five",
    "Contacts in the period",
    "Concentration index of contacts",
    "95 % confidence interval",
    "Thinner than need",
)


def table_rows(table: OfferTable) -> list[list[object]]:
    """The page's table as CSV rows (figures as the page shows them, "[c]" where hidden)."""
    rows: list[list[object]] = []
    for row in table.rows:
        rows.append(
            [
                row.label,
                row.level.capitalize(),
                round(row.under_fives),
                row.under_fives_is_estimate,
                tables.percent(row.greatest_need_share),
                f"{row.hours:.1f}",
                row.outreach_venues,
                f"{row.places_a_week:.1f}",
                per_thousand_text(row.places_per_thousand),
                tables.percent(row.within_share),
                row.count_text("families"),
                row.count_text("contacts"),
                row.equity_text,
                row.equity_interval_text,
                "yes" if row.thinner_than_need else "",
            ]
        )
    return rows
