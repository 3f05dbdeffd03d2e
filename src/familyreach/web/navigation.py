"""The service navigation: public links for everyone, staff links by role.

Each item names a URL; items whose URL does not exist yet (an app still to come) are left out,
so the list can describe the whole service while it is being built.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from familyreach.accounts.roles import Role


@dataclass(frozen=True)
class NavigationItem:
    text: str
    url_name: str
    roles: frozenset[Role] | None = None  # None: everyone (public), or any signed-in user on staff
    # Only for accounts covering every district (the audit trail names families county-wide).
    county_wide: bool = False


PUBLIC_ITEMS = (
    NavigationItem("Find support", "directory:find"),
    NavigationItem("Advice", "directory:advice"),
    NavigationItem("Ask for help", "directory:request-support"),
    NavigationItem("Consultations", "consult:list"),
)

STAFF_ITEMS = (
    # A manager's today page, a worker's or volunteer's week, or the plain start page.
    NavigationItem("Home", "web:staff-home"),
    NavigationItem(
        "Families",
        "families:list",
        frozenset({Role.MANAGER, Role.FAMILY_WORKER, Role.OUTREACH_WORKER}),
    ),
    NavigationItem(
        "Requests for support",
        "families:requests",
        frozenset({Role.MANAGER, Role.FAMILY_WORKER}),
    ),
    NavigationItem(
        "Sessions",
        "delivery:sessions",
        frozenset({Role.MANAGER, Role.FAMILY_WORKER, Role.OUTREACH_WORKER}),
    ),
    NavigationItem("Areas", "geo:areas", frozenset({Role.MANAGER, Role.PLANNER})),
    NavigationItem("Planning", "planning:list", frozenset({Role.MANAGER, Role.PLANNER})),
    NavigationItem("Reach", "insight:dashboard", frozenset({Role.MANAGER, Role.PLANNER})),
    NavigationItem(
        "Community",
        "community:home",
        frozenset(
            {Role.MANAGER, Role.VOLUNTEER_COORDINATOR, Role.VOLUNTEER, Role.COMMUNITY_GROUP_ADMIN}
        ),
    ),
    NavigationItem(
        "Directory",
        "directory:staff-listings",
        frozenset({Role.MANAGER, Role.COMMUNITY_GROUP_ADMIN}),
    ),
    NavigationItem(
        "Consultation analysis", "consult:staff-list", frozenset({Role.MANAGER, Role.PLANNER})
    ),
    # Referrals between organisations: those who answer for an organisation see its inbox
    # (with the number of new ones, see context_processors); workers the referrals they made.
    NavigationItem(
        "Referrals", "referrals:inbox", frozenset({Role.MANAGER, Role.COMMUNITY_GROUP_ADMIN})
    ),
    NavigationItem(
        "Referrals I made",
        "referrals:sent",
        frozenset({Role.FAMILY_WORKER, Role.OUTREACH_WORKER}),
    ),
    NavigationItem(
        "Contracts",
        "commissioning:contracts",
        frozenset({Role.MANAGER, Role.PLANNER, Role.PROVIDER_MANAGER}),
    ),
    NavigationItem("Outcome scales", "outcomes:scales", frozenset({Role.MANAGER})),
    NavigationItem("Scheduled jobs", "operations:jobs", frozenset({Role.MANAGER})),
    NavigationItem("Messages", "outbox:list", frozenset({Role.MANAGER})),
    NavigationItem("Audit trail", "operations:audit", frozenset({Role.MANAGER}), county_wide=True),
)


def _href(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def navigation_for(
    request: HttpRequest, *, roles: set[Role] | None = None
) -> list[dict[str, object]]:
    """`roles`: the signed-in user's roles when the caller already has them (one query less)."""
    user = getattr(request, "user", None)
    on_staff_pages = request.path.startswith("/staff")
    signed_in = bool(user and user.is_authenticated)
    items = STAFF_ITEMS if (on_staff_pages and signed_in) else PUBLIC_ITEMS
    if roles is None:
        roles = user.roles if signed_in else set()  # type: ignore[union-attr]
    superuser = signed_in and getattr(user, "is_superuser", False)
    navigation: list[dict[str, object]] = []
    for item in items:
        if item.roles is not None and not superuser and not (roles & item.roles):
            continue
        if item.county_wide and getattr(user, "district_scope", "") is not None:
            continue
        href = _href(item.url_name)
        if href is None:
            continue
        current = request.path == href
        active = current or (href not in ("/", "/staff/") and request.path.startswith(href))
        navigation.append({"text": item.text, "href": href, "current": current, "active": active})
    # One section is active: where two items' addresses both start the path (Scheduled jobs
    # at /staff/operations/ and Audit trail below it), the longer, more particular one.
    marked = [entry for entry in navigation if entry["active"]]
    if len(marked) > 1:
        keep = max(marked, key=lambda entry: len(str(entry["href"])))
        for entry in marked:
            entry["active"] = entry is keep
    return navigation
