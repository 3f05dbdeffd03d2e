"""Writes for delivery: sessions and occurrences, bookings and the waiting list, registers,
visits and reminders. One function per state change, atomic, validated and audited."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from familyreach.core.audit import acting_as
from familyreach.delivery import notifications, publishing, references, selectors
from familyreach.delivery.models import (
    Attendance,
    Base,
    Booking,
    BookingChannel,
    BookingHold,
    BookingMode,
    BookingStatus,
    Contact,
    ContactKind,
    Occurrence,
    OccurrenceStatus,
    Recurrence,
    SchoolHoliday,
    Session,
    SessionException,
    Team,
    Visit,
    VisitKind,
    VisitStatus,
)
from familyreach.families.models import Case, Family, FamilySource
from familyreach.families.services import (
    CarerDetails,
    ChildDetails,
    ConsentDetails,
    RegistrationResult,
    family_register,
)
from familyreach.geo.models import Venue, VenueKind

LONDON = ZoneInfo("Europe/London")


# --- Bases and teams -------------------------------------------------------------------------


@transaction.atomic
def base_create(*, user: Any, venue: Venue, name: str = "", is_simulated: bool = False) -> Base:
    if venue.kind != VenueKind.FAMILY_BASE:
        raise ValidationError("A base must be a venue of kind family base.")
    base = Base(
        venue=venue,
        name=name or venue.name,
        is_simulated=is_simulated,
        created_by=user,
        modified_by=user,
    )
    base.full_clean()
    base.save()
    return base


@transaction.atomic
def team_create(*, user: Any, base: Base, name: str, members: list[Any]) -> Team:
    team = Team(base=base, name=name, created_by=user, modified_by=user)
    team.full_clean()
    team.save()
    team.members.set(members)
    return team


# --- Sessions and occurrences ----------------------------------------------------------------


@dataclass(frozen=True)
class SessionDetails:
    title: str
    category: str
    venue: Venue
    capacity: int
    start_date: date
    start_time: time
    end_time: time
    recurrence: str = Recurrence.WEEKLY
    end_date: date | None = None
    term_time_only: bool = False
    booking_mode: str = BookingMode.BOOKED
    age_from_months: int = 0
    age_to_months: int = 60
    description: str = ""
    base: Base | None = None


def session_dates(session: Session, *, until: date) -> list[date]:
    """The dates the session's rule gives up to `until`, without exceptions and (for term-time
    sessions) school holidays."""
    if session.recurrence == Recurrence.ONE_OFF:
        dates = [session.start_date] if session.start_date <= until else []
    else:
        last = min(session.end_date or until, until)
        if last < session.start_date:
            return []
        rule = rrule(
            WEEKLY,
            interval=2 if session.recurrence == Recurrence.FORTNIGHTLY else 1,
            dtstart=datetime.combine(session.start_date, time()),
            until=datetime.combine(last, time()),
        )
        dates = [moment.date() for moment in rule]
    skipped = set(session.exceptions.values_list("date", flat=True))
    if session.term_time_only and dates:
        holidays = list(
            SchoolHoliday.objects.filter(start_date__lte=dates[-1], end_date__gte=dates[0])
        )
        skipped |= {d for d in dates for h in holidays if h.start_date <= d <= h.end_date}
    return [d for d in dates if d not in skipped]


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


@transaction.atomic
def occurrences_generate(*, session: Session, until: date | None = None) -> list[Occurrence]:
    """Create the occurrences the rule gives (idempotent); cancel future ones it no longer
    gives, unless families already booked or attended them (staff decide those)."""
    until = until or timezone.localdate() + timedelta(
        weeks=settings.DELIVERY_OCCURRENCE_WEEKS_AHEAD
    )
    wanted = session_dates(session, until=until)
    existing = {occurrence.date: occurrence for occurrence in session.occurrences.all()}
    created = []
    for day in wanted:
        occurrence = existing.get(day)
        if occurrence is None:
            occurrence = Occurrence(
                session=session,
                date=day,
                starts_at=_moment(day, session.start_time),
                ends_at=_moment(day, session.end_time),
                capacity=session.capacity,
            )
            occurrence.full_clean()
            occurrence.save()
            created.append(occurrence)
        elif occurrence.status == OccurrenceStatus.CANCELLED and session.archived_at is None:
            occurrence.status = OccurrenceStatus.SCHEDULED
            occurrence.save(update_fields=["status", "modified_at"])
    today = timezone.localdate()
    for day, occurrence in existing.items():
        if (
            day not in wanted
            and day >= today
            and occurrence.status == OccurrenceStatus.SCHEDULED
            and not occurrence.bookings.exclude(status=BookingStatus.CANCELLED).exists()
            and not occurrence.attendances.exists()
        ):
            occurrence.status = OccurrenceStatus.CANCELLED
            occurrence.save(update_fields=["status", "modified_at"])
    return created


def occurrences_roll_forward(*, today: date | None = None) -> int:
    """Add the dates of every live recurring session up to DELIVERY_OCCURRENCE_WEEKS_AHEAD
    weeks after `today` (the nightly job; without it a weekly session stops being bookable
    12 weeks after it was last edited). Term-time sessions skip school holidays and exceptions,
    as when they are edited. Idempotent: a second run adds nothing. Returns the dates added.

    One transaction per session, so a long run holds no lock on the rest and one bad session
    does not undo the others' dates."""
    today = today or timezone.localdate()
    until = today + timedelta(weeks=settings.DELIVERY_OCCURRENCE_WEEKS_AHEAD)
    sessions = (
        Session.objects.filter(archived_at=None)
        .exclude(recurrence=Recurrence.ONE_OFF)
        .exclude(end_date__lt=today)
        .prefetch_related("exceptions")
        .order_by("pk")
    )
    added = 0
    for session in sessions:
        added += len(occurrences_generate(session=session, until=until))
    return added


