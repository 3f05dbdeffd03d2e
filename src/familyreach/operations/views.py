"""Pages for managers running the service: every scheduled job, its last run and "Run now";
the audit trail."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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


class AuditSearchForm(forms.Form):
    person = forms.CharField(required=False, max_length=150, label="Person")
    record = forms.CharField(required=False, max_length=100, label="Record")
    action = forms.ChoiceField(
        required=False, choices=list(selectors.AUDIT_ACTIONS.items()), label="Action"
    )
    # Typed dates, as GOV.UK asks (a browser's date picker shows the browser's own order).
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.TextInput,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter the start date as a date, like 27/3/2026"},
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.TextInput,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Enter the end date as a date, like 27/3/2026"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data


def _require_county_wide_manager(user: Any) -> None:
    # The trail names every family read or changed anywhere in the county, so it is for
    # managers who answer for every district (`all_districts`) and the administrator; a
    # district's manager would otherwise read the names of families outside their district.
    _require_manager(user)
    if user.district_scope is not None:
        raise PermissionDenied("The audit trail is for managers who cover every district.")


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Search the audit trail: who did what to which record, when (reads included)."""
    _require_county_wide_manager(request.user)
    form = AuditSearchForm(request.GET or None)
    page = None
    # No search yet lists everything, newest first; a search with a mistake lists nothing.
    if not form.is_bound or form.is_valid():
        search = selectors.AuditSearch(**(form.cleaned_data if form.is_bound else {}))
        page = Paginator(selectors.audit_entries(search), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operations/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "action_words": selectors.audit_action_words,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
