"""Sync: changes recorded on a device without signal, applied once each.

Rules (docs/offline.md, decision 0018):
- Idempotent: a change's key is stored with its outcome in the same transaction as its
  effect; the same key again returns the first answer and changes nothing.
- Register marks merge: marks for different families are a set union; for one family the
  latest mark by the time the worker made it wins, and at the same moment "not attended"
  wins. So two devices give the same register whichever syncs first.
- A visit outcome made against an older version than the server's, saying something else,
  is a conflict: nothing is overwritten; the worker sees both and chooses.
- A walk-in is registered as at the door (quick registration with consent), which runs the
  duplicate check; a possible duplicate is flagged for the worker to merge or dismiss.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from familyreach.core.audit import acting_as
from familyreach.delivery.models import (
    Attendance,
    BookingStatus,
    Occurrence,
    Visit,
    VisitStatus,
)
from familyreach.delivery.services import register_add_walk_in, visit_record
from familyreach.families.services import CarerDetails, ChildDetails
from familyreach.geo.selectors import InvalidPostcode
from familyreach.offline.models import ChangeKind, ChangeOutcome, OfflineChange
from familyreach.offline.selectors import version_of

MAX_CHANGES_PER_SYNC = 500


class BadChange(ValueError):
    """The change cannot be read (a device bug or a forged request): refused, not stored."""


@dataclass
class Result:
    key: str
    outcome: str
    message: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "outcome": self.outcome,
            "message": self.message,
            "replayed": self.replayed,
            **self.detail,
        }


def _text(change: dict[str, Any], name: str, *, limit: int = 200, required: bool = False) -> str:
    value = change.get(name, "")
    if not isinstance(value, str):
        raise BadChange(f"{name} is not text")
    value = value.strip()[:limit]
    if required and not value:
        raise BadChange(f"{name} is missing")
    return value


def _int(change: dict[str, Any], name: str, *, default: int | None = None) -> int:
    value = change.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
        raise BadChange(f"{name} is not a number")
    return value


def _moment(change: dict[str, Any]) -> datetime:
    try:
        made_at = datetime.fromisoformat(_text(change, "made_at", required=True))
    except ValueError as error:
        raise BadChange("made_at is not a time") from error
    if made_at.tzinfo is None:
        raise BadChange("made_at has no time zone")
    now = timezone.now()
    if now - made_at > timedelta(days=settings.FAMILYREACH_OFFLINE_DAYS):
        # Made on a copy older than the limit (it was downloaded before the change was made):
        # the register or visit may have moved on. Refused; the device shows it in words.
        raise BadChange(
            f"Made more than {settings.FAMILYREACH_OFFLINE_DAYS} days ago, on a copy too old "
            "to send: enter it again on the online pages"
        )
    # A device clock far in the future would win every merge: no later than now.
    return min(made_at, now)


def _key(change: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(_text(change, "key", required=True))
    except ValueError as error:
        raise BadChange("key is not a UUID") from error


def offline_changes_apply(*, user: Any, changes: list[Any]) -> list[dict[str, Any]]:
    """Apply a device's changes in order, each in its own transaction (one refusal does not
    undo the others). Returns one result per change."""
    return [_apply_one(user=user, change=change).as_json() for change in changes]


def _apply_one(*, user: Any, change: Any) -> Result:
    key_text = str(change.get("key", "")) if isinstance(change, dict) else ""
    try:
        if not isinstance(change, dict):
            raise BadChange("A change is an object")
        key = _key(change)
        return _apply_once(user=user, key=key, change=change)
    except BadChange as problem:
        return Result(key=key_text, outcome=ChangeOutcome.REFUSED, message=str(problem))


def _replay(user: Any, key: uuid.UUID) -> Result | None:
    seen = OfflineChange.objects.filter(key=key).first()
    if seen is None:
        return None
    if seen.user_id != user.pk:
        # Someone else's key: say nothing about what it was.
        return Result(key=str(key), outcome=ChangeOutcome.REFUSED, message="Already used")
    result = Result(key=str(key), outcome=seen.outcome, message=seen.message, replayed=True)
    result.detail = _detail(seen, user)
    return result


def _apply_once(*, user: Any, key: uuid.UUID, change: dict[str, Any]) -> Result:
    replayed = _replay(user, key)
    if replayed is not None:
        return replayed
    kind = change.get("kind")
    appliers = {ChangeKind.MARK: _mark, ChangeKind.WALK_IN: _walk_in, ChangeKind.VISIT: _visit}
    if kind not in appliers:
        raise BadChange("Unknown kind of change")
    made_at = _moment(change)
    try:
        with transaction.atomic(), acting_as(user):
            record = appliers[ChangeKind(kind)](user, key, change, made_at)
            record.full_clean()
            record.save()
    except IntegrityError:
        # The same key arriving twice at once: the first one's answer stands.
        replayed = _replay(user, key)
        if replayed is None:
            raise
        return replayed
    return Result(
        key=str(key), outcome=record.outcome, message=record.message, detail=_detail(record, user)
    )


def _detail(record: OfflineChange, user: Any) -> dict[str, Any]:
    """What the device needs back. A visit conflict shows the server's current words, read
    afresh (they are not kept on the change)."""
    detail: dict[str, Any] = {"kind": record.kind}
    if record.kind == ChangeKind.WALK_IN and record.family_id:
        family = record.family
        detail["family_id"] = record.family_id
        detail["needs_duplicate_review"] = bool(family and family.needs_duplicate_review)
        detail["review_url"] = reverse("offline:walk-ins")
    if record.kind == ChangeKind.VISIT and record.visit_id:
        visit = Visit.objects.get(pk=record.visit_id)
        detail["visit_id"] = visit.pk
        detail["version"] = version_of(visit)
        if record.outcome == ChangeOutcome.CONFLICT:
            detail["theirs"] = {
                "status": visit.status,
                "status_text": visit.get_status_display(),
                "outcome_notes": visit.outcome_notes,
                "recorded_by": str(visit.modified_by or ""),
            }
    return detail


def _record(
    user: Any, key: uuid.UUID, kind: str, made_at: datetime, change: dict[str, Any], **fields: Any
) -> OfflineChange:
    return OfflineChange(
        key=key,
        user=user,
        kind=kind,
        made_at=made_at,
        base_version=_text(change, "base_version", limit=64),
        **fields,
    )


def _occurrence_for(user: Any, change: dict[str, Any]) -> Occurrence:
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("session", "session__venue")
        .filter(pk=_int(change, "occurrence_id"))
        .first()
    )
    if occurrence is None or not rules.test_rule("delivery.run_session", user, occurrence.session):
        raise BadChange("Not a register you run")
    return occurrence


def _latest_mark(occurrence: Occurrence, family_id: int) -> tuple[datetime, bool] | None:
    """The latest mark applied for a family on a register: offline marks by their time, or the
    register as last saved online (its attendance row's time) when that is later."""
    mark = (
        OfflineChange.objects.filter(
            occurrence=occurrence,
            family_id=family_id,
            kind__in=(ChangeKind.MARK, ChangeKind.WALK_IN),
            outcome=ChangeOutcome.APPLIED,
        )
        .order_by("-made_at", "-id")
        .first()
    )
    latest = (mark.made_at, bool(mark.attended)) if mark else None
    attendance = Attendance.objects.filter(occurrence=occurrence, family_id=family_id).first()
    # An attendance row newer than an offline "not attended" was saved online afterwards.
    saved_online_later = attendance is not None and (
        latest is None or (not latest[1] and attendance.modified_at > latest[0])
    )
    if saved_online_later and attendance is not None:
        latest = (attendance.modified_at, True)
    return latest


def _mark(user: Any, key: uuid.UUID, change: dict[str, Any], made_at: datetime) -> OfflineChange:
    occurrence = _occurrence_for(user, change)
    family_id = _int(change, "family_id")
    attended = change.get("attended")
    if not isinstance(attended, bool):
        raise BadChange("attended is not true or false")
    on_register = (
        occurrence.bookings.filter(family_id=family_id, status=BookingStatus.CONFIRMED).exists()
        or occurrence.attendances.filter(family_id=family_id).exists()
        or OfflineChange.objects.filter(occurrence=occurrence, family_id=family_id).exists()
    )
    if not on_register:
        raise BadChange("That family is not on this register")
    adults = _int(change, "adults", default=1)
    children = _int(change, "children", default=1)
    record = _record(
        user,
        key,
        ChangeKind.MARK,
        made_at,
        change,
        occurrence=occurrence,
        family_id=family_id,
        attended=attended,
        outcome=ChangeOutcome.APPLIED,
    )
    attendance = occurrence.attendances.filter(family_id=family_id).first()
    if occurrence.register_is_closed:
        if (attendance is not None) == attended:
            record.outcome = ChangeOutcome.MERGED
        else:
            record.outcome = ChangeOutcome.CONFLICT
            record.message = (
                "The register was closed before this mark arrived. Ask whoever closed it to "
                "reopen it today, or a manager to correct the family's record."
            )
        return record
    latest = _latest_mark(occurrence, family_id)
    if latest is not None and (
        made_at < latest[0] or (made_at == latest[0] and attended and not latest[1])
    ):
        record.outcome = ChangeOutcome.MERGED
        record.message = "A later mark for this family was already on the register."
        return record
    if attended:
        if adults + children == 0:
            raise BadChange("A family that attended has at least one person")
        if attendance is None:
            attendance = Attendance(occurrence=occurrence, family_id=family_id, created_by=user)
        attendance.adults = adults
        attendance.children = children
        attendance.modified_by = user
        attendance.full_clean()
        attendance.save()
    elif attendance is not None:
        attendance.delete()
    return record


def _date(change: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(_text(change, name, required=True))
    except ValueError as error:
        raise BadChange(f"{name} is not a date") from error


def _walk_in(user: Any, key: uuid.UUID, change: dict[str, Any], made_at: datetime) -> OfflineChange:
    occurrence = _occurrence_for(user, change)
    if change.get("consent") is not True:
        raise BadChange("The family's consent to keep a record is needed")
    record = _record(
        user, key, ChangeKind.WALK_IN, made_at, change, occurrence=occurrence, attended=True
    )
    if occurrence.register_is_closed:
        record.outcome = ChangeOutcome.CONFLICT
        record.message = (
            "The register was closed before this walk-in arrived: add the family from the "
            "register page once it is reopened, or register them from the families page."
        )
        return record
    carer = CarerDetails(
        first_name=_text(change, "carer_first_name", limit=100, required=True),
        last_name=_text(change, "carer_last_name", limit=100),
    )
    child = ChildDetails(
        first_name=_text(change, "child_first_name", limit=100),
        date_of_birth=_date(change, "child_date_of_birth"),
    )
    try:
        result = register_add_walk_in(
            user=user,
            occurrence=occurrence,
            carer=carer,
            child=child,
            postcode=_text(change, "postcode", limit=10, required=True),
            adults=_int(change, "adults", default=1),
            children=_int(change, "children", default=1),
        )
    except InvalidPostcode as problem:
        raise BadChange(str(getattr(problem, "message", problem))) from problem
    except ValidationError as problem:
        raise BadChange(problem.messages[0]) from problem
    record.family = result.family
    record.outcome = ChangeOutcome.APPLIED
    if result.possible_duplicates:
        record.message = "They may already be registered: check and merge on the family's record."
    return record


def _visit(user: Any, key: uuid.UUID, change: dict[str, Any], made_at: datetime) -> OfflineChange:
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("family")
        .filter(pk=_int(change, "visit_id"))
        .first()
    )
    if visit is None or not (
        visit.worker_id == user.pk or rules.test_rule("families.change_family", user, visit.family)
    ):
        raise BadChange("Not a visit you can record")
    status = _text(change, "status", required=True)
    if status not in VisitStatus.values or status == VisitStatus.SCHEDULED:
        raise BadChange("Choose what happened")
    notes = _text(change, "outcome_notes", limit=5000)
    record = _record(
        user,
        key,
        ChangeKind.VISIT,
        made_at,
        change,
        visit=visit,
        family=visit.family,
        outcome=ChangeOutcome.APPLIED,
    )
    if (visit.status, visit.outcome_notes.strip()) == (status, notes):
        record.outcome = ChangeOutcome.MERGED
        return record
    if record.base_version != version_of(visit):
        record.outcome = ChangeOutcome.CONFLICT
        record.message = "Someone else recorded this visit while you were offline."
        return record
    if visit.family.is_archived or visit.family.is_anonymised:
        raise BadChange("This family's record is closed")
    visit_record(user=user, visit=visit, status=status, outcome_notes=notes)
    return record
