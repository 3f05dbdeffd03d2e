"""Travel times from areas to venues: a calibrated model, replaced by imported times where held.

The model (documented in docs/geo.md, "Travel time") for a straight-line distance d km:

    road minutes = access[setting] + d × pace[setting]           (free-flowing, "ambulance-like")
    car minutes  = road minutes × CAR_SCALE                        (an ordinary car trip)
    walk minutes = d × WALK_DETOUR / WALK_SPEED_KMH × 60
    public transport = min(walk, walk to stop + wait[setting] + road minutes × BUS_SLOWDOWN
                           + walk from stop)                        (MODELLED: no timetables)

`setting` is the origin's: "urban" when at least URBAN_POSTCODES_WITHIN_1KM postcodes lie
within 1 km of it (OS Code-Point Open), else "rural". `pace` is minutes per straight-line km;
with an assumed road detour factor of 1.3 it corresponds to a road speed of 60 × 1.3 / pace km/h.

access and pace were fitted by least squares against the OSM-routed (Routino, calibrated to
Google Maps) times from Norfolk's 538 areas to 7 hospitals in
data/norfolk/travel_time_lsoa_to_hospitals.csv, on the pairs up to 40 km apart (the range that
matters for reaching a family service); `familyreach geo calibrate-travel` refits them and prints
the errors (docs/benchmarks.md, "geo: travel-time model").
"""

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from familyreach.geo.distance import haversine_km
from familyreach.geo.models import Area, Postcode, TravelMode, TravelTime, Venue

MODES = tuple(mode.value for mode in TravelMode)
URBAN_POSTCODES_WITHIN_1KM = 150
ROAD_DETOUR_FACTOR = 1.3  # assumed, for reporting speeds; the fit needs only pace
CALIBRATION_MAX_KM = 40.0


@dataclass(frozen=True)
class RoadModel:
    """Free-flowing road time = access + straight-line km × pace, by the origin's setting."""

    access_urban_minutes: float
    access_rural_minutes: float
    pace_urban_minutes_per_km: float
    pace_rural_minutes_per_km: float

    def minutes(
        self, distance_km: NDArray[np.float64], urban: NDArray[np.bool_]
    ) -> NDArray[np.float64]:
        access = np.where(urban, self.access_urban_minutes, self.access_rural_minutes)
        pace = np.where(urban, self.pace_urban_minutes_per_km, self.pace_rural_minutes_per_km)
        return access + distance_km * pace

    def road_speed_kmh(self, urban: bool) -> float:
        pace = self.pace_urban_minutes_per_km if urban else self.pace_rural_minutes_per_km
        return 60.0 * ROAD_DETOUR_FACTOR / pace


# Fitted by `familyreach geo calibrate-travel` (see docs/benchmarks.md for the run and errors).
CALIBRATED_ROAD_MODEL = RoadModel(
    access_urban_minutes=10.423,
    access_rural_minutes=10.117,
    pace_urban_minutes_per_km=0.887,
    pace_rural_minutes_per_km=0.955,
)
# Assumptions (not fitted; no data to fit them): see docs/geo.md.
CAR_SCALE = 1.2  # ordinary car trip vs the calibrated lower-bound / emergency-like times
WALK_SPEED_KMH = 4.8
WALK_DETOUR = 1.3
BUS_SLOWDOWN = 1.6  # buses stop and take indirect routes
WALK_TO_STOP_MINUTES = {"urban": 5.0, "rural": 10.0}  # each end of the trip
WAIT_MINUTES = {"urban": 6.0, "rural": 30.0}  # half the typical headway (12 min / hourly)


def road_model() -> RoadModel:
    overrides = getattr(settings, "FAMILYREACH_TRAVEL_MODEL", {}).get("road", {})
    return replace(CALIBRATED_ROAD_MODEL, **overrides) if overrides else CALIBRATED_ROAD_MODEL


def car_scale() -> float:
    return float(
        getattr(settings, "FAMILYREACH_TRAVEL_MODEL", {}).get("car", {}).get("scale", CAR_SCALE)
    )


