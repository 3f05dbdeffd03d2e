"""Writes for peer supporters: applications, references, DBS checks, training, supervision and the
warnings sent before a check or training expires."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from familyreach.accounts.models import User
from familyreach.community.models import (
    DbsCheck,
    ExpiryWarning,
    PeerSupporter,
    Reference,
    SupervisionSession,
    TrainingRecord,
)
from familyreach.community.selectors import (
    coordinator_required,
    coordinator_user_emails,
    expiries_upcoming,
)
from familyreach.geo.exceptions import InvalidPostcode
from familyreach.geo.selectors import postcode_locate
from familyreach.outbox import notify

FULL_POSTCODE_NEEDED = "Enter a full postcode, like NR30 1NE"


def position_fields(postcode: str) -> dict[str, Any]:
    """Position, area and district of a postcode; a postcode we do not hold is an error (a
    supporter or family we cannot place cannot be matched by travel time)."""
    try:
        position = postcode_locate(postcode)
    except InvalidPostcode as error:
        raise ValidationError({"postcode": FULL_POSTCODE_NEEDED}) from error
    if not position.found:
        raise ValidationError({"postcode": f"We could not find the postcode {position.postcode}"})
    return {
        "postcode": position.postcode,
        "latitude": position.latitude,
        "longitude": position.longitude,
        "area": position.area,
        "district": position.district,
    }


@transaction.atomic
def supporter_apply(
    *,
    first_name: str,
    last_name: str,
    contact_route: str,
    home_postcode: str,
    applied_on: date,
    email: str = "",
    phone: str = "",
    languages: Sequence[str] = ("English",),
    experiences: Sequence[str] = (),
    availability: Sequence[str] = (),
    district_codes: Sequence[str] = (),
    max_travel_minutes: int = 30,
    max_families: int = 2,
    application_notes: str = "",
    user: User | None = None,
    account: User | None = None,
    is_simulated: bool = False,
) -> PeerSupporter:
    """Record a volunteer's application. They cannot be matched until checked and trained."""
    position = position_fields(home_postcode)
    supporter = PeerSupporter(
        user=account,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        contact_route=contact_route,
        applied_on=applied_on,
        application_notes=application_notes,
        languages=list(languages),
        experiences=list(experiences),
        availability=list(availability),
        home_postcode=position["postcode"],
        latitude=position["latitude"],
        longitude=position["longitude"],
        home_area=position["area"],
        max_travel_minutes=max_travel_minutes,
        max_families=max_families,
        is_simulated=is_simulated,
        created_by=user,
        modified_by=user,
    )
    supporter.full_clean()
    supporter.save()
    from familyreach.geo.models import District

    districts = list(District.objects.filter(code__in=district_codes))
    if position["district"] is not None and position["district"] not in districts:
        districts.append(position["district"])
    supporter.districts.set(districts)
    return supporter


@transaction.atomic
def supporter_status_set(*, supporter: PeerSupporter, status: str, user: User) -> PeerSupporter:
    coordinator_required(user)
    supporter.status = status
    supporter.modified_by = user
    supporter.full_clean()
    supporter.save()
    return supporter


@transaction.atomic
def reference_record(
    *,
    supporter: PeerSupporter,
    referee_name: str,
    relationship: str,
    received_on: date | None,
    satisfactory: bool,
    user: User,
) -> Reference:
    coordinator_required(user)
    reference = Reference(
        supporter=supporter,
        referee_name=referee_name,
        relationship=relationship,
        received_on=received_on,
        satisfactory=satisfactory,
        created_by=user,
        modified_by=user,
    )
    reference.full_clean()
    reference.save()
    return reference


@transaction.atomic
def dbs_check_record(
    *,
    supporter: PeerSupporter,
    certificate_number: str,
    issued_on: date,
    recheck_due_on: date,
    update_service_subscribed: bool,
    clear: bool = True,
    user: User,
) -> DbsCheck:
    coordinator_required(user)
    check = DbsCheck(
        supporter=supporter,
        certificate_number=certificate_number.replace(" ", ""),
        issued_on=issued_on,
        recheck_due_on=recheck_due_on,
        update_service_subscribed=update_service_subscribed,
        clear=clear,
        created_by=user,
        modified_by=user,
    )
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def training_record_add(
    *,
    supporter: PeerSupporter,
    module: str,
    completed_on: date,
    expires_on: date | None,
    user: User,
) -> TrainingRecord:
    coordinator_required(user)
    record = TrainingRecord(
        supporter=supporter,
        module=module,
        completed_on=completed_on,
        expires_on=expires_on,
        created_by=user,
        modified_by=user,
    )
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def supervision_record(
    *, supporter: PeerSupporter, held_on: date, notes: str, user: User
) -> SupervisionSession:
    coordinator_required(user)
    session = SupervisionSession(
        supporter=supporter,
        held_on=held_on,
        notes=notes,
        supervisor=user,
        created_by=user,
        modified_by=user,
    )
    session.full_clean()
    session.save()
    return session


def _warning_threshold(days_left: int) -> int | None:
    """The most urgent warning threshold reached (e.g. 7 when 5 days are left), or None."""
    reached = [t for t in settings.COMMUNITY_EXPIRY_WARNING_DAYS if days_left <= t]
    return min(reached) if reached else None


@transaction.atomic
def expiry_warnings_send(*, on: date) -> list[ExpiryWarning]:
    """Warn the coordinators, once per threshold, about checks and training about to expire
    (30 and 7 days ahead by default) or expiring today. Safe to run more than once a day.

    One email lists every new warning; if a run was missed, the most urgent threshold reached
    is the one sent, so nobody receives three warnings for one expiry on the same morning."""
    horizon = max(settings.COMMUNITY_EXPIRY_WARNING_DAYS)
    recipients = coordinator_user_emails() or [settings.COMMUNITY_COORDINATOR_EMAIL]
    sent: list[ExpiryWarning] = []
    lines: list[str] = []
    for expiry in expiries_upcoming(on=on, within_days=horizon):
        threshold = _warning_threshold(expiry.days_left)
        if threshold is None:
            continue
        already = ExpiryWarning.objects.filter(
            kind=expiry.kind,
            record_id=expiry.record_id,
            expires_on=expiry.expires_on,
            threshold_days__lte=threshold,
        ).exists()
        if already:
            continue
        warning = ExpiryWarning(
            supporter=expiry.supporter,
            kind=expiry.kind,
            record_id=expiry.record_id,
            expires_on=expiry.expires_on,
            threshold_days=threshold,
            sent_on=on,
            sent_to=", ".join(recipients),
        )
        warning.full_clean()
        warning.save()
        sent.append(warning)
        when = (
            "expires today"
            if expiry.days_left == 0
            else f"expired {-expiry.days_left} days ago"
            if expiry.days_left < 0
            else f"expires in {expiry.days_left} days"
        )
        lines.append(f"- {expiry.supporter}: {expiry.what} {when} ({expiry.expires_on:%-d %B %Y})")
    if lines:
        body = (
            "These peer supporters' checks or training expire soon. Until they are renewed the "
            "supporter cannot be matched with a family.\n\n" + "\n".join(lines)
        )
        for recipient in recipients:
            notify.send_email(
                to=recipient,
                subject=f"{len(lines)} peer supporter checks or training expiring",
                body=body,
                reference=f"community-expiries-{on.isoformat()}",
                kind=notify.Kind.COMMUNITY,
            )
    return sent
