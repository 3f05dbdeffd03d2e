"""Reads of family plans. A plan is reached only through its family, fetched by
`families.selectors.family_get_for_user` (which authorises and audits the family); the plan's
own read is audited here too."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from familyreach.accounts.roles import Role
from familyreach.core.audit import record_access
from familyreach.families.models import Family
from familyreach.families.selectors import family_for_change, family_get_for_user
from familyreach.outcomes.models import (
    FamilyPlan,
    OutcomeGoal,
    OutcomeScore,
    PlanReview,
    ReviewStage,
)


def goals_active() -> QuerySet[OutcomeGoal]:
    return OutcomeGoal.objects.filter(active=True)


def _plans() -> QuerySet[FamilyPlan]:
    return FamilyPlan.objects.select_related("case__worker").prefetch_related(
        "goals",
        "actions",
        Prefetch(
            "reviews",
            queryset=PlanReview.objects.prefetch_related(
                Prefetch("scores", queryset=OutcomeScore.objects.select_related("goal"))
            ),
        ),
    )


@dataclass(frozen=True)
class FamilyPlans:
    family: Family
    current: FamilyPlan | None  # the open plan, or else the latest closed one
    earlier: list[FamilyPlan]


def plans_for_family(*, user: Any, family_id: int) -> FamilyPlans:
    """The family's plans, newest first; authorised and audited (the family and each plan)."""
    family = family_get_for_user(user=user, family_id=family_id)
    plans = list(_plans().filter(family=family))
    for plan in plans:
        record_access(instance=plan, user=user)
    current = next((plan for plan in plans if plan.is_open), plans[0] if plans else None)
    return FamilyPlans(
        family=family, current=current, earlier=[plan for plan in plans if plan is not current]
    )


def open_plan_for_change(*, user: Any, family_id: int) -> FamilyPlan:
    """The family's open plan, for a user who may change the family's record; audited."""
    family = family_for_change(user=user, family_id=family_id)
    plan = _plans().filter(family=family, closed_on=None).first()
    if plan is None:
        raise Http404("This family has no open plan.")
    record_access(instance=plan, user=user)
    return plan


def open_plan_exists(*, family_id: int) -> bool:
    """Whether the family has an open plan (no personal data: closing a case asks for the
    outcome when it has)."""
    return FamilyPlan.objects.filter(family_id=family_id, closed_on=None).exists()


@dataclass(frozen=True)
class GoalProgress:
    """One goal of a plan: its scores in order, from the start to the latest."""

    goal: OutcomeGoal
    scores: list[tuple[PlanReview, int]]

    @property
    def start(self) -> int | None:
        return next((s for r, s in self.scores if r.stage == ReviewStage.START), None)

    @property
    def latest(self) -> int | None:
        return self.scores[-1][1] if self.scores else None

    @property
    def change(self) -> int | None:
        if self.start is None or self.latest is None:
            return None
        return self.latest - self.start


def plan_progress(plan: FamilyPlan) -> list[GoalProgress]:
    """Each goal's scores, oldest first (from the plan's prefetched reviews)."""
    reviews = sorted(plan.reviews.all(), key=lambda review: (review.held_on, review.pk))
    progress = []
    for goal in plan.goals.all():
        scores = [
            (review, score.score)
            for review in reviews
            for score in review.scores.all()
            if score.goal_id == goal.pk
        ]
        progress.append(GoalProgress(goal=goal, scores=scores))
    return progress


def plan_improved(plan: FamilyPlan) -> bool | None:
    """Whether a closed plan ended better than it started: the closure scores, summed over the
    goals scored at both the start and closure, are higher than the start scores over the same
    goals. None when the plan lacks a start or a closure score (it cannot be judged)."""
    by_stage: dict[str, dict[int, int]] = {}
    for review in plan.reviews.all():
        if review.stage in (ReviewStage.START, ReviewStage.CLOSURE):
            by_stage[review.stage] = {score.goal_id: score.score for score in review.scores.all()}
    start, closure = by_stage.get(ReviewStage.START), by_stage.get(ReviewStage.CLOSURE)
    if not start or not closure:
        return None
    common = set(start) & set(closure)
    if not common:
        return None
    return sum(closure[goal] for goal in common) > sum(start[goal] for goal in common)


@dataclass(frozen=True)
class ClosedOutcomes:
    """Plans closed in a period in a district (counts only: no family is named)."""

    district_id: int | None
    closed: int  # closed plans that could be judged (start and closure scores)
    improved: int

    @property
    def improved_share(self) -> float | None:
        return self.improved / self.closed if self.closed else None


def closed_outcomes_by_district(
    *, start: date, end: date, district_ids: Iterable[int] | None = None
) -> dict[int | None, ClosedOutcomes]:
    """Plans closed between `start` and `end` (inclusive), by the family's district: how many
    could be judged and how many improved (`plan_improved`). For counts on commissioning pages:
    no family's record is read as such, so no per-family audit entry."""
    plans = (
        FamilyPlan.objects.filter(closed_on__gte=start, closed_on__lte=end)
        .select_related("family")
        .prefetch_related(
            Prefetch("reviews", queryset=PlanReview.objects.prefetch_related("scores"))
        )
    )
    if district_ids is not None:
        plans = plans.filter(family__district_id__in=list(district_ids))
    counts: dict[int | None, list[int]] = {}
    for plan in plans:
        improved = plan_improved(plan)
        if improved is None:
            continue
        entry = counts.setdefault(plan.family.district_id, [0, 0])
        entry[0] += 1
        entry[1] += int(improved)
    return {
        district: ClosedOutcomes(district_id=district, closed=closed, improved=improved)
        for district, (closed, improved) in counts.items()
    }


# --- The outcome scales, for the service manager's page -------------------------------------


def goals_check_manage(*, user: Any) -> None:
    """Service managers (and the administrator) configure the outcome scales."""
    if not (user.is_superuser or user.has_role(Role.MANAGER)):
        raise PermissionDenied("Only service managers can change the outcome scales.")


def goals_for_management(*, user: Any) -> QuerySet[OutcomeGoal]:
    """Every scale, active and retired, with how many plans use each (counts, no family)."""
    goals_check_manage(user=user)
    return OutcomeGoal.objects.annotate(plan_count=Count("plans", distinct=True)).order_by(
        "-active", "position", "title"
    )


def goal_get_for_management(*, user: Any, goal_id: int) -> OutcomeGoal:
    goal = goals_for_management(user=user).filter(pk=goal_id).first()
    if goal is None:
        raise Http404("No such outcome scale.")
    return goal
