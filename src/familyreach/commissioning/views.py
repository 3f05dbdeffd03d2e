"""Contracts and quarterly returns under /staff/commissioning/. Thin: a selector authorises and
reads, one service changes, the page renders."""

import csv
import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from familyreach.commissioning import exports, forms, offer, selectors, services
from familyreach.commissioning.models import ReturnStatus
from familyreach.core.db_routers import reads_from_replica
from familyreach.insight import disclosure, tables
from familyreach.insight.selectors import INSIGHT_ROLES, insight_check_access


def _return_url(return_id: int) -> str:
    return reverse("commissioning:return", args=[return_id])


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def contracts(request: HttpRequest) -> HttpResponse:
    found = selectors.contract_list_for_user(user=request.user)
    user: Any = request.user
    return render(
        request,
        "commissioning/contracts.html",
        # The offer page is for council staff who see reach, not for providers.
        {"contracts": found, "can_see_offer": user.is_superuser or user.has_role(*INSIGHT_ROLES)},
    )


@login_required
@require_GET
def contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    found = selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
    user: Any = request.user
    return render(
        request,
        "commissioning/contract.html",
        {
            "contract": found,
            "measures": exports.contract_measures(found),
            "form": forms.DraftForm(),
            "can_draft": selectors.can_prepare(user=user, contract=found)
            or selectors.can_commission(user=user),
        },
    )


@login_required
@require_POST
def return_draft(request: HttpRequest, contract_id: int) -> HttpResponse:
    found = selectors.contract_get_for_user(user=request.user, contract_id=contract_id)
    user: Any = request.user
    if not (
        selectors.can_prepare(user=user, contract=found) or selectors.can_commission(user=user)
    ):
        raise PermissionDenied("You cannot draft this contract's returns.")
    form = forms.DraftForm(request.POST)
    if form.is_valid():
        try:
            drafted = services.return_draft(
                user=request.user, contract=found, quarter_end=form.cleaned_data["quarter_end"]
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, "Return drafted from the service's records")
            return HttpResponseRedirect(_return_url(drafted.pk))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(reverse("commissioning:contract", args=[found.pk]))


