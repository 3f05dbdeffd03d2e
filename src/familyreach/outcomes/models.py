"""Family plans and outcome measures (issue 22).

A plan records what the family wants to change in their own words, the goals chosen from the
council's outcome scales, the actions agreed (who, by when) and reviews. Each review scores every
goal of the plan on its scale: the first review is the start (the baseline), the last one at
closure. Progress is the change from the start to the latest score.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from familyreach.core.models import TrackedModel


class OutcomeGoal(models.Model):
    """One outcome a council measures and its scale (configured in the Django admin). Seeded
    with the early years goals of the Supporting Families outcome framework, each on 1 to 10."""

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    framework = models.CharField(max_length=200, blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=10)
    # What the ends of the scale mean, so workers and families score alike.
    low_label = models.CharField(max_length=120, default="Not at all where we want to be")
    high_label = models.CharField(max_length=120, default="Exactly where we want to be")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="outcomes_goal_scale_has_range",
            )
        ]

    def __str__(self) -> str:
        return self.title


class FamilyPlan(TrackedModel):
    """A family's plan with the worker supporting it. One open plan per family at a time."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="outcome_plans"
    )
    case = models.ForeignKey(
        "families.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    family_words = models.TextField(
        help_text="What the family wants to change, in their own words."
    )
    strengths = models.TextField(blank=True)
    goals = models.ManyToManyField(OutcomeGoal, related_name="plans")
    started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(closed_on__isnull=True),
                name="outcomes_one_open_plan_per_family",
            )
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class PlanAction(TrackedModel):
    """Something agreed: what, who does it (a person's role in words: "Mum", "Health visitor",
    "Family worker") and by when."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.CharField(max_length=120)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class ReviewStage(models.TextChoices):
    START = "start", "Start"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"


class PlanReview(TrackedModel):
    """A time the plan's goals were scored: at the start, at a review, at closure."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(max_length=10, choices=ReviewStage.choices)
    held_on = models.DateField()
    # The family's words at the review: what has changed for them.
    family_view = models.TextField(blank=True)
    worker_view = models.TextField(blank=True)

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(stage="start"),
                name="outcomes_one_start_per_plan",
            ),
            models.UniqueConstraint(
                fields=["plan"],
                condition=Q(stage="closure"),
                name="outcomes_one_closure_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} on {self.held_on:%d %b %Y}"


class OutcomeScore(models.Model):
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="scores")
    goal = models.ForeignKey(OutcomeGoal, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["goal__position", "goal__title"]
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="outcomes_one_score_per_goal")
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.score}"

    def clean(self) -> None:
        if not self.goal.scale_min <= self.score <= self.goal.scale_max:
            raise ValidationError(
                {
                    "score": f"{self.goal} is scored from {self.goal.scale_min} to "
                    f"{self.goal.scale_max}"
                }
            )
