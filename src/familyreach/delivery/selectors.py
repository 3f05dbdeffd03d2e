"""Reads for delivery. Pages get bookings, registers and visits only through these functions,
which authorise (rules.py) and audit reads of family records."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from familyreach.core.audit import record_access
from familyreach.delivery.models import (
    Attendance,
    Base,
    Booking,
    BookingHold,
    BookingMode,
    BookingStatus,
    Contact,
    Occurrence,
    OccurrenceStatus,
    SchoolHoliday,
    Session,
    SessionCategory,
    Visit,
    VisitStatus,
)
from familyreach.families.models import Carer, Case, Family
from familyreach.geo.distance import haversine_km

KM_PER_MILE = 1.609344


def session_list_for_user(*, user: Any) -> QuerySet[Session]:
    if not rules.test_rule("delivery.view_sessions", user):
        raise PermissionDenied("Your role does not run sessions.")
    sessions = Session.objects.filter(archived_at=None).select_related(
        "venue", "base", "venue__district"
    )
    if not rules.test_rule("delivery.add_session", user):
        sessions = sessions.filter(volunteers=user)
    return sessions.order_by("venue__district__name", "title", "id")


def session_get_for_user(*, user: Any, session_id: int) -> Session:
    session = (
        Session.objects.select_related("venue", "venue__district", "base")
        .prefetch_related("staff", "volunteers", "exceptions")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session")
    if not rules.test_rule("delivery.view_session", user, session):
        raise PermissionDenied("You do not have access to this session.")
    return session


def session_occurrences(*, session: Session, start: date, end: date) -> QuerySet[Occurrence]:
    return (
        session.occurrences.filter(date__gte=start, date__lte=end)
        .annotate(
            confirmed=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)),
            waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
        )
        .order_by("date")
    )


def occurrence_get(*, session_id: int, day: date) -> Occurrence:
    occurrence = (
        Occurrence.objects.select_related("session", "session__venue", "session__venue__district")
        .filter(session_id=session_id, date=day)
        .first()
    )
    if occurrence is None:
        raise Http404("The session does not run on that date")
    return occurrence


def occurrence_get_for_user(*, user: Any, session_id: int, day: date) -> Occurrence:
    """An occurrence the user runs (its staff, or a manager of its district)."""
    occurrence = occurrence_get(session_id=session_id, day=day)
    if not rules.test_rule("delivery.run_session", user, occurrence.session):
        raise PermissionDenied("Only the session's staff and managers can open its bookings.")
    return occurrence


def _with_family_names(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.select_related("family").prefetch_related(
        Prefetch("family__carers", queryset=Carer.objects.order_by("-is_main_contact", "id")),
        "family__children",
    )


def occurrence_bookings(*, user: Any, occurrence: Occurrence) -> dict[str, list[Booking]]:
    """Confirmed bookings and the waiting list in order; each family shown is an audited read."""
    bookings = list(
        _with_family_names(
            occurrence.bookings.exclude(status=BookingStatus.CANCELLED).order_by(
                "waiting_since", "confirmed_at", "id"
            )
        )
    )
    for booking in bookings:
        record_access(instance=booking.family, user=user)
    return {
        "confirmed": [b for b in bookings if b.status == BookingStatus.CONFIRMED],
        "waiting": [b for b in bookings if b.status == BookingStatus.WAITING],
    }


def occurrence_places_held(*, occurrence: Occurrence) -> int:
    """Places kept for parents who booked online and have not yet confirmed (no names: the
    family record does not exist until they do). Staff see why a booking went to the waiting
    list while places look free."""
    return occurrence.holds.filter(
        holds_place=True, confirmed_at=None, expires_at__gt=timezone.now()
    ).count()


@dataclass
class RegisterRow:
    family: Family
    booked: bool
    attendance: Attendance | None

    @property
    def present(self) -> bool:
        return self.attendance is not None


def register_rows(*, user: Any, occurrence: Occurrence) -> list[RegisterRow]:
    """Everyone expected (confirmed bookings) and everyone ticked (including walk-ins)."""
    attendances = {
        a.family_id: a for a in _with_family_names(occurrence.attendances.order_by("id"))
    }
    rows: dict[int, RegisterRow] = {}
    for booking in _with_family_names(
        occurrence.bookings.filter(status=BookingStatus.CONFIRMED).order_by("id")
    ):
        rows[booking.family_id] = RegisterRow(
            family=booking.family, booked=True, attendance=attendances.get(booking.family_id)
        )
    for family_id, attendance in attendances.items():
        if family_id not in rows:
            rows[family_id] = RegisterRow(
                family=attendance.family, booked=False, attendance=attendance
            )
    for row in rows.values():
        record_access(instance=row.family, user=user)
    return sorted(
        rows.values(),
        key=lambda r: (str(next(iter(r.family.carers.all()), "")).lower(), r.family.pk),
    )


@dataclass(frozen=True)
class VolunteerRow:
    first_name: str
    children: list[str]


def volunteer_register(
    *, user: Any, session_id: int, day: date
) -> tuple[Occurrence, list[VolunteerRow]]:
    """What a volunteer sees for a session they help at: first names only."""
    occurrence = occurrence_get(session_id=session_id, day=day)
    if not rules.test_rule("delivery.help_at_session", user, occurrence.session):
        raise PermissionDenied("You do not help at this session.")
    rows = []
    for booking in _with_family_names(
        occurrence.bookings.filter(status=BookingStatus.CONFIRMED).order_by("id")
    ):
        record_access(instance=booking.family, user=user)
        carer = next(iter(booking.family.carers.all()), None)
        rows.append(
            VolunteerRow(
                first_name=carer.first_name if carer else "",
                children=[c.first_name for c in booking.family.children.all() if c.first_name],
            )
        )
    return occurrence, rows


def booking_get_for_user(*, user: Any, booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_related("occurrence__session__venue__district", "family")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404("No such booking")
    allowed = rules.test_rule(
        "delivery.run_session", user, booking.occurrence.session
    ) or rules.test_rule("families.change_family", user, booking.family)
    if not allowed:
        raise PermissionDenied("You do not have access to this booking.")
    record_access(instance=booking, user=user)
    return booking


def family_bookings(*, family: Family) -> QuerySet[Booking]:
    return (
        family.bookings.exclude(status=BookingStatus.CANCELLED)
        .filter(occurrence__date__gte=timezone.localdate() - timedelta(days=30))
        .select_related("occurrence__session")
        .order_by("occurrence__starts_at")
    )


def family_visits(*, family: Family) -> QuerySet[Visit]:
    return family.visits.select_related("worker").order_by("-scheduled_at")


def family_contacts(*, family: Family) -> QuerySet[Contact]:
    return family.contacts.select_related("venue", "worker", "occurrence__session")


def visit_get_for_user(*, user: Any, visit_id: int) -> Visit:
    visit = Visit.objects.select_related("family", "worker", "venue").filter(pk=visit_id).first()
    if visit is None:
        raise Http404("No such visit")
    if visit.worker_id != user.pk and not rules.test_rule(
        "families.change_family", user, visit.family
    ):
        raise PermissionDenied("You do not have access to this visit.")
    record_access(instance=visit, user=user)
    return visit


def bookable_occurrences(*, start: date, days: int = 28) -> QuerySet[Occurrence]:
    """Upcoming sessions families can book online, with places left (no personal data)."""
    return (
        Occurrence.objects.filter(
            date__gte=start,
            date__lte=start + timedelta(days=days),
            status=OccurrenceStatus.SCHEDULED,
            session__booking_mode=BookingMode.BOOKED,
            session__archived_at=None,
            starts_at__gt=timezone.now(),
        )
        .select_related("session", "session__venue")
        .annotate(
            confirmed=Count(
                "bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED), distinct=True
            ),
            # Places held for parents still to confirm are not free (see BookingHold).
            held=Count(
                "holds",
                filter=Q(
                    holds__holds_place=True,
                    holds__confirmed_at=None,
                    holds__expires_at__gt=timezone.now(),
                ),
                distinct=True,
            ),
        )
        .order_by("starts_at", "id")
    )


def bookable_occurrence(*, occurrence_id: int) -> Occurrence:
    occurrence = (
        bookable_occurrences(start=timezone.localdate(), days=366).filter(pk=occurrence_id).first()
    )
    if occurrence is None:
        raise Http404("This session cannot be booked online")
    return occurrence


def base_list() -> QuerySet[Base]:
    return Base.objects.select_related("venue", "venue__district").prefetch_related(
        "teams__members"
    )


@dataclass
class WeekDay:
    day: date
    occurrences: list[Occurrence] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)


@dataclass
class Week:
    start: date
    days: list[WeekDay]
    cases: list[Case]
    helping: list[Occurrence]

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.start + timedelta(days=7)


def worker_week(*, user: Any, start: date) -> Week:
    """A worker's week on one page: sessions they run, visits, and their caseload's next actions.

    Visits name families: each is an audited read. Sessions show counts only.
    """
    from familyreach.families.selectors import caseload_for_worker

    start = start - timedelta(days=start.weekday())
    end = start + timedelta(days=6)
    occurrences = list(
        Occurrence.objects.filter(session__staff=user, date__gte=start, date__lte=end)
        .select_related("session", "session__venue")
        .annotate(
            confirmed=Count("bookings", filter=Q(bookings__status=BookingStatus.CONFIRMED)),
            attended=Count("attendances", distinct=True),
        )
        .order_by("starts_at")
    )
    helping = list(
        Occurrence.objects.filter(session__volunteers=user, date__gte=start, date__lte=end)
        .select_related("session", "session__venue")
        .order_by("starts_at")
    )
    local_start = datetime.combine(start, time(), tzinfo=ZoneInfo("Europe/London"))
    visits = list(
        Visit.objects.filter(
            worker=user,
            scheduled_at__gte=local_start,
            scheduled_at__lt=local_start + timedelta(days=7),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .select_related("family")
        .prefetch_related(
            Prefetch("family__carers", queryset=Carer.objects.filter(is_main_contact=True))
        )
        .order_by("scheduled_at")
    )
    for visit in visits:
        record_access(instance=visit.family, user=user)
    days = [WeekDay(day=start + timedelta(days=offset)) for offset in range(7)]
    for occurrence in occurrences:
        days[(occurrence.date - start).days].occurrences.append(occurrence)
    for visit in visits:
        days[(visit.date - start).days].visits.append(visit)
    return Week(
        start=start,
        days=days,
        cases=list(caseload_for_worker(worker=user)[:20]),
        helping=helping,
    )


def children_first_names(family: Family) -> list[str]:
    return [c.first_name or "Expected baby" for c in family.children.all()]


def occurrence_get_public(*, occurrence_id: int) -> Occurrence:
    """An occurrence's public details (what, where, when): no bookings, no personal data."""
    occurrence = (
        Occurrence.objects.select_related("session", "session__venue")
        .filter(pk=occurrence_id, session__archived_at=None)
        .first()
    )
    if occurrence is None:
        raise Http404("No such session")
    return occurrence


