"""Venues: DfE GIAS schools, public libraries (the libraries.csv layout), and a generic CSV.

All three place each venue in an area and district, keep only the scope's districts, and
upsert on (source, source_reference) so reruns update the same venues (their ids stay).

Generic venues CSV columns (headers case-insensitive):
  reference (required, unique within the file: your key for the venue), name (required),
  kind (childrens_centre, family_base, library, school, village_hall, community_centre, other),
  address, town, postcode, latitude + longitude (or leave empty to use the postcode's position),
  status (open, closed, proposed; default open), capacity (people), annual_running_cost (£),
  facilities, accessibility.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.grid import bng_to_wgs84
from familyreach.geo.importers.core import Column, CsvTable, Row
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import NearestArea, venues_upsert
from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind, VenueStatus
from familyreach.geo.postcodes import InvalidPostcode, normalise_postcode

# Where venues came from, kept on each venue so a rerun finds and updates its own rows.
LIBRARY_SOURCE = "ace-public-libraries"
LIBRARY_POSITION_SOURCE = "Postcode centroid (OS Code-Point Open 2014), not the building"
SCHOOL_SOURCE = "dfe-gias"


def library_venue(
    row: Row,
    *,
    postcode: str,
    latitude: float,
    longitude: float,
    district: District | None,
    area: Area | None,
) -> Venue:
    """A library from a row of the libraries.csv layout (the Norfolk extract, or a council's own
    file through `import_libraries`), placed where its caller worked out: its address lines,
    whether it has closed, and the list's own facts kept as details."""
    name = row.text("name")
    address_lines = [
        row.text(key, required=False) for key in ("address_1", "address_2", "address_3")
    ]
    closed = bool(row.text("year_closed", required=False))
    return Venue(
        name=name,
        kind=VenueKind.LIBRARY,
        address=", ".join(line for line in address_lines if line),
        town=address_lines[1],
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        position_is_exact=False,
        position_source=LIBRARY_POSITION_SOURCE,
        district=district,
        area=area,
        status=VenueStatus.CLOSED if closed else VenueStatus.OPEN,
        # An optional column the file lacks reads as empty, so it is left out as a blank is.
        details={key: value for key in LIBRARY_DETAILS if (value := row.text(key, required=False))},
        source=LIBRARY_SOURCE,
        source_reference=f"{name} | {postcode}",
    )


LIBRARY_DETAILS = (
    "uprn",
    "statutory",
    "library_type",
    "year_opened",
    "year_closed",
    "co_located",
    "co_located_with",
)

GIAS_COLUMNS = [
    Column("urn", ("URN", "urn")),
    Column("name", ("EstablishmentName", "establishment_name")),
    Column("easting", ("Easting", "easting")),
    Column("northing", ("Northing", "northing")),
    Column("area_code", ("LSOA (code)", "lsoa21_code", "lsoa11_code")),
    Column("status", ("EstablishmentStatus (name)",), required=False),
    Column("type", ("TypeOfEstablishment (name)", "establishment_type"), required=False),
    Column("group", ("EstablishmentTypeGroup (name)", "establishment_group"), required=False),
    Column("phase", ("PhaseOfEducation (name)", "education_phase"), required=False),
    Column("pupils", ("NumberOfPupils", "number_of_pupils"), required=False),
    Column("street", ("Street",), required=False),
    Column("town", ("Town",), required=False),
    Column("postcode", ("Postcode",), required=False),
    Column("district_code", ("DistrictAdministrative (code)",), required=False),
]
LIBRARY_COLUMNS = [
    Column("name", ("library_name", "Library name")),
    Column("address_1", ("address_1", "Address 1")),
    Column("address_2", ("address_2", "Address 2"), required=False),
    Column("address_3", ("address_3", "Address 3"), required=False),
    Column("postcode", ("postcode", "Postcode")),
    Column("year_closed", ("year_closed", "Year closed")),
    Column("latitude", ("lat", "latitude"), required=False),
    Column("longitude", ("lon", "longitude"), required=False),
    *(
        Column(key, (key,), required=False)
        for key in (
            "uprn",
            "statutory",
            "library_type",
            "year_opened",
            "co_located",
            "co_located_with",
        )
    ),
]
GENERIC_COLUMNS = [
    Column("reference", ("reference", "id", "source_reference")),
    Column("name", ("name",)),
    Column("kind", ("kind", "type")),
    Column("address", ("address",), required=False),
    Column("town", ("town",), required=False),
    Column("postcode", ("postcode",), required=False),
    Column("latitude", ("latitude", "lat"), required=False),
    Column("longitude", ("longitude", "lon", "long"), required=False),
    Column("status", ("status",), required=False),
    Column("capacity", ("capacity",), required=False),
    Column("annual_running_cost", ("annual_running_cost", "running_cost"), required=False),
    Column("facilities", ("facilities",), required=False),
    Column("accessibility", ("accessibility",), required=False),
]
OPEN_GIAS_STATUSES = {"open", "open, but proposed to close"}


