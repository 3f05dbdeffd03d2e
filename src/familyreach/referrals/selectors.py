"""Reads of referrals, and who may do what with them.

Who answers an organisation's referrals (its "admins"):
- a council organisation (`is_council`): the service managers, and anyone named as its editor;
- any other organisation (community groups, charities): its editors, the community group
  admins who keep its listings (`Organization.editors`; a group's admins become its editors
  when the group is published).
A referral is read by whoever made it, by those who answer for the receiving organisation
(a service manager only for families in their own district), and by a superuser; anyone else gets a 404, as if it did not exist. Every referral a page shows
is an audited read (`record_access`), as for family records.
"""

from typing import Any

import rules
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from familyreach.accounts.roles import Role
from familyreach.core.audit import record_access
from familyreach.directory.models import ListingStatus, Organization, Service
from familyreach.referrals.models import WAITING_STATUSES, Referral, ReferralStatus

# Staff who work with families and may refer one (and read their own referrals); managers and
# community group admins also answer for their organisations.
REFERRAL_ROLES = frozenset(
    {Role.MANAGER, Role.FAMILY_WORKER, Role.OUTREACH_WORKER, Role.COMMUNITY_GROUP_ADMIN}
)
ANSWERING_ROLES = frozenset({Role.MANAGER, Role.COMMUNITY_GROUP_ADMIN})


def uses_referrals(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or user.roles & REFERRAL_ROLES)
    )


def _answered_condition(user: Any) -> Q | None:
    if user is None or not user.is_authenticated:
        return None
    roles = user.roles
    if not roles & ANSWERING_ROLES:
        return None
    condition = Q(editors=user)
    if Role.MANAGER in roles:
        condition |= Q(is_council=True)
    return condition


def _answered_ids(user: Any) -> QuerySet[Organization, Any]:
    """For `__in` subqueries: no ordering or DISTINCT (PostgreSQL refuses ORDER BY columns
    that DISTINCT does not select)."""
    condition = _answered_condition(user)
    if condition is None:
        return Organization.objects.none().values("pk")
    return Organization.objects.filter(condition).order_by().values("pk")


def organizations_answered_by(user: Any) -> QuerySet[Organization]:
    """The organisations whose referrals `user` answers by their role and relationship (a
    superuser may open every referral, but answers for no organisation by relationship)."""
    condition = _answered_condition(user)
    if condition is None:
        return Organization.objects.none()
    return Organization.objects.filter(
        pk__in=Organization.objects.filter(condition).values("pk")
    ).order_by("name")


def _answered_referrals_filter(user: Any) -> Q:
    """Referrals `user` answers: every referral to an organisation they are named an editor
    of (a relationship, wherever the family lives), and, for a service manager, referrals to
    the council's services about families in their district (scoped as family records are:
    `User.in_district_filter`; every district only with `all_districts`, none without one)."""
    if user is None or not user.is_authenticated or not (user.roles & ANSWERING_ROLES):
        return Q(pk__in=[])
    condition = Q(
        organization__in=Organization.objects.filter(editors=user).order_by().values("pk")
    )
    if Role.MANAGER in user.roles:
        condition |= Q(organization__is_council=True) & user.in_district_filter("district")
    return condition


def _visible_filter(user: Any) -> Q | None:
    if not uses_referrals(user):
        return None
    if user.is_superuser:
        return Q()
    return Q(created_by=user) | _answered_referrals_filter(user)


