"""Demo step: simulated family plans with outcome scores, so "closed cases with improved
outcomes" has a figure on the public annual report and in the demo contract's returns.

- Half the demo's open cases (never the demo worker's named family, whose plan the demo's
  journey starts by hand) get an open plan scored at the start and at one review.
- Simulated families (from insight's simulator) get closed cases, each with a plan closed in
  one of the months from two financial years back to last month, scored at the start, at a
  review and at closure; about seven in ten end better than they started.

Every plan and case written here says SIMULATED in the family's words or the case's reason.
Idempotent: when simulated plans exist, nothing is added.
"""

import random
from datetime import date, timedelta

from auditlog.context import disable_auditlog
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.core.output import Output
from familyreach.families.models import Case, Family
from familyreach.outcomes.models import (
    FamilyPlan,
    OutcomeGoal,
    OutcomeScore,
    PlanReview,
    ReviewStage,
)
from familyreach.outcomes.services import plan_review_record, plan_start

SIMULATED_WORDS = "SIMULATED (demo): "
SEED = 22
# Closed plans a month over the county: enough that most districts' yearly figures are above
# the suppression threshold (5) for both the improved and the not improved.
CLOSED_PER_MONTH = 16
IMPROVED_SHARE = 0.7
WHAT_FAMILIES_WANT = (
    "We want bedtimes to be calmer and to get out of the house more.",
    "I want to feel less alone and to find a group near us.",
    "We want help with money worries and to get the children to nursery.",
    "I want to manage my low mood and play more with the baby.",
    "We want the children's speech to come on before school.",
)


