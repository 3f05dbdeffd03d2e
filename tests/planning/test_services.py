"""Running scenarios: results, quotas, budgets, refusals before running, failures, adoption."""

import itertools
import math
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from auditlog.models import LogEntry

from familyreach.geo.models import Area, Venue
from familyreach.geo.need import greatest_need_area_ids
from familyreach.planning import engine, inputs
from familyreach.planning.costs import building_cost
from familyreach.planning.figures import network_cost
from familyreach.planning.models import (
    PublishingStatus,
    Scenario,
    ScenarioRun,
    ScenarioRunArea,
    ScenarioStatus,
)
from familyreach.planning.services import (
    scenario_adopt,
    scenario_run_enqueue,
    scenario_update,
)

pytestmark = pytest.mark.django_db


def _independent_measures(run: ScenarioRun, scenario: Scenario) -> dict[str, Any]:
    """Recompute the headline measures in plain Python from the raw area and venue rows."""
    areas = list(Area.objects.order_by("code"))
    bases = list(Venue.objects.filter(pk__in=run.bases))
    outreach_ids = [row["venue"] for row in run.outreach]
    service = bases + list(Venue.objects.filter(pk__in=outreach_ids))
    greatest = greatest_need_area_ids()  # geo's rule
    need = [area.pk in greatest for area in areas]
    base_times = inputs.travel_minutes(areas, bases, scenario.travel_mode)
    service_times = inputs.travel_minutes(areas, service, scenario.travel_mode)
    total = sum(area.under_fives or 0 for area in areas)
    need_total = sum((area.under_fives or 0) for k, area in enumerate(areas) if need[k])
    figures: dict[str, Any] = {}
    for threshold in scenario.sorted_thresholds:
        key = f"{threshold:g}"
        within_base = sum(
            (area.under_fives or 0)
            for k, area in enumerate(areas)
            if min(base_times[k]) <= threshold
        )
        within_service = sum(
            (area.under_fives or 0)
            for k, area in enumerate(areas)
            if min(service_times[k]) <= threshold
        )
        need_within = sum(
            (area.under_fives or 0)
            for k, area in enumerate(areas)
            if need[k] and min(service_times[k]) <= threshold
        )
        figures[key] = (within_base / total, within_service / total, need_within / need_total)
    mean = (
        sum((area.under_fives or 0) * min(service_times[k]) for k, area in enumerate(areas)) / total
    )
    figures["mean"] = mean
    # 90th percentile: smallest time with at least 90% of under-fives at or below it.
    pairs = sorted((min(service_times[k]), area.under_fives or 0) for k, area in enumerate(areas))
    running = 0.0
    for minutes, weight in pairs:
        running += weight
        if running >= 0.9 * total - 1e-9:
            figures["p90"] = minutes
            break
    figures["buildings"] = sum(building_cost(venue, scenario)[0] for venue in bases)
    return figures


def test_run_stores_results_that_match_an_independent_recount(
    make_scenario: Callable[..., Scenario], planner: Any
) -> None:
    scenario = make_scenario(
        user=planner, number_of_bases=2, outreach_count=1, outreach=[("Thorpe Village Hall", 2)]
    )
    run = scenario_run_enqueue(scenario=scenario, user=planner)
    run.refresh_from_db()
    scenario.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    assert scenario.status == ScenarioStatus.FINISHED
    assert len(run.bases) == 2
    assert len(run.outreach) == 2
    assert {row["chosen_by"] for row in run.outreach} == {"planner", "optimiser"}
    assert ScenarioRunArea.objects.filter(run=run).count() == Area.objects.count()

    expected = _independent_measures(run, scenario)
    for threshold in ("15", "30"):
        base_share, service_share, need_share = expected[threshold]
        assert run.measures["base"][threshold]["share"] == pytest.approx(base_share)
        assert run.measures["service"][threshold]["share"] == pytest.approx(service_share)
        assert run.measures["service"][threshold]["greatest_need_share"] == pytest.approx(
            need_share
        )
    assert run.measures["service_mean_minutes"] == pytest.approx(expected["mean"], rel=1e-5)
    assert run.measures["service_p90_minutes"] == pytest.approx(expected["p90"], rel=1e-5)
    assert run.measures["costs"]["buildings"] == pytest.approx(expected["buildings"])
    # Each area's stored nearest service point is the nearest of the chosen ones.
    for row in ScenarioRunArea.objects.filter(run=run).select_related("area"):
        venue_ids = run.bases + [o["venue"] for o in run.outreach]
        venues = list(Venue.objects.filter(pk__in=venue_ids))
        times = inputs.travel_minutes([row.area], venues, scenario.travel_mode)[0]
        assert row.service_minutes == pytest.approx(float(min(times)), rel=1e-5)
    # The optimiser's account is stored, and an unproven answer is never called optimal.
    assert run.optimiser_status
    if not run.proven_optimal:
        assert run.optimiser_status != "optimal"


