"""What outcomes adds to the families app's pages, answered through families' signals
(outcomes builds on families; families does not import it)."""

from typing import Any

from django.urls import reverse

from familyreach.outcomes.selectors import closed_outcomes_by_district, open_plan_exists


def family_page_section(*, user: Any, family: Any, **_: Any) -> dict[str, Any]:
    """The family record links to the family's plan and outcomes."""
    return {"plan_url": reverse("outcomes:plan", args=[family.pk])}


def case_closing_step(*, user: Any, family: Any, case: Any, **_: Any) -> str | None:
    """Closing a case asks for the outcome first when the family has an open plan: the case
    closes with the plan's scores at closure (the worker would lose sight of the family the
    moment the case closed)."""
    if not open_plan_exists(family_id=family.pk):
        return None
    return reverse("outcomes:review-add", args=[family.pk]) + f"?stage=closure&case={case.pk}"


def closed_case_outcomes(*, start: Any, end: Any, **_: Any) -> dict[int | None, tuple[int, int]]:
    """Plans closed in the period by district, as counts, for insight's public annual report
    (insight does not import outcomes: both sit on families)."""
    return {
        district: (outcome.closed, outcome.improved)
        for district, outcome in closed_outcomes_by_district(start=start, end=end).items()
    }
