from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csp import get_nonce
from django.templatetags.static import static

from familyreach.core.public_cache import is_public_page
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


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.SERVICE_NAME,
        "council_name": settings.COUNCIL_NAME,
        "demo_mode": settings.DEMO_MODE,
        "navigation": navigation_for(request),
        "map_tile_url": settings.MAP_TILE_URL,
        # Names the GOV.UK template reads.
        "assetPath": static("govuk/assets"),
        "cspNonce": _nonce(request),
    }
