"""Family plans and outcomes: a worker starts a plan in the family's words, scores the goals at
the start, agrees an action, reviews, and closing the case asks for the outcome; another worker
sees none of it; reads and writes are audited; erasure removes the plan with the family."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.families.models import Family
from familyreach.families.services import case_open, family_anonymise
from familyreach.outcomes.models import FamilyPlan, OutcomeGoal, OutcomeScore, PlanReview
from familyreach.outcomes.selectors import closed_outcomes_by_district, plan_improved

pytestmark = pytest.mark.django_db

WORDS = "We want Ben to talk more and us to argue less at bedtime"


def _date(prefix: str, day: date) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def _scores(goals: list[OutcomeGoal], value: int) -> dict[str, str]:
    return {f"score_{goal.pk}": str(value) for goal in goals}


def test_the_seeded_goals_are_the_early_years_goals_on_one_to_ten() -> None:
    goals = list(OutcomeGoal.objects.filter(active=True))
    assert goals[0].title == "Good early years development"
    assert {goal.framework for goal in goals} == {"Supporting Families outcome framework"}
    assert {(goal.scale_min, goal.scale_max) for goal in goals} == {(1, 10)}


def test_a_plan_from_start_to_closure(
    family_worker: User, yarmouth_family: Family, make_user: Callable[..., Any]
) -> None:
    case = case_open(user=family_worker, family=yarmouth_family, worker=family_worker)
    client = Client()
    client.force_login(family_worker)
    family_page = client.get(reverse("families:detail", args=[yarmouth_family.pk])).content.decode()
    plan_url = reverse("outcomes:plan", args=[yarmouth_family.pk])
    assert plan_url in family_page

    goals = list(OutcomeGoal.objects.order_by("position")[:2])
    # Nothing chosen: the form says so, and no plan is made.
    refused = client.post(
        reverse("outcomes:plan-start", args=[yarmouth_family.pk]), {"family_words": WORDS}
    )
    assert "Choose at least one goal" in refused.content.decode()
    started = client.post(
        reverse("outcomes:plan-start", args=[yarmouth_family.pk]),
        {"family_words": WORDS, "goals": [str(goal.pk) for goal in goals]},
    )
    assert started["Location"].endswith("?stage=start")
    plan = FamilyPlan.objects.get(family=yarmouth_family)
    assert plan.case == case

    today = timezone.localdate()
    review_url = reverse("outcomes:review-add", args=[yarmouth_family.pk])
    # A review before the start scores is refused.
    early = client.post(
        review_url + "?stage=review", {**_scores(goals, 5), **_date("held_on", today)}
    )
    assert "Record the scores at the start first" in early.content.decode()
    # A score off the scale is refused.
    off = client.post(
        review_url + "?stage=start", {**_scores(goals, 11), **_date("held_on", today)}
    )
    assert off.status_code == 200
    assert not PlanReview.objects.exists()
    client.post(review_url + "?stage=start", {**_scores(goals, 3), **_date("held_on", today)})
    client.post(
        reverse("outcomes:action-add", args=[yarmouth_family.pk]),
        {
            "description": "Book the Chatterbox group",
            "owner": "Mum",
            **_date("due_on", today + timedelta(days=14)),
        },
    )
    client.post(
        review_url + "?stage=review",
        {**_scores(goals, 5), **_date("held_on", today), "family_view": "Bedtime is calmer"},
    )
    page = client.get(plan_url).content.decode()
    assert WORDS in page
    assert "Book the Chatterbox group" in page
    assert "Bedtime is calmer" in page
    assert f'data-testid="change-{goals[0].code}">+2<' in page

    # Closing the case asks for the outcome; the closure scores close the plan.
    closed = client.post(
        reverse("families:case-edit", args=[yarmouth_family.pk, case.pk]),
        {"next_action": "", "close": "on"},
    )
    assert closed["Location"] == review_url + f"?stage=closure&case={case.pk}"
    case.refresh_from_db()
    assert case.closed_on is None  # not until the outcome is recorded
    client.post(
        review_url + f"?stage=closure&case={case.pk}",
        {**_scores(goals, 7), **_date("held_on", today)},
    )
    plan.refresh_from_db()
    case.refresh_from_db()
    assert plan.closed_on == today
    assert case.closed_on == today
    assert plan_improved(plan) is True
    outcomes = closed_outcomes_by_district(start=today, end=today)
    assert outcomes[yarmouth_family.district_id].improved_share == 1.0

    # Reads and writes are audited against the worker.
    assert LogEntry.objects.filter(
        actor=family_worker, action=LogEntry.Action.ACCESS, content_type__model="familyplan"
    ).exists()
    assert LogEntry.objects.filter(
        actor=family_worker, action=LogEntry.Action.CREATE, content_type__model="outcomescore"
    ).count() == 3 * len(goals)

    # Another district's worker sees nothing of it.
    stranger = make_user(Role.FAMILY_WORKER, district_code="E07000148")
    other = Client()
    other.force_login(stranger)
    assert other.get(plan_url).status_code == 403
    assert other.get(review_url + "?stage=review").status_code == 403


def test_a_plan_that_ended_worse_is_not_improved_and_erasure_removes_it(
    family_worker: User, manager: User, yarmouth_family: Family
) -> None:
    from familyreach.outcomes import services

    goal = OutcomeGoal.objects.order_by("position").first()
    assert goal is not None
    plan = services.plan_start(
        user=family_worker, family=yarmouth_family, family_words=WORDS, goals=[goal]
    )
    today = timezone.localdate()
    services.plan_review_record(
        user=family_worker, plan=plan, stage="start", held_on=today, scores={goal.pk: 6}
    )
    services.plan_review_record(
        user=family_worker, plan=plan, stage="closure", held_on=today, scores={goal.pk: 6}
    )
    plan.refresh_from_db()
    assert plan_improved(plan) is False
    family_anonymise(user=manager, family=yarmouth_family, reason="Asked to be forgotten")
    assert not FamilyPlan.objects.exists()
    assert not OutcomeScore.objects.exists()
