"""A family's postcode resolved to its small area and district, through `familyreach.geo`."""

from dataclasses import dataclass

from familyreach.geo.exceptions import InvalidPostcode, LookupProblem
from familyreach.geo.models import Area, District
from familyreach.geo.postcodes import normalise_postcode
from familyreach.geo.selectors import place_lookup


class PostcodeProblem(ValueError):
    """The postcode is not a valid UK postcode (the message says what is wrong)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FamilyLocation:
    postcode: str
    area: Area | None
    district: District | None
    area_is_exact: bool


def locate_postcode(text: str) -> FamilyLocation:
    """Normalise the postcode and find its area; a valid postcode outside our data has no area
    (a family over the county border can still be registered).

    Raises PostcodeProblem when the text is not a postcode.
    """
    try:
        postcode = normalise_postcode(text)
    except InvalidPostcode as problem:
        raise PostcodeProblem(getattr(problem, "message", str(problem))) from problem
    try:
        place = place_lookup(postcode)
    except LookupProblem:
        return FamilyLocation(postcode=postcode, area=None, district=None, area_is_exact=False)
    return FamilyLocation(
        postcode=postcode,
        area=place.area,
        district=place.district,
        area_is_exact=place.area_is_exact,
    )
