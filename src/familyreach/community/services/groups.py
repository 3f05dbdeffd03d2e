"""Writes for community groups: registration, the council's approval, attendance and start-up help."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community import publishing
from familyreach.community.models import (
    AttendanceCount,
    CommunityGroup,
    GroupLeader,
    GroupSession,
    GroupStatus,
    HelpKind,
    HelpStatus,
    StartUpHelp,
)
from familyreach.community.selectors import (
    user_is_coordinator,
)
from familyreach.community.services.supporters import FULL_POSTCODE_NEEDED
from familyreach.geo.exceptions import InvalidPostcode
from familyreach.geo.postcodes import normalise_postcode


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
        postcode = normalise_postcode(venue_postcode)
    except InvalidPostcode as error:
        raise ValidationError({"venue_postcode": FULL_POSTCODE_NEEDED}) from error
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


def _group_reviewed(group: CommunityGroup, *, status: str, user: User, notes: str) -> None:
    """The council's decision on a group, with who made it, when and why."""
    group.status = status
    group.reviewed_by = user
    group.reviewed_at = timezone.now()
    group.review_notes = notes
    group.modified_by = user
    group.full_clean()
    group.save()


@transaction.atomic
def group_approve(*, group: CommunityGroup, user: User, notes: str = "") -> CommunityGroup:
    """The council approves the group and its sessions are published to the directory."""
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers approve groups.")
    problems = group_approval_problems(group)
    if problems:
        raise ValidationError(problems)
    _group_reviewed(group, status=GroupStatus.APPROVED, user=user, notes=notes)
    publishing.group_publish(group=group, user=user)
    return group


@transaction.atomic
def group_reject(*, group: CommunityGroup, user: User, notes: str) -> CommunityGroup:
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers review groups.")
    if not notes.strip():
        raise ValidationError({"review_notes": "Say why, so the group can put it right"})
    was_approved = group.status == GroupStatus.APPROVED
    status = GroupStatus.REJECTED if not was_approved else GroupStatus.SUSPENDED
    _group_reviewed(group, status=status, user=user, notes=notes)
    if was_approved:
        publishing.group_withdraw(group=group, user=user)
    return group


def group_editor_required(group: CommunityGroup, user: User) -> None:
    if user_is_coordinator(user):
        return
    if not group.admins.filter(pk=user.pk).exists():
        raise PermissionDenied("Only the group's admins and coordinators can do this.")


@transaction.atomic
def group_attendance_record(
    *, group: CommunityGroup, met_on: date, children: int, adults: int, user: User
) -> AttendanceCount:
    """How many came, as counts only; recording the same day again corrects it."""
    group_editor_required(group, user)
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
    group_editor_required(group, user)
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