def modelled_minutes(
    distance_km: NDArray[np.float64], urban: NDArray[np.bool_], mode: str
) -> NDArray[np.float64]:
    """Modelled minutes for straight-line distances, by the origin's setting (arrays broadcast)."""
    distance_km = np.asarray(distance_km, dtype=np.float64)
    urban = np.asarray(urban, dtype=bool)
    road = road_model().minutes(distance_km, urban)
    if mode == TravelMode.CAR:
        return road * car_scale()
    walk = distance_km * WALK_DETOUR / WALK_SPEED_KMH * 60.0
    if mode == TravelMode.WALK:
        return walk
    if mode == TravelMode.PUBLIC_TRANSPORT:
        walk_to_stop = np.where(urban, WALK_TO_STOP_MINUTES["urban"], WALK_TO_STOP_MINUTES["rural"])
        wait = np.where(urban, WAIT_MINUTES["urban"], WAIT_MINUTES["rural"])
        bus = 2 * walk_to_stop + wait + road * BUS_SLOWDOWN
        return np.minimum(walk, bus)
    raise ValueError(f"Unknown travel mode {mode!r}: use one of {', '.join(MODES)}")


class PostcodeDensity:
    """Counts postcodes within 1 km of points: the urban/rural test used by the model."""

    def __init__(self, latitudes: NDArray[np.float64], longitudes: NDArray[np.float64]) -> None:
        self.reference_latitude = float(np.mean(latitudes)) if len(latitudes) else 52.0
        self.tree = cKDTree(self._project(latitudes, longitudes)) if len(latitudes) else None

    @classmethod
    def from_database(cls) -> "PostcodeDensity":
        rows = np.array(Postcode.objects.values_list("latitude", "longitude"), dtype=np.float64)
        if not len(rows):
            return cls(np.empty(0), np.empty(0))
        return cls(rows[:, 0], rows[:, 1])

    def _project(
        self, latitudes: NDArray[np.float64], longitudes: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        return np.column_stack(
            [
                np.asarray(longitudes) * 111.320 * np.cos(np.radians(self.reference_latitude)),
                np.asarray(latitudes) * 110.574,
            ]
        )

    def within_1km(self, latitudes: ArrayLike, longitudes: ArrayLike) -> NDArray[np.int64]:
        latitudes = np.atleast_1d(np.asarray(latitudes, dtype=float))
        if self.tree is None or not len(latitudes):
            return np.zeros(len(latitudes), dtype=np.int64)
        points = self._project(
            np.asarray(latitudes, dtype=float), np.asarray(longitudes, dtype=float)
        )
        counts = self.tree.query_ball_point(points, 1.0, return_length=True)
        return np.asarray(counts, dtype=np.int64)

    def urban(self, latitudes: ArrayLike, longitudes: ArrayLike) -> NDArray[np.bool_]:
        return self.within_1km(latitudes, longitudes) >= URBAN_POSTCODES_WITHIN_1KM


@dataclass(frozen=True)
class TravelTimes:
    """minutes[i, j] from area i to venue j; imported[i, j] True where an imported time was used."""

    minutes: NDArray[np.float32]
    imported: NDArray[np.bool_]
    mode: str


def travel_times(
    areas: Sequence[Area], venues: Sequence[Venue], mode: str = TravelMode.CAR
) -> TravelTimes:
    """Travel minutes, areas (demand rows) × venues (columns), with where each came from."""
    if mode not in MODES:
        raise ValueError(f"Unknown travel mode {mode!r}: use one of {', '.join(MODES)}")
    areas, venues = list(areas), list(venues)
    area_lat = np.array([a.latitude for a in areas], dtype=np.float64)
    area_lon = np.array([a.longitude for a in areas], dtype=np.float64)
    venue_lat = np.array([v.latitude for v in venues], dtype=np.float64)
    venue_lon = np.array([v.longitude for v in venues], dtype=np.float64)
    distance = haversine_km(
        area_lat[:, None], area_lon[:, None], venue_lat[None, :], venue_lon[None, :]
    )
    urban = PostcodeDensity.from_database().urban(area_lat, area_lon)
    minutes = modelled_minutes(distance, urban[:, None], mode).astype(np.float32)
    imported = np.zeros(minutes.shape, dtype=bool)
    if areas and venues:
        row = {area.pk: index for index, area in enumerate(areas)}
        column = {venue.pk: index for index, venue in enumerate(venues)}
        held = TravelTime.objects.filter(
            mode=mode, origin_id__in=list(row), venue_id__in=list(column)
        ).values_list("origin_id", "venue_id", "minutes")
        for origin_id, venue_id, value in held.iterator(chunk_size=10_000):
            minutes[row[origin_id], column[venue_id]] = value
            imported[row[origin_id], column[venue_id]] = True
    return TravelTimes(minutes=minutes, imported=imported, mode=mode)


def travel_time_matrix(
    areas: Sequence[Area], venues: Sequence[Venue], mode: str = TravelMode.CAR
) -> NDArray[np.float32]:
    """float32 minutes, areas × venues. `travel_times(...)` also says which cells were imported."""
    return travel_times(areas, venues, mode).minutes


# --- Calibration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    model: RoadModel
    pairs: int
    pairs_fitted: int
    median_ape: float
    mean_ape: float
    p90_ape: float
    median_ape_within_limit: float
    p90_ape_within_limit: float
    median_ape_calibrated_constants: float
    urban_origins: int
    origins: int


def calibrate(data_dir: Path, max_km: float = CALIBRATION_MAX_KM) -> Calibration:
    """Fit the road model to data_dir/travel_time_lsoa_to_hospitals.csv (see module docstring).

    Distances are straight lines on the British National Grid (metres, from the files' eastings
    and northings), which differ from haversine by well under 0.1 % across Norfolk.
    """
    with (data_dir / "lsoa_centroids.csv").open(newline="") as handle:
        centroids = {
            row["lsoa11_code"]: (float(row["pwc_easting"]), float(row["pwc_northing"]))
            for row in csv.DictReader(handle)
        }
    with (data_dir / "postcodes_codepoint_open_2014.csv").open(newline="") as handle:
        postcodes = np.array(
            [(float(row["easting"]), float(row["northing"])) for row in csv.DictReader(handle)]
        )
    with (data_dir / "travel_time_lsoa_to_hospitals.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    origins = np.array([centroids[row["lsoa11_code"]] for row in rows])
    destinations = np.array(
        [(float(row["hospital_easting"]), float(row["hospital_northing"])) for row in rows]
    )
    observed = np.array([float(row["travel_time_min"]) for row in rows])
    distance = np.hypot(*(origins - destinations).T) / 1000.0
    tree = cKDTree(postcodes)
    density = np.array([len(found) for found in tree.query_ball_point(origins, 1000.0)])
    urban = density >= URBAN_POSTCODES_WITHIN_1KM

    design = np.column_stack([urban, ~urban, distance * urban, distance * ~urban]).astype(float)
    fitted = distance <= max_km
    coefficients, *_ = np.linalg.lstsq(design[fitted], observed[fitted], rcond=None)
    model = RoadModel(*(round(float(value), 3) for value in coefficients))

    def ape(candidate: RoadModel) -> NDArray[np.float64]:
        return np.abs(candidate.minutes(distance, urban) - observed) / observed

    errors = ape(model)
    unique_origins = {row["lsoa11_code"] for row in rows}
    urban_codes = {
        row["lsoa11_code"] for row, is_urban in zip(rows, urban, strict=True) if is_urban
    }
    return Calibration(
        model=model,
        pairs=len(rows),
        pairs_fitted=int(fitted.sum()),
        median_ape=float(np.median(errors)),
        mean_ape=float(np.mean(errors)),
        p90_ape=float(np.percentile(errors, 90)),
        median_ape_within_limit=float(np.median(errors[fitted])),
        p90_ape_within_limit=float(np.percentile(errors[fitted], 90)),
        median_ape_calibrated_constants=float(np.median(ape(CALIBRATED_ROAD_MODEL)[fitted])),
        urban_origins=len(urban_codes),
        origins=len(unique_origins),
    )