@transaction.atomic
def session_create(
    *,
    user: Any,
    details: SessionDetails,
    staff: list[Any] | None = None,
    volunteers: list[Any] | None = None,
    is_simulated: bool = False,
    generate_until: date | None = None,
) -> Session:
    with acting_as(user):
        session = Session(
            **details.__dict__, is_simulated=is_simulated, created_by=user, modified_by=user
        )
        session.full_clean()
        session.save()
        session.staff.set(staff or [])
        session.volunteers.set(volunteers or [])
        occurrences_generate(session=session, until=generate_until)
        publishing.session_publish(session)
    return session


@transaction.atomic
def session_update(
    *,
    user: Any,
    session: Session,
    details: SessionDetails,
    staff: list[Any],
    volunteers: list[Any],
) -> Session:
    with acting_as(user):
        session = Session.objects.select_for_update().get(pk=session.pk)
        for name, value in details.__dict__.items():
            setattr(session, name, value)
        session.modified_by = user
        session.full_clean()
        session.save()
        session.staff.set(staff)
        session.volunteers.set(volunteers)
        # Future occurrences follow the new times and capacity.
        for occurrence in session.occurrences.filter(date__gte=timezone.localdate()):
            occurrence.starts_at = _moment(occurrence.date, session.start_time)
            occurrence.ends_at = _moment(occurrence.date, session.end_time)
            occurrence.capacity = session.capacity
            occurrence.save()
        occurrences_generate(session=session)
        publishing.session_publish(session)
    return session


@transaction.atomic
def session_exception_add(*, user: Any, session: Session, day: date, reason: str) -> Session:
    with acting_as(user):
        exception = SessionException(
            session=session, date=day, reason=reason, created_by=user, modified_by=user
        )
        exception.full_clean()
        exception.save()
        occurrences_generate(session=session)
        publishing.session_publish(session)
    return session


# --- School holidays --------------------------------------------------------------------------


def _term_time_sessions_regenerate() -> list[Occurrence]:
    """Regenerate every live term-time session after the holidays change; returns the dates
    that fall in a holiday but still run because families booked them (staff decide those)."""
    kept: list[Occurrence] = []
    sessions = Session.objects.filter(term_time_only=True, archived_at=None).prefetch_related(
        "exceptions"
    )
    today = timezone.localdate()
    for session in sessions:
        occurrences_generate(session=session)
        running = list(
            session.occurrences.filter(date__gte=today, status=OccurrenceStatus.SCHEDULED)
        )
        if running:
            wanted = set(session_dates(session, until=running[-1].date))
            kept.extend(occurrence for occurrence in running if occurrence.date not in wanted)
        publishing.session_publish(session)
    return kept


@transaction.atomic
def school_holiday_add(
    *, user: Any, name: str, start_date: date, end_date: date
) -> tuple[SchoolHoliday, list[Occurrence]]:
    """Add a holiday: term-time sessions stop running in it, except dates families already
    booked, which are returned for staff to call off or keep."""
    if end_date < start_date:
        raise ValidationError("The last day must be the same as or after the first day")
    overlapping = SchoolHoliday.objects.filter(start_date__lte=end_date, end_date__gte=start_date)
    if overlapping.exists():
        raise ValidationError(f"These dates overlap {overlapping.first().name}")  # type: ignore[union-attr]
    with acting_as(user):
        holiday = SchoolHoliday(name=name.strip(), start_date=start_date, end_date=end_date)
        holiday.full_clean()
        holiday.save()
        return holiday, _term_time_sessions_regenerate()