def _scores(
    randomness: random.Random, goals: list[OutcomeGoal], *, improved: bool
) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Scores at the start, a review and closure; the closure total beats the start's when
    `improved` (and does not otherwise)."""
    start = {goal.pk: randomness.randint(goal.scale_min + 1, goal.scale_min + 5) for goal in goals}
    while True:
        closure = {
            goal.pk: max(
                goal.scale_min,
                min(
                    goal.scale_max,
                    start[goal.pk]
                    + (
                        randomness.choice((0, 1, 2, 3))
                        if improved
                        else randomness.choice((-2, -1, 0))
                    ),
                ),
            )
            for goal in goals
        }
        if (sum(closure.values()) > sum(start.values())) == improved:
            break
    review = {pk: (start[pk] + closure[pk]) // 2 for pk in start}
    return start, review, closure


def _plan(
    *,
    randomness: random.Random,
    user: object,
    family: Family,
    case: Case,
    goals: list[OutcomeGoal],
    started_on: date,
) -> FamilyPlan:
    """An open plan on an open case, through the services as a worker would start it."""
    chosen = randomness.sample(goals, k=min(len(goals), randomness.choice((1, 2, 2, 3))))
    plan = plan_start(
        user=user,
        family=family,
        case=case,
        family_words=SIMULATED_WORDS + randomness.choice(WHAT_FAMILIES_WANT),
        goals=chosen,
        started_on=started_on,
    )
    start, review, _closure = _scores(
        randomness, chosen, improved=randomness.random() < IMPROVED_SHARE
    )
    plan_review_record(
        user=user, plan=plan, stage=ReviewStage.START, held_on=started_on, scores=start
    )
    middle = started_on + (timezone.localdate() - started_on) / 2
    plan_review_record(
        user=user, plan=plan, stage=ReviewStage.REVIEW, held_on=middle, scores=review
    )
    return plan


def load(stdout: Output, *, closed_per_month: int = CLOSED_PER_MONTH) -> None:
    if FamilyPlan.objects.filter(family_words__startswith=SIMULATED_WORDS).exists():
        stdout.write("  the simulated family plans are already there\n")
        return
    goals = list(OutcomeGoal.objects.filter(active=True))
    worker = User.objects.filter(username="demo-worker").first()
    if not goals or worker is None:
        stdout.write("  no outcome goals or demo worker: no plans\n")
        return
    randomness = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic(), disable_auditlog():
        open_plans = 0
        named = Case.objects.filter(worker=worker, closed_on=None).values("family_id")
        open_cases = list(
            Case.objects.filter(closed_on=None, family__is_simulated=True)
            .exclude(family_id__in=named)
            .select_related("family", "worker")
            .order_by("pk")
        )
        for case in open_cases[::2]:
            if FamilyPlan.objects.filter(family=case.family, closed_on=None).exists():
                continue
            _plan(
                randomness=randomness,
                user=case.worker,
                family=case.family,
                case=case,
                goals=goals,
                started_on=today - timedelta(days=randomness.randint(30, 150)),
            )
            open_plans += 1

        # Closed cases from the April two financial years back to last month.
        first_year = today.year - 1 if today.month >= 4 else today.year - 2
        month = date(first_year - 1, 4, 1)
        last_month = date(today.year, today.month, 1) - relativedelta(months=1)
        months = []
        while month <= last_month:
            months.append(month)
            month += relativedelta(months=1)
        # Drawn at random from every simulated family (ordered by id they come area by area),
        # so each district has its share of the plans.
        eligible = list(
            Family.objects.filter(is_simulated=True, archived_at=None, district__isnull=False)
            # A family with an open plan cannot start another; the demo worker's own family
            # keeps a clean record for the journey that starts its plan.
            .exclude(pk__in=FamilyPlan.objects.filter(closed_on=None).values("family_id"))
            .exclude(pk__in=named)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        picked = randomness.sample(eligible, k=min(len(eligible), closed_per_month * len(months)))
        families = list(Family.objects.filter(pk__in=picked).order_by("pk"))
        randomness.shuffle(families)
        closed_plans = _closed_history(
            randomness=randomness,
            worker=worker,
            families=families,
            goals=goals,
            months=months,
            per_month=closed_per_month,
        )
    stdout.write(
        f"  {open_plans} open plans on open cases and {closed_plans} closed cases with closed "
        f"plans, from {months[0]:%B %Y} to {months[-1]:%B %Y} (simulated)\n"
    )


def _closed_history(
    *,
    randomness: random.Random,
    worker: User,
    families: list[Family],
    goals: list[OutcomeGoal],
    months: list[date],
    per_month: int,
) -> int:
    """Closed cases with their closed plans, written in a few bulk inserts (hundreds of them:
    one service call each took minutes of `make demo`). The rows are those the services write
    (a case, a plan with its goals, start, review and closure scores), simulated history."""
    cases: list[Case] = []
    plans: list[FamilyPlan] = []
    chosen_goals: list[list[OutcomeGoal]] = []
    scores: list[tuple[dict[int, int], dict[int, int], dict[int, int]]] = []
    for month in months:
        for _ in range(per_month):
            if not families:
                break
            family = families.pop()
            closed_on = month + timedelta(days=randomness.randint(0, 27))
            opened_on = closed_on - timedelta(days=randomness.randint(90, 270))
            case = Case(
                family=family,
                worker=worker,
                reason="Simulated: supported with a family plan",
                opened_on=opened_on,
                closed_on=closed_on,
                created_by=worker,
                modified_by=worker,
            )
            goals_of_plan = randomness.sample(
                goals, k=min(len(goals), randomness.choice((1, 2, 2, 3)))
            )
            cases.append(case)
            plans.append(
                FamilyPlan(
                    family=family,
                    family_words=SIMULATED_WORDS + randomness.choice(WHAT_FAMILIES_WANT),
                    started_on=opened_on,
                    closed_on=closed_on,
                    created_by=worker,
                    modified_by=worker,
                )
            )
            chosen_goals.append(goals_of_plan)
            scores.append(
                _scores(randomness, goals_of_plan, improved=randomness.random() < IMPROVED_SHARE)
            )
    Case.objects.bulk_create(cases)
    for plan, case in zip(plans, cases, strict=True):
        plan.case = case
    FamilyPlan.objects.bulk_create(plans)
    FamilyPlan.goals.through.objects.bulk_create(
        FamilyPlan.goals.through(familyplan_id=plan.pk, outcomegoal_id=goal.pk)
        for plan, goals_of_plan in zip(plans, chosen_goals, strict=True)
        for goal in goals_of_plan
    )
    reviews: list[PlanReview] = []
    review_scores: list[dict[int, int]] = []
    for plan, (start, review, closure) in zip(plans, scores, strict=True):
        assert plan.closed_on is not None
        middle = plan.started_on + (plan.closed_on - plan.started_on) / 2
        for stage, held_on, values in (
            (ReviewStage.START, plan.started_on, start),
            (ReviewStage.REVIEW, middle, review),
            (ReviewStage.CLOSURE, plan.closed_on, closure),
        ):
            reviews.append(
                PlanReview(
                    plan=plan, stage=stage, held_on=held_on, created_by=worker, modified_by=worker
                )
            )
            review_scores.append(values)
    PlanReview.objects.bulk_create(reviews)
    OutcomeScore.objects.bulk_create(
        OutcomeScore(review=review, goal_id=goal_id, score=score)
        for review, values in zip(reviews, review_scores, strict=True)
        for goal_id, score in values.items()
    )
    return len(plans)
