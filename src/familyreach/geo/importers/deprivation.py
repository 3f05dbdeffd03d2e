"""English Indices of Deprivation 2019 by LSOA (2011), from the official MHCLG files:

- File 1 (IMD ranks and deciles), File 3 (IDACI and IDAOPI ranks and deciles),
- File 5 (scores), File 6 (population denominators), File 7 (everything in one CSV),
- or the Norfolk layout in data/norfolk/ (`lsoa11_code`, `imd_rank`, …).

Columns are found by their official headers, e.g. "LSOA code (2011)",
"Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
"Income Deprivation Affecting Children Index (IDACI) Score (rate)". Only the measures present
in the file are written; rows for districts outside the scope are skipped. Districts and
areas are created when new: new areas need a position, so pass `centroids` (ONS LSOA
population-weighted centroids) on the first import.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.centroids import read_centroids
from familyreach.geo.importers.core import Column, CsvTable
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import DEPRIVATION_INDICES, areas_upsert, districts_upsert
from familyreach.geo.models import Area, District
from familyreach.geo.population import (
    UNDER_FIVES_ESTIMATE_SOURCE,
    estimate_label,
    estimate_under_fives,
    under_fives_method,
)

RANK = "Rank (where 1 is most deprived)"
DECILE = "Decile (where 1 is most deprived 10% of LSOAs)"
IMD = "Index of Multiple Deprivation (IMD)"
IDACI = "Income Deprivation Affecting Children Index (IDACI)"
ENGLISH_LSOAS = 32_844

COLUMNS = [
    Column("code", ("LSOA code (2011)", "lsoa11_code", "lsoa11cd")),
    Column("name", ("LSOA name (2011)", "lsoa11_name", "lsoa11nm"), required=False),
    # Optional only for files of areas already loaded (e.g. File 6 population denominators).
    Column(
        "district_code",
        ("Local Authority District code (2019)", "lad19_code", "lad19cd"),
        required=False,
    ),
    Column("district_name", ("Local Authority District name (2019)", "lad19_name"), required=False),
    Column("imd_score", (f"{IMD} Score", "imd_score"), required=False),
    Column("imd_rank", (f"{IMD} {RANK}", f"{IMD} Rank", "imd_rank"), required=False),
    Column("imd_decile", (f"{IMD} {DECILE}", f"{IMD} Decile", "imd_decile"), required=False),
    Column(
        "idaci_score", (f"{IDACI} Score (rate)", f"{IDACI} Score", "idaci_score"), required=False
    ),
    Column("idaci_rank", (f"{IDACI} {RANK}", f"{IDACI} Rank", "idaci_rank"), required=False),
    Column(
        "idaci_decile", (f"{IDACI} {DECILE}", f"{IDACI} Decile", "idaci_decile"), required=False
    ),
    Column(
        "population_total_2015",
        ("Total population: mid 2015 (excluding prisoners)", "pop_total_mid2015"),
        required=False,
    ),
    Column(
        "population_0_15",
        ("Dependent Children aged 0-15: mid 2015 (excluding prisoners)", "pop_0_15_mid2015"),
        required=False,
    ),
]
MEASURES = [
    *DEPRIVATION_INDICES,
    "population_total_2015",
    "population_0_15",
]


@dataclass
class DeprivationResult:
    areas_created: int = 0
    areas_updated: int = 0
    districts: int = 0
    skipped_outside_scope: int = 0


@transaction.atomic
def import_deprivation(
    path: Path | str,
    *,
    scope: Scope,
    centroids: Path | str | None = None,
    progress: bool | None = None,
) -> DeprivationResult:
    table = CsvTable(path, COLUMNS, progress=progress, description=f"Importing {Path(path).name}")
    positions = read_centroids(centroids, progress=progress) if centroids else {}
    existing = {area.code: area for area in Area.objects.select_related("district")}
    district_names: dict[str, str] = {}
    parsed: list[tuple[int, dict[str, object]]] = []
    result = DeprivationResult()
    for row in table:
        if row.has("district_code"):
            district_code = row.district_code("district_code")
        else:
            code = row.area_code("code")
            if code not in existing:
                raise row.fail(
                    "code",
                    f'"{code}" is not loaded yet and the file has no "Local Authority District '
                    'code (2019)" column: import a file with districts (File 1 or 7) first',
                )
            district_code = existing[code].district.code
        if not scope.includes(district_code):
            result.skipped_outside_scope += 1
            continue
        values: dict[str, object] = {
            "code": row.area_code("code"),
            "district_code": district_code,
            "name": row.text("name", required=False),
        }
        if row.has("district_name"):
            district_names[district_code] = row.text("district_name")
        for key in ("imd_rank", "idaci_rank"):
            if row.has(key):
                values[key] = row.integer(key)
                row.in_range(key, values[key], 1, ENGLISH_LSOAS)  # type: ignore[arg-type]
        for key in ("imd_decile", "idaci_decile"):
            if row.has(key):
                values[key] = row.integer(key)
                row.in_range(key, values[key], 1, 10)  # type: ignore[arg-type]
        if row.has("imd_score"):
            values["imd_score"] = row.number("imd_score")
            row.in_range("imd_score", values["imd_score"], 0, 100)  # type: ignore[arg-type]
        if row.has("idaci_score"):
            values["idaci_score"] = row.number("idaci_score")
            row.in_range("idaci_score", values["idaci_score"], 0, 1)  # type: ignore[arg-type]
        for key in ("population_total_2015", "population_0_15"):
            if row.has(key):
                values[key] = row.integer(key)
                row.in_range(key, values[key], 0, 100_000)  # type: ignore[arg-type]
        if values["code"] not in existing and values["code"] not in positions:
            raise ImportFailed(
                f'{table.name} line {row.line}, column "{table.header_for("code")}": area '
                f"{values['code']} is new and has no position: pass the ONS LSOA population-"
                "weighted centroids file (--centroids)"
            )
        parsed.append((row.line, values))
    if not parsed:
        raise ImportFailed(
            f"{table.name}: no rows for districts {', '.join(sorted(scope.district_codes))}"
        )
    if not any(table.has_column(measure) for measure in MEASURES):
        raise ImportFailed(f"{table.name} line 1: no IMD, IDACI or population columns found")

    known_districts = {
        d.code: d
        for d in District.objects.filter(
            code__in=district_names.keys() | {str(v["district_code"]) for _, v in parsed}
        )
    }
    new_districts = []
    for code in {str(values["district_code"]) for _, values in parsed}:
        district = known_districts.get(code) or District(code=code)
        district.name = district_names.get(code) or district.name or code
        district.council_code = scope.council_code or district.council_code
        district.council_name = scope.council_name or district.council_name
        if not district.council_code:
            raise ImportFailed(f"District {code} is new: say which council it is in (--council)")
        new_districts.append(district)
    districts = districts_upsert(new_districts)
    result.districts = len(new_districts)

    fields = {"name", "district", "latitude", "longitude"}
    areas = []
    method = under_fives_method()
    label = estimate_label()
    for _, values in parsed:
        code = str(values["code"])
        area = existing.get(code)
        if area is None:
            area = Area(code=code)
            result.areas_created += 1
        else:
            result.areas_updated += 1
        area.district = districts[str(values["district_code"])]
        area.name = str(values["name"] or area.name or code)
        if code in positions:
            area.latitude = positions[code].latitude
            area.longitude = positions[code].longitude
        for key in DEPRIVATION_INDICES:
            if key in values:
                setattr(area, key, values[key])
                fields.add(key)
        if "population_total_2015" in values and (area.population_total_year or 0) <= 2015:
            area.population_total = values["population_total_2015"]  # type: ignore[assignment]
            area.population_total_year = 2015
            fields |= {"population_total", "population_total_year"}
        if "population_0_15" in values:
            area.population_0_15 = values["population_0_15"]  # type: ignore[assignment]
            area.population_0_15_year = 2015
            fields |= {"population_0_15", "population_0_15_year"}
            if area.under_fives_is_estimate:
                area.under_fives = estimate_under_fives(area.population_0_15)
                area.under_fives_method = method
                area.under_fives_source = UNDER_FIVES_ESTIMATE_SOURCE
                area.under_fives_label = label
                fields |= {
                    "under_fives",
                    "under_fives_is_estimate",
                    "under_fives_label",
                    "under_fives_method",
                    "under_fives_source",
                }
        areas.append(area)
    areas_upsert(areas, fields=sorted(fields))
    return result
