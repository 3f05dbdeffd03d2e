"""The operations page for managers: every scheduled job, its last run and "Run now"."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from familyreach.accounts.roles import Role
from familyreach.operations import selectors, services


def _require_manager(user: Any) -> None:
    # Service managers run the service day to day; a superuser (the council's administrator)
    # may too. Planners and workers have no use for the schedule.
    if not (user.is_superuser or Role.MANAGER in user.roles):
        raise PermissionDenied("Only service managers see the scheduled jobs.")


@login_required
def jobs(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    return render(
        request,
        "operations/jobs.html",
        {
            "statuses": selectors.job_statuses(),
            "scheduler": selectors.scheduler_liveness(),
            "worker": selectors.worker_liveness(),
        },
    )


@login_required
@require_POST
def run_now(request: HttpRequest, name: str) -> HttpResponse:
    _require_manager(request.user)
    try:
        services.job_run_request(name=name, user=request.user)
    except KeyError as error:
        raise Http404("No such scheduled job") from error
    messages.success(
        request,
        f"{name} was handed to a worker. Its run appears below when it starts; "
        "refresh the page to see its outcome.",
    )
    return HttpResponseRedirect(reverse("operations:jobs"))
