"""Reads for the community app, each with the related rows it needs fetched up front."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community.models import (
    FINAL_DECISIONS,
    HOLDING_BOOKING_STATUSES,
    LIVE_MATCH_STATUSES,
    REQUIRED_TRAINING,
    AttendanceCount,
    CommunityGroup,
    Concern,
    DbsCheck,
    ExpiryKind,
    GroupLeader,
    GroupStatus,
    Match,
    MatchStatus,
    PeerSupporter,
    PeerSupportRequest,
    Room,
    RoomBooking,
    SupporterStatus,
    TrainingModule,
    TrainingRecord,
)
from familyreach.core.audit import record_access

# --- Who may do what ----------------------------------------------------------------------


def user_is_coordinator(user: Any) -> bool:
    """Volunteer coordinators and service managers run peer support and community use."""
    return bool(user.is_authenticated and user.has_perm("community.manage_volunteers"))


def user_may_raise_concern(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm("community.raise_concern"))


def coordinator_required(user: Any) -> None:
    if not user_is_coordinator(user):
        raise PermissionDenied("Only volunteer coordinators and managers can see this page.")


# --- Peer supporters: checks, training, readiness -----------------------------------------


@dataclass(frozen=True)
class Readiness:
    """Whether a supporter may be matched on a given day, and if not, why not."""

    ready: bool
    problems: tuple[str, ...]


def _current_dbs(supporter: PeerSupporter, on: date) -> DbsCheck | None:
    checks = [c for c in supporter.dbs_checks.all() if c.issued_on <= on]
    return max(checks, key=lambda check: check.recheck_due_on, default=None)


def _current_training(supporter: PeerSupporter, module: str, on: date) -> TrainingRecord | None:
    records = [r for r in supporter.training_records.all() if r.module == module]
    records = [r for r in records if r.completed_on <= on]
    return max(records, key=lambda r: r.expires_on or date.max, default=None)


def supporter_readiness(supporter: PeerSupporter, *, on: date) -> Readiness:
    """Checks and training must be complete and in date on `on`: a DBS check or a module is in
    date until the day before its recheck or expiry date (on that date it has expired).

    Expects `dbs_checks`, `training_records` and `references` prefetched (`supporters_with_checks`).
    """
    problems: list[str] = []
    if supporter.status != SupporterStatus.ACTIVE:
        problems.append(f"Status is {supporter.get_status_display().lower()}, not active")
    satisfactory = [r for r in supporter.references.all() if r.satisfactory and r.received_on]
    if len(satisfactory) < 2:
        problems.append(f"{len(satisfactory)} of 2 satisfactory references received")
    dbs = _current_dbs(supporter, on)
    if dbs is None:
        problems.append("No enhanced DBS check")
    elif not dbs.clear:
        problems.append("DBS check needs a decision by the coordinator")
    elif dbs.recheck_due_on <= on:
        problems.append(f"DBS check expired on {dbs.recheck_due_on:%-d %B %Y}")
    for module in REQUIRED_TRAINING:
        record = _current_training(supporter, module, on)
        if record is None:
            problems.append(f"{module.label} not completed")
        elif record.expires_on is not None and record.expires_on <= on:
            problems.append(f"{module.label} expired on {record.expires_on:%-d %B %Y}")
    return Readiness(ready=not problems, problems=tuple(problems))


def supporters_with_checks() -> QuerySet[PeerSupporter]:
    return PeerSupporter.objects.prefetch_related(
        "dbs_checks", "training_records", "references", "districts"
    ).annotate(
        live_matches=Count("matches", filter=Q(matches__status__in=LIVE_MATCH_STATUSES)),
    )


def supporter_list(*, user: Any) -> QuerySet[PeerSupporter]:
    coordinator_required(user)
    return supporters_with_checks()


def supporter_get_for_user(*, user: Any, supporter_id: int) -> PeerSupporter:
    """A coordinator's view of one volunteer (checks, training, supervision), audited."""
    coordinator_required(user)
    supporter = (
        supporters_with_checks()
        .prefetch_related("supervision_sessions__supervisor")
        .filter(pk=supporter_id)
        .first()
    )
    if supporter is None:
        raise Http404("No such peer supporter")
    record_access(instance=supporter, user=user)
    return supporter


def supporters_matchable(*, on: date) -> list[PeerSupporter]:
    """Active supporters whose checks and training are complete and in date on `on`."""
    candidates = supporters_with_checks().filter(status=SupporterStatus.ACTIVE)
    return [s for s in candidates if supporter_readiness(s, on=on).ready]


@dataclass(frozen=True)
class Expiry:
    supporter: PeerSupporter
    kind: ExpiryKind
    record_id: int
    what: str
    expires_on: date
    days_left: int  # negative once expired


