"""Writes to referrals: one function per state change, atomic, validated and audited (auditlog
records each write with its actor), and the family told through the outbox (GOV.UK Notify) in
the same transaction.

The lifecycle is DfE Connect's: New → Opened (someone who answers for the organisation looked
at it) → Accepted, or Declined with a reason the family and the referrer are told.
"""

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from familyreach.core.audit import acting_as
from familyreach.core.working_days import working_days_between
from familyreach.directory.models import Organization, Service
from familyreach.geo.exceptions import LookupProblem
from familyreach.geo.models import District
from familyreach.geo.selectors import postcode_lookup
from familyreach.outbox import notify
from familyreach.referrals import selectors
from familyreach.referrals.models import (
    WAITING_STATUSES,
    ContactMethod,
    Referral,
    ReferralReminder,
    ReferralStatus,
)


def _new_reference() -> str:
    # Short and readable over the phone: no 0/O or 1/I (as requests for support).
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "R" + "".join(secrets.choice(alphabet) for _ in range(7))


def _link(referral: Referral) -> str:
    return settings.PUBLIC_BASE_URL + reverse("referrals:detail", args=[referral.pk])


def _tell_family(referral: Referral, *, subject: str, body: str) -> notify.Message | None:
    return notify.send_the_way_chosen(
        prefers_email=referral.contact_method == ContactMethod.EMAIL,
        email=referral.email,
        phone=referral.phone,
        subject=subject,
        body=body,
        reference=referral.reference,
        kind=notify.Kind.REFERRAL,
    )


def _tell_staff(addresses: list[str], *, referral: Referral, subject: str, body: str) -> None:
    """Staff notices carry the reference and a link, never the family's details (email is
    not a safe place for them; the page is, behind sign-in and audit)."""
    for address in addresses:
        notify.send_email(
            to=address,
            subject=subject,
            body=body,
            reference=referral.reference,
            kind=notify.Kind.REFERRAL,
        )


def _district_of(*, family: Any, postcode: str, referrer: Any) -> District | None:
    """The district the referral is scoped to: the family record's, else the postcode's, else
    the referrer's own (a worker refers families they work with)."""
    if family is not None and family.district_id is not None:
        return District.objects.get(pk=family.district_id)
    if postcode.strip():
        try:
            found = postcode_lookup(postcode)
        except LookupProblem:
            found = None
        if found is not None and found.district is not None:
            return found.district
    code = getattr(referrer, "district_code", "")
    return District.objects.filter(code=code).first() if code else None


@transaction.atomic
def referral_create(
    *,
    user: Any,
    service: Service,
    family_consent: bool,
    name: str,
    contact_method: str,
    email: str = "",
    phone: str = "",
    postcode: str = "",
    reason: str,
    engage_with_family: str = "",
    referrer_phone: str = "",
    referrer_organization: Organization | None = None,
    family: Any = None,
) -> Referral:
    if not family_consent:
        raise ValidationError(
            {"family_consent": "You need the family's permission to share their details"}
        )
    if not selectors.user_can_refer_to_service(user=user, service=service):
        raise PermissionDenied("You cannot refer a family to this service.")
    # The family's record is linked only by someone who may see it: never trust the form.
    if family is not None and not rules.test_rule("families.view_family", user, family):
        raise PermissionDenied("You do not have access to this family's record.")
    if referrer_organization is not None and referrer_organization not in (
        selectors.referrer_organizations(user=user)
    ):
        raise PermissionDenied("You do not refer on behalf of this organisation.")
    with acting_as(user):
        referral = Referral(
            reference=_new_reference(),
            service=service,
            organization=service.organization,
            referrer_organization=referrer_organization,
            referrer_phone=referrer_phone.strip(),
            family=family,
            family_consent=True,
            name=name.strip(),
            contact_method=contact_method,
            email=email.strip(),
            phone=phone.strip(),
            postcode=postcode.strip().upper(),
            district=_district_of(family=family, postcode=postcode, referrer=user),
            reason=reason.strip(),
            engage_with_family=engage_with_family.strip(),
            created_by=user,
            modified_by=user,
        )
        referral.full_clean()
        referral.save()
    from_whom = referrer_organization.name if referrer_organization else str(user)
    _tell_family(
        referral,
        subject=f"We have asked {service.name} to contact you ({referral.reference})",
        body=f"Hello {referral.name}. With your permission, {from_whom} has asked "
        f"{service.name} ({service.organization.name}) to contact you about support. "
        f"Your reference is {referral.reference}. We will tell you when they reply.",
    )
    _tell_staff(
        selectors.organization_recipients(service.organization),
        referral=referral,
        subject=f"New referral {referral.reference} for {service.name}",
        body=f"{from_whom} has referred a family to {service.name}. Sign in to read it and "
        f"accept or decline it: {_link(referral)}",
    )
    return referral


def _locked_for_answer(*, referral: Referral, user: Any) -> Referral:
    if not selectors.user_answers_referral(user, referral):
        raise PermissionDenied("You do not answer referrals for this organisation.")
    return (
        Referral.objects.select_for_update()
        .select_related("service", "organization")
        .get(pk=referral.pk)
    )


