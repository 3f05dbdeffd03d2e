"""Planning pages: access, the form, running, what-if, comparison and downloads."""

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.accounts.roles import Role
from familyreach.geo.models import Area, Venue
from familyreach.planning.models import Scenario, ScenarioStatus
from familyreach.planning.services import scenario_run_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_run_scenarios(make_scenario: Callable[..., Scenario]) -> list[Scenario]:
    first = make_scenario(name="Option A", number_of_bases=1)
    second = make_scenario(
        name="Option B", number_of_bases=2, outreach=[("Caister Village Hall", 2)]
    )
    for scenario in (first, second):
        scenario_run_enqueue(scenario=scenario, user=None)
    return [first, second]


@pytest.mark.parametrize("role", [Role.FAMILY_WORKER, Role.VOLUNTEER, Role.COMMUNITY_GROUP_ADMIN])
def test_other_roles_are_refused(
    client: Client,
    make_user: Callable[..., Any],
    role: Role,
    make_scenario: Callable[..., Scenario],
) -> None:
    scenario = make_scenario(number_of_bases=1)
    client.force_login(make_user(role))
    for name, args in [
        ("planning:list", []),
        ("planning:create", []),
        ("planning:detail", [scenario.pk]),
        ("planning:compare", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.post(reverse("planning:run", args=[scenario.pk])).status_code == 403


def test_signed_out_users_go_to_sign_in(client: Client) -> None:
    response = client.get(reverse("planning:list"))
    assert response.status_code == 302
    assert "/staff/sign-in" in response["Location"]


def test_manager_sees_the_list(
    client: Client, manager: Any, two_run_scenarios: list[Scenario]
) -> None:
    client.force_login(manager)
    page = client.get(reverse("planning:list")).content.decode()
    assert "Option A" in page
    assert "Option B" in page


def test_form_errors_are_summarised(planner_client: Client, small_county: dict[str, Any]) -> None:
    response = planner_client.post(
        reverse("planning:create"),
        {
            "name": "",
            "objective": "min_travel",
            "candidate_kinds": ["library"],
            "travel_mode": "car",
            "thresholds": "15, soon",
            "demand_measure": "under_fives",
            "forced_open": "No Such Venue",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a name" in page
    assert "Enter travel times as minutes separated by commas" in page
    assert "Enter a number of bases, a budget, or both" in page
    assert "Line 1: no venue is called “No Such Venue”" in page
    assert not Scenario.objects.exists()


def test_create_run_and_view(
    planner_client: Client, planner: Any, small_county: dict[str, Any]
) -> None:
    response = planner_client.post(
        reverse("planning:create"),
        {
            "name": "Two bases",
            "objective": "min_travel",
            "number_of_bases": "2",
            "district_minimum": "1",
            "candidate_kinds": ["library", "childrens_centre"],
            "outreach_kinds": ["village_hall"],
            "outreach_count": "1",
            "outreach_venues": "Thorpe Village Hall, 2",
            "travel_mode": "car",
            "thresholds": "15, 30",
            "demand_measure": "under_fives",
        },
    )
    scenario = Scenario.objects.get(name="Two bases")
    assert response.status_code == 302
    assert scenario.created_by == planner
    assert scenario.district_minimum == 1
    response = planner_client.post(reverse("planning:run", args=[scenario.pk]))
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.FINISHED
    page = planner_client.get(reverse("planning:detail", args=[scenario.pk])).content.decode()
    assert "Under-fives (estimated) within 30 minutes of any service point" in page
    assert "Great Yarmouth" in page  # per-district table
    assert "Worst-served areas" in page
    assert "Base (chosen by the optimiser)" in page
    assert "Outreach, 2 a week" in page
    assert "Bases: proven optimal" in page or "Bases: not proven optimal" in page
    assert "Outreach venues (with the bases held open):" in page


def test_running_an_unmeetable_scenario_shows_the_reason(
    planner_client: Client, make_scenario: Callable[..., Scenario]
) -> None:
    scenario = make_scenario(number_of_bases=1, district_minimum=1)
    response = planner_client.post(reverse("planning:run", args=[scenario.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This scenario cannot be run" in page
    assert "needs 2 bases but the scenario allows 1" in page
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT


def test_progress_page_refreshes_while_queued(
    planner_client: Client, make_scenario: Callable[..., Scenario]
) -> None:
    from familyreach.planning.services import scenario_run_queue

    scenario = make_scenario(number_of_bases=1)
    scenario_run_queue(scenario=scenario, user=None)
    response = planner_client.get(reverse("planning:detail", args=[scenario.pk]))
    assert response["Refresh"] == "3"
    assert "Waiting for a worker" in response.content.decode()


def test_what_if_recomputes_without_re_optimising(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    scenario = two_run_scenarios[0]
    run = scenario.latest_finished_run
    assert run is not None
    base = Venue.objects.get(pk=run.bases[0])
    other = Venue.objects.exclude(pk=base.pk).get(name="Great Yarmouth Library")
    response = planner_client.post(
        reverse("planning:what-if", args=[scenario.pk]),
        {"base": [base.pk], "add_base": other.name},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "With changes" in page
    assert "Now scoring 2 bases and 0 outreach venues." in page
    # The run stored is unchanged: what-if does not save.
    run.refresh_from_db()
    assert len(run.bases) == 1


def test_what_if_with_an_unknown_venue_says_so(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    scenario = two_run_scenarios[0]
    response = planner_client.post(
        reverse("planning:what-if", args=[scenario.pk]), {"add_base": "Atlantis Library"}
    )
    assert response.status_code == 400
    assert "No venue is called “Atlantis Library”" in response.content.decode()


def test_compare_two_scenarios(planner_client: Client, two_run_scenarios: list[Scenario]) -> None:
    ids = [s.pk for s in two_run_scenarios]
    response = planner_client.get(reverse("planning:compare"), {"scenario": ids})
    assert response.status_code == 200
    page = response.content.decode()
    assert "“Option B” leaves" in page
    assert "Against “Option A”, “Option B” has +1 bases" in page
    data = planner_client.get(reverse("planning:compare-data"), {"scenario": ids}).json()
    assert data["scenarios"] == ["Option A", "Option B"]
    assert all(len(chart["values"]) == 2 for chart in data["charts"])


def test_compare_needs_two_to_five(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    response = planner_client.get(
        reverse("planning:compare"), {"scenario": [two_run_scenarios[0].pk]}
    )
    assert response.status_code == 400
    assert "Choose between 2 and 5 scenarios to compare" in response.content.decode()


def test_downloads_match_the_run(planner_client: Client, two_run_scenarios: list[Scenario]) -> None:
    scenario = two_run_scenarios[1]
    run = scenario.latest_finished_run
    assert run is not None
    areas = list(
        csv.DictReader(
            io.StringIO(
                planner_client.get(
                    reverse("planning:areas-csv", args=[scenario.pk])
                ).content.decode()
            )
        )
    )
    assert len(areas) == Area.objects.count()
    assert {row["under_fives_is_estimate"] for row in areas} == {"True"}
    sites = list(
        csv.DictReader(
            io.StringIO(
                planner_client.get(
                    reverse("planning:sites-csv", args=[scenario.pk])
                ).content.decode()
            )
        )
    )
    assert sorted(int(row["venue_id"]) for row in sites if row["role"] == "base") == sorted(
        run.bases
    )
    geojson = json.loads(
        planner_client.get(reverse("planning:geojson", args=[scenario.pk])).content
    )
    layers = [feature["properties"]["layer"] for feature in geojson["features"]]
    assert layers.count("area") == Area.objects.count()
    assert layers.count("base") == 2
    assert layers.count("outreach") == 1
    report = planner_client.get(reverse("planning:report", args=[scenario.pk])).content.decode()
    assert "Option B" in report
    assert "estimates" in report


def test_adopt_from_the_page(
    planner_client: Client, planner: Any, two_run_scenarios: list[Scenario]
) -> None:
    scenario = two_run_scenarios[0]
    response = planner_client.post(reverse("planning:adopt", args=[scenario.pk]), follow=True)
    assert "adopted" in response.content.decode()
    scenario.refresh_from_db()
    assert scenario.adopted_by == planner


def test_list_page_queries_do_not_grow_with_scenarios(
    planner_client: Client,
    make_scenario: Callable[..., Scenario],
    django_assert_num_queries: Any,
) -> None:
    for number in range(2):
        scenario_run_enqueue(scenario=make_scenario(number_of_bases=1 + number), user=None)
    planner_client.get(reverse("planning:list"))  # warm the session
    with django_assert_num_queries(6) as captured:
        planner_client.get(reverse("planning:list"))
    for number in range(2, 4):
        scenario_run_enqueue(scenario=make_scenario(number_of_bases=1 + number), user=None)
    with django_assert_num_queries(len(captured.captured_queries)):
        planner_client.get(reverse("planning:list"))


def test_edit_shows_the_inputs_and_returns_the_scenario_to_draft(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    scenario = two_run_scenarios[1]
    page = planner_client.get(reverse("planning:edit", args=[scenario.pk])).content.decode()
    assert 'value="Option B"' in page
    assert "Caister Village Hall, 2" in page
    response = planner_client.post(
        reverse("planning:edit", args=[scenario.pk]),
        {
            "name": "Option B",
            "objective": "min_travel",
            "number_of_bases": "3",
            "candidate_kinds": ["library"],
            "outreach_venues": "Caister Village Hall, 2",
            "travel_mode": "public_transport",
            "thresholds": "20",
            "demand_measure": "need_weighted",
        },
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT
    assert scenario.number_of_bases == 3
    assert scenario.thresholds == [20]
    assert scenario.travel_mode == "public_transport"
    # The earlier run keeps the inputs it was run with.
    run = scenario.latest_finished_run
    assert run is not None
    assert run.inputs["number_of_bases"] == 2


def test_a_duplicate_name_is_refused(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    response = planner_client.post(
        reverse("planning:create"),
        {
            "name": "Option A",
            "number_of_bases": "1",
            "candidate_kinds": ["library"],
            "objective": "min_travel",
            "travel_mode": "car",
            "thresholds": "15",
            "demand_measure": "under_fives",
        },
    )
    assert "A scenario with this name already exists" in response.content.decode()


def test_compare_keeps_the_order_picked(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    first, second = two_run_scenarios
    data = planner_client.get(
        reverse("planning:compare-data"), {"scenario": [second.pk, first.pk]}
    ).json()
    assert data["scenarios"] == ["Option B", "Option A"]


def test_what_if_removing_every_site_shows_no_one_in_reach(
    planner_client: Client, two_run_scenarios: list[Scenario]
) -> None:
    scenario = two_run_scenarios[0]
    run = scenario.latest_finished_run
    assert run is not None
    response = planner_client.post(
        reverse("planning:what-if", args=[scenario.pk]),
        {"base": run.bases, "remove": run.bases[0]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Now scoring 0 bases and 0 outreach venues." in page
    assert "0.0% (0)" in page
