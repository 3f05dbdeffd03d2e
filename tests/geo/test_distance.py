import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from familyreach.geo.distance import bounding_box, haversine_km, venues_within
from familyreach.geo.models import Venue, VenueKind
from tests.fixtures.geo import NorfolkWorld


def test_haversine_matches_a_known_distance() -> None:
    # Norwich (The Forum) to Great Yarmouth town hall: about 29.5 km as the crow flies.
    distance = float(haversine_km(52.6277, 1.2916, 52.6070, 1.7310))
    assert distance == pytest.approx(29.7, abs=0.5)
    assert float(haversine_km(52.0, 1.0, 52.0, 1.0)) == 0.0
    # One degree of latitude is about 111.2 km.
    assert float(haversine_km(52.0, 1.0, 53.0, 1.0)) == pytest.approx(111.19, abs=0.05)


def test_haversine_broadcasts_to_a_matrix() -> None:
    origins = np.array([[52.6, 1.3], [52.5, 0.9], [52.7, 1.7]])
    sites = np.array([[52.6, 1.3], [52.4, 0.75]])
    matrix = haversine_km(origins[:, :1], origins[:, 1:], sites[None, :, 0], sites[None, :, 1])
    assert matrix.shape == (3, 2)
    assert matrix[0, 0] == 0.0
    assert matrix[1, 1] == pytest.approx(float(haversine_km(52.5, 0.9, 52.4, 0.75)))


@given(
    st.floats(min_value=-80, max_value=80),
    st.floats(min_value=-179, max_value=179),
    st.floats(min_value=0.1, max_value=200),
    st.floats(min_value=0, max_value=360),
    st.floats(min_value=0, max_value=1),
)
def test_bounding_box_contains_every_point_within_the_radius(
    latitude: float, longitude: float, radius: float, bearing: float, fraction: float
) -> None:
    # Walk `fraction × radius` along a bearing; the box must contain the end point.
    distance = radius * fraction * 0.999
    angular = distance / 6371.0088
    phi, lam, theta = np.radians(latitude), np.radians(longitude), np.radians(bearing)
    end_phi = np.arcsin(
        np.sin(phi) * np.cos(angular) + np.cos(phi) * np.sin(angular) * np.cos(theta)
    )
    end_lam = lam + np.arctan2(
        np.sin(theta) * np.sin(angular) * np.cos(phi),
        np.cos(angular) - np.sin(phi) * np.sin(end_phi),
    )
    end_latitude, end_longitude = np.degrees(end_phi), np.degrees(end_lam)
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius)
    assert min_lat - 1e-9 <= end_latitude <= max_lat + 1e-9
    assert min_lon - 1e-9 <= end_longitude <= max_lon + 1e-9


def test_venues_within_are_nearest_first_and_inside_the_radius(norfolk: NorfolkWorld) -> None:
    library = norfolk.great_yarmouth_library
    found = venues_within(library.latitude, library.longitude, 3.0)
    assert found[0] == (library, 0.0)
    distances = [distance for _, distance in found]
    assert distances == sorted(distances)
    assert all(distance <= 3.0 for distance in distances)
    # Every venue left out really is further away.
    inside = {venue.pk for venue, _ in found}
    for venue in Venue.objects.exclude(pk__in=inside):
        assert (
            float(
                haversine_km(library.latitude, library.longitude, venue.latitude, venue.longitude)
            )
            > 3.0
        )


def test_venues_within_respects_a_queryset(norfolk: NorfolkWorld) -> None:
    library = norfolk.great_yarmouth_library
    only_libraries = Venue.objects.filter(kind=VenueKind.LIBRARY)
    found = venues_within(library.latitude, library.longitude, 10.0, only_libraries)
    assert {venue.kind for venue, _ in found} == {VenueKind.LIBRARY}
    assert "Gorleston Library" in [venue.name for venue, _ in found]