def user_answers_referral(user: Any, referral: Referral) -> bool:
    """Whether `user` may open and decide this referral for its organisation."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Referral.objects.filter(_answered_referrals_filter(user), pk=referral.pk).exists()


def organization_takes_referrals(organization: Organization) -> bool:
    """Someone can answer in familyreach: a council organisation (its managers) or one with
    editors. An organisation nobody answers for would leave families waiting unseen."""
    return organization.is_council or organization.editors.exists()


def user_can_refer_to_service(*, user: Any, service: Service) -> bool:
    """A professional may refer to an active service of an organisation that takes referrals,
    but not to one they answer for themselves (they would be accepting their own referral)."""
    if not uses_referrals(user) or service.status != ListingStatus.ACTIVE:
        return False
    organization = service.organization
    if not organization_takes_referrals(organization):
        return False
    return not _answered_ids(user).filter(pk=organization.pk).exists()


def referrer_organizations(*, user: Any) -> list[Organization]:
    """The organisations a user refers from: the council for council staff, the organisations
    they keep listings for otherwise."""
    if user.roles & {Role.MANAGER, Role.FAMILY_WORKER, Role.OUTREACH_WORKER}:
        council = Organization.objects.filter(is_council=True, parent_organization=None)
        return list(council.order_by("name")[:1])
    return list(Organization.objects.filter(editors=user).order_by("name"))


def organization_recipients(organization: Organization) -> list[str]:
    """Where the organisation's notices and reminders go: its published email, and the
    addresses of those who answer for it (for the council, its managers only when it publishes
    no email). Never a family's address."""
    addresses: list[str] = []
    if organization.email:
        addresses.append(organization.email)
    users = get_user_model().objects.filter(is_active=True).exclude(email="").order_by("email")
    answering = Q(pk__in=organization.editors.values("pk"))
    if organization.is_council and not organization.email:
        answering |= Q(groups__name=Role.MANAGER.value)
    addresses.extend(users.filter(answering).values_list("email", flat=True))
    # Once each, in the order found (the organisation's own address first).
    return list(dict.fromkeys(addresses))


def _with_related(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "service", "organization", "referrer_organization", "created_by", "decided_by"
    )


def referral_get_for_user(*, user: Any, referral_id: Any) -> Referral:
    """One referral the user may read (404 otherwise, so others' referrals do not show they
    exist); the read is audited."""
    condition = _visible_filter(user)
    if condition is None:
        raise Http404("No such referral")
    referral = _with_related(Referral.objects.filter(condition, pk=referral_id)).first()
    if referral is None:
        raise Http404("No such referral")
    record_access(instance=referral, user=user)
    return referral


def referrals_received(*, user: Any, status: str = "") -> QuerySet[Referral]:
    """Referrals to the organisations the user answers for (every one, for a superuser), oldest
    waiting first."""
    if user.is_superuser:
        referrals = Referral.objects.all()
    else:
        referrals = Referral.objects.filter(_answered_referrals_filter(user))
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    return _with_related(referrals).order_by("created_at")


def referrals_made(*, user: Any) -> QuerySet[Referral]:
    return _with_related(Referral.objects.filter(created_by=user)).order_by("-created_at")


def status_counts(referrals: QuerySet[Referral]) -> dict[str, int]:
    """Referrals per status (every status present, zero when none), in one query."""
    counts = dict.fromkeys(ReferralStatus.values, 0)
    rows = referrals.order_by().values("status").annotate(count=Count("pk"))
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def new_referrals_count(*, user: Any) -> int:
    """New referrals waiting for the user's organisations (for the navigation)."""
    if user is None or not user.is_authenticated or not (user.roles & ANSWERING_ROLES):
        return 0
    return Referral.objects.filter(
        _answered_referrals_filter(user), status=ReferralStatus.NEW
    ).count()


def referrals_for_family(*, user: Any, family: Any) -> list[Referral]:
    """A family's referrals, for its record: only for someone who may see the family (checked
    again here, so no page can show them otherwise); each one an audited read."""
    if not rules.test_rule("families.view_family", user, family):
        return []
    referrals = list(_with_related(Referral.objects.filter(family=family)).order_by("-created_at"))
    for referral in referrals:
        record_access(instance=referral, user=user)
    return referrals


def referrals_waiting(*, before: Any) -> QuerySet[Referral]:
    """Referrals not yet answered, made before `before` (the reminder job's candidates)."""
    return (
        Referral.objects.filter(status__in=WAITING_STATUSES, created_at__lt=before)
        .select_related("organization", "service")
        .order_by("organization__name", "created_at")
    )
