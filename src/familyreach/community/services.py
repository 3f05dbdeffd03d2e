"""Writes for the community app: one function per change of state, each atomic and validated.

Writes are audited by django-auditlog (models registered in `audit.py`); messages go through the
shared notify client (`familyreach.outbox.notify`).
"""

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community import geography, publishing
from familyreach.community.matching import Exclusion, rank_supporters, supporter_fit
from familyreach.community.models import (
    HOLDING_BOOKING_STATUSES,
    LIVE_MATCH_STATUSES,
    MATCH_TRANSITIONS,
    AttendanceCount,
    BookingStatus,
    CheckIn,
    CommunityGroup,
    Concern,
    ConcernDecision,
    DbsCheck,
    ExpiryWarning,
    GroupLeader,
    GroupSession,
    GroupStatus,
    HelpKind,
    HelpStatus,
    Match,
    MatchOutcome,
    MatchStatus,
    PeerSupporter,
    PeerSupportRequest,
    Reference,
    RequestStatus,
    Room,
    RoomBooking,
    StartUpHelp,
    SupervisionSession,
    TrainingRecord,
)
from familyreach.community.selectors import (
    coordinator_required,
    coordinator_user_emails,
    expiries_upcoming,
    supporter_readiness,
    supporters_with_checks,
    user_is_coordinator,
    user_may_raise_concern,
)
from familyreach.outbox import notify

# --- Peer supporters ----------------------------------------------------------------------


def _position_fields(postcode: str) -> dict[str, Any]:
    """Position, area and district of a postcode; a postcode we do not hold is an error."""
    try:
        position = geography.postcode_position(postcode)
    except (ValueError, geography.PostcodeNotFound) as error:
        raise ValidationError({"postcode": str(error)}) from error
    return {
        "postcode": position.postcode,
        "latitude": position.latitude,
        "longitude": position.longitude,
        "area": position.area,
        "district": position.district,
    }


@transaction.atomic
def supporter_apply(
    *,
    first_name: str,
    last_name: str,
    contact_route: str,
    home_postcode: str,
    applied_on: date,
    email: str = "",
    phone: str = "",
    languages: Sequence[str] = ("English",),
    experiences: Sequence[str] = (),
    availability: Sequence[str] = (),
    district_codes: Sequence[str] = (),
    max_travel_minutes: int = 30,
    max_families: int = 2,
    application_notes: str = "",
    user: User | None = None,
    account: User | None = None,
    is_simulated: bool = False,
) -> PeerSupporter:
    """Record a volunteer's application. They cannot be matched until checked and trained."""
    position = _position_fields(home_postcode)
    supporter = PeerSupporter(
        user=account,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        contact_route=contact_route,
        applied_on=applied_on,
        application_notes=application_notes,
        languages=list(languages),
        experiences=list(experiences),
        availability=list(availability),
        home_postcode=position["postcode"],
        latitude=position["latitude"],
        longitude=position["longitude"],
        home_area=position["area"],
        max_travel_minutes=max_travel_minutes,
        max_families=max_families,
        is_simulated=is_simulated,
        created_by=user,
        modified_by=user,
    )
    supporter.full_clean()
    supporter.save()
    from familyreach.geo.models import District

    districts = list(District.objects.filter(code__in=district_codes))
    if position["district"] is not None and position["district"] not in districts:
        districts.append(position["district"])
    supporter.districts.set(districts)
    return supporter


@transaction.atomic
def supporter_status_set(*, supporter: PeerSupporter, status: str, user: User) -> PeerSupporter:
    coordinator_required(user)
    supporter.status = status
    supporter.modified_by = user
    supporter.full_clean()
    supporter.save()
    return supporter


@transaction.atomic
def reference_record(
    *,
    supporter: PeerSupporter,
    referee_name: str,
    relationship: str,
    received_on: date | None,
    satisfactory: bool,
    user: User,
) -> Reference:
    coordinator_required(user)
    reference = Reference(
        supporter=supporter,
        referee_name=referee_name,
        relationship=relationship,
        received_on=received_on,
        satisfactory=satisfactory,
        created_by=user,
        modified_by=user,
    )
    reference.full_clean()
    reference.save()
    return reference


