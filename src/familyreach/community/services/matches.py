"""Writes for requests for peer support and matches: a request made or referred, a supporter
proposed, and the match moved through introduction, support and its end."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from familyreach.accounts.models import User
from familyreach.community.matching import Exclusion, rank_supporters, supporter_fit
from familyreach.community.models import (
    LIVE_MATCH_STATUSES,
    MATCH_TRANSITIONS,
    CheckIn,
    Match,
    MatchOutcome,
    MatchStatus,
    PeerSupporter,
    PeerSupportRequest,
    RequestStatus,
)
from familyreach.community.selectors import (
    coordinator_required,
    supporter_readiness,
    supporters_with_checks,
)
from familyreach.community.services.supporters import position_fields


@transaction.atomic
def request_create(
    *,
    first_name: str,
    contact_route: str,
    postcode: str,
    stated_needs: str,
    languages: Sequence[str] = ("English",),
    experiences_wanted: Sequence[str] = (),
    availability: Sequence[str] = (),
    user: User,
    is_simulated: bool = False,
) -> PeerSupportRequest:
    coordinator_required(user)
    return _request_save(
        first_name=first_name,
        contact_route=contact_route,
        postcode=postcode,
        stated_needs=stated_needs,
        languages=languages,
        experiences_wanted=experiences_wanted,
        availability=availability,
        user=user,
        is_simulated=is_simulated,
    )


@transaction.atomic
def request_refer_family(
    *,
    family_id: int,
    contact_route: str,
    stated_needs: str,
    languages: Sequence[str] = ("English",),
    experiences_wanted: Sequence[str] = (),
    availability: Sequence[str] = (),
    user: User,
) -> PeerSupportRequest:
    """A worker refers a family they work with, who asked for peer support.

    Only what matching needs leaves the family record: the first carer's first name and the
    postcode (for its area); the worker adds the contact route and needs agreed with the family."""
    from familyreach.families.selectors import family_get_for_user

    family = family_get_for_user(user=user, family_id=family_id)  # authorises and audits
    carer = family.carers.first()
    if carer is None or not family.postcode:
        raise ValidationError("The family record needs a carer and a postcode first.")
    return _request_save(
        first_name=carer.first_name,
        contact_route=contact_route,
        postcode=family.postcode,
        stated_needs=stated_needs,
        languages=languages,
        experiences_wanted=experiences_wanted,
        availability=availability,
        user=user,
        family=family,
        is_simulated=family.is_simulated,
    )


def _request_save(
    *,
    first_name: str,
    contact_route: str,
    postcode: str,
    stated_needs: str,
    languages: Sequence[str],
    experiences_wanted: Sequence[str],
    availability: Sequence[str],
    user: User,
    is_simulated: bool,
    family: Any = None,
) -> PeerSupportRequest:
    position = position_fields(postcode)
    request = PeerSupportRequest(
        family=family,
        first_name=first_name,
        contact_route=contact_route,
        stated_needs=stated_needs,
        languages=list(languages),
        experiences_wanted=list(experiences_wanted),
        availability=list(availability),
        is_simulated=is_simulated,
        created_by=user,
        modified_by=user,
        **position,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def match_propose(
    *, request: PeerSupportRequest, supporter: PeerSupporter, user: User, on: date
) -> Match:
    """The coordinator confirms one of the ranked supporters: the match is proposed to both.

    Readiness and fit are checked again here, under a lock on the supporter, so a supporter
    whose check expired, or who reached their limit of families meanwhile, is refused."""
    coordinator_required(user)
    # Lock the supporter's row first (PostgreSQL refuses FOR UPDATE with the load count's
    # GROUP BY), then read their checks and current load inside the lock.
    PeerSupporter.objects.select_for_update().get(pk=supporter.pk)
    locked = supporters_with_checks().get(pk=supporter.pk)
    readiness = supporter_readiness(locked, on=on)
    if not readiness.ready:
        raise ValidationError(f"{locked} cannot be matched yet: " + "; ".join(readiness.problems))
    if request.matches.filter(supporter=locked, status__in=LIVE_MATCH_STATUSES).exists():
        raise ValidationError(f"{locked} is already matched to {request.first_name}")
    fit = supporter_fit(locked, request, live_matches=locked.live_matches)  # type: ignore[attr-defined]
    if isinstance(fit, Exclusion):
        raise ValidationError(f"{locked} cannot be matched: " + "; ".join(fit.reasons))
    match = Match(
        request=request,
        supporter=locked,
        score=fit.score,
        reasons=list(fit.reasons),
        confirmed_by=user,
        created_by=user,
        modified_by=user,
    )
    match.full_clean()
    match.save()
    request.status = RequestStatus.MATCHED
    request.modified_by = user
    request.save(update_fields=["status", "modified_by", "modified_at"])
    return match


def match_best_propose(*, request: PeerSupportRequest, user: User, on: date) -> Match:
    """Propose the top-ranked supporter (used by the demo)."""
    ranking = rank_supporters(request, on=on)
    if not ranking.proposals:
        raise ValidationError("No peer supporter can be proposed for this family yet")
    return match_propose(
        request=request, supporter=ranking.proposals[0].supporter, user=user, on=on
    )


def _match_move(match: Match, to_status: str, user: User) -> None:
    coordinator_required(user)
    if to_status not in MATCH_TRANSITIONS[match.status]:
        raise ValidationError(
            f"A match that is {match.get_status_display().lower()} cannot become "
            f"{MatchStatus(to_status).label.lower()}"
        )
    match.status = to_status
    match.modified_by = user


@transaction.atomic
def match_introduce(*, match: Match, on: date, user: User) -> Match:
    _match_move(match, MatchStatus.INTRODUCED, user)
    match.introduced_on = on
    match.full_clean()
    match.save()
    return match


@transaction.atomic
def match_start(*, match: Match, on: date, wellbeing_start: int, user: User) -> Match:
    """Support begins; the parent rates their own wellbeing (1 to 10) to compare at the end."""
    _match_move(match, MatchStatus.ACTIVE, user)
    match.started_on = match.started_on or on
    if match.wellbeing_start is None:
        match.wellbeing_start = wellbeing_start
    match.full_clean()
    match.save()
    return match


@transaction.atomic
def match_pause(*, match: Match, user: User) -> Match:
    _match_move(match, MatchStatus.PAUSED, user)
    match.full_clean()
    match.save()
    return match


@transaction.atomic
def match_end(
    *,
    match: Match,
    on: date,
    outcome: str,
    user: User,
    wellbeing_end: int | None = None,
    notes: str = "",
) -> Match:
    _match_move(match, MatchStatus.ENDED, user)
    match.ended_on = on
    match.outcome = outcome
    match.outcome_notes = notes
    match.wellbeing_end = wellbeing_end
    match.full_clean()
    match.save()
    request = match.request
    still_live = request.matches.filter(status__in=LIVE_MATCH_STATUSES).exclude(pk=match.pk)
    if not still_live.exists():
        # A match that never got going leaves the family waiting for another supporter.
        reopen = outcome in (MatchOutcome.NOT_STARTED, MatchOutcome.SUPPORTER_WITHDREW)
        request.status = RequestStatus.OPEN if reopen else RequestStatus.CLOSED
        request.modified_by = user
        request.save(update_fields=["status", "modified_by", "modified_at"])
    return match


@transaction.atomic
def check_in_record(
    *, match: Match, held_on: date, notes: str, wellbeing: int | None, user: User
) -> CheckIn:
    coordinator_required(user)
    if match.status == MatchStatus.ENDED:
        raise ValidationError("This match has ended")
    check_in = CheckIn(
        match=match,
        held_on=held_on,
        notes=notes,
        wellbeing=wellbeing,
        created_by=user,
        modified_by=user,
    )
    check_in.full_clean()
    check_in.save()
    return check_in
