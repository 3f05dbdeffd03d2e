"""The adapter between a `Scenario` and the `familyreach.locate` engine.

Bases first (p-median or maximal coverage over the candidate bases, with forced/excluded sites,
district quotas and the budget for buildings), then outreach venues (the same model with the
bases held open, so outreach fills the gaps the bases leave). Then every area's nearest base and
nearest service point. Nothing here touches the database except to read the scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from familyreach import locate
from familyreach.geo.models import Venue
from familyreach.geo.need import unreached_need_by_area
from familyreach.planning import costs, inputs
from familyreach.planning.measures import AreaResults, compute_measures
from familyreach.planning.models import DemandMeasure, Objective, Scenario

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[int, str], None]


class ScenarioCannotBeMet(ValueError):
    """The scenario's rules contradict each other or the data; `reasons` says how."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


@dataclass
class OutreachPoint:
    venue: Venue
    sessions_per_week: int
    chosen_by: str  # "planner" or "optimiser"


@dataclass
class Optimisation:
    method: str = ""
    status: str = ""
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    proven_optimal: bool = False
    seconds: float = 0.0
    time_limit_hit: bool = False


@dataclass
class PlanResult:
    bases: list[Venue]
    outreach: list[OutreachPoint]
    area_data: inputs.AreaData
    base_minutes: FloatArray
    base_index: npt.NDArray[np.int64]  # per area, position in `bases` (-1: none)
    service_minutes: FloatArray
    service_venues: list[Venue]  # bases then outreach venues
    service_index: npt.NDArray[np.int64]
    optimisation: Optimisation = field(default_factory=Optimisation)
    # Share of areas whose time to their nearest service point is an imported (routed) time
    # rather than geo's modelled one.
    imported_share: float = 0.0
    # The second stage (outreach venues with the bases held open), when there was one.
    outreach_optimisation: Optimisation | None = None

    def summary(self, scenario: Scenario) -> dict[str, Any]:
        areas = self.area_data.areas
        results = AreaResults(
            codes=[area.code for area in areas],
            names=[area.name for area in areas],
            district_codes=[area.district.code for area in areas],
            district_names=[area.district.name for area in areas],
            under_fives=self.area_data.under_fives,
            greatest_need=self.area_data.greatest_need,
            base_minutes=self.base_minutes,
            service_minutes=self.service_minutes,
        )
        summary = compute_measures(results, scenario.sorted_thresholds)
        sessions = float(sum(point.sessions_per_week for point in self.outreach))
        summary["measures"]["costs"] = costs.cost_split(
            scenario=scenario, bases=self.bases, outreach_sessions_per_week=sessions
        )
        summary["measures"]["bases"] = len(self.bases)
        summary["measures"]["outreach_venues"] = len(self.outreach)
        summary["measures"]["under_fives_is_estimate"] = self.area_data.under_fives_is_estimate
        summary["measures"]["under_fives_source"] = self.area_data.under_fives_totals.source
        summary["measures"]["travel_mode"] = scenario.travel_mode
        summary["measures"]["travel_times_imported_share"] = self.imported_share
        second = self.outreach_optimisation
        summary["measures"]["outreach_optimiser"] = (
            None
            if second is None
            else {
                "status": second.status,
                "gap": second.gap,
                "proven_optimal": second.proven_optimal,
                "time_limit_hit": second.time_limit_hit,
            }
        )
        bases_by_district: dict[str, int] = {}
        outreach_by_district: dict[str, int] = {}
        for venue in self.bases:
            code = venue.district.code if venue.district else ""
            bases_by_district[code] = bases_by_district.get(code, 0) + 1
        for point in self.outreach:
            code = point.venue.district.code if point.venue.district else ""
            outreach_by_district[code] = outreach_by_district.get(code, 0) + 1
        for row in summary["districts"]:
            row["bases"] = bases_by_district.get(row["code"], 0)
            row["outreach_venues"] = outreach_by_district.get(row["code"], 0)
        return summary


def _district_label(venue: Venue) -> str:
    return venue.district.code if venue.district else "no district"


def _unreached_need_problems() -> list[str]:
    """Demand from insight's unreached need needs reach figures with some unreached need."""
    try:
        unreached = unreached_need_by_area()
    except ValueError as error:
        return [str(error)]
    if not any(value > 0 for value in unreached.values()):
        return [
            "The latest reach figures show no unreached under-fives in greatest-need areas: "
            "choose another demand measure"
        ]
    return []


