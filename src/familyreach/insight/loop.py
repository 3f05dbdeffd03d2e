"""Closing the loop with planning — the one module that knows about `familyreach.planning`.

- `scenario_reach_effect`: a scenario's bases and outreach venues → the simulator's estimate of
  reach ("with option C, simulated greatest-need reach rises from 74 % to 81 %").
- `outreach_scenario_create`: "plan outreach here" → a new planning scenario seeded with the
  current unreached need: outreach venues named nearest the greatest-need areas with the most
  unreached under-fives, sessions in proportion to that need, and the seed kept per area
  (`OutreachSeed`) so the scenario shows what it was built on.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import transaction

from familyreach.geo.models import Area, Venue, VenueKind, VenueStatus
from familyreach.insight.measures import Report
from familyreach.insight.models import OutreachSeed
from familyreach.insight.simulate import (
    Assumptions,
    ScenarioEffect,
    nearest_minutes,
    scenario_effect,
)
from familyreach.insight.simulation import (
    current_session_venues,
    simulation_areas,
    travel_minutes,
)
from familyreach.planning.models import DemandMeasure, Scenario, ScenarioStatus
from familyreach.planning.services import scenario_create

# Venues a family can walk into for a session, where outreach can be timetabled.
OUTREACH_KINDS = (
    VenueKind.LIBRARY,
    VenueKind.COMMUNITY_CENTRE,
    VenueKind.VILLAGE_HALL,
    VenueKind.SCHOOL,
    VenueKind.FAMILY_BASE,
    VenueKind.CHILDRENS_CENTRE,
)
MAXIMUM_SESSIONS_PER_WEEK = 5


def scenario_venues(scenario: Scenario) -> list[Venue]:
    """The venues of a scenario's latest finished run: its bases and outreach venues."""
    run = scenario.latest_finished_run
    if run is None or scenario.status != ScenarioStatus.FINISHED:
        raise ValueError(f"{scenario.name} has no finished run: run it first.")
    venue_ids = {int(venue) for venue in run.bases} | {int(row["venue"]) for row in run.outreach}
    return list(Venue.objects.filter(pk__in=venue_ids).order_by("pk"))


def scenario_reach_effect(
    *, scenario: Scenario, assumptions: Assumptions | None = None
) -> tuple[ScenarioEffect, str]:
    """Simulated reach with today's session venues and with the scenario's venues.

    Returns the effect and what "today" was taken to be. Nothing is written.
    """
    assumptions = assumptions or Assumptions()
    areas = list(Area.objects.select_related("district").order_by("code"))
    if not areas:
        raise ValueError("No areas are loaded: run `familyreach geo load-norfolk` first.")
    simulation = simulation_areas(areas)
    today_venues, today_description = current_session_venues()
    planned = scenario_venues(scenario)
    if not today_venues or not planned:
        raise ValueError("Both today's network and the scenario need at least one venue.")
    today, _ = travel_minutes(areas, today_venues, simulation, assumptions)
    option, _ = travel_minutes(areas, planned, simulation, assumptions)
    effect = scenario_effect(
        simulation,
        baseline_minutes=nearest_minutes(today),
        scenario_minutes=nearest_minutes(option),
        label=scenario.name,
        assumptions=assumptions,
    )
    return effect, today_description


@dataclass(frozen=True)
class SeedArea:
    area: Area
    unreached_under_fives: float
    demand_weight: float
    venue: Venue
    sessions_per_week: int


