"""An approximate basemap (the land, district borders, district names) built from postcodes.

No boundary file ships with the project, but the postcode file does: 27,648 Norfolk postcodes,
each with its position and district. Postcodes sit wherever people live and work, so a grid
over them, each cell given the district of its nearest postcode and kept only near one, traces
the districts and the coast to within about a kilometre. That is enough to say "this dot is on
the coast north of Yarmouth" when no map tiles are configured (the demo, an offline laptop, the
tests), and it is labelled approximate wherever it is drawn.

The steps, in a local flat projection in metres:
1. cells within `reach_metres` of a postcode are land; enclosed gaps (forest, broads, farmland
   without postcodes) are filled; the land is then shrunk by `shrink_metres`, so the edge sits
   about `reach_metres - shrink_metres` outside the outermost postcodes rather than a full reach;
2. each land cell takes the district of its nearest postcode;
3. cell edges between land and sea (or a neighbouring county) are chained into the outline,
   edges between two districts into border lines, and both are simplified (Douglas–Peucker);
4. each district's name is placed on its cell nearest to its centre of gravity.
"""

import csv
import itertools
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import cKDTree

# Metres per degree of latitude (mean, WGS84); longitude degrees shrink with cos(latitude).
METRES_PER_DEGREE_LATITUDE = 111_132.0
METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR = 111_320.0

Vertex = tuple[int, int]  # a grid corner: (column, row)
Point = tuple[float, float]  # (x, y) in metres


@dataclass(frozen=True)
class PlacedPostcode:
    latitude: float
    longitude: float
    district_code: str


@dataclass(frozen=True)
class _Projection:
    """Equirectangular about the points' mean latitude: within a county, distances are right
    to a fraction of a percent, which is far below what an approximate outline needs."""

    metres_per_degree_longitude: float

    @classmethod
    def about(cls, latitudes: NDArray[np.float64]) -> "_Projection":
        mean_latitude = math.radians(float(latitudes.mean()))
        return cls(METRES_PER_DEGREE_LONGITUDE_AT_EQUATOR * math.cos(mean_latitude))

    def to_lon_lat(self, point: Point) -> list[float]:
        x, y = point
        # 4 decimal places is about 10 m: finer than the outline is right, and it keeps the file small.
        return [
            round(x / self.metres_per_degree_longitude, 4),
            round(y / METRES_PER_DEGREE_LATITUDE, 4),
        ]


def _disk(radius_cells: int) -> NDArray[np.bool_]:
    span = np.arange(-radius_cells, radius_cells + 1)
    return np.asarray(span[:, None] ** 2 + span[None, :] ** 2 <= radius_cells**2)


