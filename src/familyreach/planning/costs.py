"""What an option costs: buildings (bases) against frontline staff, and the hours staff buy.

A base's running cost is the venue's own figure where we have one, otherwise the scenario's
default, otherwise the default for its kind in settings (an assumption, and said so).
Outreach venues cost staff time (sessions), not building running costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings

from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario


def building_cost(venue: Venue, scenario: Scenario) -> tuple[float, str]:
    """(£ a year, where the figure comes from)."""
    if venue.annual_running_cost is not None:
        return float(venue.annual_running_cost), "venue"
    if scenario.building_cost_default is not None:
        return float(scenario.building_cost_default), "scenario"
    return float(settings.PLANNING_BUILDING_COST_BY_KIND.get(venue.kind, 0)), "assumption"


def staff_cost_per_fte(scenario: Scenario) -> float:
    return float(scenario.staff_cost_per_fte or settings.PLANNING_STAFF_COST_PER_FTE)


def sessions_per_fte(scenario: Scenario) -> float:
    return float(scenario.sessions_per_fte or Decimal(settings.PLANNING_SESSIONS_PER_FTE))


def hours_per_fte(scenario: Scenario) -> float:
    return float(scenario.hours_per_fte or settings.PLANNING_HOURS_PER_FTE)


def outreach_frontline_cost(scenario: Scenario, sessions_per_week: float) -> float:
    """£ a year for the staff who run this many outreach sessions a week."""
    return sessions_per_week / sessions_per_fte(scenario) * staff_cost_per_fte(scenario)


def cost_split(
    *, scenario: Scenario, bases: Iterable[Venue], outreach_sessions_per_week: float
) -> dict[str, Any]:
    """Buildings against frontline, and the frontline hours the money buys.

    Frontline is what the outreach sessions need, with or without a budget, so the same network
    always shows the same staff cost. A budget is kept beside it: what it leaves once buildings
    and those staff are paid is "budget_left" (read through `planning.figures.network_cost`).
    """
    building_total = 0.0
    sources: set[str] = set()
    for venue in bases:
        cost, source = building_cost(venue, scenario)
        building_total += cost
        sources.add(source)
    frontline = outreach_frontline_cost(scenario, outreach_sessions_per_week)
    fte = frontline / staff_cost_per_fte(scenario)
    assumptions = []
    if "assumption" in sources:
        assumptions.append("building running costs by kind of venue")
    if scenario.staff_cost_per_fte is None:
        assumptions.append("staff cost per full-time worker")
    if scenario.sessions_per_fte is None:
        assumptions.append("sessions a week per full-time worker")
    if scenario.hours_per_fte is None:
        assumptions.append("working hours a year per full-time worker")
    total = building_total + frontline
    budget = float(scenario.budget) if scenario.budget is not None else None
    return {
        "budget": budget,
        "buildings": building_total,
        "frontline": frontline,
        "total": total,
        "budget_left": None if budget is None else budget - total,
        "buildings_share": building_total / total if total > 0 else 0.0,
        "frontline_fte": fte,
        "frontline_hours": fte * hours_per_fte(scenario),
        "staff_cost_per_fte": staff_cost_per_fte(scenario),
        "hours_per_fte": hours_per_fte(scenario),
        "outreach_sessions_per_week": outreach_sessions_per_week,
        "outreach_frontline_needed": frontline,
        "assumptions": assumptions,
    }
