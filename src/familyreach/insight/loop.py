"""Closing the loop with planning — the one module that knows about `familyreach.planning`.

- `scenario_reach_effect`: a scenario's bases and outreach venues → its travel (planning's
  figures) and the simulator's estimate of its effect on today's measured reach.
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
from numpy.typing import NDArray

from familyreach.geo.models import Area, Venue, VenueKind, VenueStatus
from familyreach.insight import figures as insight_figures
from familyreach.insight.figures import ReachFigure
from familyreach.insight.measures import Report
from familyreach.insight.models import OutreachSeed
from familyreach.insight.money import DistrictSpend
from familyreach.insight.simulate import Assumptions, ScenarioEffect, scenario_effect
from familyreach.insight.simulation_database import current_session_venues, simulation_areas
from familyreach.insight.tables import percent
from familyreach.planning import figures as planning_figures
from familyreach.planning.figures import TravelFigures, network_cost
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


@dataclass(frozen=True)
class PlanEffect:
    """A scenario's effect on reach and travel, beside today's network.

    Travel is planning's figure both sides (`planning.figures`: the option's as its run shows
    it, today's computed the same way in the scenario's travel mode). Reach "today" is the
    measured figure the dashboard shows (`insight.figures`); reach "with the option" is that
    figure changed by the simulator's predicted change (the ratio of its predictions), so a
    simulated number is never shown under a measured figure's name.
    """

    scenario: Scenario
    today_description: str
    simulated: ScenarioEffect
    travel_today: TravelFigures
    travel_option: TravelFigures
    seen_reach_today: ReachFigure | None
    seen_reach_option: str
    gap_today: ReachFigure | None
    gap_option: str

    @property
    def sentence(self) -> str:
        if self.gap_today is None or self.seen_reach_today is None:
            return self.simulated.sentence
        return (
            f"With {self.scenario.name}, the greatest-need gap would "
            f"{_from_to(self.gap_today.text, self.gap_option)} and seen reach would "
            f"{_from_to(self.seen_reach_today.text, self.seen_reach_option)} (today's measured "
            "figures, changed by the simulated effect)."
        )


def _from_to(today: str, option: str) -> str:
    return f"stay at {today}" if today == option else f"go from {today} to {option}"


def _ratio(option: float, baseline: float) -> float:
    return option / baseline if baseline > 0 else 1.0


def _changed(figure: ReachFigure | None, ratio: float, *, gap: bool) -> str:
    """Today's figure changed by the simulated ratio of families (or under-fives) seen."""
    if figure is None:
        return ""
    if figure.value is None:
        return figure.text  # hidden ([c]) today: hidden with the option too
    value = 1 - (1 - figure.value) * ratio if gap else figure.value * ratio
    return percent(max(value, 0.0))


def _run_minutes(scenario: Scenario, area_ids: list[int]) -> NDArray[np.float64] | None:
    """The scenario's per-area minutes to the nearest service point, as its run stored them
    (None when an area has no stored time, e.g. areas loaded after the run)."""
    run = scenario.latest_finished_run
    if run is None:
        return None
    stored = dict(run.areas.values_list("area_id", "service_minutes"))
    if any(stored.get(area_id) is None for area_id in area_ids):
        return None
    return np.array([stored[area_id] for area_id in area_ids], dtype=np.float64)


def finished_scenarios() -> list[Scenario]:
    """The scenarios whose runs finished, by name: those the plan-effect page can estimate."""
    return list(Scenario.objects.filter(status=ScenarioStatus.FINISHED).order_by("name"))


