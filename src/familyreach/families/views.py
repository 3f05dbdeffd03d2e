"""Family record pages under /staff/families/. Thin: validate, call one selector or service,
render. Every family is fetched through a selector that authorises and audits."""

import json
from typing import Any

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
from familyreach.families import forms, selectors, services
from familyreach.families.models import Consent, ConsentPurpose, LawfulBasis


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
        child = form.child()
        found = selectors.family_possible_duplicates(children=[child], postcode=data["postcode"])
        duplicates = [d for d in found if rules.test_rule("families.view_family", request.user, d)]
        if found and not data["confirmed_not_duplicate"]:
            for duplicate in duplicates:
                record_access(instance=duplicate, user=request.user)
            form.add_error(
                None,
                "This family may already be registered. Check the records below; if it is a "
                "different family, tick the box to confirm and register again.",
            )
        else:
            given_by = f"{data['carer_first_name']} {data['carer_last_name']}"
            consents = [
                services.ConsentDetails(
                    purpose=ConsentPurpose.KEEP_RECORD,
                    lawful_basis=LawfulBasis.PUBLIC_TASK,
                    given_by=given_by,
                    method=data["consent_method"],
                )
            ]
            for purpose, wanted in (
                (ConsentPurpose.CONTACT_BY_TEXT, data["consent_text"]),
                (ConsentPurpose.CONTACT_BY_EMAIL, data["consent_email"]),
            ):
                if wanted:
                    consents.append(
                        services.ConsentDetails(
                            purpose=purpose,
                            lawful_basis=LawfulBasis.CONSENT,
                            given_by=given_by,
                            method=data["consent_method"],
                        )
                    )
            result = services.family_register(
                user=request.user,
                carers=[form.carer()],
                children=[child],
                postcode=data["postcode"],
                address=data["address"],
                target_groups=form.target_groups_value(),
                consents=consents,
                confirmed_not_duplicate=data["confirmed_not_duplicate"],
            )
            # The worker who registers a family takes it on to their caseload.
            services.case_open(
                user=request.user,
                family=result.family,
                worker=request.user,
                reason="Registered the family",
            )
            messages.success(request, "Family registered")
            return HttpResponseRedirect(_family_url(result.family.pk))
    return render(request, "families/register.html", _context(form=form, duplicates=duplicates))


@login_required
def family_detail(request: HttpRequest, family_id: int) -> HttpResponse:
    from familyreach.delivery.selectors import family_bookings, family_visits

    family = selectors.family_get_for_user(user=request.user, family_id=family_id)
    user: Any = request.user
    return render(
        request,
        "families/detail.html",
        _context(
            family=family,
            bookings=family_bookings(family=family),
            visits=family_visits(family=family),
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
            **_referrals_context(user, family),
        ),
    )


def _referrals_context(user: Any, family: Any) -> dict[str, Any]:
    """The family's referrals to other organisations, where the referrals app is installed
    (it builds on families, so families asks for it by name rather than importing it)."""
    from django.apps import apps

    if not apps.is_installed("familyreach.referrals"):
        return {}
    from familyreach.referrals.selectors import referrals_for_family

    return {"family_referrals": referrals_for_family(user=user, family=family)}


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
        services.case_update(
            user=request.user,
            case=case,
            next_action=form.cleaned_data["next_action"],
            next_action_due=form.cleaned_data["next_action_due"],
            close=form.cleaned_data["close"],
        )
        messages.success(request, "Case updated")
        return HttpResponseRedirect(_family_url(family_id))
    return render(
        request, "families/case_form.html", _context(form=form, case=case, family=case.family)
    )


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
    export = selectors.family_export_for_user(user=request.user, family_id=family_id)
    return render(
        request,
        "families/export.html",
        _context(
            export=export,
            family_id=family_id,
            sections=[(k, v) for k, v in export.items() if isinstance(v, list)],
        ),
    )


@login_required
def family_export_json(request: HttpRequest, family_id: int) -> HttpResponse:
    export = selectors.family_export_for_user(user=request.user, family_id=family_id)
    response = HttpResponse(
        json.dumps(export, indent=2, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="family-{family_id}-subject-access-{timezone.localdate()}.json"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def family_erase(request: HttpRequest, family_id: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, family_id=family_id)
    if not rules.test_rule("families.erase_family", request.user, family):
        raise PermissionDenied("Only a service manager can erase a family's record.")
    form = forms.EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.family_anonymise(
            user=request.user, family=family, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "The family's personal data has been erased")
        return HttpResponseRedirect(reverse("families:list"))
    return render(request, "families/erase.html", _context(form=form, family=family))
