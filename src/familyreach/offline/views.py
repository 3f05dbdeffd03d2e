"""Offline outreach pages (/staff/offline/) and their JSON API (/staff/api/offline/).

The pages carry no family data: the app page is a shell the device fills from its encrypted
store, so the copy the service worker keeps of it holds none either. The API has the same
access rules as the pages: family and outreach workers and managers with a district, signed in
(with two-factor authentication where required: the middleware stops the unverified first).
"""

import base64
import hashlib
import json
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
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from familyreach.offline import selectors, services

SESSION_KEY = "familyreach_offline_key"


def _allowed(request: HttpRequest) -> Any:
    if not selectors.may_work_offline(request.user):
        raise PermissionDenied("Offline working is for family workers and managers.")
    return request.user


@login_required
@require_GET
def app(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return render(
        request,
        "offline/app.html",
        {"offline_days": settings.FAMILYREACH_OFFLINE_DAYS},
    )


@login_required
@require_GET
def walk_ins(request: HttpRequest) -> HttpResponse:
    """Walk-ins recorded offline that may be families already registered: each links to the
    family's record, where the worker merges them or says they differ."""
    user = _allowed(request)
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


def _refusal(request: HttpRequest) -> JsonResponse | None:
    """401 when nobody is signed in (the device keeps its data until the worker signs in
    again); 403 when the account may not work offline or has been disabled (the device wipes
    its data)."""
    if not request.user.is_authenticated:
        user_id = request.session.get("_auth_user_id")
        disabled = (
            user_id is not None
            and get_user_model().objects.filter(pk=user_id, is_active=False).exists()
        )
        if disabled:
            return JsonResponse({"error": "account disabled", "wipe": True}, status=403)
        return JsonResponse({"error": "signed out", "wipe": False}, status=401)
    if not selectors.may_work_offline(request.user):
        return JsonResponse({"error": "not allowed", "wipe": True}, status=403)
    return None


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
    raw = request.session.get(SESSION_KEY)
    if raw is None:
        raw = base64.b64encode(secrets.token_bytes(32)).decode()
        request.session[SESSION_KEY] = raw
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
    return _no_store(JsonResponse(selectors.offline_bundle_for_user(user=request.user)))


@never_cache
@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    refused = _refusal(request)
    if refused is not None:
        return _no_store(refused)
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
