"""The simulated sessions' descriptions say what happens, who it is for, what to bring, and
end by saying they are simulated (no more "A simulated session for the demonstration.")."""

import pytest

from familyreach.delivery.demo import (
    SESSION_PLAN,
    SIMULATED_LABEL,
    WHAT_HAPPENS,
    simulated_description,
)
from familyreach.delivery.models import SessionCategory


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
