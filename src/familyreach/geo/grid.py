"""British National Grid (OSGB36, EPSG:27700) eastings/northings to WGS84 latitude/longitude.

Code-Point Open and GIAS publish only eastings and northings. This is the Ordnance Survey's
published method ("A guide to coordinate systems in Great Britain", annex C): inverse transverse
Mercator on the Airy 1830 ellipsoid, then the 7-parameter Helmert transformation OSGB36 → WGS84.
It agrees with pyproj's default transformation (the same Helmert parameters) to well under a
metre, and with OS's definitive OSTN15 to within about 5 m — ample for postcodes and venues.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Airy 1830 ellipsoid and National Grid projection constants.
AIRY_A, AIRY_B = 6377563.396, 6356256.909
F0 = 0.9996012717
LAT0, LON0 = np.radians(49.0), np.radians(-2.0)
N0, E0 = -100000.0, 400000.0
# GRS80/WGS84 ellipsoid.
WGS84_A, WGS84_B = 6378137.000, 6356752.3141
# Helmert OSGB36 -> WGS84: translations (m), scale (ppm), rotations (arc seconds).
TX, TY, TZ = 446.448, -125.157, 542.060
SCALE_PPM = -20.4894
RX, RY, RZ = 0.1502, 0.2470, 0.8421


def _inverse_transverse_mercator(
    easting: NDArray[np.float64], northing: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    a, b = AIRY_A, AIRY_B
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n
    phi = np.full_like(northing, LAT0)
    meridional = np.zeros_like(northing)
    for _ in range(20):
        phi = (northing - N0 - meridional) / (a * F0) + phi
        ma = (1 + n + 1.25 * n2 + 1.25 * n3) * (phi - LAT0)
        mb = (3 * n + 3 * n2 + 2.625 * n3) * np.sin(phi - LAT0) * np.cos(phi + LAT0)
        mc = (1.875 * n2 + 1.875 * n3) * np.sin(2 * (phi - LAT0)) * np.cos(2 * (phi + LAT0))
        md = (35 / 24) * n3 * np.sin(3 * (phi - LAT0)) * np.cos(3 * (phi + LAT0))
        meridional = b * F0 * (ma - mb + mc - md)
        if np.all(np.abs(northing - N0 - meridional) < 1e-5):
            break
    sin_phi, cos_phi, tan_phi = np.sin(phi), np.cos(phi), np.tan(phi)
    nu = a * F0 / np.sqrt(1 - e2 * sin_phi**2)
    rho = a * F0 * (1 - e2) / (1 - e2 * sin_phi**2) ** 1.5
    eta2 = nu / rho - 1
    sec_phi = 1 / cos_phi
    vii = tan_phi / (2 * rho * nu)
    viii = tan_phi / (24 * rho * nu**3) * (5 + 3 * tan_phi**2 + eta2 - 9 * tan_phi**2 * eta2)
    ix = tan_phi / (720 * rho * nu**5) * (61 + 90 * tan_phi**2 + 45 * tan_phi**4)
    x = sec_phi / nu
    xi = sec_phi / (6 * nu**3) * (nu / rho + 2 * tan_phi**2)
    xii = sec_phi / (120 * nu**5) * (5 + 28 * tan_phi**2 + 24 * tan_phi**4)
    xiia = sec_phi / (5040 * nu**7) * (61 + 662 * tan_phi**2 + 1320 * tan_phi**4 + 720 * tan_phi**6)
    de = easting - E0
    latitude = phi - vii * de**2 + viii * de**4 - ix * de**6
    longitude = LON0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return latitude, longitude


def _to_cartesian(
    latitude: NDArray[np.float64], longitude: NDArray[np.float64], a: float, b: float
) -> NDArray[np.float64]:
    e2 = 1 - (b * b) / (a * a)
    nu = a / np.sqrt(1 - e2 * np.sin(latitude) ** 2)
    return np.stack(
        [
            nu * np.cos(latitude) * np.cos(longitude),
            nu * np.cos(latitude) * np.sin(longitude),
            (1 - e2) * nu * np.sin(latitude),
        ]
    )


def _from_cartesian(
    xyz: NDArray[np.float64], a: float, b: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x, y, z = xyz
    e2 = 1 - (b * b) / (a * a)
    p = np.sqrt(x * x + y * y)
    latitude = np.arctan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / np.sqrt(1 - e2 * np.sin(latitude) ** 2)
        latitude = np.arctan2(z + e2 * nu * np.sin(latitude), p)
    return latitude, np.arctan2(y, x)


def bng_to_wgs84(
    easting: ArrayLike, northing: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(latitude, longitude) in degrees, WGS84, for BNG eastings/northings in metres."""
    easting = np.atleast_1d(np.asarray(easting, dtype=np.float64))
    northing = np.atleast_1d(np.asarray(northing, dtype=np.float64))
    latitude, longitude = _inverse_transverse_mercator(easting, northing)
    xyz = _to_cartesian(latitude, longitude, AIRY_A, AIRY_B)
    s = SCALE_PPM * 1e-6
    rx, ry, rz = (np.radians(value / 3600) for value in (RX, RY, RZ))
    rotation = np.array([[1 + s, -rz, ry], [rz, 1 + s, -rx], [-ry, rx, 1 + s]])
    moved = rotation @ xyz + np.array([[TX], [TY], [TZ]])
    latitude, longitude = _from_cartesian(moved, WGS84_A, WGS84_B)
    return np.degrees(latitude), np.degrees(longitude)