def expiries_upcoming(*, on: date, within_days: int = 30) -> list[Expiry]:
    """The latest DBS check and each module's latest training of every supporter still
    volunteering, that expire within `within_days` of `on` or have already expired; soonest
    first. A renewed check or module replaces the old one, so old expiries do not warn."""
    expiries: list[Expiry] = []
    supporters = supporters_with_checks().exclude(status=SupporterStatus.LEFT)
    for supporter in supporters:
        dbs = _current_dbs(supporter, on)
        if dbs is not None:
            expiries.append(
                Expiry(
                    supporter,
                    ExpiryKind.DBS,
                    dbs.pk,
                    "Enhanced DBS check recheck",
                    dbs.recheck_due_on,
                    (dbs.recheck_due_on - on).days,
                )
            )
        for module in TrainingModule:
            record = _current_training(supporter, module, on)
            if record is not None and record.expires_on is not None:
                expiries.append(
                    Expiry(
                        supporter,
                        ExpiryKind.TRAINING,
                        record.pk,
                        module.label,
                        record.expires_on,
                        (record.expires_on - on).days,
                    )
                )
    return sorted(
        (e for e in expiries if e.days_left <= within_days),
        key=lambda e: (e.expires_on, e.supporter.first_name),
    )


# --- Requests and matches -----------------------------------------------------------------


def peer_support_scope(user: Any, district_path: str = "district") -> Q:
    """Which peer-support requests (or, through `district_path`, matches) a coordinator works
    with. A service manager runs peer support for their own district, as they see its families
    (`User.in_district_filter`: every district only with `all_districts`, none without a
    district). Volunteer coordinators run the county's one scheme, whose volunteers cross
    district lines, so they see every district's requests (they open no family record)."""
    if user.is_superuser or Role.VOLUNTEER_COORDINATOR in user.roles:
        return Q()
    return user.in_district_filter(district_path)


def request_list(*, user: Any) -> QuerySet[PeerSupportRequest]:
    coordinator_required(user)
    requests = PeerSupportRequest.objects.filter(peer_support_scope(user))
    return requests.select_related("area", "district").annotate(
        live_matches=Count("matches", filter=Q(matches__status__in=LIVE_MATCH_STATUSES))
    )


