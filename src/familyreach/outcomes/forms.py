from typing import Any

from django import forms

from familyreach.families.forms import DateField
from familyreach.outcomes.models import OutcomeGoal, ReviewStage


class PlanStartForm(forms.Form):
    family_words = forms.CharField(
        max_length=4000,
        error_messages={"required": "Enter what the family wants to change, in their words"},
    )
    strengths = forms.CharField(max_length=4000, required=False)
    # Plain choices (the active goals' ids as text), so anything else posted is "not one of the
    # choices" before any query is made with it.
    goals = forms.MultipleChoiceField(error_messages={"required": "Choose at least one goal"})

    def __init__(self, *args: Any, goals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goal_list: list[OutcomeGoal] = list(goals)
        self.fields["goals"].choices = [(str(goal.pk), goal.title) for goal in self.goal_list]  # type: ignore[attr-defined]

    def chosen_goals(self) -> list[OutcomeGoal]:
        chosen = set(self.cleaned_data["goals"])
        return [goal for goal in self.goal_list if str(goal.pk) in chosen]


class ActionForm(forms.Form):
    description = forms.CharField(
        max_length=300, error_messages={"required": "Enter what was agreed"}
    )
    owner = forms.CharField(max_length=120, error_messages={"required": "Enter who will do it"})
    due_on = DateField(label_text="Due date", required=True)


class ReviewForm(forms.Form):
    """Scores for each goal of the plan (`score_<goal id>`), the date and both views."""

    held_on = DateField(label_text="Date of the review", required=True, past_only=True)
    family_view = forms.CharField(max_length=4000, required=False)
    worker_view = forms.CharField(max_length=4000, required=False)

    def __init__(self, *args: Any, goals: list[OutcomeGoal], stage: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.stage = ReviewStage(stage)
        for goal in goals:
            self.fields[f"score_{goal.pk}"] = forms.TypedChoiceField(
                coerce=int,
                choices=[(n, str(n)) for n in range(goal.scale_min, goal.scale_max + 1)],
                error_messages={"required": f"Score {goal.title}"},
            )

    def scores(self) -> dict[int, int]:
        return {goal.pk: self.cleaned_data[f"score_{goal.pk}"] for goal in self.goals}


class GoalForm(forms.Form):
    """An outcome scale's wording and range (the range is fixed once plans use it)."""

    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter the outcome, for example Secure housing"}
    )
    description = forms.CharField(max_length=4000, required=False)
    framework = forms.CharField(max_length=200, required=False)
    scale_min = forms.IntegerField(
        min_value=0,
        max_value=100,
        error_messages={"required": "Enter the lowest score", "invalid": "Enter a whole number"},
    )
    scale_max = forms.IntegerField(
        min_value=1,
        max_value=100,
        error_messages={"required": "Enter the highest score", "invalid": "Enter a whole number"},
    )
    low_label = forms.CharField(
        max_length=120, error_messages={"required": "Say what the lowest score means"}
    )
    high_label = forms.CharField(
        max_length=120, error_messages={"required": "Say what the highest score means"}
    )

    def __init__(self, *args: Any, scale_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale_fixed = scale_fixed
        if scale_fixed:
            for name in ("scale_min", "scale_max"):
                self.fields[name].required = False
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
        if not self.scale_fixed and low is not None and high is not None and high <= low:
            self.add_error("scale_max", "The highest score must be more than the lowest")
        return cleaned
