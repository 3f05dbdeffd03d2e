"""The simulator's adapter to the database: real areas and venues in, simulated families, children
and contacts out (written through the families models, all marked simulated).

The arithmetic is in `simulate.py`; this module gathers its inputs and writes its output.
"""

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from familyreach.delivery.models import Session
from familyreach.geo.models import Area, Venue, VenueKind, VenueStatus
from familyreach.geo.population import under_fives_of
from familyreach.geo.travel import travel_time_matrix
from familyreach.insight.selectors import greatest_need_and_weights
from familyreach.insight.simulate import (
    Assumptions,
    ServicePoint,
    SimulatedPopulation,
    SimulationArea,
)

TRAVEL_MODE = "car"


@dataclass
class SimulationInputs:
    areas: list[Area]
    simulation_areas: list[SimulationArea]
    venues: list[Venue]
    points: list[ServicePoint]
    points_description: str
    minutes: NDArray[np.float64]
    travel_description: str


def simulation_areas(areas: list[Area]) -> list[SimulationArea]:
    greatest, _ = greatest_need_and_weights(areas)
    return [
        SimulationArea(
            area_id=area.pk,
            district_id=area.district_id,
            under_fives=under_fives_of(area),
            idaci_score=area.idaci_score,
            greatest_need=flag,
            latitude=area.latitude,
            longitude=area.longitude,
        )
        for area, flag in zip(areas, greatest, strict=True)
    ]


def current_session_venues() -> tuple[list[Venue], str]:
    """Where sessions run today: venues of live sessions; without any, the open children's
    centres and family bases (the network before the redesign)."""
    venue_ids = set(
        Session.objects.filter(archived_at__isnull=True).values_list("venue_id", flat=True)
    )
    if venue_ids:
        venues = list(Venue.objects.filter(pk__in=venue_ids).order_by("pk"))
        return venues, f"the {len(venues)} venues where sessions run today"
    venues = list(
        Venue.objects.filter(
            kind__in=[VenueKind.CHILDRENS_CENTRE, VenueKind.FAMILY_BASE], status=VenueStatus.OPEN
        ).order_by("pk")
    )
    if venues:
        return venues, f"the {len(venues)} open children's centres and family bases"
    venues = list(
        Venue.objects.filter(status=VenueStatus.OPEN, kind=VenueKind.LIBRARY).order_by("pk")
    )
    return venues, f"the {len(venues)} open libraries (no sessions or centres are recorded)"


def travel_minutes(areas: list[Area], venues: list[Venue]) -> tuple[NDArray[np.float64], str]:
    """Areas × venues minutes from geo's travel model."""
    matrix = np.asarray(travel_time_matrix(areas, venues, mode=TRAVEL_MODE), dtype=np.float64)
    return matrix, f"geo's travel-time model ({TRAVEL_MODE})"


def gather_inputs(
    *, venues: list[Venue] | None = None, assumptions: Assumptions | None = None
) -> SimulationInputs:
    assumptions = assumptions or Assumptions()
    areas = list(Area.objects.select_related("district").order_by("code"))
    if not areas:
        raise ValueError("No areas are loaded: run `familyreach geo load-norfolk` first.")
    simulation = simulation_areas(areas)
    if venues is None:
        venues, description = current_session_venues()
    else:
        description = f"{len(venues)} chosen venues"
    if not venues:
        raise ValueError("No venues are loaded to place sessions at: load the geography first.")
    minutes, travel_description = travel_minutes(areas, venues)
    return SimulationInputs(
        areas=areas,
        simulation_areas=simulation,
        venues=venues,
        points=[
            ServicePoint(venue.name, venue.latitude, venue.longitude, venue.pk) for venue in venues
        ],
        points_description=description,
        minutes=minutes,
        travel_description=travel_description,
    )


def as_of_default() -> date:
    from familyreach.insight.selectors import today_in_london

    return today_in_london()


def population_summary_lines(
    population: SimulatedPopulation, inputs: SimulationInputs
) -> list[str]:
    return [
        f"Simulated {population.families:,} families with under-fives over {len(inputs.areas)} "
        f"areas, {population.months} months to {population.as_of:%-d %B %Y}, seed {population.seed}.",
        f"Registered: {int(population.registered.sum()):,}; seen in the last 12 months: "
        f"{int(population.seen.sum()):,}; contacts: {len(population.contact_days):,}.",
        f"Greatest-need families not seen in 12 months: "
        f"{population.unseen_share_greatest_need():.1%} "
        f"(target {population.assumptions.target_unreached_greatest_need:.0%}).",
        f"Service points: {inputs.points_description}; travel times from {inputs.travel_description}.",
    ]
