"""Where people are, and how far apart: the community app's one door into `geo`.

Volunteers and families give a postcode; we keep its position, small area and district. Travel
time between them is estimated from straight-line distance (see `travel_minutes`) so matching works
anywhere, without a routing service.
"""

import math
import re
from dataclasses import dataclass

from familyreach.geo.models import Area, District, Postcode

# Straight lines understate road distance; 1.3 is the usual rural-county detour factor, and 40 km/h
# an average door-to-door speed by car or bus across Norfolk's lanes and towns.
ROAD_DETOUR_FACTOR = 1.3
AVERAGE_SPEED_KM_PER_HOUR = 40.0
FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


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
    # TODO(geo): use familyreach.geo.postcodes.normalise_postcode once the geo branch lands.
    match = FULL_POSTCODE.match(re.sub(r"\s+", "", text or "").upper())
    if match is None:
        raise ValueError("Enter a full postcode, like NR30 1NE")
    return f"{match.group(1)} {match.group(2)}"


def postcode_position(text: str) -> Position:
    """The position, small area and district of a full postcode (raises PostcodeNotFound)."""
    postcode = postcode_normalise(text)
    row = (
        Postcode.objects.select_related("area", "district", "area__district")
        .filter(compact=postcode.replace(" ", ""))
        .first()
    )
    if row is None:
        raise PostcodeNotFound(f"We could not find the postcode {postcode}")
    district = row.district or (row.area.district if row.area else None)
    return Position(postcode, row.latitude, row.longitude, row.area, district)


def distance_km(
    latitude_1: float, longitude_1: float, latitude_2: float, longitude_2: float
) -> float:
    # TODO(geo): use familyreach.geo.distance.haversine_km once the geo branch lands.
    phi_1, phi_2 = math.radians(latitude_1), math.radians(latitude_2)
    delta_phi = phi_2 - phi_1
    delta_lambda = math.radians(longitude_2 - longitude_1)
    a = (
        math.sin(delta_phi / 2) ** 2
        + math.cos(phi_1) * math.cos(phi_2) * math.sin(delta_lambda / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def travel_minutes(straight_line_km: float) -> float:
    """An estimate of door-to-door travel time for a straight-line distance (see module doc)."""
    return straight_line_km * ROAD_DETOUR_FACTOR / AVERAGE_SPEED_KM_PER_HOUR * 60
