"""Districts, small areas, postcodes and venues: real Norfolk district codes and names, made-up
areas and postcodes placed in them."""

from typing import Any

import factory
from factory.django import DjangoModelFactory

from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind

NORFOLK = ("E10000020", "Norfolk")
# Norfolk's seven districts (ONS codes), so a district made by code has its real name.
NORFOLK_DISTRICTS = {
    "E07000143": "Breckland",
    "E07000144": "Broadland",
    "E07000145": "Great Yarmouth",
    "E07000146": "King's Lynn and West Norfolk",
    "E07000147": "North Norfolk",
    "E07000148": "Norwich",
    "E07000149": "South Norfolk",
}
GREAT_YARMOUTH = "E07000145"
NORWICH = "E07000148"


class DistrictFactory(DjangoModelFactory[District]):
    """`DistrictFactory(code=GREAT_YARMOUTH)`: the district, made once (asking again, or after
    the real Norfolk data is loaded, gives the same row)."""

    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = GREAT_YARMOUTH
    name = factory.LazyAttribute(lambda district: NORFOLK_DISTRICTS.get(district.code, "Test"))
    council_code, council_name = NORFOLK


class AreaFactory(DjangoModelFactory[Area]):
    class Meta:
        model = Area

    code = factory.Sequence(lambda number: f"E0109{number:04d}")
    name = factory.LazyAttributeSequence(lambda area, number: f"{area.district.name} {number:03d}A")
    district = factory.SubFactory(DistrictFactory)
    latitude = factory.Faker("pyfloat", min_value=52.45, max_value=52.95)
    longitude = factory.Faker("pyfloat", min_value=0.3, max_value=1.75)


class PostcodeFactory(DjangoModelFactory[Postcode]):
    """A postcode inside its area (same place, same district), found exactly."""

    class Meta:
        model = Postcode
        django_get_or_create = ("compact",)

    postcode = factory.Faker("postcode")
    compact = factory.LazyAttribute(lambda row: row.postcode.replace(" ", ""))
    outward = factory.LazyAttribute(lambda row: row.postcode.split()[0])
    area = factory.SubFactory(AreaFactory)
    district = factory.LazyAttribute(lambda row: row.area.district if row.area else None)
    latitude = factory.LazyAttribute(lambda row: row.area.latitude)
    longitude = factory.LazyAttribute(lambda row: row.area.longitude)
    area_is_exact = True


class VenueFactory(DjangoModelFactory[Venue]):
    class Meta:
        model = Venue

    name = factory.Faker("company")
    kind = VenueKind.LIBRARY
    area = None
    district = factory.LazyAttribute(lambda venue: venue.area.district if venue.area else None)
    latitude = factory.LazyAttribute(lambda venue: venue.area.latitude if venue.area else 52.6)
    longitude = factory.LazyAttribute(lambda venue: venue.area.longitude if venue.area else 1.3)


def place_make(
    postcode: str,
    *,
    area_code: str,
    district_code: str,
    latitude: float,
    longitude: float,
    **area: Any,
) -> Postcode:
    """A postcode and the small area around it, in a Norfolk district (made if need be)."""
    made = AreaFactory(
        code=area_code,
        district=DistrictFactory(code=district_code),
        latitude=latitude,
        longitude=longitude,
        **area,
    )
    return PostcodeFactory(postcode=postcode, area=made)
