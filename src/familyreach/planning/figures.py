"""Travel time and cost of a network: one definition of each, for every page and export.

Planning's pages and exports, the consultation, insight's plan-effect and money pages all read
these figures through the functions here, so the same network shows the same minutes and the
same pounds wherever it appears (docs/figures.md). The arithmetic of travel is
`planning.measures.weighted_mean` (under-five-weighted); the arithmetic of cost is
`planning.costs`.

- `travel_figures(measures)`: a run's travel figures, as stored with the run.
- `network_travel(scenario=..., venues=...)`: the same figures for a set of venues that is not a
  run (today's network, on insight's plan-effect page), computed as a run computes them.
- `network_cost(costs)`: a run's cost, as stored with the run. Staff cost is what the network's
  outreach sessions need, whatever the budget; a budget is shown beside it, never instead of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings

from familyreach.geo.models import Venue
from familyreach.planning import inputs
from familyreach.planning.engine import evaluate_sites
from familyreach.planning.measures import AreaResults, compute_measures
from familyreach.planning.models import Scenario, TravelMode

FloatArray = npt.NDArray[np.float64]

MODE_WORDS: dict[str, str] = {
    TravelMode.CAR: "by car",
    TravelMode.PUBLIC_TRANSPORT: "by bus or on foot",
}

# What each figure is called on every page (docs/figures.md). Two figures with different
# definitions never share a name.
MEAN_TRAVEL_NAME = "Mean travel to the nearest service point"
GREATEST_NEED_TRAVEL_NAME = "Mean travel to the nearest service point in greatest-need areas"
FRONTLINE_NAME = "Frontline staff for the outreach sessions"
BUILDINGS_NAME = "Buildings"
TOTAL_COST_NAME = "Buildings and frontline staff"
BUDGET_LEFT_NAME = "Budget left after buildings and outreach staff"


def minutes_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} min"


def pounds_text(value: float | None) -> str:
    return "–" if value is None else f"£{value:,.0f}"


@dataclass(frozen=True)
class TravelFigures:
    """Travel to the nearest service point (a base or an outreach venue), weighted by
    under-fives: the mean over every area, over greatest-need areas, and the time 90 % of
    under-fives are within."""

    mode: str
    mean_minutes: float | None
    greatest_need_mean_minutes: float | None
    p90_minutes: float | None

    @property
    def mode_words(self) -> str:
        return MODE_WORDS.get(self.mode, "")

    @property
    def mean_text(self) -> str:
        return minutes_text(self.mean_minutes)

    @property
    def greatest_need_mean_text(self) -> str:
        return minutes_text(self.greatest_need_mean_minutes)


def travel_figures(measures: dict[str, Any]) -> TravelFigures:
    """A run's travel figures, from the measures stored with it."""
    return TravelFigures(
        mode=str(measures.get("travel_mode", "")),
        mean_minutes=measures.get("service_mean_minutes"),
        greatest_need_mean_minutes=measures.get("greatest_need_service_mean_minutes"),
        p90_minutes=measures.get("service_p90_minutes"),
    )


@dataclass(frozen=True)
class NetworkTravel:
    """Per-area minutes to the nearest of a network's venues (areas in `area_ids` order), and
    the figures built from them exactly as a run builds its own."""

    area_ids: list[int]
    minutes: FloatArray
    figures: TravelFigures


def network_travel(*, scenario: Scenario, venues: list[Venue]) -> NetworkTravel:
    """Travel to the nearest of `venues`, in the scenario's travel mode, by the same code a run
    uses (`engine.evaluate_sites`, then `measures.compute_measures`)."""
    area_data = inputs.load_areas()
    plan = evaluate_sites(scenario=scenario, area_data=area_data, bases=venues, outreach=[])
    areas = area_data.areas
    summary = compute_measures(
        AreaResults(
            codes=[area.code for area in areas],
            names=[area.name for area in areas],
            district_codes=[area.district.code for area in areas],
            district_names=[area.district.name for area in areas],
            under_fives=area_data.under_fives,
            greatest_need=area_data.greatest_need,
            base_minutes=plan.base_minutes,
            service_minutes=plan.service_minutes,
        ),
        scenario.sorted_thresholds,
    )
    summary["measures"]["travel_mode"] = scenario.travel_mode
    return NetworkTravel(
        area_ids=[area.pk for area in areas],
        minutes=np.asarray(plan.service_minutes, dtype=np.float64),
        figures=travel_figures(summary["measures"]),
    )


@dataclass(frozen=True)
class NetworkCost:
    """What a network costs a year. `frontline` is the staff its outreach sessions need (the
    same whether or not the scenario has a budget); `budget_left` is what a budget leaves
    once buildings and those staff are paid, which could buy `budget_left_hours` more."""

    buildings: float
    frontline: float
    frontline_fte: float
    frontline_hours: float
    outreach_sessions_per_week: float
    budget: float | None
    budget_left: float | None
    budget_left_hours: float | None

    @property
    def total(self) -> float:
        return self.buildings + self.frontline

    @property
    def buildings_share(self) -> float | None:
        return self.buildings / self.total if self.total > 0 else None


def network_cost(costs: dict[str, Any]) -> NetworkCost:
    """A run's cost, from the costs stored with it (`costs.cost_split`).

    Older runs stored, under "frontline", the budget left after buildings when
    the scenario had a budget; "outreach_frontline_needed" (the staff the sessions need) was
    stored by every run, so it is read here and the old runs show the same figure as new ones.
    """
    buildings = float(costs.get("buildings", 0.0))
    frontline = float(costs.get("outreach_frontline_needed", costs.get("frontline", 0.0)))
    stored_fte = float(costs.get("frontline_fte", 0.0))
    stored_frontline = float(costs.get("frontline", 0.0))
    staff_cost = costs.get("staff_cost_per_fte") or (
        stored_frontline / stored_fte
        if stored_fte > 0 and stored_frontline > 0
        else float(settings.PLANNING_STAFF_COST_PER_FTE)
    )
    hours_per_fte = costs.get("hours_per_fte") or (
        float(costs.get("frontline_hours", 0.0)) / stored_fte
        if stored_fte > 0
        else float(settings.PLANNING_HOURS_PER_FTE)
    )
    fte = frontline / float(staff_cost)
    budget = costs.get("budget")
    budget_left = None if budget is None else float(budget) - buildings - frontline
    return NetworkCost(
        buildings=buildings,
        frontline=frontline,
        frontline_fte=fte,
        frontline_hours=fte * float(hours_per_fte),
        outreach_sessions_per_week=float(costs.get("outreach_sessions_per_week", 0.0)),
        budget=None if budget is None else float(budget),
        budget_left=budget_left,
        budget_left_hours=None
        if budget_left is None
        else max(budget_left, 0.0) / float(staff_cost) * float(hours_per_fte),
    )