@transaction.atomic
def dbs_check_record(
    *,
    supporter: PeerSupporter,
    certificate_number: str,
    issued_on: date,
    recheck_due_on: date,
    update_service_subscribed: bool,
    clear: bool = True,
    user: User,
) -> DbsCheck:
    coordinator_required(user)
    check = DbsCheck(
        supporter=supporter,
        certificate_number=certificate_number.replace(" ", ""),
        issued_on=issued_on,
        recheck_due_on=recheck_due_on,
        update_service_subscribed=update_service_subscribed,
        clear=clear,
        created_by=user,
        modified_by=user,
    )
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def training_record_add(
    *,
    supporter: PeerSupporter,
    module: str,
    completed_on: date,
    expires_on: date | None,
    user: User,
) -> TrainingRecord:
    coordinator_required(user)
    record = TrainingRecord(
        supporter=supporter,
        module=module,
        completed_on=completed_on,
        expires_on=expires_on,
        created_by=user,
        modified_by=user,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def supervision_record(
    *, supporter: PeerSupporter, held_on: date, notes: str, user: User
) -> SupervisionSession:
    coordinator_required(user)
    session = SupervisionSession(
        supporter=supporter,
        held_on=held_on,
        notes=notes,
        supervisor=user,
        created_by=user,
        modified_by=user,
    )
    session.full_clean()
    session.save()
    return session


def _warning_threshold(days_left: int) -> int | None:
    """The most urgent warning threshold reached (e.g. 7 when 5 days are left), or None."""
    reached = [t for t in settings.COMMUNITY_EXPIRY_WARNING_DAYS if days_left <= t]
    return min(reached) if reached else None


@transaction.atomic
def expiry_warnings_send(*, on: date) -> list[ExpiryWarning]:
    """Warn the coordinators, once per threshold, about checks and training about to expire
    (30 and 7 days ahead by default) or expiring today. Safe to run more than once a day.

    One email lists every new warning; if a run was missed, the most urgent threshold reached
    is the one sent, so nobody receives three warnings for one expiry on the same morning."""
    horizon = max(settings.COMMUNITY_EXPIRY_WARNING_DAYS)
    recipients = coordinator_user_emails() or [settings.COMMUNITY_COORDINATOR_EMAIL]
    sent: list[ExpiryWarning] = []
    lines: list[str] = []
    for expiry in expiries_upcoming(on=on, within_days=horizon):
        threshold = _warning_threshold(expiry.days_left)
        if threshold is None:
            continue
        already = ExpiryWarning.objects.filter(
            kind=expiry.kind,
            record_id=expiry.record_id,
            expires_on=expiry.expires_on,
            threshold_days__lte=threshold,
        ).exists()
        if already:
            continue
        warning = ExpiryWarning(
            supporter=expiry.supporter,
            kind=expiry.kind,
            record_id=expiry.record_id,
            expires_on=expiry.expires_on,
            threshold_days=threshold,
            sent_on=on,
            sent_to=", ".join(recipients),
        )
        warning.full_clean()
        warning.save()
        sent.append(warning)
        when = (
            "expires today"
            if expiry.days_left == 0
            else f"expired {-expiry.days_left} days ago"
            if expiry.days_left < 0
            else f"expires in {expiry.days_left} days"
        )
        lines.append(f"- {expiry.supporter}: {expiry.what} {when} ({expiry.expires_on:%-d %B %Y})")
    if lines:
        body = (
            "These peer supporters' checks or training expire soon. Until they are renewed the "
            "supporter cannot be matched with a family.\n\n" + "\n".join(lines)
        )
        for recipient in recipients:
            notify.send_email(
                to=recipient,
                subject=f"{len(lines)} peer supporter checks or training expiring",
                body=body,
                reference=f"community-expiries-{on.isoformat()}",
                kind=notify.Kind.COMMUNITY,
            )
    return sent


# --- Requests and matches -----------------------------------------------------------------


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
    position = _position_fields(postcode)
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


# --- Safeguarding -------------------------------------------------------------------------


@transaction.atomic
def concern_raise(
    *,
    user: User,
    urgency: str,
    about: str,
    what_happened: str,
    where: str = "",
    match: Match | None = None,
    group: CommunityGroup | None = None,
) -> Concern:
    """Record a concern and store its message to the duty safeguarding lead for sending.

    The concern is fixed once saved (see `AppendOnlyModel`). Its message is written to the
    outbox in this same transaction, so the concern is never kept without its message; it is
    sent at once after commit (urgent: ahead of every other message) and tried again until it
    goes. If it cannot be sent, managers and coordinators see a warning on every staff page,
    and the concern's own page says it has not gone."""
    if not user_may_raise_concern(user):
        raise PermissionDenied("You cannot raise a concern here; call the safeguarding team.")
    concern = Concern(
        raised_by=user,
        raised_at=timezone.now(),
        urgency=urgency,
        about=about,
        what_happened=what_happened,
        where=where,
        match=match,
        group=group,
        sent_to=settings.COMMUNITY_DUTY_SAFEGUARDING_EMAIL,
        reference="SG-" + secrets.token_hex(4).upper(),
    )
    concern.full_clean()
    concern.save()
    notify.send_email(
        to=concern.sent_to,
        subject=f"Safeguarding concern {concern.reference} ({concern.get_urgency_display()})",
        body=(
            f"Raised by {user} at {timezone.localtime(concern.raised_at):%-d %B %Y %H:%M}.\n"
            f"Urgency: {concern.get_urgency_display()}\n"
            f"About: {concern.about}\n"
            f"Where: {concern.where or 'not given'}\n"
            + (f"Group: {group}\n" if group else "")
            + (f"Peer support match: {match.pk}\n" if match else "")
            + f"\nWhat happened:\n{concern.what_happened}\n\n"
            "Record your decision in familyreach under Community > Concerns."
        ),
        reference=concern.reference,
        kind=notify.Kind.SAFEGUARDING,
    )
    return concern


@transaction.atomic
def concern_decide(*, concern: Concern, decision: str, notes: str, user: User) -> ConcernDecision:
    """Append the lead's decision; earlier decisions stay as they were."""
    if not user.has_perm("community.review_concerns"):
        raise PermissionDenied("Only safeguarding leads and coordinators record decisions.")
    record = ConcernDecision(
        concern=concern,
        decided_by=user,
        decided_at=timezone.now(),
        decision=decision,
        notes=notes,
    )
    record.full_clean()
    record.save()
    return record


# --- Community groups ---------------------------------------------------------------------


@transaction.atomic
def group_register(
    *,
    name: str,
    kind: str,
    description: str,
    who_for: str,
    venue_name: str,
    venue_postcode: str,
    contact_email: str,
    leaders: Sequence[dict[str, Any]],
    sessions: Sequence[dict[str, Any]],
    venue_address: str = "",
    contact_phone: str = "",
    website: str = "",
    cost_description: str = "",
    minimum_age_months: int | None = None,
    maximum_age_months: int | None = None,
    insurance_url: str = "",
    insurance_file: Any = None,
    policy_url: str = "",
    policy_file: Any = None,
    user: User | None = None,
    is_simulated: bool = False,
) -> CommunityGroup:
    """A group registers itself (publicly, or by its admin); it waits for the council's approval.

    Leaders are dicts of name, email, phone, is_safeguarding_lead; sessions of weekday,
    starts_at, ends_at, frequency, notes."""
    try:
        postcode = geography.postcode_normalise(venue_postcode)
    except ValueError as error:
        raise ValidationError({"venue_postcode": str(error)}) from error
    from familyreach.geo.models import Venue

    venue = Venue.objects.filter(postcode=postcode, name__iexact=venue_name.strip()).first()
    group = CommunityGroup(
        name=name,
        kind=kind,
        description=description,
        who_for=who_for,
        minimum_age_months=minimum_age_months,
        maximum_age_months=maximum_age_months,
        venue=venue,
        venue_name=venue_name,
        venue_address=venue_address,
        venue_postcode=postcode,
        contact_email=contact_email,
        contact_phone=contact_phone,
        website=website,
        cost_description=cost_description,
        insurance_url=insurance_url,
        policy_url=policy_url,
        is_simulated=is_simulated,
        created_by=user,
        modified_by=user,
    )
    if insurance_file:
        group.insurance_file = insurance_file
    if policy_file:
        group.policy_file = policy_file
    group.full_clean()
    group.save()
    if not leaders:
        raise ValidationError("Name at least one person who leads the group")
    for leader_fields in leaders:
        leader = GroupLeader(group=group, **leader_fields)
        leader.full_clean()
        leader.save()
    for session_fields in sessions:
        session = GroupSession(group=group, **session_fields)
        session.full_clean()
        session.save()
    if user is not None and user.has_role(Role.COMMUNITY_GROUP_ADMIN):
        group.admins.add(user)
    return group


def group_approval_problems(group: CommunityGroup) -> list[str]:
    """What stops the council approving the group (empty when it can be approved)."""
    problems = []
    leaders = list(group.leaders.all())
    if not leaders:
        problems.append("No named leaders")
    if not any(leader.is_safeguarding_lead for leader in leaders):
        problems.append("No named safeguarding lead")
    if not group.insurance_provided:
        problems.append("No public liability insurance (upload or link)")
    if not group.policy_provided:
        problems.append("No safeguarding policy (upload or link)")
    if not group.sessions.exists():
        problems.append("No session times")
    return problems


@transaction.atomic
def group_approve(*, group: CommunityGroup, user: User, notes: str = "") -> CommunityGroup:
    """The council approves the group and its sessions are published to the directory."""
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers approve groups.")
    problems = group_approval_problems(group)
    if problems:
        raise ValidationError(problems)
    group.status = GroupStatus.APPROVED
    group.reviewed_by = user
    group.reviewed_at = timezone.now()
    group.review_notes = notes
    group.modified_by = user
    group.full_clean()
    group.save()
    publishing.group_publish(group=group, user=user)
    return group


@transaction.atomic
def group_reject(*, group: CommunityGroup, user: User, notes: str) -> CommunityGroup:
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers review groups.")
    if not notes.strip():
        raise ValidationError({"review_notes": "Say why, so the group can put it right"})
    was_approved = group.status == GroupStatus.APPROVED
    group.status = GroupStatus.REJECTED if not was_approved else GroupStatus.SUSPENDED
    group.reviewed_by = user
    group.reviewed_at = timezone.now()
    group.review_notes = notes
    group.modified_by = user
    group.full_clean()
    group.save()
    if was_approved:
        publishing.group_withdraw(group=group, user=user)
    return group


def _group_editor_required(group: CommunityGroup, user: User) -> None:
    if user_is_coordinator(user):
        return
    if not group.admins.filter(pk=user.pk).exists():
        raise PermissionDenied("Only the group's admins and coordinators can do this.")


@transaction.atomic
def group_attendance_record(
    *, group: CommunityGroup, met_on: date, children: int, adults: int, user: User
) -> AttendanceCount:
    """How many came, as counts only; recording the same day again corrects it."""
    _group_editor_required(group, user)
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "The date must be today or in the past"})
    count = AttendanceCount.objects.filter(group=group, met_on=met_on).first()
    if count is None:
        count = AttendanceCount(group=group, met_on=met_on, created_by=user)
    count.children = children
    count.adults = adults
    count.modified_by = user
    count.full_clean()
    count.save()
    return count


