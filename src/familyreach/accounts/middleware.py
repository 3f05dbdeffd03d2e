"""Two-factor authentication for every member of staff (when required, as in production).

Every role, not only those who see family records: planners download consultation free text
with small area and respondent type, group admins read the safeguarding concerns they raised,
and any account is a way in to change what the public directory says."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Paths a signed-in but not yet verified user may still reach.
_OPEN_PREFIXES = (
    "/staff/sign-in",
    "/staff/sign-out",
    "/staff/signed-out",
    "/staff/two-factor",
    "/static/",
    "/healthz",
)


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_TWO_FACTOR
            and user is not None
            and user.is_authenticated
            and not user.is_verified()  # set by django_otp's OTPMiddleware
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return HttpResponseRedirect(f"{reverse('accounts:two-factor')}?next={request.path}")
        return self.get_response(request)


class SessionIdleMiddleware:
    """Keeps a signed-in session alive while it is used: SESSION_COOKIE_AGE is the idle limit,
    and each save moves the expiry on. Saving on every request (SESSION_SAVE_EVERY_REQUEST)
    would cost a database write per page; saving once the session is a few minutes old costs
    one every few minutes, and the limit still holds to within that step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            step = min(300, settings.SESSION_COOKIE_AGE // 6)
            now = int(time.time())
            if now - int(request.session.get(ACTIVITY_KEY, 0)) >= step:
                request.session[ACTIVITY_KEY] = (
                    now  # marks the session modified: saved, expiry moved on
                )
        return self.get_response(request)


ACTIVITY_KEY = "familyreach_active_at"


def note_activity_at_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Signing in saves the session anyway: start the idle clock then, so the pages that follow
    need no save of their own for the next few minutes."""
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVITY_KEY] = int(time.time())