def test_one_base_per_district_quota_is_honoured(
    make_scenario: Callable[..., Scenario], small_county: dict[str, Any]
) -> None:
    scenario = make_scenario(number_of_bases=2, district_minimum=1, district_maximum=1)
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    districts = sorted(
        Venue.objects.filter(pk__in=run.bases).values_list("district__code", flat=True)
    )
    assert districts == ["E07000145", "E07000148"]
    assert all(row["bases"] == 1 for row in run.districts)


def test_budget_is_honoured_and_staff_cost_is_what_the_sessions_need(
    make_scenario: Callable[..., Scenario],
) -> None:
    # 200,000 a year; outreach 6 sessions a week needs one worker (35,000 by default).
    scenario = make_scenario(budget=200_000, outreach=[("Thorpe Village Hall", 6)])
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    split = run.measures["costs"]
    bases = list(Venue.objects.filter(pk__in=run.bases))
    assert split["buildings"] == pytest.approx(
        sum(building_cost(venue, scenario)[0] for venue in bases)
    )
    assert split["buildings"] + split["outreach_frontline_needed"] <= 200_000
    # Frontline staff cost is what the sessions need (one worker), budget or not (issue 17):
    # the rest of the budget is its own figure, never shown as staff cost.
    assert split["frontline"] == pytest.approx(35_000)
    assert split["frontline_hours"] == pytest.approx(1_628)
    assert split["budget_left"] == pytest.approx(200_000 - split["buildings"] - 35_000)
    cost = network_cost(split)
    assert cost.frontline == pytest.approx(35_000)
    assert cost.budget_left_hours == pytest.approx(split["budget_left"] / 35_000 * 1_628)
    assert "building running costs by kind of venue" in split["assumptions"]


def test_budget_below_forced_sites_is_refused_before_running(
    make_scenario: Callable[..., Scenario],
) -> None:
    scenario = make_scenario(
        number_of_bases=2,
        budget=60_000,
        forced_open=["Mile Cross Children's Centre", "Gorleston Children's Centre"],
    )
    with pytest.raises(engine.ScenarioCannotBeMet) as refused:
        scenario_run_enqueue(scenario=scenario, user=None)
    assert "below the £105,000 a year the venues forced open cost" in str(refused.value)
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT
    assert not ScenarioRun.objects.exists()


