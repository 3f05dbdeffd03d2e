"""Matching: a constructed set of peer supporters ranks in the expected order, with reasons;
nobody unchecked, expired, at capacity or out of reach is ever proposed; the match lifecycle."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from familyreach.community.matching import rank_supporters
from familyreach.community.models import MatchOutcome, MatchStatus, RequestStatus
from familyreach.community.services import matches as match_services
from tests.fixtures.community import COMMUNITY_TODAY

pytestmark = pytest.mark.django_db

PERFECT = {
    "languages": ["Polish", "English"],
    "experiences": ["twins", "postnatal_depression"],
    "availability": ["mon_am"],
}


def _request(coordinator: Any, **fields: Any) -> Any:
    values = {
        "first_name": "Sam",
        "contact_route": "Text 07700 900123 after 10am",
        "postcode": "NR30 1NE",
        "stated_needs": "Twins at 3 months, feeling low and isolated",
        "languages": ["Polish"],
        "experiences_wanted": ["twins", "postnatal_depression"],
        "availability": ["mon_am", "tue_pm"],
        "user": coordinator,
        **fields,
    }
    return match_services.request_create(**values)


@pytest.fixture
def case_set(make_supporter: Callable[..., Any], coordinator: Any) -> dict[str, Any]:
    people = {
        # Everything in common, and close by (Gorleston, about 2.5 km).
        "Ania": make_supporter("Ania", postcode="NR31 6AA", **PERFECT),
        # Everything in common but in Norwich, about an hour away; travels up to 90 minutes.
        "Dora": make_supporter("Dora", postcode="NR1 3JU", max_travel_minutes=90, **PERFECT),
        # Speaks Polish and is on the doorstep, but shares one experience only.
        "Cleo": make_supporter("Cleo", **{**PERFECT, "experiences": ["twins"]}),
        # As Cleo, but already supporting a family.
        "Isla": make_supporter("Isla", **{**PERFECT, "experiences": ["twins"]}),
        # Shares both experiences but no Polish.
        "Bea": make_supporter("Bea", **{**PERFECT, "languages": ["English"]}),
        # Perfect fit, but never excluded reasons must hold:
        "Esme": make_supporter("Esme", max_families=1, **PERFECT),  # at capacity
        "Fern": make_supporter("Fern", ready=False, **PERFECT),  # not checked
        "Gina": make_supporter(  # DBS expired yesterday
            "Gina", dbs_recheck_due_on=COMMUNITY_TODAY - timedelta(days=1), **PERFECT
        ),
        "Hope": make_supporter(  # King's Lynn: over 2 hours away, only travels 30 minutes
            "Hope", postcode="PE30 1EX", **PERFECT
        ),
    }
    other = _request(coordinator, first_name="Other", languages=["English"])
    for name in ("Esme", "Isla"):
        match_services.match_propose(
            request=other, supporter=people[name], user=coordinator, on=COMMUNITY_TODAY
        )
    return people


def test_constructed_case_set_ranks_in_the_expected_order(
    case_set: dict[str, Any], coordinator: Any
) -> None:
    request = _request(coordinator)
    ranking = rank_supporters(request, on=COMMUNITY_TODAY)
    assert [p.supporter.first_name for p in ranking.proposals] == [
        "Ania",
        "Dora",
        "Cleo",
        "Isla",
        "Bea",
    ]
    scores = [p.score for p in ranking.proposals]
    assert scores == sorted(scores, reverse=True)
    reasons = {p.supporter.first_name: p.reasons for p in ranking.proposals}
    assert reasons["Ania"][0] == "Shared experience: twins or more, postnatal depression or anxiety"
    assert "Speaks Polish" in reasons["Ania"]
    assert "Both free: monday morning" in reasons["Ania"]
    assert "Does not speak Polish" in reasons["Bea"]
    assert "Supporting 1 family now" in reasons["Isla"]
    # Norwich to Great Yarmouth: about 29 km in a straight line, 46 minutes by car (geo's model).
    assert "About 46 minutes away by car (29.3 km in a straight line)" in reasons["Dora"]


def test_never_proposes_unchecked_expired_full_or_unreachable_supporters(
    case_set: dict[str, Any], coordinator: Any
) -> None:
    request = _request(coordinator)
    ranking = rank_supporters(request, on=COMMUNITY_TODAY)
    proposed = {p.supporter.first_name for p in ranking.proposals}
    assert proposed.isdisjoint({"Esme", "Fern", "Gina", "Hope"})
    excluded = {e.supporter.first_name: e.reasons for e in ranking.excluded}
    assert excluded["Esme"] == ("Already supporting 1 of 1 families",)
    assert "No enhanced DBS check" in excluded["Fern"]
    assert excluded["Gina"] == ("DBS check expired on 1 March 2026",)
    assert "more than their 30 minutes" in excluded["Hope"][0]


@pytest.mark.parametrize("name", ["Fern", "Gina", "Esme", "Hope"])
def test_the_service_refuses_a_supporter_who_cannot_be_matched(
    case_set: dict[str, Any], coordinator: Any, name: str
) -> None:
    request = _request(coordinator)
    with pytest.raises(ValidationError, match="cannot be matched"):
        match_services.match_propose(
            request=request, supporter=case_set[name], user=coordinator, on=COMMUNITY_TODAY
        )
    assert not request.matches.exists()


def test_a_supporter_whose_check_expires_drops_out_on_that_day(
    make_supporter: Callable[..., Any], coordinator: Any
) -> None:
    due = COMMUNITY_TODAY + timedelta(days=3)
    make_supporter("Jo", dbs_recheck_due_on=due, **PERFECT)
    request = _request(coordinator)
    before = rank_supporters(request, on=due - timedelta(days=1))
    after = rank_supporters(request, on=due)
    assert [p.supporter.first_name for p in before.proposals] == ["Jo"]
    assert after.proposals == []


def test_match_lifecycle_with_wellbeing_at_start_and_end(
    make_supporter: Callable[..., Any], coordinator: Any
) -> None:
    supporter = make_supporter("Kit", **PERFECT)
    request = _request(coordinator)
    match = match_services.match_propose(
        request=request, supporter=supporter, user=coordinator, on=COMMUNITY_TODAY
    )
    assert match.status == MatchStatus.PROPOSED
    assert "Speaks Polish" in match.reasons
    request.refresh_from_db()
    assert request.status == RequestStatus.MATCHED
    with pytest.raises(ValidationError, match="cannot become active"):
        match_services.match_start(
            match=match, on=COMMUNITY_TODAY, wellbeing_start=4, user=coordinator
        )
    match_services.match_introduce(match=match, on=COMMUNITY_TODAY, user=coordinator)
    match_services.match_start(match=match, on=COMMUNITY_TODAY, wellbeing_start=4, user=coordinator)
    match_services.check_in_record(
        match=match, held_on=COMMUNITY_TODAY, notes="Meeting weekly", wellbeing=5, user=coordinator
    )
    match_services.match_pause(match=match, user=coordinator)
    match_services.match_start(match=match, on=COMMUNITY_TODAY, wellbeing_start=9, user=coordinator)
    assert match.wellbeing_start == 4  # resuming does not overwrite the starting rating
    with pytest.raises(ValidationError):
        match_services.match_end(
            match=match,
            on=COMMUNITY_TODAY,
            outcome=MatchOutcome.GOALS_MET,
            wellbeing_end=11,
            user=coordinator,
        )
    match.refresh_from_db()  # the refused change was rolled back
    assert match.status == MatchStatus.ACTIVE
    match_services.match_end(
        match=match,
        on=COMMUNITY_TODAY,
        outcome=MatchOutcome.GOALS_MET,
        wellbeing_end=8,
        user=coordinator,
    )
    match.refresh_from_db()
    request.refresh_from_db()
    assert (match.status, match.wellbeing_start, match.wellbeing_end) == ("ended", 4, 8)
    assert request.status == RequestStatus.CLOSED
    with pytest.raises(ValidationError, match="has ended"):
        match_services.check_in_record(
            match=match, held_on=COMMUNITY_TODAY, notes="x", wellbeing=None, user=coordinator
        )


def test_an_unknown_postcode_is_a_clear_error(coordinator: Any, community_geography: Any) -> None:
    with pytest.raises(ValidationError, match="We could not find the postcode NR99 9ZZ"):
        _request(coordinator, postcode="nr99 9zz")
    with pytest.raises(ValidationError, match="Enter a full postcode"):
        _request(coordinator, postcode="Yarmouth")
