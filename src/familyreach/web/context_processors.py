from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.templatetags.static import static

from familyreach.accounts.roles import Role
from familyreach.core.public_cache import is_public_page
from familyreach.outbox import selectors as outbox_selectors
from familyreach.web.navigation import navigation_for


def _nonce(request: HttpRequest) -> str:
    if is_public_page(request):
        # A page any HTTP cache may keep and give to others cannot carry a per-response
        # nonce: its one inline script (GOV.UK's) is allowed by its hash instead (SECURE_CSP).
        # The nonce is never generated, so the CSP header leaves it out too.
        return ""
    nonce = get_nonce(request)
    # str() generates the nonce now: a LazyNonce is falsy until used, and the GOV.UK template
    # writes the attribute only when the value is truthy.
    return "" if nonce is None else str(nonce)


def _safeguarding_not_sent(request: HttpRequest, roles: set[Role]) -> dict[str, Any] | None:
    """For the warning on staff pages: safeguarding messages that failed or wait for another
    try. Managers and coordinators only, and only references (never who or what)."""
    user = getattr(request, "user", None)
    superuser = bool(getattr(user, "is_superuser", False))
    if not request.path.startswith("/staff") or not (
        superuser or roles & outbox_selectors.ROLES_WARNED_OF_SAFEGUARDING_FAILURES
    ):
        return None
    references = outbox_selectors.safeguarding_references_not_sent()
    if not references:
        return None
    return {
        "references": references,
        "may_see_messages": superuser or Role.MANAGER in roles,
    }


def _count_new_referrals(
    request: HttpRequest, roles: set[Role], navigation: list[dict[str, object]]
) -> None:
    """Put the number of new referrals on the "Referrals" item, on the landing page and the
    referrals pages only: one query there, none added to every other staff page."""
    if not (request.path == "/staff/" or request.path.startswith("/staff/referrals")):
        return
    if not roles & {Role.MANAGER, Role.COMMUNITY_GROUP_ADMIN}:
        return
    from django.urls import reverse

    from familyreach.referrals.selectors import new_referrals_count

    href = reverse("referrals:inbox")
    count = new_referrals_count(user=request.user)
    for item in navigation:
        if item["href"] == href and count:
            item["text"] = f"Referrals ({count} new)"


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # Read once: the navigation and the safeguarding warning both need them.
    roles: set[Role] = user.roles if user is not None and user.is_authenticated else set()
    navigation = navigation_for(request, roles=roles)
    _count_new_referrals(request, roles, navigation)
    return {
        "safeguarding_not_sent": _safeguarding_not_sent(request, roles),
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation,
        "map_tile_url": settings.MAP_TILE_URL,
        # Names the GOV.UK template reads.
        "assetPath": static("govuk/assets"),
        "cspNonce": _nonce(request),
    }
