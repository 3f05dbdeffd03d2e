"""Reads for offline outreach: who may work offline, and what a device takes away.

What goes on a device is the least the next 7 days need (docs/offline.md): the worker's own
sessions with their registers (families booked or ticked, first names and ages of children,
the flags that matter on the day) and the worker's own visits with the address to go to.
Volunteers leading or helping at sessions take what their online page shows them
(`delivery.volunteer_register`): the first names of those booked, read only. Never more
offline than online. Every family in the download is an audited read, as on the online pages.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import rules
from django.conf import settings
from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from familyreach.accounts.roles import Role
from familyreach.core.audit import record_access
from familyreach.delivery.models import (
    Attendance,
    Booking,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
    Visit,
    VisitStatus,
)
from familyreach.families.models import Carer, ConsentPurpose, Family
from familyreach.families.rules import FAMILY_WORKER_ROLES, VOLUNTEER_ROLES
from familyreach.offline.models import ChangeKind, OfflineChange

LONDON = ZoneInfo("Europe/London")
OFFLINE_ROLES = FAMILY_WORKER_ROLES | {Role.MANAGER}


def may_take_registers_offline(user: Any) -> bool:
    """Family and outreach workers and managers who run sessions or visit families; never
    without a district (no district means no family access), never a disabled account."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.roles & OFFLINE_ROLES) and user.district_scope != ""


def may_help_offline(user: Any) -> bool:
    """Volunteers (and volunteer coordinators) who lead or help at sessions: online they see
    who is coming to their sessions by first name (`delivery.help_at_session`, no district
    needed), so offline they may keep that list, read only."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.roles & VOLUNTEER_ROLES) and not may_take_registers_offline(user)


def may_work_offline(user: Any) -> bool:
    """Anyone who may keep an offline copy: the app, the key and the download."""
    return may_take_registers_offline(user) or may_help_offline(user)


def version_of(record: Any) -> str:
    """The version a device's change is made against: when the record last changed."""
    return str(record.modified_at.isoformat())