def _perpendicular_distance(point: Point, start: Point, end: Point) -> float:
    (px, py), (sx, sy), (ex, ey) = point, start, end
    dx, dy = ex - sx, ey - sy
    length_squared = dx * dx + dy * dy
    if length_squared == 0:
        return math.hypot(px - sx, py - sy)
    along = max(0.0, min(1.0, ((px - sx) * dx + (py - sy) * dy) / length_squared))
    return math.hypot(px - (sx + along * dx), py - (sy + along * dy))


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Keep the fewest points such that none dropped is further than `tolerance` from the line.
    The ends are always kept, so a closed ring (first point == last) stays closed."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    # An explicit stack rather than recursion: an outline traced on a grid has thousands of points.
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        furthest, distance = first, 0.0
        for index in range(first + 1, last):
            d = _perpendicular_distance(points[index], points[first], points[last])
            if d > distance:
                furthest, distance = index, d
        if distance > tolerance:
            keep[furthest] = True
            stack.extend([(first, furthest), (furthest, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _ring_area(ring: Sequence[Point]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))


def _outline_rings(land: NDArray[np.bool_]) -> list[list[Vertex]]:
    """Closed rings of grid corners around the land, land on the left (anticlockwise outside)."""
    padded = np.pad(land, 1)
    outgoing: dict[Vertex, list[Vertex]] = defaultdict(list)
    for row, column in zip(*np.nonzero(land), strict=True):
        r, c = int(row), int(column)
        # Row r spans corners r..r+1 upwards (north), column c spans c..c+1 eastwards.
        if not padded[r, c + 1]:  # south side
            outgoing[(c, r)].append((c + 1, r))
        if not padded[r + 1, c + 2]:  # east side
            outgoing[(c + 1, r)].append((c + 1, r + 1))
        if not padded[r + 2, c + 1]:  # north side
            outgoing[(c + 1, r + 1)].append((c, r + 1))
        if not padded[r + 1, c]:  # west side
            outgoing[(c, r + 1)].append((c, r))
    rings: list[list[Vertex]] = []
    while outgoing:
        start = next(iter(outgoing))
        ring = [start]
        previous: Vertex | None = None
        current = start
        while True:
            choices = outgoing[current]
            # Where two land cells touch only at a corner, take the left turn, which keeps the
            # two cells' outlines apart instead of crossing them.
            chosen = choices[0]
            if len(choices) > 1 and previous is not None:
                heading = (current[0] - previous[0], current[1] - previous[1])
                left = (-heading[1], heading[0])
                chosen = next(
                    (v for v in choices if (v[0] - current[0], v[1] - current[1]) == left), chosen
                )
            choices.remove(chosen)
            if not choices:
                del outgoing[current]
            previous, current = current, chosen
            ring.append(current)
            if current == start:
                break
        rings.append(ring)
    return rings


def _border_lines(labels: NDArray[np.int_]) -> list[tuple[tuple[int, int], list[Vertex]]]:
    """Lines of grid corners between two districts' cells, each with the pair it separates."""
    edges: dict[frozenset[Vertex], tuple[int, int]] = {}
    rows, columns = labels.shape
    for r in range(rows):
        for c in range(columns):
            here = int(labels[r, c])
            if not here:
                continue
            if c + 1 < columns and labels[r, c + 1] and labels[r, c + 1] != here:
                pair = (min(here, int(labels[r, c + 1])), max(here, int(labels[r, c + 1])))
                edges[frozenset({(c + 1, r), (c + 1, r + 1)})] = pair
            if r + 1 < rows and labels[r + 1, c] and labels[r + 1, c] != here:
                pair = (min(here, int(labels[r + 1, c])), max(here, int(labels[r + 1, c])))
                edges[frozenset({(c, r + 1), (c + 1, r + 1)})] = pair
    touching: dict[Vertex, list[frozenset[Vertex]]] = defaultdict(list)
    for edge in edges:
        for vertex in edge:
            touching[vertex].append(edge)

    def is_node(vertex: Vertex) -> bool:
        # A line ends where three districts (or the coast) meet, or where the pair it separates changes.
        around = touching[vertex]
        return len(around) != 2 or edges[around[0]] != edges[around[1]]

    lines: list[tuple[tuple[int, int], list[Vertex]]] = []
    unused = set(edges)

    def walk(start: Vertex, edge: frozenset[Vertex]) -> list[Vertex]:
        line = [start]
        current = start
        while True:
            unused.discard(edge)
            (current,) = edge - {current}
            line.append(current)
            if is_node(current) or current == start:
                return line
            edge = next(e for e in touching[current] if e in unused)

    for vertex in sorted(touching):
        if is_node(vertex):
            for edge in touching[vertex]:
                if edge in unused:
                    lines.append((edges[edge], walk(vertex, edge)))
    while unused:  # closed loops: a district wholly inside another
        edge = next(iter(unused))
        start = min(edge)
        lines.append((edges[edge], walk(start, edge)))
    return lines


def build_basemap(
    *,
    postcodes: Sequence[PlacedPostcode],
    district_names: Mapping[str, str],
    cell_metres: float = 200.0,
    reach_metres: float = 2500.0,
    shrink_metres: float = 2000.0,
    tolerance_metres: float = 300.0,
    smallest_island_square_km: float = 2.0,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: `land` polygons, `district-border` lines, `district-label`
    points. Every feature is marked approximate."""
    if not postcodes:
        raise ValueError("No postcodes to build a basemap from")
    codes = sorted({p.district_code for p in postcodes})
    label_of = {code: index + 1 for index, code in enumerate(codes)}  # 0 is "not land"
    latitudes = np.array([p.latitude for p in postcodes])
    projection = _Projection.about(latitudes)
    xs = np.array([p.longitude for p in postcodes]) * projection.metres_per_degree_longitude
    ys = latitudes * METRES_PER_DEGREE_LATITUDE
    district_of_point = np.array([label_of[p.district_code] for p in postcodes])

    margin = reach_metres + 2 * cell_metres
    x0, y0 = float(xs.min()) - margin, float(ys.min()) - margin
    columns = int((float(xs.max()) + margin - x0) / cell_metres) + 1
    rows = int((float(ys.max()) + margin - y0) / cell_metres) + 1
    centres_x = x0 + (np.arange(columns) + 0.5) * cell_metres
    centres_y = y0 + (np.arange(rows) + 0.5) * cell_metres
    grid_x, grid_y = np.meshgrid(centres_x, centres_y)
    distance, nearest = cKDTree(np.column_stack([xs, ys])).query(
        np.column_stack([grid_x.ravel(), grid_y.ravel()])
    )
    distance = distance.reshape(rows, columns)
    nearest = nearest.reshape(rows, columns)

    land = ndimage.binary_fill_holes(distance <= reach_metres)
    land = ndimage.binary_erosion(land, structure=_disk(round(shrink_metres / cell_metres)))
    land = ndimage.binary_fill_holes(land)
    pieces, count = ndimage.label(land)
    sizes = ndimage.sum(land, pieces, index=np.arange(1, count + 1))
    smallest_cells = smallest_island_square_km * 1_000_000 / cell_metres**2
    keep = np.concatenate([[False], np.asarray(sizes) >= smallest_cells])
    land = keep[pieces]
    labels = np.where(land, district_of_point[nearest], 0)

    def to_metres(vertex: Vertex) -> Point:
        return (x0 + vertex[0] * cell_metres, y0 + vertex[1] * cell_metres)

    features: list[dict[str, Any]] = []
    polygons = []
    for ring in _outline_rings(land):
        simplified = douglas_peucker([to_metres(v) for v in ring], tolerance_metres)
        if len(simplified) >= 4 and abs(_ring_area(simplified)) > 0:
            polygons.append([[projection.to_lon_lat(p) for p in simplified]])
    features.append(
        {
            "type": "Feature",
            "properties": {"kind": "land", "approximate": True},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        }
    )
    for (first, second), line in _border_lines(labels):
        simplified = douglas_peucker([to_metres(v) for v in line], tolerance_metres)
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "district-border",
                    "between": [codes[first - 1], codes[second - 1]],
                    "approximate": True,
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [projection.to_lon_lat(p) for p in simplified],
                },
            }
        )
    for code in codes:
        cell_rows, cell_columns = np.nonzero(labels == label_of[code])
        if not len(cell_rows):
            continue
        # The cell nearest the district's centre of gravity, so the name always sits inside it.
        closest = int(
            np.argmin(
                (cell_rows - cell_rows.mean()) ** 2 + (cell_columns - cell_columns.mean()) ** 2
            )
        )
        centre = (float(centres_x[cell_columns[closest]]), float(centres_y[cell_rows[closest]]))
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "kind": "district-label",
                    "code": code,
                    "name": district_names.get(code, code),
                },
                "geometry": {"type": "Point", "coordinates": projection.to_lon_lat(centre)},
            }
        )
    return {"type": "FeatureCollection", "features": features}


# Where the shipped basemap lives: a static file, so pages fetch it like any script.
NORFOLK_BASEMAP = Path(__file__).resolve().parent / "static" / "geo" / "basemap-norfolk.geojson"
BASEMAP_SOURCE = (
    "Approximate outlines derived from OS Code-Point Open 2014 postcode positions "
    "(Contains OS data © Crown copyright and database right 2014; Contains Royal Mail data © Royal Mail "
    "copyright and database right 2014; Contains National Statistics data © Crown copyright and database "
    "right 2014; OGL v3.0)"
)


def read_postcodes(path: Path) -> list[PlacedPostcode]:
    """Postcodes with a position and a district, from the data/norfolk Code-Point Open layout
    (columns lat, lon, admin_district_code); rows without a position are skipped."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            PlacedPostcode(float(row["lat"]), float(row["lon"]), row["admin_district_code"])
            for row in csv.DictReader(handle)
            if row["lat"] and row["lon"] and row["admin_district_code"]
        ]


def read_district_names(path: Path) -> dict[str, str]:
    """{district code: name} from the LSOA-to-district lookup (columns lad19_code, lad19_name)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["lad19_code"]: row["lad19_name"] for row in csv.DictReader(handle)}


def write_basemap(*, basemap: dict[str, Any], path: Path, source: str = BASEMAP_SOURCE) -> None:
    # "name" and "source" are GeoJSON foreign members: readers ignore them, people read them.
    document = {
        "type": "FeatureCollection",
        "name": "Approximate district outlines",
        "source": source,
        **basemap,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(document, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8"
    )
