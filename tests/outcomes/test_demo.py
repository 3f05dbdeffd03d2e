"""The demo's simulated family plans: open plans on open cases, closed plans month by month, and
a figure for "closed cases with improved outcomes" on the annual report."""

from datetime import UTC, date, datetime
from io import StringIO
from typing import Any

import time_machine
from django.test import override_settings

from familyreach.accounts.roles import Role
from familyreach.families.services import case_open
from familyreach.insight.annual_report import annual_report
from familyreach.insight.services import reach_year_end_snapshots_ensure
from familyreach.outcomes import demo
from familyreach.outcomes.models import FamilyPlan, ReviewStage
from familyreach.outcomes.selectors import closed_outcomes_by_district, plan_improved
from tests.fixtures.insight import ReachWorld

IN_MAY_2026 = datetime(2026, 5, 4, 10, tzinfo=UTC)


def test_the_demo_seeds_simulated_plans_once(reach_world: ReachWorld, make_user: Any) -> None:
    worker = make_user(Role.FAMILY_WORKER, username="demo-worker")
    other = make_user(Role.FAMILY_WORKER)
    families = [family for family in reach_world.families if family.archived_at is None]
    for family in families:
        family.is_simulated = True
        family.save()
    case_open(user=worker, family=families[0], worker=worker)  # the named family: no plan
    for family in families[1:3]:
        case_open(user=other, family=family, worker=other)
    with time_machine.travel(IN_MAY_2026, tick=False):
        out = StringIO()
        demo.load(out, closed_per_month=1)
        plans = list(FamilyPlan.objects.prefetch_related("reviews__scores"))
        # April 2024 to April 2026: one plan closed in each of 25 months.
        closed = [plan for plan in plans if plan.closed_on is not None]
        assert len(closed) == 25
        closed_dates = [plan.closed_on for plan in closed if plan.closed_on is not None]
        assert min(closed_dates) >= date(2024, 4, 1)
        assert max(closed_dates) < date(2026, 5, 1)
        for plan in closed:
            assert {review.stage for review in plan.reviews.all()} == set(ReviewStage.values)
            case = plan.case
            assert case is not None
            assert case.closed_on == plan.closed_on
            assert case.reason.startswith("Simulated")
        outcomes = {plan_improved(plan) for plan in closed}
        assert outcomes == {True, False}
        # Half the open cases (one of the two), never the demo worker's own family.
        open_plans = [plan for plan in plans if plan.closed_on is None]
        assert [plan.family_id for plan in open_plans] == [families[1].pk]
        assert all(plan.family_words.startswith(demo.SIMULATED_WORDS) for plan in plans)
        again = StringIO()
        demo.load(again, closed_per_month=1)
        assert FamilyPlan.objects.count() == len(plans)
        assert "already there" in again.getvalue()

        reach_year_end_snapshots_ensure(today=date(2026, 5, 4))
        with override_settings(INSIGHT_SUPPRESSION_THRESHOLD=1):
            report = annual_report(today=date(2026, 5, 4))
    counts = closed_outcomes_by_district(start=date(2025, 4, 1), end=date(2026, 3, 31))
    judged = sum(item.closed for item in counts.values())
    improved = sum(item.improved for item in counts.values())
    assert judged == 12
    county = report.years[0].rows[0].values["improved_outcomes"]
    assert county.value == improved / judged