@transaction.atomic
def school_holiday_remove(*, user: Any, holiday: SchoolHoliday) -> None:
    """Remove a holiday: term-time sessions run on its dates again (unless a date was called
    off on its own)."""
    with acting_as(user):
        holiday.delete()
        _term_time_sessions_regenerate()


# --- Bookings and the waiting list -----------------------------------------------------------


class BookingRefused(ValidationError):
    """The occurrence cannot take bookings (cancelled, past, drop-in); the message says why."""


def _lock_occurrence(occurrence_id: int) -> Occurrence:
    # The row lock serialises every booking and cancellation of one occurrence (PostgreSQL);
    # SQLite runs transactions IMMEDIATE (settings), which serialises all writers.
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("session")
        .get(pk=occurrence_id)
    )


ALREADY_BOOKED = "{name} already has a place at this session on this date"


def _check_bookable(occurrence: Occurrence) -> None:
    if occurrence.status == OccurrenceStatus.CANCELLED:
        raise BookingRefused("This session has been cancelled.")
    if occurrence.session.booking_mode == BookingMode.DROP_IN:
        raise BookingRefused("This is a drop-in session: no booking is needed.")
    if occurrence.ends_at <= timezone.now():
        raise BookingRefused("This session has already happened.")


def _places_taken(
    occurrence: Occurrence, *, now: datetime, excluding_hold_id: int | None = None
) -> int:
    """Confirmed bookings plus places held for parents still to confirm (holds made while a
    place was free, not yet confirmed or lapsed). Read under the occurrence lock."""
    held = BookingHold.objects.filter(
        occurrence=occurrence, holds_place=True, confirmed_at=None, expires_at__gt=now
    )
    if excluding_hold_id is not None:
        held = held.exclude(pk=excluding_hold_id)
    return occurrence.bookings.filter(status=BookingStatus.CONFIRMED).count() + held.count()