def scenario_reach_effect(
    *, scenario: Scenario, assumptions: Assumptions | None = None
) -> PlanEffect:
    """The effect of a scenario's bases and outreach venues against today's session venues.

    Nothing is written.
    """
    assumptions = assumptions or Assumptions()
    run = scenario.latest_finished_run
    planned = scenario_venues(scenario)
    assert run is not None  # scenario_venues raised otherwise
    today_venues, today_description = current_session_venues()
    if not today_venues or not planned:
        raise ValueError("Both today's network and the scenario need at least one venue.")
    today = planning_figures.network_travel(scenario=scenario, venues=today_venues)
    if not today.area_ids:
        raise ValueError("No areas are loaded: run `familyreach geo load-norfolk` first.")
    by_id = Area.objects.select_related("district").in_bulk(today.area_ids)
    simulation = simulation_areas([by_id[area_id] for area_id in today.area_ids])
    option_minutes = _run_minutes(scenario, today.area_ids)
    if option_minutes is None:
        option_minutes = planning_figures.network_travel(scenario=scenario, venues=planned).minutes
    effect = scenario_effect(
        simulation,
        baseline_minutes=today.minutes,
        scenario_minutes=option_minutes,
        label=scenario.name,
        assumptions=assumptions,
    )
    report = insight_figures.county_report()
    seen_today = insight_figures.seen_reach(report) if report is not None else None
    gap_today = insight_figures.greatest_need_gap(report) if report is not None else None
    return PlanEffect(
        scenario=scenario,
        today_description=today_description,
        simulated=effect,
        travel_today=today.figures,
        travel_option=planning_figures.travel_figures(run.measures),
        seen_reach_today=seen_today,
        seen_reach_option=_changed(
            seen_today,
            _ratio(effect.scenario.overall_reach, effect.baseline.overall_reach),
            gap=False,
        ),
        gap_today=gap_today,
        gap_option=_changed(
            gap_today,
            _ratio(effect.scenario.greatest_need_reach, effect.baseline.greatest_need_reach),
            gap=True,
        ),
    )


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


# The names planning gives the same figures (docs/figures.md). Staff recorded in delivery teams
# is named apart from the plan's frontline figure, since the two can differ.
BUILDINGS_NAME = planning_figures.BUILDINGS_NAME
TRAVEL_NAMES = {
    "mean": planning_figures.MEAN_TRAVEL_NAME,
    "greatest_need": planning_figures.GREATEST_NEED_TRAVEL_NAME,
}
FRONTLINE_NAMES = {
    "plan": planning_figures.FRONTLINE_NAME,
    "teams": "Frontline staff in delivery teams (recorded)",
}
TOTAL_COST_NAMES = {
    "plan": planning_figures.TOTAL_COST_NAME,
    "teams": "Buildings and frontline staff in delivery teams (recorded)",
}


@dataclass(frozen=True)
class Spend:
    scenario: Scenario
    districts: list[DistrictSpend]
    notes: list[str]
    # Where the frontline figure comes from: "plan" (the staff the adopted network's outreach
    # sessions need, the figure planning shows) or "teams" (staff recorded in delivery teams).
    frontline_source: str = "plan"


def adopted_scenario() -> Scenario | None:
    return Scenario.objects.filter(adopted_at__isnull=False).order_by("-adopted_at").first()


@dataclass(frozen=True)
class OptionCost:
    scenario: Scenario
    cost: Any  # planning.figures.NetworkCost


def option_costs() -> list[OptionCost]:
    """What each option planning has run costs a year (its latest finished run, as planning
    shows it): what the money page shows before any option is adopted."""
    rows = []
    for scenario in Scenario.objects.filter(status=ScenarioStatus.FINISHED).order_by("name"):
        run = scenario.latest_finished_run
        if run is not None:
            rows.append(OptionCost(scenario, network_cost(run.measures.get("costs", {}))))
    return rows


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
        # The plan's own figure, as planning shows it for this run (planning.figures), shared
        # by its outreach sessions a week in each district.
        planned = network_cost(run.measures.get("costs", {})).frontline
        total_sessions = sum(outreach_rows.values())
        for venue in outreach_venues:
            key = (venue.district_id or 0, venue.district.name if venue.district else "No district")
            share = outreach_rows[venue.pk] / total_sessions if total_sessions else 0.0
            frontline[key] = frontline.get(key, 0.0) + planned * share
        notes.append(
            "Frontline: no staff are recorded in delivery teams yet, so this is the staff the "
            "adopted plan's outreach sessions need (as planning shows it), shared by its outreach "
            "sessions a week in each district."
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
        frontline_source="teams" if any(staff_by_district.values()) else "plan",
    )
