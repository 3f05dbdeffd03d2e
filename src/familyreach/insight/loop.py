"""Closing the loop with planning — the one module that knows about `familyreach.planning`.

- `scenario_reach_effect`: a scenario's bases and outreach venues → the simulator's estimate of
  reach ("with option C, simulated greatest-need reach rises from 74 % to 81 %").
- `outreach_scenario_create`: "plan outreach here" → a new planning scenario seeded with the
  current unreached need: outreach venues named nearest the greatest-need areas with the most
  unreached under-fives, sessions in proportion to that need, and the seed kept per area
  (`OutreachSeed`) so the scenario shows what it was built on.
- `spend_by_district`: the adopted scenario's buildings against the frontline staffing
  recorded in delivery, for cost per family seen.
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
from familyreach.insight.money import DistrictSpend
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
    # The published figure is suppressed (small numbers): the description shows "[c]".
    hidden: bool = False


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
                hidden="seen_under_fives" in figures.hidden,
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
            f"- {seed.area.name}: "
            f"{'[c]' if seed.hidden else f'{seed.unreached_under_fives:.0f}'} unreached under-fives, "
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
            # Optimised on the unreached need itself (latest reach figures), not a proxy.
            "demand_measure": DemandMeasure.UNREACHED_NEED,
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


# --- Money: the adopted scenario's buildings and the staffing recorded in delivery ------------


@dataclass(frozen=True)
class Spend:
    scenario: Scenario
    districts: list[DistrictSpend]
    notes: list[str]


def adopted_scenario() -> Scenario | None:
    return Scenario.objects.filter(adopted_at__isnull=False).order_by("-adopted_at").first()


def spend_by_district() -> Spend | None:
    """Buildings from the adopted scenario's bases (planning's cost rules); frontline from the
    staff recorded in delivery teams at those bases (each counted as one full-time worker at
    the scenario's staff cost), or, with no teams recorded, the scenario's frontline money
    shared by its outreach sessions a week in each district. None when nothing is adopted."""
    from familyreach.delivery.models import Team
    from familyreach.planning import costs

    scenario = adopted_scenario()
    if scenario is None:
        return None
    run = scenario.latest_finished_run
    if run is None:
        return None
    bases = list(Venue.objects.filter(pk__in=run.bases).select_related("district"))
    outreach_rows = {int(row["venue"]): float(row["sessions_per_week"]) for row in run.outreach}
    outreach_venues = list(Venue.objects.filter(pk__in=outreach_rows).select_related("district"))
    notes = []
    buildings: dict[tuple[int, str], float] = {}
    for venue in bases:
        key = (venue.district_id or 0, venue.district.name if venue.district else "No district")
        cost, source = costs.building_cost(venue, scenario)
        buildings[key] = buildings.get(key, 0.0) + cost
        if source == "assumption":
            notes.append(f"{venue.name}: building cost is an ASSUMPTION for its kind of venue.")
    frontline: dict[tuple[int, str], float] = {}
    staff_cost = costs.staff_cost_per_fte(scenario)
    teams = Team.objects.filter(base__venue__in=bases).select_related("base__venue__district")
    staff_by_district: dict[tuple[int, str], set[int]] = {}
    for team in teams.prefetch_related("members"):
        district = team.base.venue.district
        key = (district.pk if district else 0, district.name if district else "No district")
        staff_by_district.setdefault(key, set()).update(member.pk for member in team.members.all())
    if any(staff_by_district.values()):
        for key, members in staff_by_district.items():
            frontline[key] = len(members) * staff_cost
        notes.append(
            f"Frontline: staff in delivery teams at the bases, each counted as one full-time "
            f"worker at £{staff_cost:,.0f} a year (an assumption unless the scenario sets it)."
        )
    else:
        split = costs.cost_split(
            scenario=scenario,
            bases=bases,
            outreach_sessions_per_week=sum(outreach_rows.values()),
        )
        total_sessions = sum(outreach_rows.values())
        for venue in outreach_venues:
            key = (venue.district_id or 0, venue.district.name if venue.district else "No district")
            share = outreach_rows[venue.pk] / total_sessions if total_sessions else 0.0
            frontline[key] = frontline.get(key, 0.0) + split["frontline"] * share
        notes.append(
            "Frontline: no staff are recorded in delivery teams yet, so the adopted scenario's "
            "frontline money is shared by its outreach sessions a week in each district."
        )
    keys = set(buildings) | set(frontline)
    return Spend(
        scenario=scenario,
        districts=[
            DistrictSpend(
                district_id=key[0],
                district_name=key[1],
                buildings=buildings.get(key, 0.0),
                frontline=frontline.get(key, 0.0),
            )
            for key in sorted(keys, key=lambda item: item[1])
        ],
        notes=notes,
    )
