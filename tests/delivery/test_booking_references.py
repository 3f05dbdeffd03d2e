"""One place per child, booking references, the family's signed cancel and calendar links,
the .ics file, and registers closed only from the start, reopened the same day."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.delivery import ical, references
from familyreach.delivery.models import Booking, BookingStatus, Contact, Occurrence
from familyreach.delivery.services import (
    BookingRefused,
    OnlineBookingDetails,
    RegisterEntry,
    booking_cancel_by_family,
    booking_create,
    booking_create_online,
    register_can_reopen,
    register_close,
    register_reopen,
    register_update,
)
from familyreach.families.models import Family
from familyreach.geo.models import Area
from familyreach.outbox.models import OutboundMessage

pytestmark = pytest.mark.django_db


def _online(
    first: str = "Pia", child: str = "Pip", dob: date = date(2025, 9, 1), email: str = ""
) -> OnlineBookingDetails:
    return OnlineBookingDetails(
        carer_first_name=first,
        carer_last_name="Public",
        email=email,
        phone="",
        postcode="NR30 1NE",
        child_first_name=child,
        child_date_of_birth=dob,
        expected_due_date=None,
        remind_by_email=bool(email),
        remind_by_text=False,
    )


def test_the_same_child_cannot_be_booked_twice_into_one_date(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    first = booking_create_online(occurrence_id=next_occurrence.pk, details=_online())
    # Another carer of the same child, name typed differently: still the same child.
    with pytest.raises(BookingRefused, match=r"(?i)pip already has a place at this session"):
        booking_create_online(
            occurrence_id=next_occurrence.pk, details=_online(first="Pat", child=" PIP ")
        )
    live = Booking.objects.filter(occurrence=next_occurrence).exclude(status="cancelled")
    assert list(live) == [first]
    # Nothing of the refused attempt stays (the family it registered is rolled back too).
    assert not Family.objects.filter(carers__first_name="Pat").exists()
    # A sibling (another child) can have a place, and once cancelled the child can book again.
    booking_create_online(occurrence_id=next_occurrence.pk, details=_online(child="Poppy"))
    booking_cancel_by_family(reference=first.reference)
    again = booking_create_online(occurrence_id=next_occurrence.pk, details=_online())
    assert again.status == BookingStatus.CONFIRMED


def test_a_child_booked_by_staff_cannot_be_booked_again_online(
    next_occurrence: Occurrence, register_family: Callable[..., Family]
) -> None:
    # The baby group is for under-ones: the booking is counted against the baby.
    baby = timezone.localdate() - timedelta(days=200)
    family = register_family("Amy", child="Ben", dob=baby)
    staff_booking = booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
    assert staff_booking.child_key
    with pytest.raises(ValidationError, match="Ben already has a place"):
        booking_create_online(
            occurrence_id=next_occurrence.pk, details=_online(first="Amy", child="Ben", dob=baby)
        )


def test_the_database_refuses_a_second_live_place_for_one_child(
    next_occurrence: Occurrence, register_family: Callable[..., Family]
) -> None:
    one = register_family("Amy")
    two = register_family("Bea", last_name="Brown", child="Cal")
    Booking.objects.create(
        occurrence=next_occurrence, family=one, status="confirmed", channel="online", child_key="k"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            occurrence=next_occurrence,
            family=two,
            status="waiting",
            channel="online",
            child_key="k",
        )
    # A cancelled booking does not hold the place.
    Booking.objects.filter(family=one).update(status="cancelled")
    Booking.objects.create(
        occurrence=next_occurrence, family=two, status="confirmed", channel="online", child_key="k"
    )


def test_references_are_short_unambiguous_and_unique(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    generated = {references.new_booking_reference() for _ in range(2000)}
    assert len(generated) == 2000
    for reference in generated:
        assert len(reference) == 8
        assert not set(reference) & set("0O1IL")
        assert set(reference) <= set(references.REFERENCE_ALPHABET)
    bookings = [
        booking_create_online(occurrence_id=next_occurrence.pk, details=_online(child=f"Child{i}"))
        for i in range(5)
    ]
    assert len({booking.reference for booking in bookings}) == 5


def test_cancel_and_calendar_links_are_signed_and_not_interchangeable() -> None:
    token = references.cancel_token("ABCD2345")
    assert references.reference_from_token(token, salt=references.CANCEL_SALT) == "ABCD2345"
    assert token != "ABCD2345"
    # Changing the reference in a link, or using the calendar link to cancel, fails.
    forged = token.replace("ABCD2345", "ABCD2346")
    assert references.reference_from_token(forged, salt=references.CANCEL_SALT) is None
    calendar = references.calendar_token("ABCD2345")
    assert references.reference_from_token(calendar, salt=references.CANCEL_SALT) is None
    assert references.reference_from_token("ABCD2345", salt=references.CANCEL_SALT) is None


def test_the_confirmation_message_has_the_reference_and_a_cancel_link(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    booking = booking_create_online(
        occurrence_id=next_occurrence.pk, details=_online(email="pia@example.org")
    )
    message = OutboundMessage.objects.get(to="pia@example.org")
    assert booking.reference in message.subject
    assert f"Your booking reference is {booking.reference}" in message.body
    assert "/book/cancel/" + references.cancel_token(booking.reference) in message.body
    assert "/book/calendar/" in message.body


def test_a_family_cancelling_frees_the_place_for_the_waiting_list(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    bookings = [
        booking_create_online(occurrence_id=next_occurrence.pk, details=_online(child=f"C{i}"))
        for i in range(next_occurrence.capacity + 1)
    ]
    waiting = bookings[-1]
    assert waiting.status == BookingStatus.WAITING
    booking_cancel_by_family(reference=bookings[0].reference)
    assert Booking.objects.get(pk=bookings[0].pk).status == BookingStatus.CANCELLED
    assert Booking.objects.get(pk=waiting.pk).status == BookingStatus.CONFIRMED
    with pytest.raises(ValidationError, match="already cancelled"):
        booking_cancel_by_family(reference=bookings[0].reference)
    with pytest.raises(ValidationError, match="cannot find"):
        booking_cancel_by_family(reference="ZZZZZZZZ")


def _unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def test_the_calendar_file_is_rfc_5545_in_london_time(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    booking = booking_create_online(occurrence_id=next_occurrence.pk, details=_online())
    text = ical.booking_calendar(booking, cancel_url="https://example.org/book/cancel/x")
    for raw in text.split("\r\n"):
        assert len(raw.encode()) <= 75
    lines = _unfold(text)
    properties: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        properties.setdefault(name, value)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert properties["VERSION"] == "2.0"
    assert "PRODID" in properties
    assert properties["UID"] == f"booking-{booking.reference}@127.0.0.1"
    assert lines.count("BEGIN:VEVENT") == 1
    assert "TZID:Europe/London" in lines
    # The baby group runs 10:00 to 11:30 London time, winter or summer.
    day = next_occurrence.date.strftime("%Y%m%d")
    assert properties["DTSTART;TZID=Europe/London"] == f"{day}T100000"
    assert properties["DTEND;TZID=Europe/London"] == f"{day}T113000"
    assert properties["DTSTAMP"].endswith("Z")
    assert properties["SUMMARY"] == "Baby group"
    assert properties["LOCATION"].startswith("Great Yarmouth Library\\, ")
    assert booking.reference in properties["DESCRIPTION"]
    for personal in ("Pia", "Pip", "Public", "NR30 1NE"):
        assert personal not in text


def test_escaping_and_folding_keep_long_and_special_text_intact() -> None:
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    long = "DESCRIPTION:" + "é" * 100
    folded = ical.fold(long)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == long


def test_a_register_cannot_be_closed_before_the_session_starts(
    family_worker: User, next_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    with pytest.raises(ValidationError, match="from the start of the session"):
        register_close(user=family_worker, occurrence=next_occurrence)
    next_occurrence.refresh_from_db()
    assert next_occurrence.register_closed_at is None


def test_a_closed_register_is_reopened_the_same_day_only(
    family_worker: User, past_occurrence: Occurrence, yarmouth_family: Family
) -> None:
    register_update(
        user=family_worker,
        occurrence=past_occurrence,
        entries=[RegisterEntry(family_id=yarmouth_family.pk, present=True)],
    )
    register_close(user=family_worker, occurrence=past_occurrence)
    assert Contact.objects.filter(occurrence=past_occurrence).count() == 1
    past_occurrence.refresh_from_db()
    assert register_can_reopen(past_occurrence)
    assert not register_can_reopen(past_occurrence, now=timezone.now() + timedelta(days=1))
    assert register_reopen(user=family_worker, occurrence=past_occurrence) == 1
    past_occurrence.refresh_from_db()
    assert past_occurrence.register_closed_at is None
    assert not Contact.objects.filter(occurrence=past_occurrence).exists()
    with pytest.raises(ValidationError, match="open"):
        register_reopen(user=family_worker, occurrence=past_occurrence)
    # Closed again, then the day passes: no reopening.
    register_close(user=family_worker, occurrence=past_occurrence)
    Occurrence.objects.filter(pk=past_occurrence.pk).update(
        register_closed_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="earlier day"):
        register_reopen(user=family_worker, occurrence=past_occurrence)
    assert Contact.objects.filter(occurrence=past_occurrence).count() == 1