@transaction.atomic
def referral_open(*, referral: Referral, user: Any) -> Referral:
    """Someone who answers for the organisation has looked at it (only a New one changes)."""
    locked = _locked_for_answer(referral=referral, user=user)
    if locked.status != ReferralStatus.NEW:
        return locked
    with acting_as(user):
        locked.status = ReferralStatus.OPENED
        locked.opened_at = timezone.now()
        locked.opened_by = user
        locked.modified_by = user
        locked.save(
            update_fields=["status", "opened_at", "opened_by", "modified_by", "modified_at"]
        )
    return locked


def _decide(locked: Referral, *, user: Any, status: str, reason: str = "") -> None:
    if locked.status not in WAITING_STATUSES:
        raise ValidationError(
            f"This referral has already been {locked.get_status_display().lower()}."
        )
    with acting_as(user):
        locked.status = status
        locked.decline_reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.opened_at = locked.opened_at or locked.decided_at
        locked.opened_by = locked.opened_by or user
        locked.modified_by = user
        locked.full_clean()
        locked.save()


def _tell_referrer(referral: Referral, *, outcome: str) -> None:
    referrer = referral.created_by
    if referrer is not None and referrer.email:
        _tell_staff(
            [referrer.email],
            referral=referral,
            subject=f"Referral {referral.reference} {outcome}",
            body=f"{referral.organization.name} has {outcome} your referral "
            f"{referral.reference} to {referral.service.name}: {_link(referral)}",
        )


@transaction.atomic
def referral_accept(*, referral: Referral, user: Any) -> Referral:
    locked = _locked_for_answer(referral=referral, user=user)
    _decide(locked, user=user, status=ReferralStatus.ACCEPTED)
    _tell_family(
        locked,
        subject=f"{locked.service.name} will contact you ({locked.reference})",
        body=f"Hello {locked.name}. {locked.organization.name} has accepted the request for "
        f"support from {locked.service.name}. They will contact you by "
        f"{locked.get_contact_method_display().lower()} soon. Reference {locked.reference}.",
    )
    _tell_referrer(locked, outcome="accepted")
    return locked


@transaction.atomic
def referral_decline(*, referral: Referral, user: Any, reason: str) -> Referral:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"decline_reason": "Enter the reason for declining"})
    locked = _locked_for_answer(referral=referral, user=user)
    _decide(locked, user=user, status=ReferralStatus.DECLINED, reason=reason)
    _tell_family(
        locked,
        subject=f"About your request to {locked.service.name} ({locked.reference})",
        body=f"Hello {locked.name}. {locked.organization.name} cannot offer support from "
        f"{locked.service.name}: {reason} The person who asked for you can help you find "
        f"other support. Reference {locked.reference}.",
    )
    _tell_referrer(locked, outcome="declined")
    return locked


def referral_reminders_send(*, today: date | None = None) -> int:
    """Remind each organisation of referrals that have waited more than
    REFERRALS_REMIND_AFTER_WORKING_DAYS working days (bank holidays excluded), at most once
    per referral per day. Returns the number of referrals reminded about."""
    today = today or timezone.localdate()
    limit = settings.REFERRALS_REMIND_AFTER_WORKING_DAYS
    # A calendar prefilter (more than N working days is always more than N calendar days),
    # with a day to spare for a clock change; the working days decide.
    before = timezone.make_aware(
        datetime.combine(today - timedelta(days=max(limit - 1, 0)), time.min)
    )
    by_organization: dict[Organization, list[Referral]] = {}
    for referral in selectors.referrals_waiting(before=before):
        made_on = timezone.localtime(referral.created_at).date()
        if working_days_between(made_on, today) > limit:
            by_organization.setdefault(referral.organization, []).append(referral)
    reminded = 0
    for organization, referrals in by_organization.items():
        recipients = selectors.organization_recipients(organization)
        if not recipients:
            continue
        with transaction.atomic():
            due = []
            for referral in referrals:
                try:
                    # A savepoint each: a row already there (reminded today) is skipped.
                    with transaction.atomic():
                        ReferralReminder.objects.create(
                            referral=referral, sent_on=today, sent_to="\n".join(recipients)
                        )
                except IntegrityError:
                    continue
                due.append(referral)
            if not due:
                continue
            lines = "\n".join(
                f"- {r.reference} to {r.service.name}, made "
                f"{timezone.localtime(r.created_at):%-d %B %Y} "
                f"({working_days_between(timezone.localtime(r.created_at).date(), today)} "
                f"working days ago): {_link(r)}"
                for r in due
            )
            for address in recipients:
                notify.send_email(
                    to=address,
                    subject=f"{len(due)} {'referral is' if len(due) == 1 else 'referrals are'} "
                    f"waiting for {organization.name}",
                    body="These referrals have waited more than "
                    f"{limit} working days for an answer. Families were told you would be in "
                    "touch: please accept or decline each one.\n" + lines,
                    reference="referrals-waiting",
                    kind=notify.Kind.REFERRAL,
                )
            reminded += len(due)
    return reminded
