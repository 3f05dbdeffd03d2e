"""Referral pages under /staff/referrals/. Thin: check the role, call one selector or service,
render. Every referral shown is read through a selector that authorises and audits it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from familyreach.core.audit import record_access
from familyreach.directory.models import Service
from familyreach.families.rules import opens_family_records
from familyreach.families.selectors import family_get_for_user
from familyreach.referrals import forms, selectors, services
from familyreach.referrals.models import ReferralStatus


def _user(request: HttpRequest) -> Any:
    if not selectors.uses_referrals(request.user):
        raise PermissionDenied("Your role does not make or answer referrals.")
    return request.user


def _page(request: HttpRequest, referrals: Any) -> Any:
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    for referral in page.object_list:
        record_access(instance=referral, user=request.user)
    return page


@login_required
def referral_inbox(request: HttpRequest) -> HttpResponse:
    """Referrals to the organisations the user answers for, with counts by status."""
    user = _user(request)
    status = request.GET.get("status", "")
    status = status if status in ReferralStatus.values else ""
    organizations = list(selectors.organizations_answered_by(user))
    answers = bool(organizations) or user.is_superuser
    received = selectors.referrals_received(user=user)
    page = (
        _page(request, selectors.referrals_received(user=user, status=status)) if answers else None
    )
    return render(
        request,
        "referrals/inbox.html",
        {
            "organizations": organizations,
            "answers": answers,
            "counts": selectors.status_counts(received) if answers else {},
            "statuses": ReferralStatus.choices,
            "status": status,
            "page": page,
        },
    )


@login_required
def referral_sent(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    made = selectors.referrals_made(user=user)
    return render(
        request,
        "referrals/sent.html",
        {
            "counts": selectors.status_counts(made),
            "statuses": ReferralStatus.choices,
            "page": _page(request, made),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, service_id: str) -> HttpResponse:
    user = _user(request)
    service = get_object_or_404(Service.objects.select_related("organization"), pk=service_id)
    if not selectors.user_can_refer_to_service(user=user, service=service):
        raise PermissionDenied("You cannot refer a family to this service.")
    may_link_family = bool(opens_family_records(user))
    initial = {"family_record": request.GET.get("family", "")} if may_link_family else {}
    form = forms.ReferralForm(
        request.POST or None,
        initial=initial,
        organizations=selectors.referrer_organizations(user=user),
        may_link_family=may_link_family,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family = None
        if data.get("family_record"):
            try:
                # Authorised and audited: a record the referrer may not open is not linked,
                # and the error does not say whether it exists.
                family = family_get_for_user(user=user, family_id=data["family_record"])
            except (Http404, PermissionDenied):
                form.add_error("family_record", "Enter the number of a family record you can open")
        if not form.errors:
            try:
                referral = services.referral_create(
                    user=user,
                    service=service,
                    family_consent=data["family_consent"],
                    name=data["name"],
                    contact_method=data["contact_method"],
                    email=data["email"],
                    phone=data["phone"],
                    postcode=data["postcode"],
                    reason=data["reason"],
                    engage_with_family=data["engage_with_family"],
                    referrer_phone=data["referrer_phone"],
                    referrer_organization=form.referrer_organization_value(),
                    family=family,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Referral {referral.reference} sent to {service.organization.name}. "
                    "The family has been told.",
                )
                return HttpResponseRedirect(reverse("referrals:detail", args=[referral.pk]))
    return render(request, "referrals/new.html", {"form": form, "service": service})


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get_for_user(user=user, referral_id=referral_id)
    can_answer = selectors.user_answers_referral(user, referral)
    form = forms.AnswerForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied("You do not answer referrals for this organisation.")
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "accept":
                    services.referral_accept(referral=referral, user=user)
                    messages.success(request, f"Referral {referral.reference} accepted.")
                else:
                    services.referral_decline(
                        referral=referral,
                        user=user,
                        reason=form.cleaned_data["decline_reason"],
                    )
                    messages.success(request, f"Referral {referral.reference} declined.")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return HttpResponseRedirect(reverse("referrals:inbox"))
    elif can_answer:
        opened = services.referral_open(referral=referral, user=user)
        referral.status, referral.opened_at = opened.status, opened.opened_at
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "can_answer": can_answer and referral.is_waiting,
            "is_referrer": referral.created_by_id == user.pk,
            "form": form,
        },
    )
