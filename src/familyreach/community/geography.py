"""Where people are, and how far apart: the community app's one door into `geo`.

Volunteers and families give a postcode; we keep its position, small area and district. Travel
time between two people is geo's calibrated travel-time model applied to the straight-line
distance (see `travel_minutes`), so matching works anywhere without a routing service.
"""

from dataclasses import dataclass

import numpy as np

from familyreach.geo.distance import haversine_km
from familyreach.geo.exceptions import LookupProblem
from familyreach.geo.models import Area, District, TravelMode
from familyreach.geo.postcodes import normalise_postcode
from familyreach.geo.selectors import postcode_lookup
from familyreach.geo.travel import modelled_minutes


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
    """Modelled minutes by car for a straight-line distance (geo's calibrated model, docs/geo.md).

    The model's rural setting is used for everyone: it is the slower of the two over any
    distance a volunteer would travel, so "within 30 minutes" errs on the side of "reachable"
    meaning reachable; working out each home's setting would cost a scan of every postcode."""
    minutes = modelled_minutes(
        np.asarray(straight_line_km, dtype=np.float64), np.asarray(False), TravelMode.CAR
    )
    return float(minutes)