def _months_between(born: date, on: date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def _family_child_key(family: Family, occurrence: Occurrence) -> str:
    """The child a staff booking is for: staff book a family, so we take the youngest child of
    an age the session is for (the one most under-fives sessions are about). A family with no
    such child books without a child key; the family-level rule still applies."""
    session = occurrence.session
    fitting = []
    for child in family.children.all():
        born_or_due = child.date_of_birth or child.expected_due_date
        if born_or_due is None:
            continue
        months = max(_months_between(born_or_due, occurrence.date), 0)
        if session.age_from_months <= months <= session.age_to_months:
            fitting.append((born_or_due, child))
    if not fitting:
        return ""
    born_or_due, child = max(fitting, key=lambda pair: pair[0])
    return references.child_key(
        first_name=child.first_name, born_or_due=born_or_due, postcode=family.postcode
    )


@transaction.atomic
def booking_create(
    *,
    user: Any,
    occurrence_id: int,
    family: Family,
    channel: str = BookingChannel.STAFF,
    child_key: str | None = None,
    child_name: str = "",
    hold_id: int | None = None,
) -> Booking:
    """Book a family a place, or put it on the waiting list when the occurrence is full.

    Counting happens while the occurrence row is locked, so places are never overbooked
    however many people book the last place at the same moment. Places held for parents
    confirming online (`BookingHold`) count as taken, except the one held by `hold_id`, the
    hold this booking confirms. Booking twice returns the family's existing booking. The same
    child (`child_key`; worked out from the family's children when not given) cannot hold two
    live bookings at one occurrence: refused here with a message, and by a unique constraint
    should two requests ever pass this check.
    """
    with acting_as(user):
        occurrence = _lock_occurrence(occurrence_id)
        _check_bookable(occurrence)
        # Read the family's state afresh: it may have been merged or erased since it was loaded.
        if not Family.objects.filter(pk=family.pk, archived_at=None, anonymised_at=None).exists():
            raise BookingRefused("This family's record is closed.")
        existing = (
            occurrence.bookings.filter(family=family)
            .exclude(status=BookingStatus.CANCELLED)
            .first()
        )
        if existing is not None:
            return existing
        if child_key is None:
            child_key = _family_child_key(family, occurrence)
        already = ALREADY_BOOKED.format(name=child_name.strip() or "Your child")
        if (
            child_key
            and occurrence.bookings.filter(child_key=child_key)
            .exclude(status=BookingStatus.CANCELLED)
            .exists()
        ):
            raise BookingRefused(already)
        now = timezone.now()
        # A place freed by a lapsed hold goes to the waiting list first, not to whoever books next.
        _promote_waiting(user=user, occurrence=occurrence)
        has_place = (
            _places_taken(occurrence, now=now, excluding_hold_id=hold_id) < occurrence.capacity
        )
        booking = Booking(
            occurrence=occurrence,
            family=family,
            channel=channel,
            child_key=child_key,
            status=BookingStatus.CONFIRMED if has_place else BookingStatus.WAITING,
            confirmed_at=now if has_place else None,
            waiting_since=None if has_place else now,
            created_by=user,
            modified_by=user,
        )
        # Uniqueness is left to the database here: the checks above ran under the lock, and
        # a constraint is the only check that holds whatever else is writing.
        booking.full_clean(validate_unique=False, validate_constraints=False)
        while True:
            try:
                with transaction.atomic():
                    booking.save()
                break
            except IntegrityError as error:
                if Booking.objects.filter(reference=booking.reference).exists():
                    booking.reference = references.new_booking_reference()  # a rare clash
                    continue
                # Only reachable if the occurrence lock were bypassed: the constraint is the
                # backstop, and the family gets the same plain message.
                raise BookingRefused(already) from error
        notifications.booking_made(booking)
    return booking


@transaction.atomic
def booking_cancel(*, user: Any, booking: Booking) -> list[Booking]:
    """Cancel a booking; if it held a place, promote the waiting list in order into the free
    places. Returns the bookings promoted."""
    with acting_as(user):
        occurrence = _lock_occurrence(booking.occurrence_id)
        booking = Booking.objects.get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            raise ValidationError("This booking is already cancelled.")
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.modified_by = user
        booking.save()
        return _promote_waiting(user=user, occurrence=occurrence)


@transaction.atomic
def booking_cancel_by_family(*, reference: str) -> Booking:
    """The family cancels from the link in their confirmation (no sign-in: the signed link is
    the proof). Frees the place for the waiting list. A session that has started cannot be
    cancelled this way: the register is being taken."""
    booking = Booking.objects.select_related("occurrence").filter(reference=reference).first()
    if booking is None:
        raise ValidationError("We cannot find that booking.")
    if booking.occurrence.starts_at <= timezone.now():
        raise ValidationError("This session has started, so the booking cannot be cancelled.")
    booking_cancel(user=None, booking=booking)
    notifications.booking_cancelled(Booking.objects.get(pk=booking.pk))
    return booking


def _promote_waiting(*, user: Any, occurrence: Occurrence) -> list[Booking]:
    """Fill free places from the waiting list, first come first served. Caller holds the lock.
    A place held for a parent confirming online is not free until the hold lapses."""
    free = max(occurrence.capacity - _places_taken(occurrence, now=timezone.now()), 0)
    if not free:
        return []
    promoted = []
    waiting = occurrence.bookings.filter(status=BookingStatus.WAITING).order_by(
        "waiting_since", "id"
    )
    for waiting_booking in waiting[:free]:
        waiting_booking.status = BookingStatus.CONFIRMED
        waiting_booking.confirmed_at = timezone.now()
        waiting_booking.modified_by = user
        waiting_booking.save()
        notifications.booking_promoted(waiting_booking)
        promoted.append(waiting_booking)
    return promoted


@transaction.atomic
def occurrence_change_capacity(*, user: Any, occurrence: Occurrence, capacity: int) -> Occurrence:
    """More places promote the waiting list; fewer places never remove a confirmed booking."""
    with acting_as(user):
        occurrence = _lock_occurrence(occurrence.pk)
        occurrence.capacity = capacity
        occurrence.modified_by = user
        occurrence.full_clean()
        occurrence.save()
        _promote_waiting(user=user, occurrence=occurrence)
    return occurrence


@transaction.atomic
def occurrence_cancel(*, user: Any, occurrence: Occurrence, reason: str) -> list[Booking]:
    """Call off one date of a session (staff ill, venue closed at short notice): the date is
    marked as not running, so regenerating the timetable never brings it back; every booking
    and waiting-list place is cancelled and each family that agreed to be contacted is told
    why, after the transaction commits; the public listing is republished without the date.
    Returns the bookings cancelled."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Enter the reason: families are told why the session is off")
    with acting_as(user):
        occurrence = _lock_occurrence(occurrence.pk)
        if occurrence.status == OccurrenceStatus.CANCELLED:
            raise ValidationError("This session date is already cancelled.")
        if occurrence.register_is_closed:
            raise ValidationError("The register for this date is closed: it took place.")
        if occurrence.starts_at <= timezone.now():
            raise ValidationError(
                "This session date has started or is over: it cannot be called off."
            )
        session = occurrence.session
        if not SessionException.objects.filter(session=session, date=occurrence.date).exists():
            exception = SessionException(
                session=session,
                date=occurrence.date,
                reason=reason,
                created_by=user,
                modified_by=user,
            )
            exception.full_clean()
            exception.save()
        occurrence.status = OccurrenceStatus.CANCELLED
        occurrence.modified_by = user
        occurrence.save()
        cancelled = list(
            occurrence.bookings.exclude(status=BookingStatus.CANCELLED).select_related("family")
        )
        now = timezone.now()
        for booking in cancelled:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            booking.modified_by = user
            booking.save()
            notifications.occurrence_cancelled(booking, reason=reason)
        publishing.session_publish(session)
    return cancelled


@dataclass(frozen=True)
class OnlineBookingDetails:
    carer_first_name: str
    carer_last_name: str
    email: str
    phone: str
    postcode: str
    child_first_name: str
    child_date_of_birth: date | None
    expected_due_date: date | None
    remind_by_email: bool
    remind_by_text: bool


@transaction.atomic
def booking_create_online(
    *, occurrence_id: int, details: OnlineBookingDetails, hold_id: int | None = None
) -> Booking:
    """Register the family who booked online and book: called when the parent confirms
    (`booking_hold_confirm`, with the hold whose place it takes); the public form itself only
    creates a hold, so a post that is never confirmed leaves no family record.

    Families never sign in, so an online booking always registers a new household; if it looks
    like one we know, it is flagged for staff to review and merge (never merged silently, and
    nothing about the existing family is shown to the public).
    """
    given_by = f"{details.carer_first_name} {details.carer_last_name}".strip()
    consents = [
        ConsentDetails(
            purpose="keep_record", lawful_basis="public_task", given_by=given_by, method="online"
        )
    ]
    if details.remind_by_email:
        consents.append(
            ConsentDetails(
                purpose="contact_by_email",
                lawful_basis="consent",
                given_by=given_by,
                method="online",
            )
        )
    if details.remind_by_text:
        consents.append(
            ConsentDetails(
                purpose="contact_by_text",
                lawful_basis="consent",
                given_by=given_by,
                method="online",
            )
        )
    result: RegistrationResult = family_register(
        user=None,
        carers=[
            CarerDetails(
                first_name=details.carer_first_name,
                last_name=details.carer_last_name,
                email=details.email,
                phone=details.phone,
            )
        ],
        children=[
            ChildDetails(
                first_name=details.child_first_name,
                last_name=details.carer_last_name,
                date_of_birth=details.child_date_of_birth,
                expected_due_date=details.expected_due_date,
            )
        ],
        postcode=details.postcode,
        consents=consents,
        source=FamilySource.ONLINE,
    )
    return booking_create(
        user=None,
        occurrence_id=occurrence_id,
        family=result.family,
        channel=BookingChannel.ONLINE,
        child_key=references.child_key(
            first_name=details.child_first_name,
            born_or_due=details.child_date_of_birth or details.expected_due_date,
            postcode=result.family.postcode,
        ),
        child_name=details.child_first_name,
        hold_id=hold_id,
    )


# --- Online bookings held until the parent confirms ------------------------------------------


class HoldExpired(ValidationError):
    """The hold lapsed before the parent confirmed: nothing was booked."""


@dataclass(frozen=True)
class HoldMade:
    hold: BookingHold
    token: str  # the secret in the link; only its hash is stored
    sent_by: str  # "email" or "text": where the link went


HOLD_PERSONAL_FIELDS = (
    "carer_first_name",
    "carer_last_name",
    "email",
    "phone",
    "postcode",
    "child_first_name",
    "child_date_of_birth",
    "expected_due_date",
)


@transaction.atomic
def booking_hold_create(*, occurrence_id: int, details: OnlineBookingDetails) -> HoldMade:
    """The public booking form was posted: hold a place (if one is free) for
    FAMILYREACH_BOOKING_HOLD_MINUTES and send the parent a link to confirm it, by email when
    they gave one, else by text. No family record is created until they confirm.

    Refused at once, with the form's message, when the session cannot be booked or the child
    already has a place. A second post for the same child replaces the first hold (a parent
    who mistyped their email address tries again without waiting for the first to lapse)."""
    if not details.email and not details.phone:
        raise ValidationError(
            "Enter your email address or mobile number so we can send you a link to confirm"
        )
    occurrence = _lock_occurrence(occurrence_id)
    _check_bookable(occurrence)
    now = timezone.now()
    child_key = references.child_key(
        first_name=details.child_first_name,
        born_or_due=details.child_date_of_birth or details.expected_due_date,
        postcode=details.postcode,
    )
    if child_key:
        if (
            occurrence.bookings.filter(child_key=child_key)
            .exclude(status=BookingStatus.CANCELLED)
            .exists()
        ):
            raise BookingRefused(
                ALREADY_BOOKED.format(name=details.child_first_name.strip() or "Your child")
            )
        occurrence.holds.filter(child_key=child_key, confirmed_at=None, expires_at__gt=now).update(
            expires_at=now
        )
    _promote_waiting(user=None, occurrence=occurrence)
    token = secrets.token_urlsafe(32)
    hold = BookingHold(
        occurrence=occurrence,
        token_hash=references.hold_token_hash(token),
        holds_place=_places_taken(occurrence, now=now) < occurrence.capacity,
        expires_at=now + timedelta(minutes=settings.FAMILYREACH_BOOKING_HOLD_MINUTES),
        child_key=child_key,
        carer_first_name=details.carer_first_name,
        carer_last_name=details.carer_last_name,
        email=details.email,
        phone=details.phone,
        postcode=details.postcode,
        child_first_name=details.child_first_name,
        child_date_of_birth=details.child_date_of_birth,
        expected_due_date=details.expected_due_date,
        remind_by_email=details.remind_by_email,
        remind_by_text=details.remind_by_text,
    )
    hold.full_clean()
    hold.save()
    sent_by = notifications.booking_hold_made(hold, token=token)
    return HoldMade(hold=hold, token=token, sent_by=sent_by)


def _hold_details(hold: BookingHold) -> OnlineBookingDetails:
    return OnlineBookingDetails(
        carer_first_name=hold.carer_first_name,
        carer_last_name=hold.carer_last_name,
        email=hold.email,
        phone=hold.phone,
        postcode=hold.postcode,
        child_first_name=hold.child_first_name,
        child_date_of_birth=hold.child_date_of_birth,
        expected_due_date=hold.expected_due_date,
        remind_by_email=hold.remind_by_email,
        remind_by_text=hold.remind_by_text,
    )


@transaction.atomic
def booking_hold_confirm(*, token: str) -> Booking:
    """The parent followed the link: register the family and book (a place if the hold kept
    one, or one has come free; else the waiting list). Then and only then a family record
    exists. The hold keeps no personal data afterwards. Following the link again returns the
    same booking; a lapsed hold is refused (`HoldExpired`), and nothing is booked."""
    found = selectors.booking_hold_get(token=token)
    # The occurrence first, as every booking does, then the hold: two clicks on one link (or
    # a click racing the purge) are serialised here.
    _lock_occurrence(found.occurrence_id)
    hold = (
        BookingHold.objects.select_for_update(of=("self",))
        .select_related("booking")
        .get(pk=found.pk)
    )
    if hold.confirmed_at is not None and hold.booking is not None:
        return hold.booking
    now = timezone.now()
    if hold.confirmed_at is not None or hold.expires_at <= now:
        raise HoldExpired(
            "This link has expired: we held the place for "
            f"{settings.FAMILYREACH_BOOKING_HOLD_MINUTES} minutes. Nothing has been booked."
        )
    booking = booking_create_online(
        occurrence_id=hold.occurrence_id, details=_hold_details(hold), hold_id=hold.pk
    )
    hold.confirmed_at = now
    hold.booking = booking
    for name in HOLD_PERSONAL_FIELDS:
        setattr(hold, name, None if name in ("child_date_of_birth", "expected_due_date") else "")
    hold.save()
    return booking


def booking_holds_purge(*, now: datetime | None = None) -> int:
    """Delete lapsed holds, confirmed or not (what an unconfirmed one held about a family goes
    with it), and give the places they kept to waiting lists. Capacity counting already
    ignores lapsed holds; this removes the data and keeps the queue moving. One transaction
    per occurrence. Returns the holds deleted."""
    now = now or timezone.now()
    lapsed = BookingHold.objects.filter(expires_at__lte=now)
    freed = set(
        lapsed.filter(holds_place=True, confirmed_at=None, occurrence__starts_at__gt=now)
        .values_list("occurrence_id", flat=True)
        .distinct()
    )
    for occurrence_id in sorted(freed):
        with transaction.atomic():
            occurrence = _lock_occurrence(occurrence_id)
            if occurrence.status == OccurrenceStatus.SCHEDULED:
                _promote_waiting(user=None, occurrence=occurrence)
    deleted, _by_model = BookingHold.objects.filter(expires_at__lte=now).delete()
    return deleted


# --- Registers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    family_id: int
    present: bool
    adults: int = 1
    children: int = 1


def _open_register(occurrence_id: int) -> Occurrence:
    occurrence = _lock_occurrence(occurrence_id)
    if occurrence.register_is_closed:
        raise ValidationError("The register is closed.")
    return occurrence


@transaction.atomic
def register_update(*, user: Any, occurrence: Occurrence, entries: list[RegisterEntry]) -> None:
    """Tick (or untick) families on the register with adults and children counted apart."""
    with acting_as(user):
        occurrence = _open_register(occurrence.pk)
        for entry in entries:
            if entry.adults < 0 or entry.children < 0:
                raise ValidationError("Numbers of adults and children cannot be negative.")
            if entry.present and entry.adults + entry.children == 0:
                raise ValidationError("A family that attended has at least one person.")
            attendance = Attendance.objects.filter(
                occurrence=occurrence, family_id=entry.family_id
            ).first()
            if not entry.present:
                if attendance is not None:
                    attendance.delete()
                continue
            if attendance is None:
                attendance = Attendance(
                    occurrence=occurrence, family_id=entry.family_id, created_by=user
                )
            attendance.adults = entry.adults
            attendance.children = entry.children
            attendance.modified_by = user
            attendance.full_clean()
            attendance.save()


@transaction.atomic
def register_add_walk_in(
    *,
    user: Any,
    occurrence: Occurrence,
    carer: CarerDetails,
    child: ChildDetails,
    postcode: str,
    adults: int,
    children: int,
    consent_method: str = "verbal",
) -> RegistrationResult:
    """A family new to us walks in: quick registration, then ticked as attending."""
    with acting_as(user):
        occurrence = _open_register(occurrence.pk)
        given_by = f"{carer.first_name} {carer.last_name}".strip()
        result = family_register(
            user=user,
            carers=[carer],
            children=[child],
            postcode=postcode,
            source=FamilySource.WALK_IN,
            consents=[
                ConsentDetails(
                    purpose="keep_record",
                    lawful_basis="public_task",
                    given_by=given_by,
                    method=consent_method,
                )
            ],
        )
        attendance = Attendance(
            occurrence=occurrence,
            family=result.family,
            adults=adults,
            children=children,
            is_walk_in=True,
            created_by=user,
            modified_by=user,
        )
        attendance.full_clean()
        attendance.save()
    return result


@transaction.atomic
def register_close(*, user: Any, occurrence: Occurrence) -> list[Contact]:
    """Close the register: one contact per attending family (the record reach is counted
    from), with the family's area at the time. Closing twice is refused, and so is closing
    before the session starts (nobody can have attended yet)."""
    with acting_as(user):
        occurrence = _open_register(occurrence.pk)
        if timezone.now() < occurrence.starts_at:
            raise ValidationError(
                "The register can be closed from the start of the session, "
                f"{timezone.localtime(occurrence.starts_at):%-d %B at %H:%M}."
            )
        contacts = []
        attendances = occurrence.attendances.select_related("family")
        for attendance in attendances:
            family = attendance.family
            contact, _created = Contact.objects.get_or_create(
                family=family,
                occurrence=occurrence,
                defaults={
                    "date": occurrence.date,
                    "kind": ContactKind.SESSION_ATTENDANCE,
                    "worker": user,
                    "venue": occurrence.session.venue,
                    "area": family.area,
                    "district": family.district,
                    "adults": attendance.adults,
                    "children": attendance.children,
                    "is_simulated": occurrence.session.is_simulated,
                    "created_by": user,
                    "modified_by": user,
                },
            )
            contacts.append(contact)
        occurrence.register_closed_at = timezone.now()
        occurrence.register_closed_by = user
        occurrence.modified_by = user
        occurrence.save()
    return contacts


def register_can_reopen(occurrence: Occurrence, *, now: datetime | None = None) -> bool:
    """A closed register can be reopened on the day it was closed (Europe/London).

    Why the same day: a worker who closed too early or missed a family puts it right while the
    session is fresh, but the contacts a closed register records feed the reach figures and
    the monthly returns the nightly jobs build; after the day ends those may have been
    counted and sent, and changing them then would make published figures disagree.
    Later corrections go through a manager on the family's record instead.
    """
    if occurrence.register_closed_at is None:
        return False
    now = now or timezone.now()
    return (
        timezone.localtime(occurrence.register_closed_at).date() == timezone.localtime(now).date()
    )


@transaction.atomic
def register_reopen(*, user: Any, occurrence: Occurrence) -> int:
    """Undo closing the register (same day only, see `register_can_reopen`): the contacts the
    close recorded are removed, and the register can be changed and closed again. Returns how
    many contacts were removed."""
    with acting_as(user):
        occurrence = _lock_occurrence(occurrence.pk)
        if occurrence.register_closed_at is None:
            raise ValidationError("The register is open.")
        if not register_can_reopen(occurrence):
            raise ValidationError(
                "The register was closed on an earlier day and can no longer be reopened."
            )
        contacts = Contact.objects.filter(
            occurrence=occurrence, kind=ContactKind.SESSION_ATTENDANCE
        )
        removed = 0
        for contact in contacts:
            # One by one, so each removal is an audited write.
            contact.delete()
            removed += 1
        occurrence.register_closed_at = None
        occurrence.register_closed_by = None
        occurrence.modified_by = user
        occurrence.save()
    return removed


# --- Home visits and one-to-one work ---------------------------------------------------------


@transaction.atomic
def visit_schedule(
    *,
    user: Any,
    family: Family,
    worker: Any,
    kind: str,
    scheduled_at: datetime,
    purpose: str = "",
    venue: Venue | None = None,
) -> Visit:
    with acting_as(user):
        if family.is_archived or family.is_anonymised:
            raise ValidationError("This family's record is closed.")
        visit = Visit(
            family=family,
            worker=worker,
            kind=kind,
            scheduled_at=scheduled_at,
            purpose=purpose,
            venue=venue,
            created_by=user,
            modified_by=user,
        )
        visit.full_clean()
        visit.save()
    return visit


CONTACT_KIND_FOR_VISIT = {
    VisitKind.HOME_VISIT: ContactKind.HOME_VISIT,
    VisitKind.ONE_TO_ONE: ContactKind.ONE_TO_ONE,
    VisitKind.PHONE: ContactKind.PHONE,
}


@transaction.atomic
def visit_record(
    *,
    user: Any,
    visit: Visit,
    status: str,
    outcome_notes: str,
    next_action: str = "",
    next_action_due: date | None = None,
) -> Visit:
    """Record what happened. A completed visit is a contact; the worker's case for the family
    takes the next action."""
    if status == VisitStatus.SCHEDULED:
        raise ValidationError("Choose what happened.")
    with acting_as(user):
        visit = Visit.objects.select_for_update().select_related("family").get(pk=visit.pk)
        visit.status = status
        visit.outcome_notes = outcome_notes
        visit.recorded_at = timezone.now()
        visit.modified_by = user
        visit.full_clean()
        visit.save()
        if status == VisitStatus.COMPLETED:
            Contact.objects.get_or_create(
                family=visit.family,
                visit=visit,
                defaults={
                    "date": visit.date,
                    "kind": CONTACT_KIND_FOR_VISIT[VisitKind(visit.kind)],
                    "worker": visit.worker,
                    "venue": visit.venue,
                    "area": visit.family.area,
                    "district": visit.family.district,
                    "adults": 1,
                    "children": 0,
                    "created_by": user,
                    "modified_by": user,
                },
            )
        if next_action:
            case = Case.objects.filter(
                family=visit.family, worker=visit.worker, closed_on=None
            ).first()
            if case is not None:
                case.next_action = next_action
                case.next_action_due = next_action_due
                case.modified_by = user
                case.save()
    return visit


# --- Reminders -------------------------------------------------------------------------------


@transaction.atomic
def booking_reminders_send(*, on: date) -> int:
    """Remind families booked for `on` (once each), only where they consented to reminders."""
    bookings = (
        Booking.objects.select_for_update(of=("self",))
        .filter(
            occurrence__date=on,
            occurrence__status=OccurrenceStatus.SCHEDULED,
            status=BookingStatus.CONFIRMED,
            reminder_sent_at=None,
        )
        .select_related("occurrence__session__venue", "family")
    )
    sent = 0
    for booking in bookings:
        if notifications.booking_reminder(booking):
            booking.reminder_sent_at = timezone.now()
            booking.save(update_fields=["reminder_sent_at", "modified_at"])
            sent += 1
    return sent