def school_holidays() -> QuerySet[SchoolHoliday]:
    """From the current one on, soonest first (older holidays no longer change anything)."""
    return SchoolHoliday.objects.filter(end_date__gte=timezone.localdate()).order_by("start_date")


# --- Public booking: finding a session, and a family's own booking ---------------------------


@dataclass(frozen=True)
class BookableRow:
    occurrence: Occurrence
    distance_miles: float | None


def _age_overlaps(session: Session, age_years: int) -> bool:
    if age_years < 0:  # expecting a baby
        return session.category == SessionCategory.ANTENATAL
    youngest, oldest = age_years * 12, age_years * 12 + 11
    return session.age_from_months <= oldest and session.age_to_months >= youngest


def bookable_rows(
    *,
    start: date,
    days: int = 28,
    near: tuple[float, float] | None = None,
    radius_miles: float = 5,
    age_years: int | None = None,
    session_id: int | None = None,
) -> list[BookableRow]:
    """Sessions to book in the next `days`, soonest first: within `radius_miles` of `near`
    (latitude, longitude) when given, for a child of `age_years` (-1: expecting a baby), or
    the dates of one session. Venue distances are straight lines (geo.distance)."""
    occurrences = bookable_occurrences(start=start, days=days)
    if session_id is not None:
        occurrences = occurrences.filter(session_id=session_id)
    rows = []
    for occurrence in occurrences:
        session = occurrence.session
        if age_years is not None and not _age_overlaps(session, age_years):
            continue
        distance = None
        if near is not None:
            distance = (
                float(
                    haversine_km(near[0], near[1], session.venue.latitude, session.venue.longitude)
                )
                / KM_PER_MILE
            )
            if distance > radius_miles:
                continue
        rows.append(BookableRow(occurrence=occurrence, distance_miles=distance))
    return rows


