"""A family's postcode resolved to its small area and district, through `familyreach.geo`."""

from dataclasses import dataclass

from familyreach.geo.models import Area, District


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
        from familyreach.geo.exceptions import InvalidPostcode, LookupProblem  # type: ignore[import-untyped,unused-ignore]
        from familyreach.geo.postcodes import normalise_postcode  # type: ignore[import-untyped,unused-ignore]
        from familyreach.geo.selectors import place_lookup  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # TEMPORARY until branch `geo` is merged: remove this fallback.
        return _locate_before_geo(text)
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


def _locate_before_geo(text: str) -> FamilyLocation:  # TEMPORARY: replaced by geo's lookup.
    import re

    from familyreach.geo.models import Postcode

    squashed = re.sub(r"\s+", "", text or "").upper()
    if not re.match(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$", squashed):
        raise PostcodeProblem("Enter a real postcode, like NR30 1NE")
    postcode = f"{squashed[:-3]} {squashed[-3:]}"
    row = Postcode.objects.select_related("area", "district").filter(compact=squashed).first()
    if row is None:
        return FamilyLocation(postcode=postcode, area=None, district=None, area_is_exact=False)
    return FamilyLocation(
        postcode=postcode, area=row.area, district=row.district, area_is_exact=row.area_is_exact
    )
