import csv

import numpy as np

from familyreach.geo.distance import haversine_km
from familyreach.geo.grid import _inverse_transverse_mercator, bng_to_wgs84
from familyreach.geo.norfolk import norfolk_data_dir


def test_national_grid_conversion_matches_the_published_positions() -> None:
    with (norfolk_data_dir() / "postcodes_codepoint_open_2014.csv").open() as handle:
        rows = list(csv.DictReader(handle))[:2000]
    latitude, longitude = bng_to_wgs84(
        [float(r["easting"]) for r in rows], [float(r["northing"]) for r in rows]
    )
    gap_m = 1000 * haversine_km(
        latitude, longitude, [float(r["lat"]) for r in rows], [float(r["lon"]) for r in rows]
    )
    # The file's lat/lon came from pyproj (same Helmert parameters), rounded to 6 d.p. (≤ 0.1 m).
    assert float(np.max(gap_m)) < 0.5


def test_the_ordnance_survey_worked_example() -> None:
    # OS, "A guide to coordinate systems in Great Britain", worked example (Caister Water Tower):
    # E 651409.903, N 313177.270 is OSGB36 52°39'27.2531"N, 1°43'4.5177"E.
    latitude, longitude = _inverse_transverse_mercator(
        np.array([651409.903]), np.array([313177.270])
    )
    expected_latitude = 52 + 39 / 60 + 27.2531 / 3600
    expected_longitude = 1 + 43 / 60 + 4.5177 / 3600
    assert abs(float(np.degrees(latitude[0])) - expected_latitude) < 1e-6
    assert abs(float(np.degrees(longitude[0])) - expected_longitude) < 1e-6