@dataclass
class VenueImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_outside_scope: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class Placer:
    """Finds a position's area and district within the scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.areas = {
            area.code: area
            for area in Area.objects.select_related("district").filter(
                district__code__in=scope.district_codes
            )
        }
        if not self.areas:
            raise ImportFailed("No areas are loaded for this scope yet: import deprivation first")
        self.nearest = NearestArea(self.areas.values())
        self.districts: dict[int, District] = {
            area.district_id: area.district for area in self.areas.values()
        }

    def nearest_area(
        self, latitude: float, longitude: float, district: District | None = None
    ) -> Area:
        area = self.nearest.nearest([latitude], [longitude], district.pk if district else None)[0]
        assert area is not None  # there are areas (checked in __init__)
        return area


def _postcode_position(row: Row, key: str = "postcode") -> tuple[str, Postcode | None]:
    raw = row.text(key, required=False)
    if not raw:
        return "", None
    try:
        postcode = normalise_postcode(raw)
    except InvalidPostcode:
        raise row.fail(key, f'"{raw}" is not a UK postcode') from None
    return postcode, Postcode.objects.select_related("district", "area").filter(
        compact=postcode.replace(" ", "")
    ).first()


# Only the generic file carries these; the GIAS and library imports leave them as staff set them.
GENERIC_EXTRA_FIELDS = ["capacity", "annual_running_cost", "facilities", "accessibility"]


def _finish(
    venues: list[Venue], result: VenueImportResult, extra_fields: list[str] | None = None
) -> VenueImportResult:
    outcome = venues_upsert(venues, extra_fields=extra_fields or [])
    result.created, result.updated, result.unchanged = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
    )
    return result


@transaction.atomic
def import_gias(
    path: Path | str, *, scope: Scope, progress: bool | None = None
) -> VenueImportResult:
    """Open schools from a GIAS establishment extract (edubasealldataYYYYMMDD.csv)."""
    table = CsvTable(
        path, GIAS_COLUMNS, progress=progress, description=f"Importing {Path(path).name}"
    )
    placer = Placer(scope)
    result = VenueImportResult()
    rows: list[tuple[Row, dict[str, str | int]]] = []
    for row in table:
        if row.has("status") and row.text("status").casefold() not in OPEN_GIAS_STATUSES:
            continue
        area_code = row.area_code("area_code") if row.text("area_code", required=False) else ""
        district_code = row.text("district_code", required=False)
        # In scope: by the school's district where the file gives it, else by its LSOA; a LSOA
        # we do not hold (a 2021 code) is decided below by distance to the nearest area.
        if district_code and not scope.includes(district_code):
            result.skipped_outside_scope += 1
            continue
        easting = row.integer("easting", required=False)
        northing = row.integer("northing", required=False)
        if easting is None or northing is None:
            if district_code or area_code in placer.areas:
                raise row.fail("easting", "is empty: the school has no position")
            continue
        row.in_range("easting", easting, 0, 700_000)
        row.in_range("northing", northing, 0, 1_300_000)
        rows.append((row, {"easting": easting, "northing": northing, "area_code": area_code}))
    if not rows:
        raise ImportFailed(f"{table.name}: no open schools with positions in the scope")
    latitudes, longitudes = bng_to_wgs84(
        [v["easting"] for _, v in rows], [v["northing"] for _, v in rows]
    )
    venues = []
    for (row, values), latitude, longitude in zip(rows, latitudes, longitudes, strict=True):
        area = placer.areas.get(str(values["area_code"]))
        area_is_exact = area is not None
        if area is None:
            area = placer.nearest_area(float(latitude), float(longitude))
            if not row.text("district_code", required=False) and not _within(
                area, float(latitude), float(longitude), 5.0
            ):
                result.skipped_outside_scope += 1
                continue
        address = ", ".join(
            p for p in (row.text("street", required=False), row.text("town", required=False)) if p
        )
        venues.append(
            Venue(
                name=row.text("name"),
                kind=VenueKind.SCHOOL,
                address=address,
                town=row.text("town", required=False),
                postcode=_postcode_position(row)[0] if row.has("postcode") else "",
                latitude=round(float(latitude), 6),
                longitude=round(float(longitude), 6),
                position_is_exact=True,
                position_source="GIAS establishment easting/northing (DfE)",
                district=area.district,
                area=area,
                status=VenueStatus.OPEN,
                details={
                    "urn": row.text("urn"),
                    "establishment_type": row.text("type", required=False),
                    "establishment_group": row.text("group", required=False),
                    "education_phase": row.text("phase", required=False),
                    "number_of_pupils": row.integer("pupils", required=False),
                    "lsoa_code": values["area_code"],
                    "area_is_exact": area_is_exact,
                },
                source=SCHOOL_SOURCE,
                source_reference=row.text("urn"),
            )
        )
    return _finish(venues, result)


def _within(area: Area, latitude: float, longitude: float, limit_km: float) -> bool:
    """Whether a point with no district code is close enough to the scope's areas to belong."""
    from familyreach.geo.distance import haversine_km

    return float(haversine_km(latitude, longitude, area.latitude, area.longitude)) <= limit_km