def _months(born: date, on: date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def age_text(born: date | None, due: date | None, on: date) -> str:
    if born is None:
        return f"due {due:%-d %B}" if due else ""
    months = max(_months(born, on), 0)
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{months // 12} years"


def _flags(family: Family) -> list[str]:
    """What a worker needs to know on the day, without opening the record."""
    flags = []
    if family.english_additional_language:
        flags.append("English is an additional language")
    if family.disability_or_send:
        flags.append("Disability or SEND")
    if not any(
        consent.purpose == ConsentPurpose.PHOTOGRAPHS and consent.withdrawn_at is None
        for consent in family.consents.all()
    ):
        flags.append("No photographs")
    if family.needs_duplicate_review:
        flags.append("May be registered twice")
    return flags


def _family(family: Family, on: date) -> dict[str, Any]:
    carer = next(iter(family.carers.all()), None)
    return {
        "id": family.pk,
        "name": str(carer) if carer else f"Family {family.pk}",
        "children": [
            {
                "first_name": child.first_name or "Expected baby",
                "age": age_text(child.date_of_birth, child.expected_due_date, on),
            }
            for child in family.children.all()
        ],
        "flags": _flags(family),
    }


_FAMILY_PARTS = (
    Prefetch("family__carers", queryset=Carer.objects.order_by("-is_main_contact", "id")),
    "family__children",
    "family__consents",
)


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive

    @classmethod
    def from_today(cls, today: date | None = None) -> "Window":
        today = today or timezone.localdate()
        return cls(start=today, end=today + timedelta(days=settings.FAMILYREACH_OFFLINE_DAYS - 1))


def expected_headcount(family: Family) -> tuple[int, int]:
    """Who a booked family is expected to bring, as the online register expects them
    (delivery/register.html): the carer who booked, and the children on the family's record
    that the booking is for (at least one). A booking holds no numbers of its own: one live
    booking per family, with a place for its children. Attendance, once marked, says what
    really happened and replaces this."""
    return 1, max(len(family.children.all()), 1)


def _register(occurrence: Occurrence, user: Any) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    attendances = {
        a.family_id: a
        for a in Attendance.objects.filter(occurrence=occurrence)
        .select_related("family")
        .prefetch_related(*_FAMILY_PARTS)
    }
    bookings = (
        Booking.objects.filter(occurrence=occurrence, status=BookingStatus.CONFIRMED)
        .select_related("family")
        .prefetch_related(*_FAMILY_PARTS)
        .order_by("id")
    )
    holders: list[Booking | Attendance] = [*bookings, *attendances.values()]
    for holder in holders:
        family = holder.family
        if family.pk in rows or family.anonymised_at is not None:
            continue
        attendance = attendances.get(family.pk)
        adults, children = (
            (attendance.adults, attendance.children) if attendance else expected_headcount(family)
        )
        rows[family.pk] = {
            **_family(family, occurrence.date),
            "booked": isinstance(holder, Booking),
            "attended": attendance is not None,
            "adults": adults,
            "children_count": children,
        }
        record_access(instance=family, user=user)
    return sorted(rows.values(), key=lambda row: (row["name"].lower(), row["id"]))


def offline_bundle_for_user(
    *, user: Any, session_key: str = "", window: Window | None = None
) -> dict[str, Any]:
    """What the device keeps for the next 7 days. The caller has checked `may_work_offline`.
    `session_key`: the signed-in session the copy is taken in (the copy ends with it)."""
    window = window or Window.from_today()
    if not may_take_registers_offline(user):
        return _helper_bundle(user, session_key, window)
    sessions = [
        _session_entry(occurrence, _register(occurrence, user))
        for occurrence in _occurrences_in(window, session__staff=user)
        if rules.test_rule("delivery.run_session", user, occurrence.session)
    ]
    first = datetime.combine(window.start, time(), tzinfo=LONDON)
    visits = (
        Visit.objects.filter(
            worker=user,
            scheduled_at__gte=first,
            scheduled_at__lt=first + timedelta(days=settings.FAMILYREACH_OFFLINE_DAYS),
            family__anonymised_at=None,
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("family", "venue")
        .prefetch_related(*_FAMILY_PARTS)
        .order_by("scheduled_at", "id")
    )
    visit_rows = []
    for visit in visits:
        record_access(instance=visit, user=user)
        visit_rows.append(
            {
                **_family(visit.family, visit.date),
                "id": visit.pk,
                "family_id": visit.family_id,
                "kind": visit.get_kind_display(),
                "when": timezone.localtime(visit.scheduled_at).strftime("%A %-d %B, %H:%M"),
                # Homes are never venues: a home visit needs the family's address to get there.
                "where": visit.venue.name
                if visit.venue
                else ", ".join(p for p in (visit.family.address, visit.family.postcode) if p),
                "purpose": visit.purpose,
                "status": visit.status,
                "outcome_notes": visit.outcome_notes,
                "version": version_of(visit),
            }
        )
    return _bundle(user, session_key, window, sessions, visit_rows, read_only=False)


def _bundle(
    user: Any,
    session_key: str,
    window: Window,
    sessions: list[dict[str, Any]],
    visits: list[dict[str, Any]],
    *,
    read_only: bool,
) -> dict[str, Any]:
    now = timezone.now()
    return {
        "user_id": user.pk,
        "generated_at": now.isoformat(),
        # The server's word for when this copy was made: the device sends it back with every
        # request, and the server refuses a copy older than the limit whatever the device's
        # clock says, or one taken in a session that has ended (`copy_problem`).
        "copy_token": copy_token(user=user, made_at=now, session_key=session_key),
        "until": window.end.isoformat(),
        "read_only": read_only,
        "sessions": sessions,
        "visits": visits,
    }


def _occurrences_in(window: Window, **whose: Any) -> QuerySet[Occurrence]:
    """The scheduled dates in the window of the sessions `whose` names (the user runs them, or
    helps at them), in time order."""
    return (
        Occurrence.objects.filter(
            **whose,
            session__archived_at=None,
            date__gte=window.start,
            date__lte=window.end,
            status=OccurrenceStatus.SCHEDULED,
        )
        .select_related("session", "session__venue", "session__venue__district")
        .order_by("starts_at", "id")
    )


def _session_entry(
    occurrence: Occurrence, families: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """One session date as the device keeps it, with the families expected."""
    return {
        "id": occurrence.pk,
        "title": occurrence.session.title,
        "venue": occurrence.session.venue.name,
        "date": occurrence.date.isoformat(),
        "when": _when(occurrence.starts_at, occurrence.ends_at),
        "register_closed": occurrence.register_is_closed,
        **extra,
        "version": version_of(occurrence),
        "families": families,
    }


def _helper_bundle(user: Any, session_key: str, window: Window) -> dict[str, Any]:
    """A volunteer's copy: the sessions they lead or help at, and who is booked, by first
    name only, as `delivery.volunteer_register` shows them online. No ages, flags, addresses
    or visits; nothing to mark (online they do not take the register either)."""
    sessions = []
    for occurrence in _occurrences_in(window, session__volunteers=user):
        if not rules.test_rule("delivery.help_at_session", user, occurrence.session):
            continue
        bookings = (
            Booking.objects.filter(
                occurrence=occurrence,
                status=BookingStatus.CONFIRMED,
                family__anonymised_at=None,
            )
            .select_related("family")
            .prefetch_related(*_FAMILY_PARTS)
            .order_by("id")
        )
        families = []
        for booking in bookings:
            record_access(instance=booking.family, user=user)
            carer = next(iter(booking.family.carers.all()), None)
            families.append(
                {
                    "name": carer.first_name if carer else "",
                    "children": [
                        {"first_name": child.first_name, "age": ""}
                        for child in booking.family.children.all()
                        if child.first_name
                    ],
                    "flags": [],
                    "booked": True,
                }
            )
        sessions.append(_session_entry(occurrence, families, read_only=True))
    return _bundle(user, session_key, window, sessions, [], read_only=True)


_COPY_SALT = "familyreach.offline.copy"


class CopyProblem(StrEnum):
    TOO_OLD = "copy too old"
    SESSION_ENDED = "session ended"


def _session_mark(session_key: str) -> str:
    return hashlib.sha256(f"offline-copy:{session_key}".encode()).hexdigest()[:16]


def copy_token(*, user: Any, made_at: datetime, session_key: str) -> str:
    """A signed note of whose copy this is, from which session, and when the server made it
    (no family data; the session by a hash, never its key)."""
    note = {"user": user.pk, "at": made_at.timestamp(), "session": _session_mark(session_key)}
    return signing.dumps(note, salt=_COPY_SALT)


def copy_problem(
    *, token: str, user_id: Any, session_key: str, now: datetime | None = None
) -> CopyProblem | None:
    """Why a device may not keep the copy it holds, or None. Too old: made more than
    FAMILYREACH_OFFLINE_DAYS days ago by the server's clock (the device's own check trusts its
    clock, which may be wrong); a token that is not ours or is another user's counts as too old
    too (the server cannot vouch for that copy). Session ended: it was taken in a session that
    has ended (timed out), though the worker has signed in again since: the copy goes and a
    fresh one comes with the new session."""
    try:
        note = signing.loads(token, salt=_COPY_SALT)
        made_at = datetime.fromtimestamp(float(note["at"]), tz=UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return CopyProblem.TOO_OLD
    if note.get("user") != user_id:
        return CopyProblem.TOO_OLD
    if (now or timezone.now()) - made_at > timedelta(days=settings.FAMILYREACH_OFFLINE_DAYS):
        return CopyProblem.TOO_OLD
    if note.get("session") != _session_mark(session_key):
        return CopyProblem.SESSION_ENDED
    return None


def _when(starts_at: datetime, ends_at: datetime) -> str:
    start = timezone.localtime(starts_at)
    return f"{start:%A %-d %B}, {start:%H:%M} to {timezone.localtime(ends_at):%H:%M}"


def offline_walk_ins_to_check(*, user: Any) -> list[Family]:
    """Walk-ins this worker recorded offline that look like families already registered: the
    worker confirms a merge (or that they differ) on the family's record."""
    family_ids = OfflineChange.objects.filter(
        user=user, kind=ChangeKind.WALK_IN, family__isnull=False
    ).values("family_id")
    families = list(
        Family.objects.filter(
            pk__in=family_ids, needs_duplicate_review=True, archived_at=None, anonymised_at=None
        )
        .prefetch_related(Prefetch("carers", queryset=Carer.objects.order_by("-is_main_contact")))
        .order_by("-created_at")
    )
    for family in families:
        record_access(instance=family, user=user)
    return families
