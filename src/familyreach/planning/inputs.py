"""What a scenario is computed on: the areas with their demand and need, the candidate venues,
and travel times between them. The figures come from `familyreach.geo`; this module only
gathers them into arrays in a fixed order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db.models import Q

from familyreach.geo import need
from familyreach.geo.models import Area, Venue, VenueStatus
from familyreach.geo.population import UnderFivesTotals, under_fives_of, under_fives_totals
from familyreach.geo.travel import travel_time_matrix, travel_times
from familyreach.planning.models import DemandMeasure, Scenario

FloatArray = npt.NDArray[np.float64]


def travel_minutes(areas: Sequence[Area], venues: Sequence[Venue], mode: str) -> FloatArray:
    """Areas x venues travel minutes (float64), from geo's travel-time model."""
    if not areas or not venues:
        return np.zeros((len(areas), len(venues)), dtype=np.float64)
    return np.asarray(travel_time_matrix(list(areas), list(venues), mode=mode), dtype=np.float64)


def travel_minutes_with_source(
    areas: Sequence[Area], venues: Sequence[Venue], mode: str
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Minutes, and which cells are imported (routed) times rather than geo's model."""
    if not areas or not venues:
        shape = (len(areas), len(venues))
        return np.zeros(shape, dtype=np.float64), np.zeros(shape, dtype=bool)
    times = travel_times(list(areas), list(venues), mode=mode)
    return np.asarray(times.minutes, dtype=np.float64), np.asarray(times.imported, dtype=bool)


@dataclass(frozen=True)
class AreaData:
    areas: list[Area]
    under_fives: FloatArray
    under_fives_is_estimate: bool
    greatest_need: npt.NDArray[np.bool_]
    need_weight: FloatArray
    # Totals and where the figures come from (counted or estimated), for the "Source:" line.
    under_fives_totals: UnderFivesTotals

    def demand(self, measure: str) -> FloatArray:
        """Weights for the optimiser: under-fives, or geo's need weight (under-fives x the
        deprivation weight of the area's IDACI decile)."""
        if measure == DemandMeasure.NEED_WEIGHTED:
            return self.need_weight
        if measure == DemandMeasure.UNREACHED_NEED:
            return unreached_need_demand(self.areas)
        return self.under_fives


# --- Unreached need (published in geo by insight: closing the loop) -------------------------


def unreached_need_demand(areas: Sequence[Area]) -> FloatArray:
    """Demand = the unreached under-fives of each greatest-need area in the latest reach figures
    (`familyreach.insight`), 0 for other areas. Raises ValueError when no reach figures have
    been worked out (`scenario_problems` says so before a run)."""
    unreached = need.unreached_need_by_area()
    return np.array([unreached.get(area.pk, 0.0) for area in areas], dtype=np.float64)


def load_areas() -> AreaData:
    """Every area with its under-fives (0 where unknown), greatest-need flag and need weight."""
    areas = list(Area.objects.select_related("district").order_by("code"))
    greatest = need.greatest_need_area_ids()
    under_fives = np.array([under_fives_of(area) for area in areas], dtype=np.float64)
    totals = under_fives_totals(areas)
    return AreaData(
        areas=areas,
        under_fives=under_fives,
        under_fives_is_estimate=totals.any_estimate,
        under_fives_totals=totals,
        greatest_need=np.array([area.pk in greatest for area in areas], dtype=bool),
        need_weight=need.need_weight_array(areas),
    )


def candidate_bases(scenario: Scenario) -> list[Venue]:
    """Venues that may be bases: of the scenario's kinds or listed, plus those forced open.

    Excluded venues stay in the list (the optimiser is told to keep them closed) so a planner
    can see they were considered. Closed venues are left out unless listed or forced.
    """
    listed = Q(pk__in=scenario.candidate_venues.values("pk")) | Q(
        pk__in=scenario.forced_open.values("pk")
    )
    by_kind = Q(kind__in=scenario.candidate_kinds) & ~Q(status=VenueStatus.CLOSED)
    return list(
        Venue.objects.filter(listed | by_kind).select_related("district").order_by("pk").distinct()
    )


def candidate_outreach(scenario: Scenario, exclude_ids: set[int]) -> list[Venue]:
    if not scenario.outreach_kinds or scenario.outreach_count == 0:
        return []
    return [
        venue
        for venue in Venue.objects.filter(kind__in=scenario.outreach_kinds)
        .exclude(status=VenueStatus.CLOSED)
        .exclude(pk__in=scenario.excluded.values("pk"))
        .select_related("district")
        .order_by("pk")
        if venue.pk not in exclude_ids
    ]