@login_required
@require_GET
def return_detail(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    user: Any = request.user
    return render(
        request,
        "commissioning/return.html",
        {
            "ret": found,
            "statuses": ReturnStatus,
            "can_prepare": selectors.can_prepare(user=user, contract=found.contract),
            "can_commission": selectors.can_commission(user=user),
            "trend_words": exports.trend_words,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_edit(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    if not selectors.can_prepare(user=request.user, contract=found.contract):
        raise PermissionDenied("Only the provider's manager prepares this return.")
    measures = list(found.measures.all())
    initial: dict[str, Any] = {
        "narrative": found.narrative,
        "case_studies": found.case_studies,
        "case_studies_consented": found.case_studies_consented,
        **{f"explanation_{m.code}": m.explanation for m in measures},
    }
    form = forms.ReturnForm(request.POST or None, measures=measures, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_update(
                user=request.user,
                quarterly_return=found,
                narrative=form.cleaned_data["narrative"],
                case_studies=form.cleaned_data["case_studies"],
                case_studies_consented=form.cleaned_data["case_studies_consented"],
                explanations=form.explanations(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Return saved")
            return HttpResponseRedirect(_return_url(found.pk))
    return render(
        request,
        "commissioning/return_edit.html",
        {
            "ret": found,
            "form": form,
            "explanation_fields": [(m, form[f"explanation_{m.code}"]) for m in measures],
        },
    )


def _step(request: HttpRequest, return_id: int, step: Any, done: str) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    try:
        step(user=request.user, quarterly_return=found)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(_return_url(found.pk))


@login_required
@require_POST
def return_submit(request: HttpRequest, return_id: int) -> HttpResponse:
    return _step(request, return_id, services.return_submit, "Return submitted to the council")


@login_required
@require_POST
def return_send_back(request: HttpRequest, return_id: int) -> HttpResponse:
    return _step(request, return_id, services.return_send_back, "Return sent back with queries")


@login_required
@require_POST
def return_sign_off(request: HttpRequest, return_id: int) -> HttpResponse:
    return _step(request, return_id, services.return_sign_off, "Return signed off")


@login_required
@require_POST
def measure_review(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    if not selectors.can_commission(user=request.user):
        raise PermissionDenied("Only a commissioner reviews returns.")
    form = forms.MeasureReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(_return_url(found.pk))
    try:
        services.return_measure_review(
            user=request.user,
            quarterly_return=found,
            measure_id=form.cleaned_data["measure"],
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
    return HttpResponseRedirect(_return_url(found.pk) + f"#measure-{form.cleaned_data['measure']}")


@login_required
@require_GET
def return_csv(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in exports.return_rows(found):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(found, "csv")}"'
    return response


@login_required
@require_GET
def return_xlsx(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    workbook = Workbook()
    exports.fill_workbook(workbook, found)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(found, "xlsx")}"'
    return response


def _download(found: Any, content: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(found, extension)}"'
    return response


@login_required
@require_GET
def return_pdf(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    return _download(found, exports.return_pdf(found), "application/pdf", "pdf")


@login_required
@require_GET
def return_ods(request: HttpRequest, return_id: int) -> HttpResponse:
    found = selectors.return_get_for_user(user=request.user, return_id=return_id)
    return _download(
        found,
        exports.return_ods(found),
        "application/vnd.oasis.opendocument.spreadsheet",
        "ods",
    )


# --- A consistent offer (offer.py) ------------------------------------------------------------


def _offer_period(request: HttpRequest) -> tuple[offer.Period, list[date], date]:
    """The quarter asked for (`?quarter=YYYY-MM-DD`, the last day of any quarter up to the one
    in progress), else the quarter in progress (its timetable is today's offer); and the
    quarters to choose from (the one in progress, the last eight that ended, the one asked for)."""
    current = offer.current_quarter_end()
    ends = [current, *offer.quarter_ends()]
    chosen = current
    try:
        asked = date.fromisoformat(request.GET.get("quarter", ""))
    except ValueError:
        asked = None
    if asked is not None and services.is_quarter_end(asked) and asked <= current:
        chosen = asked
    if chosen not in ends:
        ends = sorted([*ends, chosen], reverse=True)
    return offer.quarter_of(chosen), ends, chosen


@login_required
@require_GET
@reads_from_replica
def offer_page(request: HttpRequest) -> HttpResponse:
    """Is the offer consistent? Council staff who see reach (managers and commissioners or
    planners). A provider's manager is refused: see docs/commissioning.md."""
    insight_check_access(user=request.user)
    period, ends, chosen = _offer_period(request)
    table = offer.offer_table(period=period)
    return render(
        request,
        "commissioning/offer.html",
        {
            "table": table,
            "quarters": [
                {
                    "value": end.isoformat(),
                    "text": offer.quarter_of(end).label
                    + (" (in progress)" if offer.in_progress(offer.quarter_of(end)) else ""),
                    "selected": end == chosen,
                }
                for end in ends
            ],
            "csv_url": reverse("commissioning:offer-csv") + f"?quarter={chosen.isoformat()}",
            "rule": offer.RULE,
            "in_progress": offer.in_progress(period),
            "within_minutes": int(offer.WITHIN_MINUTES),
            "per_thousand": offer.per_thousand_text,
            "share": tables.percent,
            "number": tables.number,
            "suppression_note": disclosure.note(table.suppression_threshold),
            "mark": disclosure.MARK,
        },
    )


@login_required
@require_GET
@reads_from_replica
def offer_csv(request: HttpRequest) -> HttpResponse:
    insight_check_access(user=request.user)
    period, _, chosen = _offer_period(request)
    table = offer.offer_table(period=period)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Is the offer consistent?", period.label])
    if table.suppression_threshold > 1:
        writer.writerow([disclosure.note(table.suppression_threshold)])
    if table.any_estimate:
        writer.writerow([f"Under-fives: {table.under_fives_source}"])
    if table.includes_simulated:
        writer.writerow(
            ["Sessions, families or contacts in these figures are SIMULATED (demo data)."]
        )
    writer.writerow([offer.RULE])
    writer.writerow([])
    writer.writerow(offer.HEADINGS)
    for row in offer.table_rows(table):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="offer-{chosen.isoformat()}.csv"'
    return response