def request_get_for_user(*, user: Any, request_id: int) -> PeerSupportRequest:
    """One request in the coordinator's scope (404 otherwise, as if it did not exist)."""
    coordinator_required(user)
    request = (
        PeerSupportRequest.objects.filter(peer_support_scope(user))
        .select_related("area", "district")
        .prefetch_related(Prefetch("matches", queryset=Match.objects.select_related("supporter")))
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such request")
    record_access(instance=request, user=user)
    return request


def match_list(*, user: Any) -> QuerySet[Match]:
    coordinator_required(user)
    matches = Match.objects.filter(peer_support_scope(user, "request__district"))
    return matches.select_related("request", "supporter")


def match_get_for_user(*, user: Any, match_id: int) -> Match:
    """Coordinators see the whole match; the matched volunteer sees it through
    `volunteer_match_view`, which holds only what they need."""
    coordinator_required(user)
    match = (
        Match.objects.filter(peer_support_scope(user, "request__district"))
        .select_related("request", "supporter", "confirmed_by")
        .prefetch_related("check_ins")
        .filter(pk=match_id)
        .first()
    )
    if match is None:
        raise Http404("No such match")
    record_access(instance=match, user=user)
    return match


@dataclass(frozen=True)
class VolunteerMatchView:
    """What a peer supporter may know about a family they support: nothing more."""

    match_id: int
    status: str
    first_name: str
    contact_route: str
    stated_needs: str


def volunteer_matches(*, user: Any) -> list[VolunteerMatchView]:
    """The signed-in volunteer's current matches (introduced, active, paused), audited."""
    if not user.is_authenticated or not user.has_role(Role.VOLUNTEER):
        raise PermissionDenied("Only peer supporters have matches.")
    matches = Match.objects.select_related("request").filter(
        supporter__user=user,
        status__in=(MatchStatus.INTRODUCED, MatchStatus.ACTIVE, MatchStatus.PAUSED),
    )
    views = []
    for match in matches:
        record_access(instance=match.request, user=user)
        views.append(
            VolunteerMatchView(
                match_id=match.pk,
                status=match.get_status_display(),
                first_name=match.request.first_name,
                contact_route=match.request.contact_route,
                stated_needs=match.request.stated_needs,
            )
        )
    return views


# --- Safeguarding -------------------------------------------------------------------------


def concern_list(*, user: Any) -> QuerySet[Concern]:
    if not user.has_perm("community.review_concerns"):
        raise PermissionDenied("Only the safeguarding leads and coordinators see concerns.")
    final = Count("decisions", filter=Q(decisions__decision__in=FINAL_DECISIONS))
    return Concern.objects.select_related("raised_by", "group").annotate(final_decisions=final)


def concern_get_for_user(*, user: Any, concern_id: int) -> Concern:
    concern = (
        Concern.objects.select_related("raised_by", "group", "match")
        .prefetch_related("decisions__decided_by")
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        raise Http404("No such concern")
    # Whoever raised it may see what they sent and what was decided; reviewers see all.
    if not (user.has_perm("community.review_concerns") or concern.raised_by_id == user.pk):
        raise PermissionDenied("You cannot see this concern.")
    record_access(instance=concern, user=user)
    return concern


# --- Community groups ---------------------------------------------------------------------


def group_queryset() -> QuerySet[CommunityGroup]:
    return CommunityGroup.objects.select_related("venue").prefetch_related(
        "leaders", "sessions", "admins"
    )


def group_list(*, user: Any) -> QuerySet[CommunityGroup]:
    """Coordinators see every group; a group admin sees only the groups they run."""
    if user_is_coordinator(user):
        return group_queryset()
    if user.has_role(Role.COMMUNITY_GROUP_ADMIN):
        return group_queryset().filter(admins=user)
    raise PermissionDenied("You cannot see community groups.")


def group_get_for_user(*, user: Any, group_id: int) -> CommunityGroup:
    group = group_list(user=user).filter(pk=group_id).first()
    if group is None:
        # A group admin asking for someone else's group learns nothing about it.
        raise Http404("No such group")
    record_access(instance=group, user=user)
    return group


def groups_approved() -> QuerySet[CommunityGroup]:
    return group_queryset().filter(status=GroupStatus.APPROVED)


def group_attendance_totals(group: CommunityGroup) -> dict[str, int]:
    totals = group.attendance_counts.aggregate(
        meetings=Count("id"), children=Sum("children"), adults=Sum("adults")
    )
    return {key: value or 0 for key, value in totals.items()}


# --- Rooms --------------------------------------------------------------------------------


def room_list() -> QuerySet[Room]:
    """Bookable rooms with how much they have been used (approved bookings, people counted)."""
    approved = Q(bookings__status="approved")
    return (
        Room.objects.select_related("venue", "venue__district")
        .filter(is_bookable=True)
        .annotate(
            approved_bookings=Count("bookings", filter=approved),
            people_counted=Sum("bookings__people_attended", filter=approved),
        )
    )


def room_get(*, room_id: int) -> Room:
    room = Room.objects.select_related("venue").filter(pk=room_id, is_bookable=True).first()
    if room is None:
        raise Http404("No such room")
    return room


def room_calendar(*, room: Room, start: datetime, end: datetime) -> QuerySet[RoomBooking]:
    """Bookings holding time in the room between `start` and `end`."""
    return RoomBooking.objects.filter(
        room=room,
        status__in=HOLDING_BOOKING_STATUSES,
        starts_at__lt=end,
        ends_at__gt=start,
    ).select_related("group")


def bookings_for_user(*, user: Any) -> QuerySet[RoomBooking]:
    bookings = RoomBooking.objects.select_related("room", "room__venue", "group")
    if user_is_coordinator(user):
        return bookings
    if user.has_role(Role.COMMUNITY_GROUP_ADMIN):
        return bookings.filter(group__admins=user)
    raise PermissionDenied("You cannot see room bookings.")


def booking_get_for_user(*, user: Any, booking_id: int) -> RoomBooking:
    booking = bookings_for_user(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise Http404("No such booking")
    return booking


def coordinator_user_emails() -> list[str]:
    return sorted(
        User.objects.filter(is_active=True, groups__name=Role.VOLUNTEER_COORDINATOR.value)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _is_uk_mobile(number: str) -> bool:
    digits = "".join(character for character in number if character.isdigit())
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return len(digits) == 11 and digits.startswith("07")


def group_admin_mobile(*, user: Any) -> str:
    """The mobile number a group admin gave for themselves: as a leader of a group they run
    (matched by their email address), else as their group's contact (same email). "" when
    none is known or the number is not a mobile. Answers directory's `proposer_mobile_wanted`,
    so a proposer hears the outcome of a listing change by text as well as email."""
    email = (getattr(user, "email", "") or "").strip()
    if not email:
        return ""
    groups = CommunityGroup.objects.filter(admins=user)
    leader_numbers = GroupLeader.objects.filter(group__in=groups, email__iexact=email).values_list(
        "phone", flat=True
    )
    contact_numbers = groups.filter(contact_email__iexact=email).values_list(
        "contact_phone", flat=True
    )
    for number in [*leader_numbers, *contact_numbers]:
        if number and _is_uk_mobile(number):
            return str(number)
    return ""


def proposer_mobile(sender: Any, *, user: Any, **_: Any) -> str:
    """Receiver of directory.signals.proposer_mobile_wanted."""
    return group_admin_mobile(user=user)


def peer_led_meetings(
    start: date, end: date, **kwargs: Any
) -> list[tuple[date, int | None, int | None]]:
    """Answers `directory.signals.peer_led_meetings_held` for insight's peer-led share of
    sessions: each meeting of a group with its attendance recorded, placed at the group's
    venue (unknown where the group gave only an address)."""
    return [
        (met_on, area_id, district_id)
        for met_on, area_id, district_id in AttendanceCount.objects.filter(
            met_on__gte=start, met_on__lte=end
        ).values_list("met_on", "group__venue__area_id", "group__venue__district_id")
    ]