def scenario_problems(scenario: Scenario) -> list[str]:
    """Reasons the scenario cannot be met, found before any optimisation (empty: it can run)."""
    problems: list[str] = []
    candidates = inputs.candidate_bases(scenario)
    forced = list(scenario.forced_open.select_related("district"))
    excluded_ids = set(scenario.excluded.values_list("pk", flat=True))
    available = [venue for venue in candidates if venue.pk not in excluded_ids]
    both = [venue.name for venue in forced if venue.pk in excluded_ids]
    if both:
        problems.append(f"These venues are both forced open and excluded: {', '.join(both)}")
    if not available:
        problems.append("No venue can be a base: choose candidate kinds or list candidate venues")
    p = scenario.number_of_bases
    if p is not None:
        if len(forced) > p:
            problems.append(
                f"{len(forced)} venues are forced open but the scenario allows {p} bases"
            )
        if p > len(available):
            problems.append(
                f"The scenario asks for {p} bases but only {len(available)} candidate venues "
                "are not excluded"
            )
    if scenario.number_of_bases is None and scenario.budget is None:
        problems.append("Give a number of bases or a budget")
    if scenario.demand_measure == DemandMeasure.UNREACHED_NEED:
        problems.extend(_unreached_need_problems())

    # District quotas: each district needs enough candidates, and together they must fit p.
    from familyreach.geo.models import District

    district_codes = list(District.objects.values_list("code", flat=True))
    per_district: dict[str, int] = dict.fromkeys(district_codes, 0)
    for venue in available:
        per_district[_district_label(venue)] = per_district.get(_district_label(venue), 0) + 1
    forced_per_district: dict[str, int] = {}
    for venue in forced:
        forced_per_district[_district_label(venue)] = (
            forced_per_district.get(_district_label(venue), 0) + 1
        )
    minimum = scenario.district_minimum or 0
    if minimum:
        short = sorted(code for code in district_codes if per_district.get(code, 0) < minimum)
        if short:
            names = dict(District.objects.filter(code__in=short).values_list("code", "name"))
            problems.append(
                f"At least {minimum} base(s) per district is impossible: too few candidate venues in "
                + ", ".join(names.get(code, code) for code in short)
            )
        if p is not None and minimum * len(district_codes) > p:
            problems.append(
                f"At least {minimum} base(s) in each of {len(district_codes)} districts needs "
                f"{minimum * len(district_codes)} bases but the scenario allows {p}"
            )
    if scenario.district_maximum is not None:
        over = [
            code for code, count in forced_per_district.items() if count > scenario.district_maximum
        ]
        if over:
            problems.append(
                f"More venues are forced open in {', '.join(sorted(over))} than the district "
                f"maximum of {scenario.district_maximum}"
            )
        if p is not None:
            room = sum(min(count, scenario.district_maximum) for count in per_district.values())
            if room < p:
                problems.append(
                    f"At most {scenario.district_maximum} base(s) per district allows only {room} "
                    f"bases but the scenario asks for {p}"
                )

    if scenario.budget is not None:
        forced_cost = sum(costs.building_cost(venue, scenario)[0] for venue in forced)
        listed_sessions = (
            sum(scenario.outreach_venues.values_list("sessions_per_week", flat=True))
            + scenario.outreach_count * scenario.outreach_sessions_per_week
        )
        outreach_cost = costs.outreach_frontline_cost(scenario, float(listed_sessions))
        budget = float(scenario.budget)
        if forced_cost > budget:
            problems.append(
                f"The budget of £{budget:,.0f} is below the £{forced_cost:,.0f} a year the "
                "venues forced open cost to run"
            )
        elif forced_cost + outreach_cost > budget:
            problems.append(
                f"The budget of £{budget:,.0f} does not cover the venues forced open "
                f"(£{forced_cost:,.0f}) and the staff for {listed_sessions:g} outreach sessions a "
                f"week (£{outreach_cost:,.0f})"
            )
        elif available:
            # Even the cheapest bases allowed must fit within what outreach leaves.
            need = max(p or 0, minimum * len(district_codes), len(forced))
            spare = sorted(
                costs.building_cost(venue, scenario)[0]
                for venue in available
                if venue.pk not in {f.pk for f in forced}
            )
            cheapest = forced_cost + sum(spare[: max(need - len(forced), 0)])
            if cheapest + outreach_cost > budget:
                problems.append(
                    f"The budget of £{budget:,.0f} cannot pay for {need} bases (at least "
                    f"£{cheapest:,.0f} a year) and the outreach staff (£{outreach_cost:,.0f})"
                )
    return problems


