"""ONS small-area population estimates by single year of age (SAPE, e.g. SAPE22DT2 mid-2019),
saved as CSV with one header row: "LSOA Code", "All Ages", "0", "1", … "90+".

This gives TRUE under-fives (ages 0–4 summed): `under_fives_is_estimate` becomes False and the
method and source say which release. The total and 0–15 counts are updated too (for the year).
Only areas already loaded for the scope are updated; other rows are skipped.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.core import Column, CsvTable
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import areas_upsert

AGES = [str(age) for age in range(16)]
COLUMNS = [
    Column("code", ("LSOA Code", "LSOA11CD", "lsoa11_code", "Area Codes", "LSOA code (2011)")),
    Column("all_ages", ("All Ages", "all_ages", "Total")),
    *(Column(f"age_{age}", (age, f"age_{age}", f"Age {age}")) for age in AGES[:5]),
    *(Column(f"age_{age}", (age, f"age_{age}", f"Age {age}"), required=False) for age in AGES[5:]),
]


@dataclass
class PopulationResult:
    areas_updated: int = 0
    skipped: int = 0


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
    label = (
        source
        or f"ONS small-area population estimates, mid-{year}, single year of age ({table.name})"
    )
    result = PopulationResult()
    updated = []
    for row in table:
        code = row.area_code("code")
        area = areas.get(code)
        if area is None:
            result.skipped += 1
            continue
        counts = {age: row.integer(f"age_{age}") for age in AGES[:5]}
        for age, count in counts.items():
            row.in_range(f"age_{age}", count, 0, 10_000)
        total = row.integer("all_ages")
        row.in_range("all_ages", total, 0, 100_000)
        under_fives = sum(count or 0 for count in counts.values())
        area.under_fives = float(under_fives)
        area.under_fives_is_estimate = False
        area.under_fives_method = (
            f"Count of children aged 0–4 (sum of single years 0 to 4), mid-{year}"
        )
        area.under_fives_source = label
        area.population_total = total
        area.population_total_year = year
        if all(table.has_column(f"age_{age}") for age in AGES):
            area.population_0_15 = sum(row.integer(f"age_{age}") or 0 for age in AGES)
            area.population_0_15_year = year
        updated.append(area)
    areas_upsert(
        updated,
        fields=[
            "under_fives",
            "under_fives_is_estimate",
            "under_fives_method",
            "under_fives_source",
            "population_total",
            "population_total_year",
            "population_0_15",
            "population_0_15_year",
        ],
    )
    result.areas_updated = len(updated)
    return result
