"""Family record pages under /staff/families/. Thin: validate, call one selector or service,
render. Every family is fetched through a selector that authorises and audits."""

import json
from datetime import date
from typing import Any, cast

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from familyreach.core.audit import record_access
from familyreach.core.working_days import add_working_days
from familyreach.families import forms, selectors, services
from familyreach.families.models import Consent, Family
from familyreach.families.signals import case_closing_steps, family_page_sections


def _family_url(family_id: int) -> str:
    return reverse("families:detail", args=[family_id])


def _context(**values: Any) -> dict[str, Any]:
    return values


@login_required
def family_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    families = selectors.family_list_for_user(user=request.user, search=search)
    page = Paginator(families, 50).get_page(request.GET.get("page"))
    for family in page.object_list:
        record_access(instance=family, user=request.user)
    return render(
        request, "families/list.html", _context(page=page, search=search, families=page.object_list)
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_register(request: HttpRequest) -> HttpResponse:
    if not rules.test_rule("families.register_family", request.user):
        raise PermissionDenied("Your role cannot register families.")
    form = forms.FamilyRegisterForm(request.POST or None)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            family = services.family_register_by_worker(
                user=request.user,
                carer=form.carer(),
                child=form.child(),
                postcode=data["postcode"],
                address=data["address"],
                target_groups=form.target_groups_value(),
                consent_method=data["consent_method"],
                consent_to_texts=data["consent_text"],
                consent_to_emails=data["consent_email"],
                confirmed_not_duplicate=data["confirmed_not_duplicate"],
            )
        except services.PossibleDuplicates as found:
            # Only the records this worker may open are shown, and each showing is audited.
            duplicates = [
                d
                for d in found.duplicates
                if rules.test_rule("families.view_family", request.user, d)
            ]
            for duplicate in duplicates:
                record_access(instance=duplicate, user=request.user)
            form.add_error(
                None,
                "This family may already be registered. Check the records below; if it is a "
                "different family, tick the box to confirm and register again.",
            )
        else:
            messages.success(request, "Family registered")
            return HttpResponseRedirect(_family_url(family.pk))
    return render(request, "families/register.html", _context(form=form, duplicates=duplicates))


@login_required
def family_detail(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, family_id=family_id)
    user: Any = request.user
    return render(
        request,
        "families/detail.html",
        _context(
            family=family,
            duplicates=selectors.family_duplicates_for_user(user=user, family=family)
            if family.needs_duplicate_review
            else [],
            retention_date=services.retention_date(family),
            can_change=rules.test_rule("families.change_family", user, family),
            can_erase=rules.test_rule("families.erase_family", user, family),
            my_case=next(
                (c for c in family.cases.all() if c.worker_id == user.pk and c.closed_on is None),
                None,
            ),
            today=timezone.localdate(),
            **_sections(user, family),
        ),
    )


def _sections(user: Any, family: Any) -> dict[str, Any]:
    """What the apps built on families (delivery's bookings and visits, referrals) show on the
    family's record: families asks through a signal rather than importing them."""
    context: dict[str, Any] = {}
    for _receiver, response in family_page_sections.send(sender=Family, user=user, family=family):
        context.update(cast(dict[str, Any], response or {}))
    return context


@login_required
@require_http_methods(["GET", "POST"])
def family_edit(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    initial = {
        "address": family.address,
        "postcode": family.postcode,
        "target_groups": [name for name in services.TARGET_GROUP_FIELDS if getattr(family, name)],
    }
    form = forms.FamilyUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.family_update(
            user=request.user,
            family=family,
            postcode=form.cleaned_data["postcode"],
            address=form.cleaned_data["address"],
            target_groups=form.target_groups_value(),
        )
        messages.success(request, "Family details updated")
        return HttpResponseRedirect(_family_url(family.pk))
    return render(request, "families/edit.html", _context(form=form, family=family))


@login_required
@require_http_methods(["GET", "POST"])
def child_add(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    form = forms.ChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.child_add(user=request.user, family=family, details=form.details())
        messages.success(request, "Child added")
        return HttpResponseRedirect(_family_url(family.pk))
    return render(request, "families/child_form.html", _context(form=form, family=family))


@login_required
@require_http_methods(["GET", "POST"])
def carer_add(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    form = forms.CarerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.carer_add(user=request.user, family=family, details=form.details())
        messages.success(request, "Parent or carer added")
        return HttpResponseRedirect(_family_url(family.pk))
    return render(request, "families/carer_form.html", _context(form=form, family=family))


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    form = forms.ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(
            user=request.user, family=family, details=services.ConsentDetails(**form.cleaned_data)
        )
        messages.success(request, "Consent recorded")
        return HttpResponseRedirect(_family_url(family.pk))
    return render(request, "families/consent_form.html", _context(form=form, family=family))


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, family_id: int, consent_id: int) -> HttpResponse:
    consent: Consent = selectors.consent_get_for_user(user=request.user, consent_id=consent_id)
    if consent.family_id != family_id:
        raise PermissionDenied("That consent belongs to another family.")
    form = forms.WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                user=request.user, consent=consent, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, "Consent withdrawn")
            return HttpResponseRedirect(_family_url(family_id))
    return render(
        request,
        "families/consent_withdraw.html",
        _context(form=form, consent=consent, family=consent.family),
    )


@login_required
@require_POST
def case_take_on(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    services.case_open(user=request.user, family=family, worker=request.user)
    messages.success(request, "Family added to your caseload")
    return HttpResponseRedirect(_family_url(family.pk))


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, family_id: int, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id)
    if case.family_id != family_id:
        raise PermissionDenied("That case belongs to another family.")
    form = forms.CaseForm(
        request.POST or None,
        initial={"next_action": case.next_action, "next_action_due": case.next_action_due},
    )
    if request.method == "POST" and form.is_valid():
        close = form.cleaned_data["close"]
        # Closing a case asks for the outcome first when the family has a plan: the case
        # closes with the plan's scores at closure (the worker would lose sight of the family
        # the moment the case closed).
        step = _closing_step(request.user, case.family, case) if close else None
        services.case_update(
            user=request.user,
            case=case,
            next_action=form.cleaned_data["next_action"],
            next_action_due=form.cleaned_data["next_action_due"],
            close=close and step is None,
        )
        if step:
            messages.info(request, "Record the outcome of the plan to close the case")
            return HttpResponseRedirect(step)
        messages.success(request, "Case updated")
        return HttpResponseRedirect(_family_url(family_id))
    return render(
        request, "families/case_form.html", _context(form=form, case=case, family=case.family)
    )


def _closing_step(user: Any, family: Any, case: Any) -> str | None:
    """The step another app needs before this case closes (the outcome of the family's plan),
    asked through a signal: those apps build on families, so families does not import them."""
    for _receiver, url in case_closing_steps.send(
        sender=Family, user=user, family=family, case=case
    ):
        if url:
            return str(url)
    return None


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    if not rules.test_rule("families.list_families", request.user):
        raise PermissionDenied("Your role has no caseload.")
    cases = selectors.caseload_for_worker(worker=request.user)
    return render(
        request, "families/caseload.html", _context(cases=cases, today=timezone.localdate())
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_merge(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    candidates = selectors.family_duplicates_for_user(user=request.user, family=family)
    for candidate in candidates:
        record_access(instance=candidate, user=request.user)
    form = forms.MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        duplicate = selectors.family_for_change(
            user=request.user, family_id=form.cleaned_data["duplicate"]
        )
        try:
            services.family_merge(user=request.user, duplicate=duplicate, keep=family)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            messages.success(request, f"Family {duplicate.pk} merged into this record")
            return HttpResponseRedirect(_family_url(family.pk))
    return render(
        request,
        "families/merge.html",
        _context(form=form, family=family, candidates=candidates),
    )


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_for_change(user=request.user, family_id=family_id)
    services.family_dismiss_duplicate_warning(user=request.user, family=family)
    messages.success(request, "Marked as not a duplicate")
    return HttpResponseRedirect(_family_url(family.pk))


@login_required
def family_export(request: HttpRequest, family_id: int) -> HttpResponse:
    copy = selectors.family_export_for_user(user=request.user, family_id=family_id)
    response = render(
        request,
        "families/export.html",
        _context(copy=copy.data, withheld_records=copy.withheld_records, family_id=family_id),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def family_export_json(request: HttpRequest, family_id: int) -> HttpResponse:
    # The family's copy only: the count of withheld records is for staff, not the file.
    copy = selectors.family_export_for_user(user=request.user, family_id=family_id)
    response = HttpResponse(
        json.dumps(copy.data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="family-{family_id}-subject-access-{timezone.localdate()}.json"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def family_erase(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, family_id=family_id)
    if not rules.test_rule("families.erase_family", request.user, family):
        raise PermissionDenied("Only a service manager can erase a family's record.")
    form = forms.EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_anonymise(
                user=request.user, family=family, reason=form.cleaned_data["reason"]
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "The family's personal data has been erased")
            return HttpResponseRedirect(reverse("families:list"))
    return render(request, "families/erase.html", _context(form=form, family=family))


# --- Requests for support from the front door (the directory's form) --------------------------


def _request_rows(support_requests: list[Any], user: Any) -> list[dict[str, Any]]:
    """Each request with the family's needs in words; every request shown is an audited read
    (names, postcodes and needs are personal data)."""
    from familyreach.directory.selectors import help_with_labels

    labels = help_with_labels(code for item in support_requests for code in item.help_with)
    rows = []
    for item in support_requests:
        record_access(instance=item, user=user)
        rows.append({"request": item, "needs": [labels.get(c, c) for c in item.help_with]})
    return rows


def _children_ages(support_request: Any) -> str:
    ages = [
        "expecting a baby" if age == -1 else f"{age} year{'' if age == 1 else 's'}"
        for age in support_request.children_ages or []
    ]
    if support_request.expecting_baby and "expecting a baby" not in ages:
        ages.append("expecting a baby")
    return ", ".join(ages) or "Not given"


# The request form promises contact "within 5 working days" (bank holidays are not working days).
CONTACT_WITHIN_WORKING_DAYS = 5


def contact_due(support_request: Any) -> date:
    return add_working_days(
        timezone.localtime(support_request.created_at).date(), CONTACT_WITHIN_WORKING_DAYS
    )


@login_required
def support_requests(request: HttpRequest) -> HttpResponse:
    from familyreach.directory import selectors as directory

    user: Any = request.user
    waiting = list(directory.support_requests_open_for_user(user=user)[:200])
    return render(
        request,
        "families/requests.html",
        _context(
            rows=_request_rows(waiting, user),
            new_count=sum(1 for item in waiting if item.status == "new"),
            children_ages=_children_ages,
            contact_due=contact_due,
            today=timezone.localdate(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def support_request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    """One request, and the ways to take it on: assign it to me, record that the family has
    been contacted, make a family record of it (or link the family already registered), or
    decline it with a reason the family is told."""
    from familyreach.directory import services as directory_services
    from familyreach.directory.forms import DeclineForm
    from familyreach.directory.models import RequestStatus
    from familyreach.directory.selectors import help_with_labels, support_request_get_for_user

    user: Any = request.user
    support_request = support_request_get_for_user(user=user, request_id=request_id)
    support_request = directory_services.support_request_open(
        support_request=support_request, user=user
    )
    decline_form = DeclineForm(request.POST if request.POST.get("action") == "decline" else None)
    here = reverse("families:request", args=[support_request.pk])
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                directory_services.support_request_assign(
                    support_request=support_request, user=user
                )
                messages.success(request, f"Request {support_request.reference} is yours")
                return HttpResponseRedirect(here)
            if action == "contacted":
                directory_services.support_request_mark_contacted(
                    support_request=support_request, user=user
                )
                messages.success(request, "Recorded that the family has been contacted")
                return HttpResponseRedirect(here)
            if action in ("create", "link"):
                family_id = None
                if action == "link":
                    try:
                        family_id = int(request.POST.get("family", ""))
                    except ValueError as error:
                        raise ValidationError("Choose the family to link.") from error
                accepted = directory_services.support_request_accept(
                    support_request=support_request, user=user, family_id=family_id
                )
                messages.success(
                    request,
                    "Family record created and added to your caseload"
                    if action == "create"
                    else "Request linked to the family's record and added to your caseload",
                )
                return HttpResponseRedirect(_family_url(accepted.family_record_id or 0))
            if action == "decline" and decline_form.is_valid():
                directory_services.support_request_decline(
                    support_request=support_request,
                    user=user,
                    reason=decline_form.cleaned_data["decline_reason"],
                )
                messages.success(request, f"Request {support_request.reference} declined")
                return HttpResponseRedirect(reverse("families:requests"))
        except ValidationError as error:
            decline_form = DeclineForm()
            decline_form.add_error(None, error)
    decided = support_request.status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED)
    labels = help_with_labels(support_request.help_with)
    # Families already registered that may be this one (by name, postcode or phone), among
    # those the user may open: each one shown is an audited read, as on the families list.
    matches: dict[int, Any] = {}
    if not decided:
        for search in (support_request.name, support_request.postcode, support_request.phone):
            if search.strip():
                for family in selectors.family_list_for_user(user=user, search=search)[:5]:
                    matches.setdefault(family.pk, family)
        for family in matches.values():
            record_access(instance=family, user=user)
    return render(
        request,
        "families/request_detail.html",
        _context(
            support_request=support_request,
            needs=[labels.get(code, code) for code in support_request.help_with],
            children_ages=_children_ages(support_request),
            form=decline_form,
            decided=decided,
            matches=list(matches.values())[:10],
        ),
    )