def _outreach_sessions(scenario: Scenario) -> float:
    listed = sum(scenario.outreach_venues.values_list("sessions_per_week", flat=True))
    return float(listed + scenario.outreach_count * scenario.outreach_sessions_per_week)


def _building_budget(scenario: Scenario) -> float | None:
    """What the budget leaves for buildings once outreach staff are paid (None: no budget)."""
    if scenario.budget is None:
        return None
    return float(scenario.budget) - costs.outreach_frontline_cost(
        scenario, _outreach_sessions(scenario)
    )


def _optimisation(result: Any, note: str) -> Optimisation:
    return Optimisation(
        method=str(getattr(result, "method", "")) + note,
        status=str(result.status),
        objective=float(result.objective),
        bound=float(result.bound) if np.isfinite(result.bound) else None,
        gap=float(result.gap) if np.isfinite(result.gap) else None,
        proven_optimal=bool(result.proven_optimal),
        seconds=float(result.seconds),
        time_limit_hit=bool(getattr(result, "time_limit_hit", False)),
    )


def _nearest(minutes: FloatArray) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    if minutes.shape[1] == 0:
        return np.full(minutes.shape[0], np.inf), np.full(minutes.shape[0], -1, dtype=np.int64)
    index = np.argmin(minutes, axis=1).astype(np.int64)
    return minutes[np.arange(minutes.shape[0]), index], index


def evaluate_sites(
    *,
    scenario: Scenario,
    area_data: inputs.AreaData,
    bases: list[Venue],
    outreach: list[OutreachPoint],
) -> PlanResult:
    """Score given sites (no optimisation): nearest base and nearest service point per area."""
    service_venues = bases + [point.venue for point in outreach]
    minutes, imported = inputs.travel_minutes_with_source(
        area_data.areas, service_venues, scenario.travel_mode
    )
    weights = area_data.demand(scenario.demand_measure)
    if service_venues:
        base_eval = locate.evaluate(minutes, weights, range(len(bases))) if bases else None
        service_eval = locate.evaluate(minutes, weights, range(len(service_venues)))
        if base_eval is not None:
            base_minutes = np.asarray(base_eval.assigned_cost, dtype=np.float64)
            base_index = np.asarray(base_eval.assignment, dtype=np.int64)
        else:
            base_minutes, base_index = _nearest(minutes[:, :0])
        service_minutes = np.asarray(service_eval.assigned_cost, dtype=np.float64)
        service_index = np.asarray(service_eval.assignment, dtype=np.int64)
    else:
        base_minutes, base_index = _nearest(minutes[:, : len(bases)])
        service_minutes, service_index = _nearest(minutes)
    served = service_index >= 0
    imported_share = (
        float(imported[np.flatnonzero(served), service_index[served]].mean())
        if served.any()
        else 0.0
    )
    return PlanResult(
        bases=bases,
        outreach=outreach,
        area_data=area_data,
        base_minutes=base_minutes,
        base_index=base_index,
        service_minutes=service_minutes,
        service_venues=service_venues,
        service_index=service_index,
        imported_share=imported_share,
    )


