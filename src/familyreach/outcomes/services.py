"""Writes to family plans: one function per change, audited as the user who made it."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.core.audit import acting_as
from familyreach.families.models import Case, Family
from familyreach.families.services import case_update
from familyreach.outcomes.models import (
    FamilyPlan,
    OutcomeGoal,
    OutcomeScore,
    PlanAction,
    PlanReview,
    ReviewStage,
)


@transaction.atomic
def plan_start(
    *,
    user: Any,
    family: Family,
    family_words: str,
    strengths: str = "",
    goals: Sequence[OutcomeGoal],
    case: Case | None = None,
    started_on: date | None = None,
) -> FamilyPlan:
    """Start a plan with the family: their words and the goals they chose."""
    if not goals:
        raise ValidationError("Choose at least one goal.")
    if FamilyPlan.objects.filter(family=family, closed_on=None).exists():
        raise ValidationError("This family already has an open plan.")
    with acting_as(user):
        plan = FamilyPlan(
            family=family,
            case=case,
            family_words=family_words.strip(),
            strengths=strengths.strip(),
            started_on=started_on or timezone.localdate(),
            created_by=user,
            modified_by=user,
        )
        plan.full_clean()
        plan.save()
        plan.goals.set(goals)
    return plan


@transaction.atomic
def plan_action_add(
    *, user: Any, plan: FamilyPlan, description: str, owner: str, due_on: date
) -> PlanAction:
    if not plan.is_open:
        raise ValidationError("This plan is closed.")
    with acting_as(user):
        action = PlanAction(
            plan=plan,
            description=description.strip(),
            owner=owner.strip(),
            due_on=due_on,
            created_by=user,
            modified_by=user,
        )
        action.full_clean()
        action.save()
    return action


@transaction.atomic
def plan_action_complete(*, user: Any, action: PlanAction, done_on: date | None = None) -> None:
    with acting_as(user):
        action.done_on = done_on or timezone.localdate()
        action.modified_by = user
        action.full_clean()
        action.save()


@transaction.atomic
def plan_review_record(
    *,
    user: Any,
    plan: FamilyPlan,
    stage: str,
    held_on: date,
    scores: Mapping[int, int],
    family_view: str = "",
    worker_view: str = "",
    closing_case: Case | None = None,
) -> PlanReview:
    """Score every goal of the plan (a start, a review, or closure, which closes the plan and,
    when the worker was closing their case, the case with it)."""
    plan = FamilyPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_open:
        raise ValidationError("This plan is closed.")
    goals = list(plan.goals.all())
    missing = [goal.title for goal in goals if goal.pk not in scores]
    if missing:
        raise ValidationError(f"Score every goal: {', '.join(missing)}")
    has_start = plan.reviews.filter(stage=ReviewStage.START).exists()
    if stage != ReviewStage.START and not has_start:
        raise ValidationError("Record the scores at the start first.")
    if stage == ReviewStage.START and has_start:
        raise ValidationError("The scores at the start are already recorded.")
    if held_on < plan.started_on:
        raise ValidationError("A review cannot be before the plan started.")
    with acting_as(user):
        review = PlanReview(
            plan=plan,
            stage=stage,
            held_on=held_on,
            family_view=family_view.strip(),
            worker_view=worker_view.strip(),
            created_by=user,
            modified_by=user,
        )
        review.full_clean()
        review.save()
        for goal in goals:
            score = OutcomeScore(review=review, goal=goal, score=scores[goal.pk])
            score.full_clean()
            score.save()
        if stage == ReviewStage.CLOSURE:
            plan.closed_on = held_on
            plan.modified_by = user
            plan.full_clean()
            plan.save()
            if closing_case is not None and closing_case.closed_on is None:
                if closing_case.family_id != plan.family_id:
                    raise ValidationError("That case belongs to another family.")
                case_update(
                    user=user,
                    case=closing_case,
                    next_action="",
                    next_action_due=None,
                    close=True,
                )
    return review


# --- The outcome scales a council scores plans on (service managers) -------------------------

# What a manager may word differently at any time: the goal means the same, so scores already
# given on it still hold. The range of the scale may change only while no plan uses it.
GOAL_WORDING_FIELDS = ("title", "description", "framework", "low_label", "high_label")
GOAL_SCALE_FIELDS = ("scale_min", "scale_max")


def goal_in_use(goal: OutcomeGoal) -> bool:
    """Whether any plan (open or closed) has the goal or any score is on it."""
    return goal.plans.exists() or OutcomeScore.objects.filter(goal=goal).exists()


def _unique_code(title: str) -> str:
    from django.utils.text import slugify

    base = slugify(title)[:50] or "goal"
    code, number = base, 1
    while OutcomeGoal.objects.filter(code=code).exists():
        number += 1
        code = f"{base}-{number}"
    return code


@transaction.atomic
def goal_create(*, user: Any, fields: Mapping[str, Any]) -> OutcomeGoal:
    """A new outcome scale, offered for new plans at once, after the existing ones."""
    with acting_as(user):
        last = OutcomeGoal.objects.order_by("-position").values_list("position", flat=True).first()
        goal = OutcomeGoal(
            code=_unique_code(str(fields["title"])),
            position=(last or 0) + 1,
            **{name: fields[name] for name in (*GOAL_WORDING_FIELDS, *GOAL_SCALE_FIELDS)},
        )
        goal.full_clean()
        goal.save()
    return goal


@transaction.atomic
def goal_update(*, user: Any, goal: OutcomeGoal, fields: Mapping[str, Any]) -> OutcomeGoal:
    """Reword a scale; change its range only while no plan uses it (scores already given on
    the old range would no longer read the same)."""
    with acting_as(user):
        goal = OutcomeGoal.objects.select_for_update().get(pk=goal.pk)
        changes_scale = any(
            name in fields and fields[name] != getattr(goal, name) for name in GOAL_SCALE_FIELDS
        )
        if changes_scale and goal_in_use(goal):
            raise ValidationError(
                "This scale is used by family plans: its range cannot change. Retire it and add "
                "a new one instead."
            )
        for name in (*GOAL_WORDING_FIELDS, *GOAL_SCALE_FIELDS):
            if name in fields:
                setattr(goal, name, fields[name])
        goal.full_clean()
        goal.save()
    return goal


@transaction.atomic
def goal_retire(*, user: Any, goal: OutcomeGoal) -> OutcomeGoal:
    """No longer offered for new plans. Never deleted: plans that have it keep it, are still
    scored on it at reviews and closure, and their scores keep their meaning."""
    with acting_as(user):
        goal = OutcomeGoal.objects.select_for_update().get(pk=goal.pk)
        goal.active = False
        goal.full_clean()
        goal.save()
    return goal


@transaction.atomic
def goal_reinstate(*, user: Any, goal: OutcomeGoal) -> OutcomeGoal:
    with acting_as(user):
        goal = OutcomeGoal.objects.select_for_update().get(pk=goal.pk)
        goal.active = True
        goal.full_clean()
        goal.save()
    return goal
