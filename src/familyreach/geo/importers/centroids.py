"""ONS LSOA (2011) population-weighted centroids: `lsoa11cd` with X/Y (BNG metres, or
longitude/latitude in the "X,Y" WGS84 releases) or explicit lat/long columns.

`familyreach geo import-centroids FILE --council CODE` moves existing areas to these
positions; `import-deprivation --centroids FILE` uses the same reader to place new areas.
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from familyreach.geo.grid import bng_to_wgs84
from familyreach.geo.importers.core import Column, CsvTable, Row
from familyreach.geo.importers.scope import Scope
from familyreach.geo.importers.store import areas_upsert

COLUMNS = [
    Column("code", ("lsoa11cd", "LSOA11CD", "lsoa11_code", "LSOA code (2011)")),
    Column("name", ("lsoa11nm", "lsoa11_name", "LSOA name (2011)"), required=False),
    Column("latitude", ("lat", "latitude", "pwc_lat"), required=False),
    Column("longitude", ("long", "lon", "longitude", "pwc_lon"), required=False),
    Column("x", ("X", "x", "pwc_easting", "easting"), required=False),
    Column("y", ("Y", "y", "pwc_northing", "northing"), required=False),
]


@dataclass(frozen=True)
class Centroid:
    latitude: float
    longitude: float
    line: int


def _position(row: Row) -> tuple[float, float]:
    if row.has("latitude") and row.has("longitude"):
        latitude, longitude = row.real("latitude"), row.real("longitude")
    elif row.has("x") and row.has("y"):
        x, y = row.real("x"), row.real("y")
        if abs(x) <= 180 and abs(y) <= 90:  # a WGS84 release: X = longitude, Y = latitude
            latitude, longitude = y, x
        else:
            row.in_range("x", x, 0, 700_000)
            row.in_range("y", y, 0, 1_300_000)
            lat_array, lon_array = bng_to_wgs84(x, y)
            latitude, longitude = float(lat_array[0]), float(lon_array[0])
    else:
        raise row.fail("code", "the file has neither lat/long nor X/Y columns")
    row.in_range("latitude" if row.has("latitude") else "y", latitude, 49.0, 61.0)
    row.in_range("longitude" if row.has("longitude") else "x", longitude, -9.0, 2.5)
    return latitude, longitude


def read_centroids(path: Path | str, *, progress: bool | None = None) -> dict[str, Centroid]:
    found: dict[str, Centroid] = {}
    for row in CsvTable(path, COLUMNS, progress=progress, description="Reading centroids"):
        code = row.area_code("code")
        latitude, longitude = _position(row)
        found[code] = Centroid(latitude, longitude, row.line)
    return found


@transaction.atomic
def import_centroids(path: Path | str, *, scope: Scope, progress: bool | None = None) -> int:
    """Move the scope's existing areas to the file's centroids. Returns the number moved."""
    centroids = read_centroids(path, progress=progress)
    areas = [area for area in scope.areas() if area.code in centroids]
    for area in areas:
        area.latitude = centroids[area.code].latitude
        area.longitude = centroids[area.code].longitude
    areas_upsert(areas, fields=["latitude", "longitude"])
    return len(areas)