def optimise(scenario: Scenario, progress: Progress | None = None) -> PlanResult:
    """Choose bases and outreach venues for the scenario; raise ScenarioCannotBeMet if it can't be."""
    report = progress or (lambda percent, message: None)
    report(5, "Checking the scenario")
    problems = scenario_problems(scenario)
    if problems:
        raise ScenarioCannotBeMet(problems)

    report(10, "Loading areas and venues")
    area_data = inputs.load_areas()
    weights = area_data.demand(scenario.demand_measure)
    candidates = inputs.candidate_bases(scenario)
    forced_ids = set(scenario.forced_open.values_list("pk", flat=True))
    excluded_ids = set(scenario.excluded.values_list("pk", flat=True))

    report(20, f"Travel times: {len(area_data.areas)} areas to {len(candidates)} candidate bases")
    minutes = inputs.travel_minutes(area_data.areas, candidates, scenario.travel_mode)

    options: dict[str, Any] = {
        "forced_open": [k for k, v in enumerate(candidates) if v.pk in forced_ids],
        "excluded": [k for k, v in enumerate(candidates) if v.pk in excluded_ids],
        "time_limit": float(scenario.time_limit_seconds),
        "seed": scenario.seed,
    }
    if scenario.district_minimum is not None or scenario.district_maximum is not None:
        options["groups"] = [_district_label(venue) for venue in candidates]
        if scenario.district_minimum is not None:
            options["group_min"] = scenario.district_minimum
        if scenario.district_maximum is not None:
            options["group_max"] = scenario.district_maximum

    building_budget = _building_budget(scenario)
    try:
        if scenario.objective == Objective.MAX_COVERAGE:
            # Maximal coverage honours the budget itself: site costs against the money left
            # for buildings once the outreach staff are paid for.
            budget_options: dict[str, Any] = {}
            if building_budget is not None:
                budget_options = {
                    "site_costs": [costs.building_cost(v, scenario)[0] for v in candidates],
                    "budget": max(building_budget, 0.0),
                }
            report(35, f"Choosing bases from {len(candidates)} candidates")
            result = locate.max_coverage(
                minutes,
                weights,
                scenario.number_of_bases,
                radius=scenario.sorted_thresholds[0],
                **budget_options,
                **options,
            )
        elif building_budget is not None:
            # A budget: the engine weighs each building's running cost against the travel it
            # saves, so a cheap library and a dear centre are not counted the same; without a
            # number of bases it opens as many as serve families best within the budget.
            report(35, f"Choosing bases within the budget from {len(candidates)} candidates")
            result = locate.p_median(
                minutes,
                weights,
                scenario.number_of_bases,
                site_costs=[costs.building_cost(v, scenario)[0] for v in candidates],
                budget=max(building_budget, 0.0),
                **options,
            )
        else:
            p = scenario.number_of_bases
            report(35, f"Choosing {p} bases from {len(candidates)} candidates")
            result = locate.p_median(minutes, weights, p, **options)
    except ValueError as error:
        # The engine's own checks (e.g. quotas it finds infeasible) are reasons, not crashes.
        raise ScenarioCannotBeMet([str(error)]) from error
    bases = [candidates[int(column)] for column in result.sites]
    optimisation = _optimisation(result, "")
    outreach_optimisation: Optimisation | None = None

    outreach = [
        OutreachPoint(venue=row.venue, sessions_per_week=row.sessions_per_week, chosen_by="planner")
        for row in scenario.outreach_venues.select_related("venue", "venue__district").order_by(
            "venue__name"
        )
    ]
    if scenario.outreach_count:
        taken = {venue.pk for venue in bases} | {point.venue.pk for point in outreach}
        outreach_candidates = inputs.candidate_outreach(scenario, taken)
        count = min(scenario.outreach_count, len(outreach_candidates))
        if count:
            report(60, f"Choosing {count} outreach venues from {len(outreach_candidates)}")
            held = bases + [point.venue for point in outreach]
            pool = held + outreach_candidates
            pool_minutes = np.hstack(
                [
                    inputs.travel_minutes(area_data.areas, held, scenario.travel_mode),
                    inputs.travel_minutes(
                        area_data.areas, outreach_candidates, scenario.travel_mode
                    ),
                ]
            )
            second = locate.p_median(
                pool_minutes,
                weights,
                len(held) + count,
                forced_open=list(range(len(held))),
                time_limit=float(scenario.time_limit_seconds),
                seed=scenario.seed,
            )
            outreach_optimisation = _optimisation(second, "")
            outreach.extend(
                OutreachPoint(
                    venue=pool[int(column)],
                    sessions_per_week=scenario.outreach_sessions_per_week,
                    chosen_by="optimiser",
                )
                for column in second.sites
                if int(column) >= len(held)
            )

    report(80, "Measuring travel and reach")
    plan = evaluate_sites(scenario=scenario, area_data=area_data, bases=bases, outreach=outreach)
    plan.optimisation = optimisation
    plan.outreach_optimisation = outreach_optimisation
    if scenario.budget is not None:
        split = costs.cost_split(
            scenario=scenario,
            bases=bases,
            outreach_sessions_per_week=float(sum(o.sessions_per_week for o in outreach)),
        )
        if split["buildings"] + split["outreach_frontline_needed"] > float(scenario.budget) + 0.5:
            # The engine keeps the bases within what outreach leaves, so this is only a guard
            # against the two disagreeing (it did happen before budgets reached the engine).
            raise ScenarioCannotBeMet(
                [
                    f"The bases with the shortest travel cost £{split['buildings']:,.0f} a year "
                    f"and outreach staff £{split['outreach_frontline_needed']:,.0f}: more than the "
                    f"budget of £{float(scenario.budget):,.0f}. Choose fewer bases, or the aim "
                    "“most families within the first threshold”, which keeps to the budget"
                ]
            )
    return plan
