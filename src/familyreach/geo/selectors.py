"""Reads of the geography: counts, postcode lookups and "where is this place?".

`place_lookup` is what the public search and staff pages call. It accepts

- a full postcode in any case or spacing ("nr301ne") -> kind "postcode";
- an outward code ("NR30") -> kind "outward", at the mean position of its postcodes;
- a place name -> kind "place": a town or village in a venue's address (e.g. "Thetford",
  "Wells-next-the-Sea"), the place a library is named after ("Gorleston" from "Gorleston
  Library"), a district ("Breckland", at the population-weighted mean of its areas' centroids)
  or a small area's name ("Great Yarmouth 006D");
- a venue's name ("Thetford Library", or a unique part of one) -> kind "venue".

Problems raise `InvalidPostcode` or `PlaceNotFound` (both `LookupProblem`s) whose `.message` can
be shown to the person who searched.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Literal, TypedDict

import numpy as np
from django.db.models import Avg, Count, QuerySet

from familyreach.geo.distance import bounding_box, haversine_km
from familyreach.geo.exceptions import InvalidPostcode, LookupProblem, PlaceNotFound
from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind
from familyreach.geo.population import UnderFivesTotals, under_fives_totals
from familyreach.geo.postcodes import FULL_POSTCODE, is_outward_code, normalise_postcode

__all__ = [
    "InvalidPostcode",
    "LookupProblem",
    "Place",
    "PlaceNotFound",
    "area_list",
    "geography_summary",
    "nearest_area",
    "place_lookup",
    "postcode_lookup",
]

PlaceKind = Literal["postcode", "outward", "place", "venue"]
NOT_FOUND_HINT = "Try a postcode, like NR30 1NE, or a town, like Thetford"
CHECK_POSTCODE_HINT = "Check the postcode, or try a town, like Thetford"


@dataclass(frozen=True)
class Place:
    """Where a search resolved to. `area_is_exact` is False when the area was inferred."""

    query: str
    label: str
    kind: PlaceKind
    latitude: float
    longitude: float
    district: District | None
    area: Area | None
    area_is_exact: bool


class GeographySummary(TypedDict):
    districts: int
    areas: int
    postcodes: int
    venues: dict[str, int]


def geography_summary() -> GeographySummary:
    """Counts for `familyreach geo summary --json` (a contract: outside checks rely on it)."""
    venue_counts = dict(
        Venue.objects.values_list("kind").annotate(count=Count("id")).values_list("kind", "count")
    )
    return {
        "districts": District.objects.count(),
        "areas": Area.objects.count(),
        "postcodes": Postcode.objects.count(),
        "venues": {kind.value: venue_counts.get(kind.value, 0) for kind in VenueKind},
    }


def area_list(*, district: District | None = None) -> QuerySet[Area]:
    areas = Area.objects.select_related("district")
    return areas.filter(district=district) if district is not None else areas


def under_fives_summary(*, district: District | None = None) -> UnderFivesTotals:
    """Under-fives of every area (or a district's): the total, how many areas are counted and
    how many estimated, and the "Source:" sentence pages show under the figure (1 query)."""
    areas = Area.objects.filter(district=district) if district is not None else Area.objects.all()
    return under_fives_totals(
        areas.only("under_fives", "under_fives_is_estimate", "under_fives_label")
    )


def nearest_area(
    latitude: float, longitude: float, *, district: District | None = None
) -> Area | None:
    """The area whose population-weighted centroid is nearest the point (within the district)."""
    areas = area_list(district=district)
    for radius_km in (3.0, 10.0, 40.0, None):
        if radius_km is None:
            candidates = list(areas)
        else:
            min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
            candidates = list(
                areas.filter(
                    latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
                )
            )
        if candidates:
            distances = haversine_km(
                latitude,
                longitude,
                np.array([a.latitude for a in candidates]),
                np.array([a.longitude for a in candidates]),
            )
            return candidates[int(np.argmin(distances))]
    return None


def postcode_lookup(text: str) -> Postcode:
    """The stored postcode for any spelling of a full postcode."""
    normalised = normalise_postcode(text)
    found = (
        Postcode.objects.select_related("district", "area")
        .filter(compact=normalised.replace(" ", ""))
        .first()
    )
    if found is None:
        outward = normalised.split(" ")[0]
        if Postcode.objects.filter(outward=outward).exists():
            suggestion = f"We could not find {normalised}. Try the start of the postcode: {outward}"
        else:
            suggestion = f"We could not find {normalised}. {CHECK_POSTCODE_HINT}"
        raise PlaceNotFound(f"We could not find {normalised}", suggestion=suggestion)
    return found


@dataclass(frozen=True)
class PostcodeLocation:
    """A full postcode and where it is. `found` is False for a valid postcode the loaded
    geography does not hold (a family or respondent over the county border): it then has no
    position, area or district, and is still a postcode people may give."""

    postcode: str
    found: bool
    latitude: float | None
    longitude: float | None
    area: Area | None
    district: District | None
    area_is_exact: bool


def postcode_locate(text: str) -> PostcodeLocation:
    """The postcode lookup every app that takes people's postcodes uses (families, consult,
    offline, community).
    Raises InvalidPostcode (its `message` fit to show) when the text is not a full UK
    postcode; a valid one we do not hold is returned with `found` False."""
    postcode = normalise_postcode(text)
    try:
        row = postcode_lookup(postcode)
    except PlaceNotFound:
        return PostcodeLocation(postcode, False, None, None, None, None, False)
    return PostcodeLocation(
        postcode=row.postcode,
        found=True,
        latitude=row.latitude,
        longitude=row.longitude,
        area=row.area,
        district=row.district or (row.area.district if row.area else None),
        area_is_exact=row.area_is_exact,
    )


def _place_at(
    query: str,
    label: str,
    kind: PlaceKind,
    latitude: float,
    longitude: float,
    *,
    district: District | None = None,
    area: Area | None = None,
    area_is_exact: bool = False,
) -> Place:
    if area is None:
        area = nearest_area(latitude, longitude, district=district)
        area_is_exact = False
    if district is None and area is not None:
        district = area.district
    return Place(
        query=query,
        label=label,
        kind=kind,
        latitude=float(latitude),
        longitude=float(longitude),
        district=district,
        area=area,
        area_is_exact=area_is_exact,
    )


def _outward_place(query: str, outward: str) -> Place:
    postcodes = Postcode.objects.filter(outward=outward)
    position = postcodes.aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    if position["latitude"] is None:
        raise PlaceNotFound(
            f"We could not find any postcodes starting {outward}",
            suggestion=CHECK_POSTCODE_HINT,
        )
    district_counts = Counter(postcodes.values_list("district_id", flat=True))
    district_id = district_counts.most_common(1)[0][0]
    district = District.objects.filter(pk=district_id).first() if district_id else None
    return _place_at(
        query,
        outward,
        "outward",
        position["latitude"],
        position["longitude"],
        district=district,
    )


def _named_place(query: str, name: str) -> Place | None:
    # A town's library is its centre. Failing that, the middle of the venues in the town, the
    # libraries' towns first: a school's town is the post town of its nearest postcode, which
    # for a rural postcode district (IP24–IP26 "Thetford") reaches villages miles away.
    library = (
        Venue.objects.filter(kind=VenueKind.LIBRARY, name__iexact=f"{name} Library")
        .select_related("district")
        .first()
    )
    if library is not None:
        return _place_at(
            query,
            library.name.removesuffix(" Library"),
            "place",
            library.latitude,
            library.longitude,
            district=library.district,
        )
    in_town = Venue.objects.filter(town__iexact=name)
    town_venues = list(in_town.filter(kind=VenueKind.LIBRARY)) or list(in_town)
    if town_venues:
        return _place_at(
            query,
            town_venues[0].town,
            "place",
            float(np.mean([venue.latitude for venue in town_venues])),
            float(np.mean([venue.longitude for venue in town_venues])),
        )
    district = District.objects.filter(name__iexact=name).first()
    if district is not None:
        return _district_place(query, district)
    area = Area.objects.select_related("district").filter(name__iexact=name).first()
    if area is not None:
        return _place_at(
            query,
            area.name,
            "place",
            area.latitude,
            area.longitude,
            district=area.district,
            area=area,
            area_is_exact=True,
        )
    return None


def _district_place(query: str, district: District) -> Place:
    rows = list(district.areas.values_list("latitude", "longitude", "population_total"))
    if not rows:
        raise PlaceNotFound(f"We hold no areas for {district.name}", suggestion=NOT_FOUND_HINT)
    positions = np.array([(lat, lon) for lat, lon, _ in rows])
    weights = np.array([population or 1 for _, _, population in rows], dtype=float)
    latitude, longitude = np.average(positions, axis=0, weights=weights)
    return _place_at(query, district.name, "place", latitude, longitude, district=district)


def _venue_place(query: str, name: str) -> Place | None:
    venues = Venue.objects.select_related("district", "area")
    matches = list(venues.filter(name__iexact=name)[:2]) or list(
        venues.filter(name__icontains=name)[:6]
    )
    if not matches:
        return None
    if len(matches) > 1:
        names = ", ".join(sorted({venue.name for venue in matches})[:5])
        raise PlaceNotFound(
            f"More than one place matches {name}",
            suggestion=f"Try the full name, for example: {names}; or a postcode",
        )
    venue = matches[0]
    return _place_at(
        query,
        venue.name,
        "venue",
        venue.latitude,
        venue.longitude,
        district=venue.district,
        area=venue.area,
        area_is_exact=bool(venue.area) and venue.position_is_exact,
    )


def place_lookup(query: str) -> Place:
    """Resolve a postcode, outward code, place or venue name to a position (see module doc)."""
    text = " ".join((query or "").split())
    if not text:
        raise PlaceNotFound("Enter a postcode or a town", suggestion=NOT_FOUND_HINT)
    squashed = text.replace(" ", "").upper()
    if FULL_POSTCODE.match(squashed):
        postcode = postcode_lookup(squashed)
        return Place(
            query=query,
            label=postcode.postcode,
            kind="postcode",
            latitude=postcode.latitude,
            longitude=postcode.longitude,
            district=postcode.district,
            area=postcode.area,
            area_is_exact=postcode.area_is_exact,
        )
    if is_outward_code(squashed):
        return _outward_place(query, squashed)
    # Letters and digits with no spaces inside, and short: someone tried a postcode.
    if any(character.isdigit() for character in text) and len(squashed) <= 8:
        raise InvalidPostcode()
    place = _named_place(query, text) or _venue_place(query, text)
    if place is None:
        raise PlaceNotFound(f"We could not find {text}", suggestion=NOT_FOUND_HINT)
    return place


# --- The planner's areas page ----------------------------------------------------------------

AREA_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "code": ("code",),
    "district": ("district__name", "name"),
    "imd_rank": ("imd_rank", "code"),
    "idaci_decile": ("idaci_decile", "idaci_rank", "code"),
    "population": ("population_total", "code"),
    "under_fives": ("under_fives", "code"),
}
DEFAULT_AREA_SORT = "imd_rank"


@dataclass(frozen=True)
class AreaRow:
    area: Area
    need_weight: float
    greatest_need: bool


def normalise_area_sort(sort: str | None) -> str:
    """A known sort key, optionally "-"-prefixed for descending; anything else gives the default."""
    sort = (sort or "").strip()
    key = sort.removeprefix("-")
    return sort if key in AREA_SORTS else DEFAULT_AREA_SORT


def area_table(*, district: District | None = None, sort: str | None = None) -> list[AreaRow]:
    """Areas with need weight and greatest-need flag, sorted (a fixed number of queries: 2)."""
    from familyreach.geo.need import greatest_need_area_ids, need_weight_array

    sort = normalise_area_sort(sort)
    fields = AREA_SORTS[sort.removeprefix("-")]
    ordering = [f"-{fields[0]}", *fields[1:]] if sort.startswith("-") else list(fields)
    areas = list(area_list(district=district).order_by(*ordering))
    greatest = greatest_need_area_ids(area_list(district=district))
    weights = need_weight_array(areas)
    return [
        AreaRow(area=area, need_weight=float(weight), greatest_need=area.pk in greatest)
        for area, weight in zip(areas, weights, strict=True)
    ]


def areas_geojson(*, district: District | None = None) -> dict[str, object]:
    """The areas as GeoJSON points (population-weighted centroids) for the map."""
    rows = area_table(district=district, sort="code")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(row.area.longitude, 6), round(row.area.latitude, 6)],
                },
                "properties": {
                    "code": row.area.code,
                    "name": row.area.name,
                    "district": row.area.district.name,
                    "imd_rank": row.area.imd_rank,
                    "idaci_decile": row.area.idaci_decile,
                    "under_fives": row.area.under_fives,
                    "under_fives_is_estimate": row.area.under_fives_is_estimate,
                    "under_fives_label": row.area.under_fives_label,
                    "need_weight": round(row.need_weight, 1),
                    "greatest_need": row.greatest_need,
                },
            }
            for row in rows
        ],
    }
