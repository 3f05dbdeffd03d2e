"""Placing a respondent's postcode: district, small area and its deprivation decile.

Only postcodes in the loaded geography are placed; a valid postcode outside it (a respondent
from Suffolk, say) is accepted and counted as "outside the area or not known".
"""

import re
from dataclasses import dataclass

from familyreach.geo.models import Area, District, Postcode

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


class InvalidPostcode(ValueError):
    pass


def postcode_normalise(text: str) -> str:
    """'nr30  1ne' -> 'NR30 1NE'; raises InvalidPostcode when it is not a full UK postcode."""
    compact = re.sub(r"\s+", "", text or "").upper()
    match = UK_POSTCODE.match(compact)
    if not match:
        raise InvalidPostcode("Enter a full UK postcode, like NR30 1NE")
    return f"{match.group(1)} {match.group(2)}"


@dataclass(frozen=True)
class Placement:
    postcode: str
    district: District | None
    area: Area | None
    imd_decile: int | None


def postcode_place(text: str) -> Placement:
    normalised = postcode_normalise(text)
    record = (
        Postcode.objects.select_related("district", "area", "area__district")
        .filter(compact=normalised.replace(" ", ""))
        .first()
    )
    if record is None:
        return Placement(normalised, None, None, None)
    area = record.area
    district = record.district or (area.district if area else None)
    return Placement(normalised, district, area, area.imd_decile if area else None)
