from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.templatetags.static import static

from familyreach.outbox import selectors as outbox_selectors
from familyreach.web.navigation import navigation_for


def _nonce(request: HttpRequest) -> str:
    nonce = get_nonce(request)
    # str() generates the nonce now: a LazyNonce is falsy until used, and the GOV.UK template
    # writes the attribute only when the value is truthy.
    return "" if nonce is None else str(nonce)


def _safeguarding_not_sent(request: HttpRequest) -> dict[str, Any] | None:
    """For the warning on staff pages: safeguarding messages that failed or wait for another
    try. Managers and coordinators only, and only references (never who or what)."""
    user = getattr(request, "user", None)
    if not request.path.startswith("/staff") or not (
        outbox_selectors.user_is_warned_of_safeguarding_failures(user)
    ):
        return None
    references = outbox_selectors.safeguarding_references_not_sent()
    if not references:
        return None
    return {
        "references": references,
        "may_see_messages": outbox_selectors.user_may_manage_messages(user),
    }


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "safeguarding_not_sent": _safeguarding_not_sent(request),
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation_for(request),
        "map_tile_url": settings.MAP_TILE_URL,
        # Names the GOV.UK template reads.
        "assetPath": static("govuk/assets"),
        "cspNonce": _nonce(request),
    }
