"""What family plans hold about a family, for subject access and erasure (registered with
`familyreach.core.personal_data` from `OutcomesConfig.ready`). Plans are the family's own words
and scores: erasure deletes them with the family's record."""

from familyreach.core.personal_data import Holding, delete, exempt, hold
from familyreach.outcomes.models import (
    FamilyPlan,
    OutcomeGoal,
    OutcomeScore,
    PlanAction,
    PlanReview,
)


def register() -> None:
    hold(
        Holding(
            model=FamilyPlan,
            section="Your family plan",
            find=lambda found: FamilyPlan.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("family_words", "What you wanted to change"),
                ("strengths", "What is going well"),
                ("started_on", "Started"),
                ("closed_on", "Ended"),
            ),
            erase=delete,
            order=55,
        )
    )
    hold(
        Holding(
            model=PlanAction,
            section="What was agreed in your plan",
            find=lambda found: PlanAction.objects.filter(plan_id__in=found.of(FamilyPlan)),
            fields=(
                ("description", "What"),
                ("owner", "Who"),
                ("due_on", "By when"),
                ("done_on", "Done on"),
            ),
            erase=delete,
            order=56,
            after=(FamilyPlan,),
        )
    )
    hold(
        Holding(
            model=PlanReview,
            section="Reviews of your plan",
            find=lambda found: PlanReview.objects.filter(plan_id__in=found.of(FamilyPlan)),
            fields=(
                ("stage", "When"),
                ("held_on", "Date"),
                ("family_view", "What you said"),
                ("worker_view", "What your worker said"),
            ),
            erase=delete,
            order=57,
            after=(FamilyPlan,),
        )
    )
    hold(
        Holding(
            model=OutcomeScore,
            section="Scores in your plan",
            find=lambda found: OutcomeScore.objects.filter(review_id__in=found.of(PlanReview)),
            fields=(("goal", "Goal"), ("score", "Score"), ("review.held_on", "Date")),
            erase=delete,
            order=58,
            after=(PlanReview,),
        )
    )
    exempt(OutcomeGoal, reason="the council's outcome scales: no family's data")
