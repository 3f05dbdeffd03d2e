"""Placing a respondent's postcode: district, small area and its deprivation decile.

Uses geo's postcode normalising and lookup. Only postcodes in the loaded geography are placed;
a valid postcode outside it (a respondent from Suffolk, say) is accepted and counted as
"outside the area or not known".
"""

from dataclasses import dataclass

from familyreach.geo.exceptions import InvalidPostcode
from familyreach.geo.models import Area, District
from familyreach.geo.postcodes import normalise_postcode
from familyreach.geo.selectors import postcode_locate

__all__ = ["InvalidPostcode", "Placement", "postcode_normalise", "postcode_place"]

INVALID_POSTCODE_MESSAGE = "Enter a full UK postcode, like NR30 1NE"


def postcode_normalise(text: str) -> str:
    """'nr30  1ne' -> 'NR30 1NE'; raises InvalidPostcode when it is not a full UK postcode."""
    try:
        return normalise_postcode(text)
    except InvalidPostcode as error:
        raise InvalidPostcode(INVALID_POSTCODE_MESSAGE) from error


@dataclass(frozen=True)
class Placement:
    postcode: str
    district: District | None
    area: Area | None
    imd_decile: int | None


def postcode_place(text: str) -> Placement:
    location = postcode_locate(postcode_normalise(text))
    area = location.area
    return Placement(location.postcode, location.district, area, area.imd_decile if area else None)