@transaction.atomic
def import_libraries(
    path: Path | str, *, scope: Scope, progress: bool | None = None
) -> VenueImportResult:
    """Public libraries in the libraries.csv layout; positions from lat/lon or the postcode."""
    table = CsvTable(
        path, LIBRARY_COLUMNS, progress=progress, description=f"Importing {Path(path).name}"
    )
    placer = Placer(scope)
    result = VenueImportResult()
    venues = []
    for row in table:
        row.text("name")  # a row without a name is refused before its postcode is looked up
        postcode, known = _postcode_position(row)
        if not postcode:
            raise row.fail("postcode", "is empty")
        if known is None:
            raise row.fail(
                "postcode", f'"{postcode}" is not a postcode we hold: import postcodes first'
            )
        if known.district is None or not scope.includes(known.district.code):
            result.skipped_outside_scope += 1
            continue
        latitude, longitude = known.latitude, known.longitude
        if row.has("latitude") and row.text("latitude", required=False):
            latitude, longitude = row.real("latitude"), row.real("longitude")
        area = known.area or placer.nearest_area(latitude, longitude, known.district)
        venues.append(
            library_venue(
                row,
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
                district=known.district,
                area=area,
            )
        )
    return _finish(venues, result)


@transaction.atomic
def import_venues(
    path: Path | str, *, scope: Scope, source: str, progress: bool | None = None
) -> VenueImportResult:
    """A generic venues CSV (columns in the module docstring). `source` names the list."""
    if not source.strip():
        raise ImportFailed(
            "Name the list the venues come from (--source), e.g. 'village-halls-2026'"
        )
    table = CsvTable(
        path, GENERIC_COLUMNS, progress=progress, description=f"Importing {Path(path).name}"
    )
    placer = Placer(scope)
    result = VenueImportResult()
    venues = []
    seen: dict[str, int] = {}
    for row in table:
        reference = row.text("reference")
        if reference in seen:
            raise row.fail(
                "reference",
                f'"{reference}" is also on line {seen[reference]}: references must be unique',
            )
        seen[reference] = row.line
        kind = row.text("kind").lower().replace(" ", "_").replace("'", "")
        if kind not in VenueKind.values:
            raise row.fail(
                "kind", f'"{row.text("kind")}" is not one of {", ".join(VenueKind.values)}'
            )
        status = (row.text("status", required=False) or "open").lower()
        if status not in VenueStatus.values:
            raise row.fail("status", f'"{status}" is not one of {", ".join(VenueStatus.values)}')
        postcode, known = _postcode_position(row)
        if row.text("latitude", required=False) or row.text("longitude", required=False):
            latitude, longitude = row.real("latitude"), row.real("longitude")
            row.in_range("latitude", latitude, 49.0, 61.0)
            row.in_range("longitude", longitude, -9.0, 2.5)
            exact, position_source = True, "Given in the venues file"
        elif known is not None:
            latitude, longitude = known.latitude, known.longitude
            exact, position_source = False, f"Postcode centroid ({known.source})"
        else:
            column = "postcode" if postcode else "latitude"
            raise row.fail(
                column, "no position: give latitude and longitude, or a postcode we hold"
            )
        district = known.district if known is not None and exact is False else None
        area = placer.nearest_area(latitude, longitude, district)
        if not scope.includes(area.district.code) or not _within(area, latitude, longitude, 10.0):
            result.skipped_outside_scope += 1
            continue
        capacity = row.integer("capacity", required=False)
        row.in_range("capacity", capacity, 0, 100_000)
        cost_text = (
            row.text("annual_running_cost", required=False).replace("£", "").replace(",", "")
        )
        try:
            cost = Decimal(cost_text) if cost_text else None
        except InvalidOperation:
            raise row.fail(
                "annual_running_cost", f'"{cost_text}" is not an amount of money'
            ) from None
        venues.append(
            Venue(
                name=row.text("name"),
                kind=kind,
                address=row.text("address", required=False),
                town=row.text("town", required=False),
                postcode=postcode,
                latitude=latitude,
                longitude=longitude,
                position_is_exact=exact,
                position_source=position_source,
                district=area.district,
                area=area,
                status=status,
                capacity=capacity,
                annual_running_cost=cost,
                facilities=row.text("facilities", required=False),
                accessibility=row.text("accessibility", required=False),
                source=source.strip()[:100],
                source_reference=reference[:100],
            )
        )
    return _finish(venues, result, extra_fields=GENERIC_EXTRA_FIELDS)
