"""Postcodes, from the ONS Postcode Directory (exact LSOA) or OS Code-Point Open (inferred).

ONSPD (CSV with header): `pcds`, `lsoa11`, `lat`, `long`, `oslaua`, `osward`, `doterm`; live
postcodes only (empty `doterm`). The area is the file's LSOA when we hold it
(`area_is_exact=True`), else the nearest area centroid in the district.

Code-Point Open: `Postcode`, `Positional_quality_indicator`, `Eastings`, `Northings`, …,
`Admin_district_code`, `Admin_ward_code` (or the short headers PC, PQ, EA, NO, …, DC, WC;
OS ships the files without a header row: pass `header_row=False`). Or the Norfolk layout.
Eastings/northings are converted to WGS84; the area is always inferred (no LSOA in the file).
"""

from pathlib import Path

from django.db import transaction

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.grid import bng_to_wgs84
from familyreach.geo.importers.core import Column, CsvTable, Row
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import NearestArea, assign_nearest_areas, postcodes_upsert
from familyreach.geo.models import Postcode
from familyreach.geo.postcodes import InvalidPostcode, normalise_postcode

ONSPD_COLUMNS = [
    Column("postcode", ("pcds", "pcd", "pcd2")),
    Column("area_code", ("lsoa11", "lsoa11cd")),
    Column("latitude", ("lat",)),
    Column("longitude", ("long",)),
    Column("district_code", ("oslaua", "lad")),
    Column("ward_code", ("osward",), required=False),
    Column("terminated", ("doterm",), required=False),
]
CODEPOINT_HEADERS = [
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
]
CODEPOINT_COLUMNS = [
    Column("postcode", ("Postcode", "PC")),
    Column(
        "positional_quality",
        ("Positional_quality_indicator", "PQ", "positional_quality"),
        required=False,
    ),
    Column("easting", ("Eastings", "EA", "easting")),
    Column("northing", ("Northings", "NO", "northing")),
    Column("district_code", ("Admin_district_code", "DC", "admin_district_code")),
    Column("ward_code", ("Admin_ward_code", "WC", "admin_ward_code"), required=False),
]


def _postcode(row: Row) -> str:
    raw = row.text("postcode")
    try:
        return normalise_postcode(raw)
    except InvalidPostcode:
        raise row.fail("postcode", f'"{raw}" is not a UK postcode') from None


def _new(postcode: str, latitude: float, longitude: float, source: str) -> Postcode:
    return Postcode(
        postcode=postcode,
        compact=postcode.replace(" ", ""),
        outward=postcode.split(" ")[0],
        latitude=latitude,
        longitude=longitude,
        source=source,
    )


@transaction.atomic
def import_postcode_directory(
    path: Path | str, *, scope: Scope, source: str = "", progress: bool | None = None
) -> int:
    table = CsvTable(
        path, ONSPD_COLUMNS, progress=progress, description=f"Importing {Path(path).name}"
    )
    districts = scope.districts()
    areas = {area.code: area for area in scope.areas()}
    label = source or f"ONS Postcode Directory ({table.name})"
    exact: list[Postcode] = []
    inferred: list[Postcode] = []
    for row in table:
        district_code = row.text("district_code")
        if not scope.includes(district_code) or row.text("terminated", required=False):
            continue
        if district_code not in districts:
            raise row.fail(
                "district_code",
                f'district "{district_code}" is not loaded: import deprivation first',
            )
        latitude, longitude = row.real("latitude"), row.real("longitude")
        row.in_range("latitude", latitude, 49.0, 61.0)
        row.in_range("longitude", longitude, -9.0, 2.5)
        postcode = _new(_postcode(row), latitude, longitude, label)
        postcode.district = districts[district_code]
        postcode.ward_code = row.text("ward_code", required=False)
        area_code = row.text("area_code", required=False)
        if area_code in areas:
            postcode.area = areas[area_code]
            postcode.area_is_exact = True
            exact.append(postcode)
        else:
            inferred.append(postcode)
    assign_nearest_areas(inferred, NearestArea(areas.values()))
    if not exact and not inferred:
        raise ImportFailed(
            f"{table.name}: no live postcodes in districts {', '.join(sorted(scope.district_codes))}"
        )
    return postcodes_upsert(exact + inferred)


@transaction.atomic
def import_codepoint(
    paths: list[Path] | Path | str,
    *,
    scope: Scope,
    header_row: bool = True,
    source: str = "",
    progress: bool | None = None,
) -> int:
    """One or more Code-Point Open CSVs (OS ships one per postcode area: nr.csv, pe.csv, …)."""
    paths = [Path(p) for p in (paths if isinstance(paths, list) else [paths])]
    districts = scope.districts()
    areas = scope.areas()
    found: list[Postcode] = []
    eastings: list[float] = []
    northings: list[float] = []
    for path in paths:
        table = CsvTable(
            path,
            CODEPOINT_COLUMNS,
            progress=progress,
            description=f"Importing {path.name}",
            header=None if header_row else CODEPOINT_HEADERS,
        )
        label = source or "OS Code-Point Open"
        for row in table:
            district_code = row.text("district_code", required=False)
            if not scope.includes(district_code):
                continue
            if district_code not in districts:
                raise row.fail(
                    "district_code",
                    f'district "{district_code}" is not loaded: import deprivation first',
                )
            easting, northing = row.real("easting"), row.real("northing")
            row.in_range("easting", easting, 0, 700_000)
            row.in_range("northing", northing, 0, 1_300_000)
            if easting == 0 and northing == 0:
                continue  # Code-Point's "no coordinates" rows
            postcode = _new(_postcode(row), 0.0, 0.0, label)
            postcode.district = districts[district_code]
            postcode.ward_code = row.text("ward_code", required=False)
            postcode.positional_quality = row.integer("positional_quality", required=False)
            found.append(postcode)
            eastings.append(easting)
            northings.append(northing)
    if not found:
        raise ImportFailed(f"No postcodes in districts {', '.join(sorted(scope.district_codes))}")
    latitudes, longitudes = bng_to_wgs84(eastings, northings)
    for postcode, latitude, longitude in zip(found, latitudes, longitudes, strict=True):
        postcode.latitude = round(float(latitude), 6)
        postcode.longitude = round(float(longitude), 6)
    assign_nearest_areas(found, NearestArea(areas))
    # A postcode already placed exactly by the ONS Postcode Directory keeps its exact area.
    exact = set(Postcode.objects.filter(area_is_exact=True).values_list("compact", flat=True))
    return postcodes_upsert([p for p in found if p.compact not in exact])
