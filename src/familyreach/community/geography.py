"""Where people are, and how far apart: the community app's one door into `geo`.

Volunteers and families give a postcode; we keep its position, small area and district. Travel
time between them is estimated from straight-line distance (see `travel_minutes`) so matching works
anywhere, without a routing service.
"""

from dataclasses import dataclass

from familyreach.geo.distance import haversine_km
from familyreach.geo.exceptions import LookupProblem
from familyreach.geo.models import Area, District
from familyreach.geo.postcodes import normalise_postcode
from familyreach.geo.selectors import postcode_lookup

# Straight lines understate road distance; 1.3 is the usual rural-county detour factor, and 40 km/h
# an average door-to-door speed by car or bus across Norfolk's lanes and towns.
ROAD_DETOUR_FACTOR = 1.3
AVERAGE_SPEED_KM_PER_HOUR = 40.0


class PostcodeNotFound(Exception):
    pass


@dataclass(frozen=True)
class Position:
    postcode: str
    latitude: float
    longitude: float
    area: Area | None
    district: District | None


def postcode_normalise(text: str) -> str:
    """`"nr301ne"` -> `"NR30 1NE"`; raises ValueError if it is not a full UK postcode."""
    try:
        return normalise_postcode(text)
    except LookupProblem as error:
        raise ValueError("Enter a full postcode, like NR30 1NE") from error


def postcode_position(text: str) -> Position:
    """The position, small area and district of a full postcode (raises PostcodeNotFound)."""
    postcode = postcode_normalise(text)
    try:
        row = postcode_lookup(postcode)
    except LookupProblem as error:
        raise PostcodeNotFound(f"We could not find the postcode {postcode}") from error
    district = row.district or (row.area.district if row.area else None)
    return Position(row.postcode, row.latitude, row.longitude, row.area, district)


def distance_km(
    latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float
) -> float:
    return float(haversine_km(latitude_1, longitude_1, latitude_2, longitude_2))


def travel_minutes(straight_line_km: float) -> float:
    """An estimate of door-to-door travel time for a straight-line distance (see module doc)."""
    return straight_line_km * ROAD_DETOUR_FACTOR / AVERAGE_SPEED_KM_PER_HOUR * 60