def _session_id_for_service(source_reference: str) -> int | None:
    prefix = "session-"
    if not source_reference.startswith(prefix) or not source_reference[len(prefix) :].isdigit():
        return None
    return int(source_reference[len(prefix) :])


def service_bookable_occurrences(
    *, source: str, source_reference: str, limit: int = 6
) -> list[Occurrence]:
    """The next dates to book of the session a directory listing publishes (the listing's
    source and reference, already loaded by the page: no query for other listings)."""
    from familyreach.delivery.publishing import SOURCE

    session_id = _session_id_for_service(source_reference) if source == SOURCE else None
    if session_id is None:
        return []
    return list(
        bookable_occurrences(start=timezone.localdate(), days=56).filter(session_id=session_id)[
            :limit
        ]
    )


def services_with_booking(*, service_ids: list[Any]) -> dict[str, int]:
    """For /find's cards: which of these listings are sessions with dates to book online,
    as {service id (text): session id}. Two queries whatever the number of cards."""
    from familyreach.delivery.publishing import SOURCE
    from familyreach.directory.models import Service

    if not service_ids:
        return {}
    sessions = {}
    for service_id, reference in Service.objects.filter(
        pk__in=service_ids, source=SOURCE
    ).values_list("id", "source_reference"):
        session_id = _session_id_for_service(reference)
        if session_id is not None:
            sessions[session_id] = str(service_id)
    bookable = set(
        bookable_occurrences(start=timezone.localdate(), days=56)
        .filter(session_id__in=sessions)
        .values_list("session_id", flat=True)
    )
    return {sessions[session_id]: session_id for session_id in bookable}


def booking_get_public(*, reference: str) -> Booking:
    """A booking found by the reference in a family's signed link: what, where and when only
    (the pages that use it show no names or contact details)."""
    booking = (
        Booking.objects.select_related("occurrence__session__venue")
        .filter(reference=reference)
        .first()
    )
    if booking is None:
        raise Http404("No such booking")
    return booking


class HoldNotFound(Exception):
    """No hold has this link (mistyped, or deleted after it lapsed)."""


def booking_hold_get(*, token: str) -> BookingHold:
    """The hold a confirmation link names, with what, where and when (pages that use it show
    nothing the parent typed)."""
    from familyreach.delivery.references import hold_token_hash

    hold = (
        BookingHold.objects.select_related("occurrence__session__venue", "booking")
        .filter(token_hash=hold_token_hash(token))
        .first()
    )
    if hold is None:
        raise HoldNotFound
    return hold
