"""Writing imported rows: upserts keyed on official codes, so every import can run again safely.

Districts, areas and postcodes use the database's own upsert (INSERT … ON CONFLICT, on SQLite
and PostgreSQL); venues are matched on (source, source_reference) and updated in place, because
other apps point at venues and their ids must not change.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import models
from scipy.spatial import cKDTree

from familyreach.geo.models import Area, District, Postcode, Venue

BATCH_SIZE = 2000

DISTRICT_FIELDS = ["name", "council_code", "council_name"]
# The Indices of Deprivation figures an area carries: overall (IMD) and for children (IDACI).
DEPRIVATION_INDICES = (
    "imd_score",
    "imd_rank",
    "imd_decile",
    "idaci_score",
    "idaci_rank",
    "idaci_decile",
)
AREA_FIELDS = [
    "name",
    "district",
    "latitude",
    "longitude",
    *DEPRIVATION_INDICES,
    "population_total",
    "population_total_year",
    "population_0_15",
    "population_0_15_year",
    "under_fives",
    "under_fives_is_estimate",
    "under_fives_method",
    "under_fives_source",
    "under_fives_label",
]
POSTCODE_FIELDS = [
    "postcode",
    "outward",
    "latitude",
    "longitude",
    "district",
    "ward_code",
    "area",
    "area_is_exact",
    "positional_quality",
    "source",
]
VENUE_FIELDS = [
    "name",
    "kind",
    "address",
    "town",
    "postcode",
    "latitude",
    "longitude",
    "position_is_exact",
    "position_source",
    "district",
    "area",
    "status",
    "details",
]


def _attname(model: type[models.Model], name: str) -> str:
    """The column attribute of a field: "district" -> "district_id"."""
    return next(field.attname for field in model._meta.concrete_fields if field.name == name)


def districts_upsert(districts: Sequence[District]) -> dict[str, District]:
    District.objects.bulk_create(
        districts,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=DISTRICT_FIELDS,
        batch_size=BATCH_SIZE,
    )
    return {district.code: district for district in District.objects.all()}


def areas_upsert(areas: Sequence[Area], fields: Sequence[str] = AREA_FIELDS) -> int:
    Area.objects.bulk_create(
        areas,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=list(fields),
        batch_size=BATCH_SIZE,
    )
    return len(areas)


def postcodes_upsert(postcodes: Sequence[Postcode]) -> int:
    """Insert new postcodes and update changed ones; unchanged rows are not written at all."""
    columns = ["compact", *(_attname(Postcode, name) for name in POSTCODE_FIELDS)]
    existing = {row[0]: row for row in Postcode.objects.values_list(*columns)}
    changed = [
        postcode
        for postcode in postcodes
        if existing.get(postcode.compact) != tuple(getattr(postcode, column) for column in columns)
    ]
    Postcode.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["compact"],
        update_fields=POSTCODE_FIELDS,
        batch_size=BATCH_SIZE,
    )
    return len(postcodes)


@dataclass
class VenueUpsertResult:
    created: int
    updated: int
    unchanged: int = 0


def venues_upsert(venues: Iterable[Venue], extra_fields: Sequence[str] = ()) -> VenueUpsertResult:
    """Create or update venues by (source, source_reference); both must be set on each one.

    Updates write VENUE_FIELDS (plus `extra_fields`): never capacity, costs or notes that staff
    may have set, unless the import carries them.
    """
    fields = [*VENUE_FIELDS, *extra_fields]
    venues = list(venues)
    sources = {venue.source for venue in venues}
    existing = {
        (venue.source, venue.source_reference): venue
        for venue in Venue.objects.filter(source__in=sources).exclude(source_reference="")
    }
    to_create, to_update = [], []
    unchanged = 0
    for venue in venues:
        if not venue.source or not venue.source_reference:
            raise ValueError(f"{venue.name}: imported venues need a source and source_reference")
        current = existing.get((venue.source, venue.source_reference))
        if current is None:
            to_create.append(venue)
            continue
        changed = False
        for field in fields:
            attribute = _attname(Venue, field)
            if getattr(current, attribute) != getattr(venue, attribute):
                setattr(current, attribute, getattr(venue, attribute))
                changed = True
        if changed:
            to_update.append(current)
        else:
            unchanged += 1
    Venue.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    # bulk_update skips auto_now, so the modified time is set here.
    if to_update:
        from django.utils import timezone

        now = timezone.now()
        for venue in to_update:
            venue.modified_at = now
        Venue.objects.bulk_update(to_update, [*fields, "modified_at"], batch_size=500)
    return VenueUpsertResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)


class NearestArea:
    """Finds the nearest area centroid to points, optionally only among one district's areas.

    Positions are projected onto a local flat plane (km east and north of the mean latitude),
    which is accurate to well under 1 % across a county, so the nearest centroid is the true one.
    """

    def __init__(self, areas: Iterable[Area]) -> None:
        self.areas = list(areas)
        if not self.areas:
            self.reference_latitude = 52.0
        else:
            self.reference_latitude = float(np.mean([area.latitude for area in self.areas]))
        self._trees: dict[int | None, tuple[cKDTree, list[Area]]] = {}
        by_district: dict[int | None, list[Area]] = {None: self.areas}
        for area in self.areas:
            by_district.setdefault(area.district_id, []).append(area)
        for district_id, members in by_district.items():
            if members:
                self._trees[district_id] = (
                    cKDTree(
                        self.project(
                            np.array([a.latitude for a in members]),
                            np.array([a.longitude for a in members]),
                        )
                    ),
                    members,
                )

    def project(self, latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
        km_per_degree_latitude = 110.574
        km_per_degree_longitude = 111.320 * np.cos(np.radians(self.reference_latitude))
        return np.column_stack(
            [longitudes * km_per_degree_longitude, latitudes * km_per_degree_latitude]
        )

    def nearest(
        self, latitudes: Sequence[float], longitudes: Sequence[float], district_id: int | None
    ) -> list[Area | None]:
        """The nearest area for each point, within the district if it has areas, else anywhere."""
        if not len(latitudes):
            return []
        entry = self._trees.get(district_id) or self._trees.get(None)
        if entry is None:
            return [None] * len(latitudes)
        tree, members = entry
        _, indices = tree.query(self.project(np.asarray(latitudes), np.asarray(longitudes)))
        return [members[int(index)] for index in np.atleast_1d(indices)]


def assign_nearest_areas(postcodes: Iterable[Postcode], nearest: NearestArea) -> None:
    """Set each postcode's area to the nearest area centroid in its own district (inferred)."""
    by_district: dict[int | None, list[Postcode]] = defaultdict(list)
    for postcode in postcodes:
        by_district[postcode.district.pk if postcode.district else None].append(postcode)
    for district_id, members in by_district.items():
        found = nearest.nearest(
            [p.latitude for p in members], [p.longitude for p in members], district_id
        )
        for postcode, area in zip(members, found, strict=True):
            postcode.area = area
            postcode.area_is_exact = False
