"""Occurrences from rules, bookings and the waiting list, registers, visits and reminders."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.delivery.models import (
    Booking,
    BookingStatus,
    Contact,
    ContactKind,
    Occurrence,
    OccurrenceStatus,
    SchoolHoliday,
    Session,
    VisitStatus,
)
from familyreach.delivery.services import (
    BookingRefused,
    RegisterEntry,
    SessionDetails,
    booking_cancel,
    booking_create,
    booking_reminders_send,
    occurrence_change_capacity,
    register_add_walk_in,
    register_close,
    register_update,
    session_create,
    session_dates,
    session_exception_add,
    visit_record,
    visit_schedule,
)
from familyreach.families.models import Family
from familyreach.families.services import CarerDetails, ChildDetails, ConsentDetails, case_open
from familyreach.geo.models import Area, Venue
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db


def _session(venue: Venue, **changes: object) -> Session:
    details = {
        "title": "Stay and play",
        "category": "stay_and_play",
        "venue": venue,
        "capacity": 10,
        "start_date": date(2027, 1, 4),  # a Monday
        "end_date": date(2027, 2, 28),
        "start_time": time(9, 30),
        "end_time": time(11),
        **changes,
    }
    # Dates are made to the session's end; an open-ended one gets them to 31 March 2027 (what
    # the tests pinned to December 2026 count on), or to its start if that is later. A fixed
    # 31 March 2027 left sessions starting after it with no dates at all.
    start, end = details["start_date"], details["end_date"]
    until = end or max(start, date(2027, 3, 31))  # type: ignore[type-var]
    return session_create(user=None, details=SessionDetails(**details), generate_until=until)  # type: ignore[arg-type]


# Its sessions run January to March 2027 and are made as a worker would make them, before they
# start: the test is pinned to 1 December 2026 so that it means the same after those dates pass.
@time_machine.travel("2026-12-01T10:00:00+00:00", tick=False)
def test_weekly_fortnightly_term_time_and_exceptions(yarmouth_library: Venue) -> None:
    weekly = _session(yarmouth_library)
    assert len(session_dates(weekly, until=date(2027, 3, 31))) == 8
    fortnightly = _session(yarmouth_library, recurrence="fortnightly")
    assert [d.isoformat() for d in session_dates(fortnightly, until=date(2027, 2, 1))] == [
        "2027-01-04",
        "2027-01-18",
        "2027-02-01",
    ]
    SchoolHoliday.objects.create(
        name="February half term", start_date=date(2027, 2, 15), end_date=date(2027, 2, 19)
    )
    term_time = _session(yarmouth_library, term_time_only=True)
    assert date(2027, 2, 15) not in session_dates(term_time, until=date(2027, 3, 31))
    assert date(2027, 2, 15) in session_dates(weekly, until=date(2027, 3, 31))
    session_exception_add(user=None, session=weekly, day=date(2027, 1, 11), reason="Closed")
    assert weekly.occurrences.get(date=date(2027, 1, 11)).status == OccurrenceStatus.CANCELLED
    one_off = _session(yarmouth_library, recurrence="one_off", end_date=None)
    occurrence = one_off.occurrences.get()
    assert occurrence.starts_at == datetime(2027, 1, 4, 9, 30, tzinfo=ZoneInfo("Europe/London"))


def test_waiting_list_promotes_in_order(
    next_occurrence: Occurrence, register_family: Callable[..., Family], yarmouth_area: Area
) -> None:
    families = [register_family(f"Carer{i}", child=f"Child{i}") for i in range(6)]
    bookings = [
        booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
        for family in families
    ]
    assert [b.status for b in bookings] == ["confirmed"] * 3 + ["waiting"] * 3
    # Booking again returns the same booking.
    assert (
        booking_create(user=None, occurrence_id=next_occurrence.pk, family=families[4])
        == (bookings[4])
    )
    promoted = booking_cancel(user=None, booking=bookings[1])
    assert promoted == [bookings[3]]
    booking_cancel(user=None, booking=bookings[0])
    bookings[4].refresh_from_db()
    bookings[5].refresh_from_db()
    assert bookings[4].status == BookingStatus.CONFIRMED
    assert bookings[5].status == BookingStatus.WAITING
    # Cancelling a waiting booking promotes nobody.
    assert booking_cancel(user=None, booking=bookings[5]) == []
    # More places promote too.
    later = register_family("Late", child="Lou")
    assert booking_create(user=None, occurrence_id=next_occurrence.pk, family=later).status == (
        "waiting"
    )
    occurrence_change_capacity(user=None, occurrence=next_occurrence, capacity=4)
    assert Booking.objects.get(family=later).status == BookingStatus.CONFIRMED
    assert (
        Booking.objects.filter(occurrence=next_occurrence, status="confirmed").count()
        == next_occurrence.capacity + 1
    )


def test_bookings_refused_for_past_and_drop_in(
    past_occurrence: Occurrence, yarmouth_family: Family, yarmouth_library: Venue
) -> None:
    with pytest.raises(BookingRefused, match="already happened"):
        booking_create(user=None, occurrence_id=past_occurrence.pk, family=yarmouth_family)
    tomorrow = timezone.localdate() + timedelta(days=1)
    drop_in = _session(
        yarmouth_library,
        booking_mode="drop_in",
        recurrence="one_off",
        start_date=tomorrow,
        end_date=None,
    )
    drop_in_occurrence = drop_in.occurrences.get()
    with pytest.raises(BookingRefused, match="drop-in"):
        booking_create(user=None, occurrence_id=drop_in_occurrence.pk, family=yarmouth_family)


def test_register_closes_as_one_contact_per_family(
    past_occurrence: Occurrence,
    yarmouth_family: Family,
    norwich_family: Family,
    family_worker: User,
) -> None:
    register_update(
        user=family_worker,
        occurrence=past_occurrence,
        entries=[
            RegisterEntry(family_id=yarmouth_family.pk, present=True, adults=2, children=3),
            RegisterEntry(family_id=norwich_family.pk, present=True),
        ],
    )
    # Ticking again (and unticking one) leaves one attendance per family.
    register_update(
        user=family_worker,
        occurrence=past_occurrence,
        entries=[
            RegisterEntry(family_id=yarmouth_family.pk, present=True, adults=1, children=2),
            RegisterEntry(family_id=norwich_family.pk, present=False),
        ],
    )
    walk_in = register_add_walk_in(
        user=family_worker,
        occurrence=past_occurrence,
        carer=CarerDetails(first_name="Wendy"),
        child=ChildDetails(first_name="Will", date_of_birth=date(2025, 6, 1)),
        postcode="NR2 4AB",
        adults=1,
        children=1,
    )
    assert walk_in.family.source == "walk_in"
    assert walk_in.family.consents.get().purpose == "keep_record"
    contacts = register_close(user=family_worker, occurrence=past_occurrence)
    assert {c.family for c in contacts} == {yarmouth_family, walk_in.family}
    contact = Contact.objects.get(family=yarmouth_family)
    assert contact.kind == ContactKind.SESSION_ATTENDANCE
    assert contact.area == yarmouth_family.area
    assert contact.venue == past_occurrence.session.venue
    assert (contact.adults, contact.children) == (1, 2)
    assert contact.worker == family_worker
    with pytest.raises(ValidationError, match="closed"):
        register_close(user=family_worker, occurrence=past_occurrence)
    with pytest.raises(ValidationError, match="closed"):
        register_update(user=family_worker, occurrence=past_occurrence, entries=[])
    assert Contact.objects.filter(occurrence=past_occurrence).count() == 2


def test_visit_recorded_as_a_contact_and_next_action(
    yarmouth_family: Family, family_worker: User
) -> None:
    case = case_open(user=family_worker, family=yarmouth_family, worker=family_worker)
    visit = visit_schedule(
        user=family_worker,
        family=yarmouth_family,
        worker=family_worker,
        kind="home_visit",
        scheduled_at=timezone.now(),
        purpose="Check in after the birth",
    )
    visit_record(
        user=family_worker,
        visit=visit,
        status=VisitStatus.COMPLETED,
        outcome_notes="All well; referred to infant feeding group.",
        next_action="Phone in two weeks",
        next_action_due=timezone.localdate() + timedelta(days=14),
    )
    contact = Contact.objects.get(visit=visit)
    assert contact.kind == ContactKind.HOME_VISIT
    assert contact.area == yarmouth_family.area
    case.refresh_from_db()
    assert case.next_action == "Phone in two weeks"
    with pytest.raises(ValidationError):
        visit_record(user=family_worker, visit=visit, status="scheduled", outcome_notes="")


@pytest.mark.django_db(transaction=True)
def test_reminders_go_only_to_families_who_consented(
    next_occurrence: Occurrence, register_family: Callable[..., Family], yarmouth_area: Area
) -> None:
    consenting = register_family(
        "Cara",
        child="Cal",
        email="cara@example.org",
        phone="07700900111",
        consents=[
            ConsentDetails(
                purpose="contact_by_email", lawful_basis="consent", given_by="Cara", method="online"
            )
        ],
    )
    silent = register_family("Sid", child="Sam", email="sid@example.org")
    forget_stored_messages()
    booking_create(user=None, occurrence_id=next_occurrence.pk, family=consenting)
    booking_create(user=None, occurrence_id=next_occurrence.pk, family=silent)
    assert [m.to for m in stored_messages()] == ["cara@example.org"]
    assert "booked" in stored_messages()[0].body
    forget_stored_messages()
    assert booking_reminders_send(on=next_occurrence.date) == 1
    assert booking_reminders_send(on=next_occurrence.date) == 0  # once only
    assert [m.to for m in stored_messages()] == ["cara@example.org"]
    assert "Reminder" in stored_messages()[0].subject


@pytest.mark.django_db(transaction=True)
def test_send_reminders_command(
    next_occurrence: Occurrence, register_family: Callable[..., Family], yarmouth_area: Area
) -> None:
    from io import StringIO

    from django.core.management import call_command

    family = register_family(
        "Rita",
        child="Rob",
        phone="07700900222",
        consents=[
            ConsentDetails(
                purpose="contact_by_text", lawful_basis="consent", given_by="Rita", method="phone"
            )
        ],
    )
    booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
    forget_stored_messages()
    out = StringIO()
    call_command("delivery_send_reminders", "--date", next_occurrence.date.isoformat(), stdout=out)
    assert "Sent 1 reminders" in out.getvalue()
    assert [(m.channel, m.to) for m in stored_messages()] == [("text", "07700900222")]


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_date_cancels_its_bookings_tells_consenting_families_and_stays_off(
    next_occurrence: Occurrence, register_family: Callable[..., Family], yarmouth_area: Area
) -> None:
    from familyreach.delivery.services import occurrence_cancel, occurrences_generate
    from familyreach.directory.models import Service

    told = register_family(
        "Tia",
        child="Tom",
        email="tia@example.org",
        consents=[
            ConsentDetails(
                purpose="contact_by_email", lawful_basis="consent", given_by="Tia", method="online"
            )
        ],
    )
    families = [told] + [register_family(f"P{i}", child=f"C{i}") for i in range(3)]
    for family in families:
        booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
    assert next_occurrence.bookings.filter(status="waiting").count() == 1
    forget_stored_messages()
    with pytest.raises(ValidationError, match="Enter the reason"):
        occurrence_cancel(user=None, occurrence=next_occurrence, reason="  ")
    cancelled = occurrence_cancel(
        user=None, occurrence=next_occurrence, reason="the hall is flooded"
    )
    assert len(cancelled) == 4  # three places and the waiting list
    next_occurrence.refresh_from_db()
    assert next_occurrence.status == OccurrenceStatus.CANCELLED
    assert not next_occurrence.bookings.exclude(status="cancelled").exists()
    # Only the family that agreed to email is told, once, with the reason.
    assert [m.to for m in stored_messages()] == ["tia@example.org"]
    assert "the hall is flooded" in stored_messages()[0].body
    # Regenerating the timetable does not bring the date back.
    occurrences_generate(session=next_occurrence.session)
    next_occurrence.refresh_from_db()
    assert next_occurrence.status == OccurrenceStatus.CANCELLED
    # The public listing says the date is off, without the internal reason.
    listing = Service.objects.get(source_reference=f"session-{next_occurrence.session_id}")
    schedule_text = " ".join(s.description for s in listing.schedules.all())
    assert f"{next_occurrence.date:%-d %B %Y}" in schedule_text
    assert "flooded" not in schedule_text
    with pytest.raises(ValidationError, match="already cancelled"):
        occurrence_cancel(user=None, occurrence=next_occurrence, reason="again")


def test_a_date_that_took_place_cannot_be_called_off(past_occurrence: Occurrence) -> None:
    from familyreach.delivery.services import occurrence_cancel

    with pytest.raises(ValidationError, match="started or is over"):
        occurrence_cancel(user=None, occurrence=past_occurrence, reason="too late")
    past_occurrence.refresh_from_db()
    assert past_occurrence.status == OccurrenceStatus.SCHEDULED


def test_a_school_holiday_stops_term_time_dates_except_booked_ones(
    yarmouth_library: Venue, register_family: Callable[..., Family], yarmouth_area: Area
) -> None:
    from familyreach.delivery.services import school_holiday_add, school_holiday_remove

    start = timezone.localdate() + timedelta(days=7)
    start -= timedelta(days=start.weekday())  # a Monday next week or the week after
    term_time = _session(
        yarmouth_library, term_time_only=True, start_date=start, end_date=start + timedelta(weeks=6)
    )
    all_year = _session(yarmouth_library, start_date=start, end_date=start + timedelta(weeks=6))
    booked_day = start + timedelta(weeks=2)
    holiday_day = start + timedelta(weeks=3)
    booked = term_time.occurrences.get(date=booked_day)
    booking_create(user=None, occurrence_id=booked.pk, family=register_family())
    with pytest.raises(ValidationError, match="same as or after"):
        school_holiday_add(
            user=None, name="Backwards", start_date=start, end_date=start - timedelta(days=1)
        )
    holiday, kept = school_holiday_add(
        user=None, name="Half term", start_date=booked_day, end_date=holiday_day + timedelta(days=4)
    )
    assert kept == [booked]  # the booked date still runs, for staff to decide
    statuses = dict(term_time.occurrences.values_list("date", "status"))
    assert statuses[booked_day] == OccurrenceStatus.SCHEDULED
    assert statuses[holiday_day] == OccurrenceStatus.CANCELLED
    assert all_year.occurrences.get(date=holiday_day).status == OccurrenceStatus.SCHEDULED
    with pytest.raises(ValidationError, match="overlap Half term"):
        school_holiday_add(user=None, name="Again", start_date=holiday_day, end_date=holiday_day)
    school_holiday_remove(user=None, holiday=holiday)
    assert term_time.occurrences.get(date=holiday_day).status == OccurrenceStatus.SCHEDULED


# Its sessions run January to March 2027 and are made as a worker would make them, before they
# start: the test is pinned to 1 December 2026 so that it means the same after those dates pass.
@time_machine.travel("2026-12-01T10:00:00+00:00", tick=False)
def test_rolling_forward_adds_dates_to_live_recurring_sessions_only(
    yarmouth_library: Venue,
) -> None:
    from familyreach.delivery.models import Recurrence
    from familyreach.delivery.services import occurrences_roll_forward

    # Made on 4 January with dates until 31 March; rolled forward on 1 March (12 weeks: 24 May).
    weekly = _session(yarmouth_library, end_date=None)
    ended = _session(yarmouth_library, title="Ended", end_date=date(2027, 2, 28))
    one_off = _session(yarmouth_library, title="Once", recurrence=Recurrence.ONE_OFF)
    archived = _session(yarmouth_library, title="Archived", end_date=None)
    Session.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    before = {s.pk: s.occurrences.count() for s in (ended, one_off, archived)}
    added = occurrences_roll_forward(today=date(2027, 3, 1))
    last = weekly.occurrences.order_by("date").last()
    assert last is not None
    assert last.date == date(2027, 5, 24)  # the last Monday within 12 weeks of 1 March
    assert added == 8  # 5 April … 24 May
    assert {s.pk: s.occurrences.count() for s in (ended, one_off, archived)} == before
    # Nothing more to add the same day.
    assert occurrences_roll_forward(today=date(2027, 3, 1)) == 0