@transaction.atomic
def startup_help_request(
    *,
    group: CommunityGroup,
    kind: str,
    purpose: str,
    amount_requested: Decimal | None,
    user: User,
) -> StartUpHelp:
    _group_editor_required(group, user)
    help_request = StartUpHelp(
        group=group,
        kind=kind,
        purpose=purpose,
        amount_requested=amount_requested if kind == HelpKind.GRANT else None,
        created_by=user,
        modified_by=user,
    )
    help_request.full_clean()
    help_request.save()
    return help_request


@transaction.atomic
def startup_help_decide(
    *,
    help_request: StartUpHelp,
    status: str,
    user: User,
    amount_awarded: Decimal | None = None,
    notes: str = "",
) -> StartUpHelp:
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers decide on start-up help.")
    if status == HelpStatus.REQUESTED:
        raise ValidationError("Choose a decision")
    help_request.status = status
    help_request.amount_awarded = amount_awarded
    help_request.decision_notes = notes
    help_request.decided_by = user
    help_request.decided_on = timezone.localdate()
    help_request.modified_by = user
    help_request.full_clean()
    help_request.save()
    return help_request


# --- Rooms in former centres --------------------------------------------------------------


class BookingConflict(ValidationError):
    """The room is already held for part of the requested time."""


@transaction.atomic
def room_create(
    *,
    venue: Any,
    name: str,
    capacity: int,
    rules: str,
    hourly_cost: Decimal,
    user: User | None,
    is_demo: bool = False,
) -> Room:
    if user is not None and not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers list rooms.")
    room = Room(
        venue=venue,
        name=name,
        capacity=capacity,
        rules=rules,
        hourly_cost=hourly_cost,
        is_demo=is_demo,
        created_by=user,
        modified_by=user,
    )
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_booking_request(
    *,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    organisation_name: str,
    purpose: str,
    benefits_under_fives: bool,
    user: User,
    group: CommunityGroup | None = None,
) -> RoomBooking:
    """Ask for a room for a time; refused if it overlaps a booking that holds the room.

    Two requests for the same room at the same moment must not both pass the overlap check, so
    the room's row is locked (SELECT ... FOR UPDATE on PostgreSQL) before checking: the second
    request waits for the first to commit and then sees its booking. SQLite has no row locks but
    allows one writer at a time, which serialises the same way."""
    if group is not None:
        _group_editor_required(group, user)
    elif not user_is_coordinator(user):
        raise PermissionDenied("Book for your group, or ask a coordinator.")
    if not benefits_under_fives:
        raise ValidationError(
            {"benefits_under_fives": "Rooms are for uses that benefit families with under-fives"}
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start"})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "The start must be in the future"})
    locked = Room.objects.select_for_update().get(pk=room.pk)
    if not locked.is_bookable:
        raise ValidationError("This room is not offered for booking")
    clash = RoomBooking.objects.filter(
        room=locked,
        status__in=HOLDING_BOOKING_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).first()
    if clash is not None:
        raise BookingConflict(
            "The room is already booked from "
            f"{timezone.localtime(clash.starts_at):%-d %B %Y %H:%M} to "
            f"{timezone.localtime(clash.ends_at):%H:%M}. Choose another time or room."
        )
    hours = Decimal(str((ends_at - starts_at).total_seconds() / 3600))
    booking = RoomBooking(
        room=locked,
        group=group,
        organisation_name=organisation_name or (group.name if group else ""),
        purpose=purpose,
        benefits_under_fives=benefits_under_fives,
        starts_at=starts_at,
        ends_at=ends_at,
        cost=(locked.hourly_cost * hours).quantize(Decimal("0.01")),
        created_by=user,
        modified_by=user,
    )
    booking.full_clean()
    booking.save()
    return booking


def _booking_decide(booking: RoomBooking, status: str, user: User, notes: str) -> RoomBooking:
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers decide on bookings.")
    if booking.status != BookingStatus.REQUESTED:
        raise ValidationError("This booking has already been decided")
    booking.status = status
    booking.decided_by = user
    booking.decision_notes = notes
    booking.modified_by = user
    booking.full_clean()
    booking.save()
    return booking


@transaction.atomic
def room_booking_approve(*, booking: RoomBooking, user: User, notes: str = "") -> RoomBooking:
    return _booking_decide(booking, BookingStatus.APPROVED, user, notes)


@transaction.atomic
def room_booking_refuse(*, booking: RoomBooking, user: User, notes: str) -> RoomBooking:
    if not notes.strip():
        raise ValidationError({"decision_notes": "Say why the booking is refused"})
    return _booking_decide(booking, BookingStatus.REFUSED, user, notes)


@transaction.atomic
def room_booking_cancel(*, booking: RoomBooking, user: User) -> RoomBooking:
    if booking.group is not None:
        _group_editor_required(booking.group, user)
    else:
        coordinator_required(user)
    if booking.status not in HOLDING_BOOKING_STATUSES:
        raise ValidationError("Only requested or approved bookings can be cancelled")
    booking.status = BookingStatus.CANCELLED
    booking.modified_by = user
    booking.save()
    return booking


@transaction.atomic
def room_booking_use_record(*, booking: RoomBooking, people: int, user: User) -> RoomBooking:
    """Count how many used the room, once the booking has happened."""
    if booking.group is not None:
        _group_editor_required(booking.group, user)
    else:
        coordinator_required(user)
    if booking.status != BookingStatus.APPROVED or booking.starts_at > timezone.now():
        raise ValidationError("Use is counted after an approved booking has started")
    booking.people_attended = people
    booking.modified_by = user
    booking.full_clean()
    booking.save()
    return booking


def time_on(day: date, at: time) -> datetime:
    """A Europe/London wall-clock time on a day, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())