def seed_areas(report: Report, *, areas_to_target: int) -> list[SeedArea]:
    """The greatest-need areas with the most unreached (weighted) need, each with the nearest
    venue where outreach can run and sessions a week in proportion to its need."""
    targets = [
        figures
        for figures in report.ranking
        if figures.area is not None and figures.area.greatest_need
    ][:areas_to_target]
    if not targets:
        return []
    venues = list(Venue.objects.filter(kind__in=OUTREACH_KINDS).exclude(status=VenueStatus.CLOSED))
    if not venues:
        raise ValueError("No venues are loaded where outreach could run.")
    venue_latitudes = np.radians([venue.latitude for venue in venues])
    venue_longitudes = np.radians([venue.longitude for venue in venues])
    areas = Area.objects.in_bulk([figures.area.area_id for figures in targets if figures.area])
    largest = max(figures.unreached_need for figures in targets)
    seeds = []
    for figures in targets:
        assert figures.area is not None
        latitude = math.radians(figures.area.latitude or 0.0)
        longitude = math.radians(figures.area.longitude or 0.0)
        # An equirectangular distance is enough to pick the nearest venue to a centroid.
        x = (venue_longitudes - longitude) * math.cos(latitude)
        y = venue_latitudes - latitude
        nearest = venues[int(np.argmin(x * x + y * y))]
        sessions = max(1, round(MAXIMUM_SESSIONS_PER_WEEK * figures.unreached_need / largest))
        seeds.append(
            SeedArea(
                area=areas[figures.area.area_id],
                unreached_under_fives=figures.unreached_under_fives or 0.0,
                demand_weight=figures.unreached_need,
                venue=nearest,
                sessions_per_week=sessions,
            )
        )
    return seeds


def _unique_name(as_of: date) -> str:
    base = f"Outreach to unreached need, {as_of:%-d %B %Y}"
    name, number = base, 1
    while Scenario.objects.filter(name=name).exists():
        number += 1
        name = f"{base} ({number})"
    return name


@transaction.atomic
def outreach_scenario_create(*, user: Any, report: Report, areas_to_target: int = 10) -> Scenario:
    """Create a draft planning scenario that targets the current unreached greatest-need
    under-fives. The bases stay those of today's network (forced open); the planner edits and
    runs it in planning as usual."""
    seeds = seed_areas(report, areas_to_target=areas_to_target)
    if not seeds:
        raise ValueError("There is no unreached need in greatest-need areas to plan outreach for.")
    bases = list(
        Venue.objects.filter(
            kind__in=[VenueKind.FAMILY_BASE, VenueKind.CHILDRENS_CENTRE], status=VenueStatus.OPEN
        )
    )
    outreach: dict[int, tuple[Venue, int]] = {}
    for seed in seeds:
        venue, sessions = outreach.get(seed.venue.pk, (seed.venue, 0))
        outreach[seed.venue.pk] = (venue, min(50, sessions + seed.sessions_per_week))
    lines = [
        f"Seeded from reach as of {report.as_of:%-d %B %Y}: the {len(seeds)} greatest-need areas "
        "with the most unreached under-fives (ESTIMATED under-fives minus those in families seen "
        "in the last 12 months), weighted by need.",
        *(
            f"- {seed.area.name}: {seed.unreached_under_fives:.0f} unreached under-fives, "
            f"outreach at {seed.venue.name}, {seed.sessions_per_week} a week"
            for seed in seeds
        ),
    ]
    scenario = scenario_create(
        user=user,
        fields={
            "name": _unique_name(report.as_of),
            "description": "\n".join(lines),
            "number_of_bases": max(1, len(bases)),
            "demand_measure": DemandMeasure.NEED_WEIGHTED,
            "caveats": "Seeded from reach figures built on ESTIMATED under-fives"
            + (" and SIMULATED families." if _includes_simulated() else "."),
        },
        forced_open=bases,
        outreach_venues=list(outreach.values()),
    )
    OutreachSeed.objects.bulk_create(
        [
            OutreachSeed(
                scenario=scenario,
                area=seed.area,
                unreached_under_fives=seed.unreached_under_fives,
                demand_weight=seed.demand_weight,
                as_of=report.as_of,
            )
            for seed in seeds
        ]
    )
    return scenario


def _includes_simulated() -> bool:
    from familyreach.families.models import Family

    return Family.objects.filter(is_simulated=True, archived_at__isnull=True).exists()