def test_impossible_quota_is_refused_with_a_reason(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(number_of_bases=1, district_minimum=1)
    with pytest.raises(engine.ScenarioCannotBeMet) as refused:
        scenario_run_enqueue(scenario=scenario, user=None)
    assert (
        "At least 1 base(s) in each of 2 districts needs 2 bases but the scenario allows 1"
        in str(refused.value)
    )


def test_forced_and_excluded_are_honoured(make_scenario: Callable[..., Scenario]) -> None:
    scenario = make_scenario(
        number_of_bases=2,
        forced_open=["Acle Library"],
        excluded=["Great Yarmouth Library", "Norwich Millennium Library"],
    )
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    names = set(Venue.objects.filter(pk__in=run.bases).values_list("name", flat=True))
    assert "Acle Library" in names
    assert not names & {"Great Yarmouth Library", "Norwich Millennium Library"}


def test_a_failing_run_is_marked_failed_and_nothing_half_written(
    make_scenario: Callable[..., Scenario],
) -> None:
    scenario = make_scenario(number_of_bases=2)
    # Fail while saving per-area rows, after the run row itself was updated in the transaction.
    with mock.patch.object(
        ScenarioRunArea.objects, "bulk_create", side_effect=RuntimeError("disk full")
    ):
        run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    scenario.refresh_from_db()
    assert run.status == ScenarioStatus.FAILED
    assert run.error == "RuntimeError: disk full"
    assert run.bases == []
    assert run.measures == {}
    assert not ScenarioRunArea.objects.filter(run=run).exists()
    assert scenario.status == ScenarioStatus.FAILED
    assert scenario.status_error == "RuntimeError: disk full"


def test_changing_a_scenario_returns_it_to_draft_and_is_audited(
    make_scenario: Callable[..., Scenario], planner: Any
) -> None:
    scenario = make_scenario(number_of_bases=2, user=planner)
    scenario_run_enqueue(scenario=scenario, user=planner)
    scenario_update(scenario=scenario, user=planner, fields={"number_of_bases": 3})
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT
    entries = LogEntry.objects.get_for_object(scenario)
    assert entries.filter(actor=planner).count() >= 2
    assert any("number_of_bases" in (entry.changes_dict or {}) for entry in entries)


def test_saving_the_same_inputs_again_keeps_a_finished_scenario_finished(
    make_scenario: Callable[..., Scenario], planner: Any
) -> None:
    from decimal import Decimal

    scenario = make_scenario(number_of_bases=2, user=planner)
    scenario_update(
        scenario=scenario,
        user=planner,
        fields={"budget": Decimal("5000000"), "building_cost_default": Decimal("120000")},
    )
    scenario_run_enqueue(scenario=scenario, user=planner)
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.FINISHED
    # The same values, written as a form or the demo would (Decimals with other scales).
    scenario_update(
        scenario=scenario,
        user=planner,
        fields={
            "number_of_bases": 2,
            "budget": Decimal("5000000.00"),
            "building_cost_default": Decimal("120000"),
        },
    )
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.FINISHED
    scenario_update(scenario=scenario, user=planner, fields={"budget": Decimal("4000000")})
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT


def test_adopting_records_who_and_publishes_bases_and_outreach_to_the_directory(
    make_scenario: Callable[..., Scenario], manager: Any
) -> None:
    from familyreach.directory.models import Location

    scenario = make_scenario(number_of_bases=2, outreach=[("Caister Village Hall", 3)])
    run = scenario_run_enqueue(scenario=scenario, user=manager)
    adopted = scenario_adopt(scenario=scenario, user=manager)
    assert adopted.adopted_by == manager
    assert adopted.publishing_status == PublishingStatus.PUBLISHED
    assert "Published to the directory: 2 bases and 1 outreach venues" in adopted.publishing_note
    assert LogEntry.objects.get_for_object(adopted).filter(actor=manager).exists()
    published_bases = Location.objects.filter(is_family_base=True)
    assert sorted(published_bases.values_list("venue_id", flat=True)) == sorted(run.bases)
    outreach = Location.objects.get(venue__name="Caister Village Hall")
    assert outreach.is_family_base is False


def test_no_area_without_under_fives_breaks_the_measures(
    make_scenario: Callable[..., Scenario],
) -> None:
    Area.objects.filter(code="E01000010").update(under_fives=None)
    scenario = make_scenario(number_of_bases=2)
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED
    assert math.isfinite(run.measures["service_mean_minutes"])


def test_a_run_delivered_twice_is_done_once(make_scenario: Callable[..., Scenario]) -> None:
    from familyreach.planning.services import scenario_run_execute

    scenario = make_scenario(number_of_bases=2)
    run = scenario_run_enqueue(scenario=scenario, user=None)
    finished_at = ScenarioRun.objects.get(pk=run.pk).finished_at
    with mock.patch.object(engine, "optimise", side_effect=AssertionError("ran twice")):
        again = scenario_run_execute(run_id=run.pk)
    assert again.status == ScenarioStatus.FINISHED
    assert again.finished_at == finished_at


def test_a_second_run_while_one_is_queued_is_refused(
    make_scenario: Callable[..., Scenario],
) -> None:
    from familyreach.planning.services import scenario_run_queue

    scenario = make_scenario(number_of_bases=2)
    scenario_run_queue(scenario=scenario, user=None)
    with pytest.raises(engine.ScenarioCannotBeMet, match="already queued or running"):
        scenario_run_queue(scenario=scenario, user=None)
    assert ScenarioRun.objects.filter(scenario=scenario).count() == 1


@pytest.mark.parametrize("objective", ["min_travel", "max_coverage"])
def test_a_tight_budget_is_honoured_by_either_aim(
    make_scenario: Callable[..., Scenario], objective: str
) -> None:
    # £100,000: outreach (6 sessions a week) takes one worker at £35,000, leaving £65,000 for
    # buildings: the two children's centres (£50,000 and £55,000) cannot both be bases.
    scenario = make_scenario(
        budget=100_000, objective=objective, outreach=[("Thorpe Village Hall", 6)]
    )
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    bases = list(Venue.objects.filter(pk__in=run.bases))
    buildings = sum(building_cost(venue, scenario)[0] for venue in bases)
    assert bases
    assert buildings <= 65_000
    assert run.measures["costs"]["buildings"] == pytest.approx(buildings)
    assert run.measures["costs"]["frontline"] == pytest.approx(35_000)
    assert run.measures["costs"]["budget_left"] == pytest.approx(100_000 - buildings - 35_000)


def test_shortest_travel_within_a_budget_takes_the_cheaper_base(
    make_scenario: Callable[..., Scenario],
) -> None:
    # The shortest travel for two bases needs Gorleston's centre for Great Yarmouth (£105,000
    # with Mile Cross), over the £65,000; the engine weighs cost against travel and takes the
    # best pair within it (before, this run failed with "more than the budget").
    scenario = make_scenario(
        number_of_bases=2,
        budget=65_000,
        forced_open=["Mile Cross Children's Centre"],
        excluded=["Great Yarmouth Library", "Acle Library"],
    )
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    bases = list(Venue.objects.filter(pk__in=run.bases))
    assert len(bases) == 2
    assert sum(building_cost(venue, scenario)[0] for venue in bases) <= 65_000
    assert "Gorleston Children's Centre" not in {venue.name for venue in bases}
    assert run.proven_optimal


def test_a_budget_alone_picks_cheaper_bases_that_serve_as_well(
    make_scenario: Callable[..., Scenario],
) -> None:
    # £60,000 and no number of bases: the four libraries (£12,000 each by kind) fit together;
    # a children's centre (£50,000 or £55,000) would leave room for nothing else. Great
    # Yarmouth Library stands by Gorleston's centre and serves its families as well.
    scenario = make_scenario(budget=60_000)
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    bases = list(Venue.objects.filter(pk__in=run.bases))
    assert {venue.kind for venue in bases} == {"library"}
    assert sum(building_cost(venue, scenario)[0] for venue in bases) <= 60_000
    assert run.proven_optimal
    # Against every affordable choice of candidates: none has shorter travel.
    candidates = inputs.candidate_bases(scenario)
    area_data = inputs.load_areas()
    weights = area_data.demand(scenario.demand_measure)
    minutes = inputs.travel_minutes(area_data.areas, candidates, scenario.travel_mode)
    prices = [building_cost(venue, scenario)[0] for venue in candidates]
    best = min(
        float(weights @ minutes[:, list(sites)].min(axis=1))
        for size in range(1, len(candidates) + 1)
        for sites in itertools.combinations(range(len(candidates)), size)
        if sum(prices[j] for j in sites) <= 60_000
    )
    assert run.objective == pytest.approx(best)


def test_who_ran_a_scenario_is_in_the_audit_log(
    make_scenario: Callable[..., Scenario], planner: Any
) -> None:
    scenario = make_scenario(number_of_bases=2)
    run = scenario_run_enqueue(scenario=scenario, user=planner)
    entries = LogEntry.objects.get_for_object(run)
    assert entries.filter(actor=planner, action=LogEntry.Action.CREATE).exists()
    # The result was written under the same user, though by a background task.
    assert entries.filter(actor=planner, action=LogEntry.Action.UPDATE).exists()
