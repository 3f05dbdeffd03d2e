"""Straight-line distances on the Earth: haversine, bounding boxes and a "venues near here" query.

No GDAL: positions are latitude/longitude columns. A bounding box narrows the database query;
haversine (vectorised with numpy) gives exact great-circle distances on what is left.
"""

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from familyreach.geo.models import Venue

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG)


def haversine_km(
    latitude_1: ArrayLike, longitude_1: ArrayLike, latitude_2: ArrayLike, longitude_2: ArrayLike
) -> NDArray[np.float64]:
    """Great-circle distance in km. Arguments broadcast like numpy arrays.

    `haversine_km(lats[:, None], lons[:, None], site_lats[None, :], site_lons[None, :])` gives an
    origins × sites matrix. Scalars in, a 0-d array out (use `float(...)`).
    """
    phi_1 = np.radians(np.asarray(latitude_1, dtype=np.float64))
    phi_2 = np.radians(np.asarray(latitude_2, dtype=np.float64))
    delta_phi = phi_2 - phi_1
    delta_lambda = np.radians(
        np.asarray(longitude_2, dtype=np.float64) - np.asarray(longitude_1, dtype=np.float64)
    )
    a = np.sin(delta_phi / 2) ** 2 + np.cos(phi_1) * np.cos(phi_2) * np.sin(delta_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bounding_box(
    latitude: float, longitude: float, radius_km: float
) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains every point within radius_km.

    The box is slightly generous, never too small, so it is safe as a prefilter before haversine.
    """
    if radius_km < 0:
        raise ValueError("radius_km must not be negative")
    delta_latitude = math.degrees(radius_km / EARTH_RADIUS_KM)
    # Near the poles a circle of this radius covers every longitude.
    cos_latitude = math.cos(math.radians(min(abs(latitude) + delta_latitude, 90.0)))
    if cos_latitude < 1e-9:
        delta_longitude = 180.0
    else:
        delta_longitude = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_latitude)))
    return (
        max(-90.0, latitude - delta_latitude),
        min(90.0, latitude + delta_latitude),
        longitude - delta_longitude,
        longitude + delta_longitude,
    )


def venues_within(
    latitude: float,
    longitude: float,
    radius_km: float,
    queryset: "QuerySet[Venue] | None" = None,
) -> list[tuple["Venue", float]]:
    """Venues within radius_km of a point as (venue, distance_km), nearest first.

    Pass a queryset to narrow it first (e.g. only open libraries); the default is every venue.
    """
    from familyreach.geo.models import Venue

    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
    candidates = list(
        (queryset if queryset is not None else Venue.objects.all()).filter(
            latitude__gte=min_lat,
            latitude__lte=max_lat,
            longitude__gte=min_lon,
            longitude__lte=max_lon,
        )
    )
    if not candidates:
        return []
    distances = haversine_km(
        latitude,
        longitude,
        np.array([venue.latitude for venue in candidates]),
        np.array([venue.longitude for venue in candidates]),
    )
    found = [
        (venue, float(distance))
        for venue, distance in zip(candidates, distances, strict=True)
        if distance <= radius_km
    ]
    found.sort(key=lambda pair: (pair[1], pair[0].name))
    return found
