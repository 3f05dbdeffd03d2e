"""The outcome scales page: a service manager adds a scale, rewords one, and retires one; a
retired scale is no longer offered for new plans but stays, and is still scored, on the plans
that have it; a scale in use keeps its range; no one else may change them."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.families.models import Family
from familyreach.outcomes import services
from familyreach.outcomes.models import OutcomeGoal, ReviewStage
from familyreach.outcomes.selectors import goals_active

pytestmark = pytest.mark.django_db


def _form(**changes: Any) -> dict[str, str]:
    values = {
        "title": "Getting to nursery",
        "description": "",
        "framework": "Council's own",
        "scale_min": "0",
        "scale_max": "5",
        "low_label": "Never gets there",
        "high_label": "Every session",
    }
    values.update(changes)
    return values


def test_a_manager_adds_rewords_retires_and_reinstates_a_scale(
    make_user: Callable[..., Any], family_worker: User, yarmouth_family: Family
) -> None:
    manager = make_user(Role.MANAGER)
    client = Client()
    client.force_login(manager)
    listing = client.get(reverse("outcomes:scales"))
    assert listing.status_code == 200
    assert "Good early years development" in listing.content.decode()
    # The staff navigation links to it for a manager (on any staff page).
    assert reverse("outcomes:scales") in client.get(reverse("outbox:list")).content.decode()

    refused = client.post(reverse("outcomes:scale-new"), _form(scale_min="5", scale_max="5"))
    assert refused.status_code == 200
    assert "The highest score must be more than the lowest" in refused.content.decode()
    added = client.post(reverse("outcomes:scale-new"), _form())
    assert added.status_code == 302
    goal = OutcomeGoal.objects.get(title="Getting to nursery")
    assert (goal.scale_min, goal.scale_max, goal.active) == (0, 5, True)
    assert goal in goals_active()
    assert LogEntry.objects.get_for_object(goal).exists()

    # In use on a plan: the wording can change, the range cannot.
    plan = services.plan_start(
        user=family_worker,
        family=yarmouth_family,
        family_words="Get to nursery more",
        goals=[goal],
        started_on=date(2026, 9, 1),
    )
    services.plan_review_record(
        user=family_worker,
        plan=plan,
        stage=ReviewStage.START,
        held_on=date(2026, 9, 1),
        scores={goal.pk: 1},
    )
    edit_url = reverse("outcomes:scale-edit", args=[goal.pk])
    assert 'data-testid="scale-fixed"' in client.get(edit_url).content.decode()
    saved = client.post(edit_url, _form(title="Going to nursery", scale_max="9"))
    assert saved.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.scale_max) == ("Going to nursery", 5)
    with pytest.raises(ValidationError):
        services.goal_update(user=manager, goal=goal, fields={"scale_max": 9})

    assert client.post(reverse("outcomes:scale-retire", args=[goal.pk])).status_code == 302
    goal.refresh_from_db()
    assert not goal.active
    assert goal not in goals_active()
    # Still on the plan, and still scored there at closure.
    assert list(plan.goals.all()) == [goal]
    services.plan_review_record(
        user=family_worker,
        plan=plan,
        stage=ReviewStage.CLOSURE,
        held_on=date(2026, 11, 1),
        scores={goal.pk: 4},
    )
    page = client.get(reverse("outcomes:scales")).content.decode()
    retired = page.split('data-testid="retired-scales"')[1]
    assert "Going to nursery" in retired
    assert OutcomeGoal.objects.filter(pk=goal.pk).exists()  # never deleted

    assert client.post(reverse("outcomes:scale-reinstate", args=[goal.pk])).status_code == 302
    goal.refresh_from_db()
    assert goal.active


@pytest.mark.parametrize("role", [Role.FAMILY_WORKER, Role.PLANNER, Role.VOLUNTEER])
def test_only_managers_change_the_scales(make_user: Callable[..., Any], role: Role) -> None:
    goal = OutcomeGoal.objects.first()
    assert goal is not None
    client = Client()
    client.force_login(make_user(role))
    assert client.get(reverse("outcomes:scales")).status_code == 403
    assert client.post(reverse("outcomes:scale-new"), _form()).status_code == 403
    assert client.post(reverse("outcomes:scale-retire", args=[goal.pk])).status_code == 403
    goal.refresh_from_db()
    assert goal.active
    assert not OutcomeGoal.objects.filter(title="Getting to nursery").exists()
