"""The Norfolk demo scenarios on the real Norfolk geography."""

from io import StringIO
from typing import Any

import pytest

from familyreach.accounts.roles import Role
from familyreach.geo.models import Venue, VenueKind
from familyreach.planning import demo
from familyreach.planning.models import Scenario, ScenarioStatus
from familyreach.planning.services import scenario_run_now
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db


def test_demo_scenarios_exist_named_so_and_centres_are_approximate(norfolk: NorfolkWorld) -> None:
    demo.load(StringIO(), run=False)
    demo.load(StringIO(), run=False)  # idempotent
    assert set(Scenario.objects.values_list("name", flat=True)) == {
        "Current network: 53 centres",
        "50% of centres in the highest-need areas",
        "7 bases (one per district) + outreach",
        "15 bases + outreach",
    }
    centres = Venue.objects.filter(kind=VenueKind.CHILDRENS_CENTRE, source=demo.CENTRE_SOURCE)
    assert 20 <= centres.count() <= 28
    # Nothing approximate may look exact.
    assert not centres.filter(position_is_exact=True).exists()
    assert all(c.position_source.startswith("Approximate: placed at ") for c in centres)
    # A named centre sits where the library of its town is.
    holt = centres.get(source_reference="Holt (children's centre)")
    library = Venue.objects.get(name="Holt Library")
    assert (holt.latitude, holt.longitude) == (library.latitude, library.longitude)
    current = Scenario.objects.get(name="Current network: 53 centres")
    assert current.forced_open.count() == centres.count()
    assert f"the other {53 - centres.count()} were chosen by the optimiser" in current.caveats


def test_seven_bases_one_per_district_on_norfolk(norfolk: NorfolkWorld) -> None:
    demo.load(StringIO(), run=False)
    scenario = Scenario.objects.get(name="7 bases (one per district) + outreach")
    scenario.time_limit_seconds = 10
    scenario.save()
    run = scenario_run_now(scenario=scenario, user=None)
    assert run.status == ScenarioStatus.FINISHED, run.error
    districts = list(
        Venue.objects.filter(pk__in=run.bases).values_list("district__code", flat=True)
    )
    assert sorted(districts) == sorted(norfolk.districts)
    assert len(run.outreach) == 40
    assert run.measures["areas"] == 538
    # Judged on the ONS mid-2019 counts, not the 0–15 × 0.335 estimate (49,783.3).
    assert run.measures["under_fives"] == 45_540
    assert run.measures["under_fives_is_estimate"] is False
    assert run.measures["under_fives_source"] == (
        "ONS mid-2019 single year of age (counted in every area)."
    )
    # Buildings, outreach staff and what the budget leaves add up to the £5m budget.
    costs = run.measures["costs"]
    assert costs["buildings"] + costs["frontline"] + costs["budget_left"] == pytest.approx(
        5_000_000
    )


def test_demo_runs_every_option_once_and_adopts_the_decided_one(
    norfolk: NorfolkWorld, make_user: Any
) -> None:
    make_user(Role.PLANNER, username="demo-planner")
    out = StringIO()
    demo.load(out)
    assert out.getvalue().count(": finished") == 4
    assert all(s.status == ScenarioStatus.FINISHED for s in Scenario.objects.all())
    # The decided option is adopted, so the money measures have a network, and says it is a
    # simulated adoption.
    adopted = Scenario.objects.get(adopted_at__isnull=False)
    assert adopted.name == demo.FIFTEEN
    assert "SIMULATED ADOPTION" in adopted.caveats
    again = StringIO()
    demo.load(again)  # nothing to run or adopt the second time
    assert "ran" not in again.getvalue()
    assert "adopted" not in again.getvalue()
    assert sum(s.runs.count() for s in Scenario.objects.all()) == 4
    assert Scenario.objects.get(adopted_at__isnull=False).adopted_at == adopted.adopted_at


def test_options_run_on_the_old_estimate_are_run_again_on_the_counts(
    norfolk: NorfolkWorld,
) -> None:
    demo.load(StringIO(), run=False)
    seven = Scenario.objects.get(name=demo.SEVEN)
    seven.time_limit_seconds = 10
    seven.save()
    first = scenario_run_now(scenario=seven, user=None)
    # As a demo database set up before the ONS counts were loaded holds it.
    first.measures = {
        **first.measures,
        "under_fives_is_estimate": True,
        "under_fives_source": "estimated: 0–15 (mid-2015) × 0.335 in every area.",
    }
    first.save(update_fields=["measures"])
    out = StringIO()
    demo.load(out)
    assert f"ran “{demo.SEVEN}”: finished" in out.getvalue()
    latest = Scenario.objects.get(pk=seven.pk).latest_finished_run
    assert latest is not None
    assert latest.pk != first.pk
    assert latest.measures["under_fives"] == 45_540
