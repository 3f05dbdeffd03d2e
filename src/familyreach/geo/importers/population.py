"""ONS small-area population estimates (SAPE) by single year of age, as CSV with one header row.

Two layouts are read, found by their headers:
- the ONS sheet saved as CSV (e.g. SAPE22DT2 mid-2019 "Mid-2019 Persons"): "LSOA Code",
  "All Ages", "0", "1", … "90+";
- the extracts in data/ (data/norfolk/lsoa_population_single_year_0_15_mid2019.csv,
  data/england/lsoa_population_0_4_mid2019.csv): `lsoa11_code`, `all_ages`, `age_0` … `age_4`
  and either `age_5` … `age_15` or `age_0_15`.

Each area of the scope (a council's LSOAs) found in the file gets COUNTED under-fives (ages 0–4
summed): `under_fives_is_estimate` False, a short label ("ONS mid-2019 single year of age"),
the method and the release. The total and 0–15 counts are updated too (for the year). Rows for
LSOAs that are not loaded for the scope (other councils, in a file for all of England and Wales)
are skipped and counted; areas of the scope missing from the file keep the labelled estimate,
and the result lists them. The import is all-or-nothing: one bad row (a malformed code, a
repeated code, a count that is not a whole number or does not add up) imports nothing.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.core import Column, CsvTable
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import areas_upsert
from familyreach.geo.population import counted_label

AGES = [str(age) for age in range(16)]
COLUMNS = [
    Column("code", ("LSOA Code", "LSOA11CD", "lsoa11_code", "Area Codes", "LSOA code (2011)")),
    Column("all_ages", ("All Ages", "all_ages", "Total")),
    *(Column(f"age_{age}", (age, f"age_{age}", f"Age {age}")) for age in AGES[:5]),
    *(Column(f"age_{age}", (age, f"age_{age}", f"Age {age}"), required=False) for age in AGES[5:]),
    Column("age_0_15", ("age_0_15", "0-15", "Aged 0 to 15"), required=False),
]
# More people than any LSOA holds (they have 1,000 to 3,000 residents; the largest about 10,000).
LARGEST_AREA = 100_000


@dataclass
class PopulationResult:
    areas_updated: int = 0
    skipped: int = 0  # rows for LSOAs not loaded for this scope (other councils)
    under_fives: int = 0  # total counted under-fives in the areas updated
    areas_without_count: list[str] = field(default_factory=list)  # keep the labelled estimate


@transaction.atomic
def import_population(
    path: Path | str, *, scope: Scope, year: int, source: str = "", progress: bool | None = None
) -> PopulationResult:
    if not 2001 <= year <= 2100:
        raise ImportFailed(f"--year {year} is not a mid-year estimate year")
    table = CsvTable(path, COLUMNS, progress=progress, description=f"Importing {Path(path).name}")
    areas = {area.code: area for area in scope.areas()}
    if not areas:
        raise ImportFailed("No areas are loaded for this scope yet: import deprivation first")
    release = (
        source
        or f"ONS small-area population estimates, mid-{year}, single year of age ({table.name})"
    )
    result = PopulationResult()
    updated = []
    seen: dict[str, int] = {}
    for row in table:
        code = row.area_code("code")
        if code in seen:
            raise row.fail("code", f'"{code}" is repeated (first on line {seen[code]})')
        seen[code] = row.line
        counts = [row.integer(f"age_{age}") or 0 for age in AGES[:5]]
        for age, count in zip(AGES, counts, strict=False):
            row.in_range(f"age_{age}", count, 0, LARGEST_AREA)
        total = row.integer("all_ages") or 0
        row.in_range("all_ages", total, 0, LARGEST_AREA)
        under_fives = sum(counts)
        if under_fives > total:
            raise row.fail(
                "all_ages", f"{total:,} people, fewer than the {under_fives:,} aged 0 to 4"
            )
        children = None
        if all(table.has_column(f"age_{age}") for age in AGES):
            children = sum(row.integer(f"age_{age}") or 0 for age in AGES)
        elif table.has_column("age_0_15"):
            children = row.integer("age_0_15") or 0
            if not under_fives <= children <= total:
                raise row.fail(
                    "age_0_15",
                    f"{children:,} is not between the {under_fives:,} aged 0 to 4 and the "
                    f"{total:,} of all ages",
                )
        area = areas.get(code)
        if area is None:
            result.skipped += 1
            continue
        area.under_fives = float(under_fives)
        area.under_fives_is_estimate = False
        area.under_fives_label = counted_label(year)
        area.under_fives_method = (
            f"Count of children aged 0–4 (sum of single years 0 to 4), mid-{year}"
        )
        area.under_fives_source = release
        area.population_total = total
        area.population_total_year = year
        if children is not None:
            area.population_0_15 = children
            area.population_0_15_year = year
        result.under_fives += under_fives
        updated.append(area)
    if not updated:
        raise ImportFailed(
            f"{table.name}: none of its {len(seen):,} rows is one of the {len(areas):,} areas "
            f"loaded for districts {', '.join(sorted(scope.district_codes))}"
        )
    areas_upsert(
        updated,
        fields=[
            "under_fives",
            "under_fives_is_estimate",
            "under_fives_label",
            "under_fives_method",
            "under_fives_source",
            "population_total",
            "population_total_year",
            "population_0_15",
            "population_0_15_year",
        ],
    )
    result.areas_updated = len(updated)
    result.areas_without_count = sorted(areas.keys() - seen.keys())
    return result
