"""Rooms in former centres: conflicts refused, costs, approval, use counted, and bookings that
never overlap even when requests arrive at the same moment (SQLite and PostgreSQL)."""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, connections
from django.utils import timezone

from familyreach.community.models import BookingStatus, Room, RoomBooking
from familyreach.community.selectors import room_list
from familyreach.community.services import rooms as room_services
from familyreach.geo.models import Venue, VenueKind


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def _book(room: Room, user: Any, start: datetime, end: datetime, **fields: Any) -> RoomBooking:
    values = {
        "organisation_name": "Little Stars",
        "purpose": "Baby massage course",
        "benefits_under_fives": True,
        **fields,
    }
    return room_services.room_booking_request(
        room=room, starts_at=start, ends_at=end, user=user, **values
    )


@pytest.mark.django_db
def test_overlapping_bookings_are_refused_touching_ones_allowed(
    room: Room, coordinator: Any
) -> None:
    first = _book(room, coordinator, _at(3, 10), _at(3, 12))
    assert first.cost == Decimal("25.00")  # 2 hours at £12.50
    with pytest.raises(room_services.BookingConflict, match="already booked"):
        _book(room, coordinator, _at(3, 11), _at(3, 13))
    with pytest.raises(room_services.BookingConflict):
        _book(room, coordinator, _at(3, 9), _at(3, 14))
    _book(room, coordinator, _at(3, 12), _at(3, 13))  # starts as the first ends
    room_services.room_booking_refuse(booking=first, user=coordinator, notes="Room being painted")
    _book(room, coordinator, _at(3, 10), _at(3, 11))  # a refused booking frees its time


@pytest.mark.django_db
def test_rooms_only_in_former_centres_and_bases(community_geography: Any, coordinator: Any) -> None:
    library = Venue.objects.create(
        name="A Library", kind=VenueKind.LIBRARY, latitude=52.6, longitude=1.7
    )
    with pytest.raises(ValidationError, match="former children's centres"):
        room_services.room_create(
            venue=library,
            name="Hall",
            capacity=10,
            rules="-",
            hourly_cost=Decimal(0),
            user=coordinator,
        )


@pytest.mark.django_db
def test_bookings_must_benefit_under_fives_and_be_in_the_future(
    room: Room, coordinator: Any, group_admin: Any
) -> None:
    with pytest.raises(ValidationError, match="under-fives"):
        _book(room, coordinator, _at(3, 10), _at(3, 12), benefits_under_fives=False)
    with pytest.raises(ValidationError, match="future"):
        _book(room, coordinator, _at(-1, 10), _at(-1, 12))
    with pytest.raises(PermissionDenied):
        _book(room, group_admin, _at(3, 10), _at(3, 12))  # not for their own group


@pytest.mark.django_db
def test_approval_and_use_counted(
    room: Room, coordinator: Any, group_admin: Any, make_group: Callable[..., Any]
) -> None:
    group = make_group()
    group.admins.add(group_admin)
    booking = _book(room, group_admin, _at(2, 10), _at(2, 11), group=group)
    assert booking.organisation_name == "Little Stars"
    with pytest.raises(PermissionDenied):
        room_services.room_booking_approve(booking=booking, user=group_admin)
    room_services.room_booking_approve(booking=booking, user=coordinator)
    with pytest.raises(ValidationError, match="after an approved booking has started"):
        room_services.room_booking_use_record(booking=booking, people=14, user=group_admin)
    RoomBooking.objects.filter(pk=booking.pk).update(
        starts_at=_at(-2, 10), ends_at=_at(-2, 11)
    )  # as if it had happened
    booking.refresh_from_db()
    room_services.room_booking_use_record(booking=booking, people=14, user=group_admin)
    counted = room_list().get(pk=room.pk)
    assert (counted.approved_bookings, counted.people_counted) == (1, 14)


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_overlap(room: Room, coordinator: Any) -> None:
    """Eight threads ask for overlapping times in the same room at once: exactly one wins.

    On PostgreSQL the row lock makes the others wait and then see the winner; SQLite lets one
    writer in at a time and may answer "database is locked" to the rest, which (like a user
    pressing the button again) we retry."""
    threads_count = 8
    start_line = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(offset_minutes: int) -> None:
        try:
            start_line.wait()
            for _ in range(50):
                try:
                    _book(
                        room,
                        coordinator,
                        _at(5, 10, offset_minutes),
                        _at(5, 11, offset_minutes),
                    )
                    outcome = "booked"
                except room_services.BookingConflict:
                    outcome = "refused"
                except OperationalError:
                    time.sleep(0.01)
                    continue
                with lock:
                    outcomes.append(outcome)
                return
            with lock:
                outcomes.append("gave up")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i * 5,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["booked"] + ["refused"] * (threads_count - 1), connection.vendor
    bookings = list(RoomBooking.objects.filter(room=room, status=BookingStatus.REQUESTED))
    assert len(bookings) == 1
    for a in bookings:
        for b in bookings:
            assert a == b or a.ends_at <= b.starts_at or b.ends_at <= a.starts_at
