"""Two-factor authentication for every member of staff (when required, as in production).

Every role, not only those who see family records: planners download consultation free text
with small area and respondent type, group admins read the safeguarding concerns they raised,
and any account is a way in to change what the public directory says."""

from collections.abc import Callable

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
