"""The simulated sessions' descriptions say what happens, who it is for, what to bring, and
end by saying they are simulated (no more "A simulated session for the demonstration.")."""

from io import StringIO

import pytest

from familyreach.delivery.demo import (
    SESSION_PLAN,
    SIMULATED_LABEL,
    WHAT_HAPPENS,
    simulated_description,
)
from familyreach.delivery.models import SessionCategory
from familyreach.directory.models import Service
from tests.fixtures.geo import NorfolkWorld


def test_every_kind_of_session_has_its_own_words() -> None:
    assert set(WHAT_HAPPENS) == set(SessionCategory.values)
    assert len({happens for happens, _bring in WHAT_HAPPENS.values()}) == len(WHAT_HAPPENS)


@pytest.mark.parametrize("category", SessionCategory.values)
def test_a_description_says_what_happens_who_for_what_to_bring_and_is_labelled(
    category: str,
) -> None:
    text = simulated_description(
        category=category, venue_name="Gorleston Library", age_from_months=0, age_to_months=48
    )
    paragraphs = text.split("\n\n")
    assert "Gorleston Library" in paragraphs[0]
    assert paragraphs[1].startswith("For parents and carers with children from birth to 4 years")
    assert paragraphs[2].startswith("What to bring: ")
    assert paragraphs[-1] == SIMULATED_LABEL
    assert "A simulated session for the demonstration" not in text


def test_the_demo_plan_uses_only_kinds_with_words() -> None:
    assert {plan[1] for plan in SESSION_PLAN} <= set(WHAT_HAPPENS)


@pytest.mark.django_db
def test_after_the_demo_every_simulated_listing_says_what_happens_and_that_it_is_simulated(
    norfolk: NorfolkWorld,
) -> None:
    from familyreach.delivery import demo as delivery_demo
    from familyreach.directory import demo as directory_demo

    directory_demo.load(StringIO())
    delivery_demo.load(StringIO())
    directory_demo.withdraw_duplicates(StringIO())

    simulated = list(Service.objects.filter(is_simulated=True))
    from_delivery = [s for s in simulated if s.source == "familyreach.delivery"]
    assert from_delivery
    for service in simulated:
        assert "A simulated session for the demonstration" not in service.description
        last_paragraph = service.description.strip().split("\n\n")[-1]
        assert "imulated" in last_paragraph, service.name
    for service in from_delivery:
        assert "What to bring: " in service.description, service.name
