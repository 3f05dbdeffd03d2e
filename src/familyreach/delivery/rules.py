"""Who may see and run sessions, occurrences, bookings and visits.

Sessions themselves hold no personal data: every staff role that delivers (managers, family
and outreach workers, volunteers for their own sessions) can see them. Bookings and registers
name families, so only the session's staff and the managers of its district (or of every
district, `all_districts`) run an occurrence, and no one without a district; volunteers get
first names on the sessions they help at.
"""

from typing import Any

import rules

from familyreach.accounts.roles import Role
from familyreach.families.rules import FAMILY_WORKER_ROLES, VOLUNTEER_ROLES

SESSION_ROLES = FAMILY_WORKER_ROLES | VOLUNTEER_ROLES | {Role.MANAGER}


def _roles(user: Any) -> set[Role]:
    return user.roles if user.is_authenticated else set()


@rules.predicate
def sees_sessions(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or _roles(user) & SESSION_ROLES))


@rules.predicate
def plans_sessions(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or _roles(user) & (FAMILY_WORKER_ROLES | {Role.MANAGER}))
    )


@rules.predicate
def runs_session(user: Any, session: Any) -> bool:
    if not user.is_authenticated or session is None:
        return False
    if user.is_superuser:
        return True
    if user.district_scope == "":
        return False  # no district: no registers, bookings or visits (they name families)
    roles = _roles(user)
    if Role.MANAGER in roles and user.works_in_district(session.venue.district):
        return True
    if roles & FAMILY_WORKER_ROLES:
        return session.staff.filter(pk=user.pk).exists()
    return False


@rules.predicate
def helps_at_session(user: Any, session: Any) -> bool:
    return bool(
        user.is_authenticated
        and session is not None
        and _roles(user) & VOLUNTEER_ROLES
        and session.volunteers.filter(pk=user.pk).exists()
    )


@rules.predicate
def manages_county_calendar(user: Any) -> bool:
    """School holidays apply to every term-time session in the county: managers and admins."""
    return bool(user.is_authenticated and (user.is_superuser or Role.MANAGER in _roles(user)))


@rules.predicate
def sees_session(user: Any, session: Any) -> bool:
    if not sees_sessions(user):
        return False
    if user.is_superuser or _roles(user) & (FAMILY_WORKER_ROLES | {Role.MANAGER}):
        return True
    return helps_at_session(user, session)


rules.add_rule("delivery.view_sessions", sees_sessions)
rules.add_rule("delivery.add_session", plans_sessions)
rules.add_rule("delivery.view_session", sees_session)
rules.add_rule("delivery.change_session", runs_session)
rules.add_rule("delivery.run_session", runs_session)
rules.add_rule("delivery.help_at_session", helps_at_session)
rules.add_rule("delivery.manage_school_holidays", manages_county_calendar)
