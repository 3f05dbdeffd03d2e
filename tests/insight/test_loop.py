"""Closing the loop: "plan outreach here" seeds a planning scenario with the unreached need, and
the simulator estimates a finished scenario's effect on reach."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.insight.loop import outreach_scenario_create, scenario_reach_effect
from familyreach.insight.measures import unreached_greatest_need
from familyreach.insight.models import OutreachSeed
from familyreach.insight.selectors import dashboard_report
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.planning.models import DemandMeasure, Scenario
from familyreach.planning.services import scenario_run_now


@pytest.fixture
def county_report(small_county: dict[str, Any]) -> Any:
    snapshot = reach_snapshot_refresh(as_of=date(2026, 6, 30))
    return dashboard_report(snapshot=snapshot).report


def test_plan_outreach_seeds_a_scenario_with_unreached_greatest_need(
    county_report: Any, planner: Any
) -> None:
    scenario = outreach_scenario_create(user=planner, report=county_report, areas_to_target=3)
    seeds = list(OutreachSeed.objects.filter(scenario=scenario).select_related("area"))
    unreached = unreached_greatest_need(county_report)
    # The three greatest-need areas with most weighted unreached need; the seed is their
    # unreached under-fives (nobody is seen yet, so all of them).
    assert len(seeds) == 3
    for seed in seeds:
        assert seed.unreached_under_fives == pytest.approx(unreached[seed.area_id])
    assert {seed.area.code for seed in seeds} == {"E01000006", "E01000001", "E01000007"}
    # Optimised on the unreached need itself, not the need-weighted proxy.
    assert scenario.demand_measure == DemandMeasure.UNREACHED_NEED
    outreach = {row.venue.name: row.sessions_per_week for row in scenario.outreach_venues.all()}
    # The largest need (Great Yarmouth, 150 under-fives) gets the most sessions, at the venue
    # nearest its centroid.
    assert outreach["Great Yarmouth Library"] == 5
    assert "ESTIMATED" in scenario.description
    assert scenario.created_by == planner


def test_plan_outreach_from_the_dashboard(county_report: Any, planner: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(planner)
    response = client.post(reverse("insight:plan-outreach"))
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:detail", args=[scenario.pk])
    from familyreach.accounts.roles import Role

    worker = Client()
    worker.force_login(make_user(Role.FAMILY_WORKER))
    assert worker.post(reverse("insight:plan-outreach")).status_code == 403
    assert Scenario.objects.count() == 1


def test_a_finished_scenarios_effect_on_reach(
    make_scenario: Any, small_county: dict[str, Any], manager: Any
) -> None:
    # Today: sessions only at Norwich's children's centre (no sessions recorded, so the open
    # children's centres are today's network: Mile Cross and Gorleston).
    scenario = make_scenario(
        name="Option C",
        number_of_bases=2,
        forced_open=["Mile Cross Children's Centre", "Gorleston Children's Centre"],
        outreach=[("Acle Library", 2), ("Caister Village Hall", 1), ("Thorpe Village Hall", 1)],
    )
    scenario_run_now(scenario=scenario, user=None)
    scenario.refresh_from_db()
    effect = scenario_reach_effect(scenario=scenario)
    assert "children's centres" in effect.today_description
    assert effect.simulated.baseline.greatest_need_reach == pytest.approx(0.75, abs=1e-6)
    assert (
        effect.simulated.scenario.greatest_need_reach
        >= effect.simulated.baseline.greatest_need_reach
    )
    # The option's travel is its run's, as planning shows it; no reach figures yet, so only
    # the simulator's own (differently named) figures are given.
    assert (
        effect.travel_option.mean_minutes
        == scenario.latest_finished_run.measures["service_mean_minutes"]
    )
    assert effect.seen_reach_today is None
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insight:plan-effect") + f"?scenario={scenario.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "With Option C, the simulated share of greatest-need under-fives in families seen" in text
    )
    assert "odds halve every" in text
    # The fixture's areas have no ONS counts: the page says the under-fives are the estimate.
    assert "Source of under-five figures: estimated: 0–15 (mid-2015) × 0.335 in every area." in text
    bad = client.get(reverse("insight:plan-effect") + "?scenario=999999")
    assert bad.status_code == 400


def test_money_by_district_from_the_adopted_scenario(
    make_scenario: Any, small_county: dict[str, Any], manager: Any
) -> None:
    from django.utils import timezone

    from familyreach.insight.loop import spend_by_district
    from familyreach.insight.money import money_by_district

    scenario = make_scenario(
        name="Adopted",
        number_of_bases=2,
        forced_open=["Mile Cross Children's Centre", "Gorleston Children's Centre"],
        outreach=[("Acle Library", 2), ("Thorpe Village Hall", 2)],
    )
    scenario_run_now(scenario=scenario, user=None)
    Scenario.objects.filter(pk=scenario.pk).update(adopted_at=timezone.now())
    spend = spend_by_district()
    assert spend is not None
    buildings = {row.district_name: row.buildings for row in spend.districts}
    # The two centres' own running costs, one in each district.
    assert buildings == {"Great Yarmouth": 55000.0, "Norwich": 50000.0}
    frontline = {row.district_name: row.frontline for row in spend.districts}
    assert frontline["Great Yarmouth"] == pytest.approx(frontline["Norwich"])  # 2 sessions each
    report = dashboard_report(snapshot=reach_snapshot_refresh(as_of=date(2026, 6, 30))).report
    districts, county = money_by_district(spend.districts, report)
    assert {row.label for row in districts} == {"Great Yarmouth", "Norwich"}
    assert county.buildings == 105000.0
    assert county.cost_per_family_seen is None  # nobody seen yet: no cost per family
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insight:money")).content.decode()
    assert "£105,000" in page
    assert "no staff are recorded in delivery teams" in page


def test_before_any_option_is_adopted_the_money_page_costs_each_option(
    make_scenario: Any, small_county: dict[str, Any], manager: Any
) -> None:
    from familyreach.planning.figures import network_cost

    scenario = make_scenario(
        name="Two centres",
        number_of_bases=2,
        forced_open=["Mile Cross Children's Centre", "Gorleston Children's Centre"],
        outreach=[("Acle Library", 2)],
    )
    run = scenario_run_now(scenario=scenario, user=None)
    cost = network_cost(run.measures["costs"])
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insight:money")).content.decode()
    assert "No option has been adopted in planning yet" in page
    assert 'data-testid="option-costs"' in page
    assert "Two centres" in page
    # Planning's own figures for the option's run (planning.figures), not another sum.
    assert f"£{cost.buildings:,.0f}" in page
    assert f"£{cost.total:,.0f}" in page


def test_planning_optimises_on_unreached_greatest_need_from_the_latest_figures(
    make_scenario: Any, small_county: dict[str, Any], monkeypatch: Any
) -> None:
    from familyreach.delivery.models import Contact
    from familyreach.families.models import Child, Family
    from familyreach.geo.models import Area
    from familyreach.planning import inputs
    from familyreach.planning.engine import scenario_problems
    from familyreach.planning.models import ScenarioStatus

    scenario = make_scenario(
        name="On unreached need",
        number_of_bases=2,
        demand_measure=DemandMeasure.UNREACHED_NEED,
    )
    # Without reach figures the scenario says what is missing instead of running on nothing.
    assert any("No reach figures" in problem for problem in scenario_problems(scenario))

    # Seven families seen in Great Yarmouth's greatest-need area (150 estimated under-fives),
    # two of them with two under-fives: 9 under-fives reached there.
    area = Area.objects.get(code="E01000006")
    as_of = date(2026, 6, 30)
    for number in range(7):
        family = Family.objects.create(area=area, district=area.district)
        for _ in range(2 if number < 2 else 1):
            Child.objects.create(family=family, date_of_birth=date(2024, 3, 1))
        Contact.objects.create(
            family=family, date=date(2026, 5, 1), kind="session_attendance", area=area
        )
    snapshot = reach_snapshot_refresh(as_of=as_of)
    expected = unreached_greatest_need(dashboard_report(snapshot=snapshot).report)
    assert expected[area.pk] == pytest.approx(150 - 9)
    assert scenario_problems(scenario) == []

    chosen: list[Any] = []
    original = inputs.AreaData.demand

    def spy(self: Any, measure: str) -> Any:
        weights = original(self, measure)
        chosen.append((list(self.areas), weights))
        return weights

    monkeypatch.setattr(inputs.AreaData, "demand", spy)
    scenario_run_now(scenario=scenario, user=None)
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.FINISHED
    assert chosen
    areas, weights = chosen[0]
    by_code = {}
    for each, weight in zip(areas, weights, strict=True):
        # The weight of each area is exactly the insight figure: unreached under-fives in a
        # greatest-need area, nothing elsewhere.
        assert weight == pytest.approx(expected.get(each.pk, 0.0))
        by_code[each.code] = weight
    assert by_code["E01000006"] == pytest.approx(141)
    assert by_code["E01000001"] == pytest.approx(120)  # nobody seen there
    assert by_code["E01000003"] == 0  # decile 5: not greatest need
