"""Safeguarding concerns go straight to the duty lead, cannot be changed once sent, and are
tracked to a decision through appended decision records."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from familyreach.community.models import Concern, ConcernDecision, ImmutableRecord
from familyreach.community.selectors import concern_get_for_user, concern_list
from familyreach.community.services import safeguarding as safeguarding_services
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(volunteer_user: Any) -> Concern:
    forget_stored_messages()
    return safeguarding_services.concern_raise(
        user=volunteer_user,
        urgency="today",
        about="Baby at my match's house",
        what_happened="Bruise on the baby's cheek; dad said the older child did it.",
        where="Family home, Gorleston",
    )


def test_a_concern_goes_straight_to_the_duty_safeguarding_lead(concern: Concern) -> None:
    [message] = stored_messages()
    assert message.to == "duty-safeguarding@example.org"
    assert concern.reference in message.subject
    assert "Bruise on the baby's cheek" in message.body
    assert "Someone needs to act today" in message.subject


def test_a_concern_cannot_be_edited_after_sending(concern: Concern) -> None:
    concern.what_happened = "Changed my mind"
    with pytest.raises(ImmutableRecord):
        concern.save()
    with pytest.raises(ImmutableRecord):
        Concern.objects.filter(pk=concern.pk).update(what_happened="Changed")
    with pytest.raises(ImmutableRecord):
        concern.delete()
    with pytest.raises(ImmutableRecord):
        Concern.objects.all().delete()
    stored = Concern.objects.get(pk=concern.pk)
    assert stored.what_happened.startswith("Bruise on the baby's cheek")


def test_decisions_are_appended_and_close_the_concern(
    concern: Concern, coordinator: Any, volunteer_user: Any
) -> None:
    assert concern_list(user=coordinator).get(pk=concern.pk).final_decisions == 0
    safeguarding_services.concern_decide(
        concern=concern, decision="acknowledged", notes="Calling the volunteer", user=coordinator
    )
    decision = safeguarding_services.concern_decide(
        concern=concern,
        decision="referred_childrens_services",
        notes="Referred to MASH, ref 123",
        user=coordinator,
    )
    decision.notes = "Rewritten"
    with pytest.raises(ImmutableRecord):
        decision.save()
    assert concern_list(user=coordinator).get(pk=concern.pk).final_decisions == 1
    assert [d.decision for d in concern.decisions.all()] == [
        "acknowledged",
        "referred_childrens_services",
    ]
    assert ConcernDecision.objects.count() == 2
    # The volunteer who raised it may not record a decision.
    with pytest.raises(PermissionDenied):
        safeguarding_services.concern_decide(
            concern=concern, decision="no_further_action", notes="", user=volunteer_user
        )


def test_who_may_see_a_concern(
    concern: Concern,
    coordinator: Any,
    volunteer_user: Any,
    make_user: Callable[..., Any],
    family_worker: Any,
) -> None:
    from familyreach.accounts.roles import Role

    assert concern_get_for_user(user=volunteer_user, concern_id=concern.pk) == concern
    assert concern_get_for_user(user=coordinator, concern_id=concern.pk) == concern
    other_volunteer = make_user(Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        concern_get_for_user(user=other_volunteer, concern_id=concern.pk)
    with pytest.raises(PermissionDenied):
        concern_list(user=volunteer_user)
    with pytest.raises(PermissionDenied):
        safeguarding_services.concern_raise(
            user=family_worker, urgency="worried", about="x", what_happened="y"
        )
