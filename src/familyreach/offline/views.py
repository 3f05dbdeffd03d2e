"""Offline outreach pages (/staff/offline/) and their JSON API (/staff/api/offline/).

The pages carry no family data: the app page is a shell the device fills from its encrypted
store, so the copy the service worker keeps of it holds none either. The API has the same
access rules as the pages: family and outreach workers and managers with a district, signed in
(with two-factor authentication where required: the middleware stops the unverified first);
volunteers who lead or help at sessions get a read-only copy of who is coming.
"""

import base64
import hashlib
import json
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from familyreach.offline import selectors, services

SESSION_KEY = "familyreach_offline_key"


def _allowed(request: HttpRequest) -> Any:
    if not selectors.may_work_offline(request.user):
        raise PermissionDenied("Offline working is for those who run or help at sessions.")
    return request.user


@login_required
@require_GET
def app(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(
        request,
        "offline/app.html",
        {
            "offline_days": settings.FAMILYREACH_OFFLINE_DAYS,
            "takes_registers": selectors.may_take_registers_offline(request.user),
        },
    )


@login_required
@require_GET
def walk_ins(request: HttpRequest) -> HttpResponse:
    """Walk-ins recorded offline that may be families already registered: each links to the
    family's record, where the worker merges them or says they differ."""
    user = _allowed(request)
    if not selectors.may_take_registers_offline(user):
        raise PermissionDenied("Walk-ins are recorded by those who take the register.")
    families = selectors.offline_walk_ins_to_check(user=user)
    return render(request, "offline/walk_ins.html", {"families": families})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from this path so that its scope covers /staff/offline/ (a worker
    served from /static/ could only control /static/). It holds no data."""
    path = finders.find("offline/sw.js")
    with open(str(path), encoding="utf-8") as script:
        response = HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


SESSION_ENDED = (
    "You were signed out (after a time without use, or on another page), so what this device "
    "kept has been deleted."
)
COPY_HEADER = "X-Offline-Copy"  # the copy token of the download the device holds, if any
_DEVICE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _wipe(reason: str, message: str) -> JsonResponse:
    return JsonResponse({"error": reason, "message": message, "wipe": True}, status=403)


def _refusal(request: HttpRequest) -> JsonResponse | None:
    """401 when nobody is signed in and the device holds no copy (nothing to wipe; sign in).
    403 with `wipe` when the device must delete its copy: the account has been disabled or
    may not work offline; the session the copy was taken in has ended (timed out, or signed
    out on another tab) while the device holds a copy; or the copy is more than
    FAMILYREACH_OFFLINE_DAYS days old by the server's clock (docs/offline.md)."""
    copy = request.headers.get(COPY_HEADER, "")
    if not request.user.is_authenticated:
        user_id = request.session.get("_auth_user_id")
        disabled = (
            user_id is not None
            and get_user_model().objects.filter(pk=user_id, is_active=False).exists()
        )
        if disabled:
            return _wipe("account disabled", "This account has been disabled.")
        if copy:
            return _wipe(selectors.CopyProblem.SESSION_ENDED, SESSION_ENDED)
        return JsonResponse({"error": "signed out", "wipe": False}, status=401)
    if not selectors.may_work_offline(request.user):
        return _wipe("not allowed", "This account cannot keep family information offline.")
    problem = (
        selectors.copy_problem(
            token=copy, user_id=request.user.pk, session_key=request.session.session_key or ""
        )
        if copy
        else None
    )
    if problem == selectors.CopyProblem.TOO_OLD:
        return _wipe(
            problem,
            f"What this device kept was more than {settings.FAMILYREACH_OFFLINE_DAYS} days "
            "old, so it has been deleted and nothing in it was sent.",
        )
    if problem == selectors.CopyProblem.SESSION_ENDED:
        return _wipe(problem, SESSION_ENDED)
    return None


def _device_key(request: HttpRequest) -> str:
    """The key a device seals its copy with. Worked out from the account and the device's own
    random id, never stored: the server releases it only to the same account signed in again,
    so changes sealed before a session ended can be sent after signing in, while the device
    itself keeps no key once the session has ended. Without a device id (an old page), a key
    for this session only."""
    device = request.GET.get("device", "")
    if _DEVICE.match(device):
        digest = salted_hmac(
            "familyreach.offline.device-key", f"{request.user.pk}:{device}", algorithm="sha256"
        ).digest()
        return base64.b64encode(digest).decode()
    raw = request.session.get(SESSION_KEY)
    if raw is None:
        raw = base64.b64encode(secrets.token_bytes(32)).decode()
        request.session[SESSION_KEY] = raw
    return str(raw)


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_GET
def key(request: HttpRequest) -> JsonResponse:
    """The key the device encrypts its copy with, held in the server session and released
    only to a signed-in (and, where required, verified) worker. A fresh CSRF token comes with
    it: the app page may be an old copy from the service worker's cache."""
    refused = _refusal(request)
    if refused is not None:
        return _no_store(refused)
    raw = _device_key(request)
    return _no_store(
        JsonResponse(
            {
                "key": raw,
                "key_id": hashlib.sha256(raw.encode()).hexdigest()[:16],
                "user_id": request.user.pk,
                "csrf_token": get_token(request),
                "offline_days": settings.FAMILYREACH_OFFLINE_DAYS,
            }
        )
    )


@never_cache
@require_GET
def download(request: HttpRequest) -> JsonResponse:
    refused = _refusal(request)
    if refused is not None:
        return _no_store(refused)
    bundle = selectors.offline_bundle_for_user(
        user=request.user, session_key=request.session.session_key or ""
    )
    return _no_store(JsonResponse(bundle))


@never_cache
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    refused = _refusal(request)
    if refused is not None:
        return _no_store(refused)
    if not selectors.may_take_registers_offline(request.user):
        # Volunteers' copies are read only, as their online pages are.
        return _no_store(JsonResponse({"error": "read only", "wipe": False}, status=403))
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _no_store(JsonResponse({"error": "not JSON"}, status=400))
    changes = body.get("changes") if isinstance(body, dict) else None
    if not isinstance(changes, list) or len(changes) > services.MAX_CHANGES_PER_SYNC:
        return _no_store(
            JsonResponse(
                {"error": f"changes: a list of at most {services.MAX_CHANGES_PER_SYNC}"},
                status=400,
            )
        )
    results = services.offline_changes_apply(user=request.user, changes=changes)
    return _no_store(JsonResponse({"results": results}))
