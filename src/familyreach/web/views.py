"""Pages that belong to the whole service rather than one domain."""

import logging
from typing import Any

import rules
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from familyreach.accounts.roles import Role
from familyreach.community.selectors import user_may_raise_concern
from familyreach.delivery.views import shows_week, week_page
from familyreach.directory.selectors import (
    listing_changes_proposed_by,
    support_requests_new_count,
)
from familyreach.offline.selectors import may_take_registers_offline, may_work_offline
from familyreach.operations import selectors as operations
from familyreach.web.today import manager_today, shows_today

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not.

    `scheduler` and `worker` say whether `familyreach worker` is alive: "ok" (a heartbeat within
    FAMILYREACH_SCHEDULER_STALE_SECONDS), "stale", or "not-expected" (never seen, and not
    required here). A stale one answers 503 only where FAMILYREACH_SCHEDULER_REQUIRED is on
    (production), so a web server without a worker still serves the demo. `failed_jobs` names
    scheduled jobs whose latest run failed (see /staff/operations/); they do not make it 503,
    since the web service still works."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        scheduler = operations.scheduler_liveness()
        worker = operations.worker_liveness()
        failed_jobs = operations.failed_jobs()
    except DatabaseError as error:
        logger.error("Health check: database unavailable: %s", error)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    stale = "stale" in (scheduler.state, worker.state)
    unhealthy = stale and settings.FAMILYREACH_SCHEDULER_REQUIRED
    if unhealthy:
        logger.error("Health check: scheduler %s, worker %s", scheduler.state, worker.state)
    return JsonResponse(
        {
            "status": "error" if unhealthy else "ok",
            "database": "ok",
            "vendor": connection.vendor,
            "scheduler": scheduler.state,
            "worker": worker.state,
            "failed_jobs": failed_jobs,
        },
        status=503 if unhealthy else 200,
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "web/privacy.html")


def data_sources(request: HttpRequest) -> HttpResponse:
    return render(request, "web/data_sources.html")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    # Managers start on what needs them today (their week is one click away, ?week=...);
    # workers and volunteers on their week (sessions, visits, caseload), with the family
    # search and new requests for support at the top for family workers.
    user: Any = request.user
    if shows_today(user) and "week" not in request.GET:
        today = timezone.localdate()
        return render(
            request,
            "web/today.html",
            {"today_page": manager_today(user=user, on=today), "today": today},
        )
    if shows_week(user):
        return week_page(
            request,
            extra={**_worker_panel(user), "may_raise_concern": _may_raise_concern(user)},
        )
    return render(
        request,
        "web/staff_home.html",
        {"my_changes": _my_listing_changes(user), "may_raise_concern": _may_raise_concern(user)},
    )


def _may_raise_concern(user: Any) -> bool:
    """Volunteers and group admins raise safeguarding concerns: their landing page links to the
    form, so a worry is one click away whatever page they start on."""
    return user_may_raise_concern(user)


def _my_listing_changes(user: Any) -> list[Any]:
    """A community group admin's latest proposed listing changes and their outcomes (with the
    reason for a refusal), so they see it as soon as they sign in."""
    if not user.has_role(Role.COMMUNITY_GROUP_ADMIN):
        return []
    return list(listing_changes_proposed_by(user=user)[:5])


def _worker_panel(user: Any) -> dict[str, Any]:
    """The family search box and the count of new requests for support, for those who open
    family records (nothing for volunteers)."""
    return {
        "family_search": rules.test_rule("families.list_families", user),
        "new_requests": support_requests_new_count(user=user),
        # Going out without signal: one click to take the week's work offline.
        "works_offline": may_work_offline(user),
        "offline_takes_registers": may_take_registers_offline(user),
    }


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    return render(request, "web/500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/400.html", status=400)
