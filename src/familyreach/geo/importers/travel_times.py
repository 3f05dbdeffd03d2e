"""Import a travel-time matrix (from r5py, OSRM, a GIS…): origin area code, venue, minutes.

Columns (CSV, or Parquet when pyarrow is installed), by any of these headers:
- origin: `origin_code`, `origin`, `from_id`, `lsoa11cd`, `lsoa11_code` — an area code;
- destination: `venue_id`, `destination`, `to_id`, `venue_reference` — a venue's id, or its
  `source_reference` (e.g. a school's URN) when that is unique;
- minutes: `minutes`, `travel_time`, `travel_time_min`.

Imported times replace the model for those pairs (`familyreach.geo.travel.travel_times`).
Re-importing updates the same (origin, venue, mode) rows.
"""

import csv
import tempfile
from pathlib import Path

from django.db import transaction

from familyreach.geo.exceptions import ImportFailed
from familyreach.geo.importers.core import Column, CsvTable
from familyreach.geo.models import Area, TravelMode, TravelTime, Venue

COLUMNS = [
    Column("origin", ("origin_code", "origin", "from_id", "lsoa11cd", "lsoa11_code")),
    Column("destination", ("venue_id", "destination", "to_id", "venue_reference")),
    Column("minutes", ("minutes", "travel_time", "travel_time_min")),
]
MAX_MINUTES = 24 * 60


def _parquet_as_csv(path: Path, directory: Path) -> Path:
    try:
        import pyarrow.parquet as parquet  # type: ignore[import-not-found]
    except ImportError:
        raise ImportFailed(
            f"{path.name}: reading Parquet needs pyarrow (uv pip install pyarrow), or save as CSV"
        ) from None
    table = parquet.read_table(path)
    target = directory / (path.stem + ".csv")
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.column_names)
        for row in zip(
            *(table.column(name).to_pylist() for name in table.column_names), strict=True
        ):
            writer.writerow(row)
    return target


@transaction.atomic
def import_travel_times(
    path: Path | str, *, mode: str, source: str = "", progress: bool | None = None
) -> int:
    """Import the file; returns the number of (origin, venue) pairs written."""
    path = Path(path)
    if mode not in TravelMode.values:
        raise ImportFailed(f"Unknown mode {mode!r}: use one of {', '.join(TravelMode.values)}")
    with tempfile.TemporaryDirectory() as directory:
        readable = _parquet_as_csv(path, Path(directory)) if path.suffix == ".parquet" else path
        table = CsvTable(readable, COLUMNS, progress=progress, description=f"Importing {path.name}")
        table.name = path.name
        areas = dict(Area.objects.values_list("code", "pk"))
        venue_ids = set(Venue.objects.values_list("pk", flat=True))
        references: dict[str, int | None] = {}
        for reference, pk in Venue.objects.exclude(source_reference="").values_list(
            "source_reference", "pk"
        ):
            references[reference] = None if reference in references else pk
        found: dict[tuple[int, int], float] = {}
        for row in table:
            code = row.text("origin")
            if code not in areas:
                raise row.fail("origin", f'"{code}" is not an area we hold')
            destination = row.text("destination")
            venue_id: int | None = None
            if destination.isdigit() and int(destination) in venue_ids:
                venue_id = int(destination)
            elif destination in references:
                venue_id = references[destination]
                if venue_id is None:
                    raise row.fail("destination", f'"{destination}" matches more than one venue')
            if venue_id is None:
                raise row.fail(
                    "destination", f'"{destination}" is not a venue id or reference we hold'
                )
            minutes = row.real("minutes")
            row.in_range("minutes", minutes, 0, MAX_MINUTES)
            found[(areas[code], venue_id)] = minutes
    label = source or path.name
    TravelTime.objects.bulk_create(
        [
            TravelTime(origin_id=origin, venue_id=venue, mode=mode, minutes=minutes, source=label)
            for (origin, venue), minutes in found.items()
        ],
        update_conflicts=True,
        unique_fields=["origin", "venue", "mode"],
        update_fields=["minutes", "source", "imported_at"],
        batch_size=2000,
    )
    return len(found)
