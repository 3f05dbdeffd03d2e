"""Writes for rooms in former centres: rooms offered, and bookings requested, decided, cancelled and used."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.community.models import (
    HOLDING_BOOKING_STATUSES,
    BookingStatus,
    CommunityGroup,
    Room,
    RoomBooking,
)
from familyreach.community.selectors import (
    coordinator_required,
    user_is_coordinator,
)
from familyreach.community.services.groups import group_editor_required


class BookingConflict(ValidationError):
    """The room is already held for part of the requested time."""


@transaction.atomic
def room_create(
    *,
    venue: Any,
    name: str,
    capacity: int,
    rules: str,
    hourly_cost: Decimal,
    user: User | None,
    is_demo: bool = False,
) -> Room:
    if user is not None and not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers list rooms.")
    room = Room(
        venue=venue,
        name=name,
        capacity=capacity,
        rules=rules,
        hourly_cost=hourly_cost,
        is_demo=is_demo,
        created_by=user,
        modified_by=user,
    )
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_booking_request(
    *,
    room: Room,
    starts_at: datetime,
    ends_at: datetime,
    organisation_name: str,
    purpose: str,
    benefits_under_fives: bool,
    user: User,
    group: CommunityGroup | None = None,
) -> RoomBooking:
    """Ask for a room for a time; refused if it overlaps a booking that holds the room.

    Two requests for the same room at the same moment must not both pass the overlap check, so
    the room's row is locked (SELECT ... FOR UPDATE on PostgreSQL) before checking: the second
    request waits for the first to commit and then sees its booking. SQLite has no row locks but
    allows one writer at a time, which serialises the same way."""
    if group is not None:
        group_editor_required(group, user)
    elif not user_is_coordinator(user):
        raise PermissionDenied("Book for your group, or ask a coordinator.")
    if not benefits_under_fives:
        raise ValidationError(
            {"benefits_under_fives": "Rooms are for uses that benefit families with under-fives"}
        )
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start"})
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": "The start must be in the future"})
    locked = Room.objects.select_for_update().get(pk=room.pk)
    if not locked.is_bookable:
        raise ValidationError("This room is not offered for booking")
    clash = RoomBooking.objects.filter(
        room=locked,
        status__in=HOLDING_BOOKING_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    ).first()
    if clash is not None:
        raise BookingConflict(
            "The room is already booked from "
            f"{timezone.localtime(clash.starts_at):%-d %B %Y %H:%M} to "
            f"{timezone.localtime(clash.ends_at):%H:%M}. Choose another time or room."
        )
    hours = Decimal(str((ends_at - starts_at).total_seconds() / 3600))
    booking = RoomBooking(
        room=locked,
        group=group,
        organisation_name=organisation_name or (group.name if group else ""),
        purpose=purpose,
        benefits_under_fives=benefits_under_fives,
        starts_at=starts_at,
        ends_at=ends_at,
        cost=(locked.hourly_cost * hours).quantize(Decimal("0.01")),
        created_by=user,
        modified_by=user,
    )
    booking.full_clean()
    booking.save()
    return booking


def _booking_decide(booking: RoomBooking, status: str, user: User, notes: str) -> RoomBooking:
    if not user_is_coordinator(user):
        raise PermissionDenied("Only coordinators and managers decide on bookings.")
    if booking.status != BookingStatus.REQUESTED:
        raise ValidationError("This booking has already been decided")
    booking.status = status
    booking.decided_by = user
    booking.decision_notes = notes
    booking.modified_by = user
    booking.full_clean()
    booking.save()
    return booking


@transaction.atomic
def room_booking_approve(*, booking: RoomBooking, user: User, notes: str = "") -> RoomBooking:
    return _booking_decide(booking, BookingStatus.APPROVED, user, notes)


@transaction.atomic
def room_booking_refuse(*, booking: RoomBooking, user: User, notes: str) -> RoomBooking:
    if not notes.strip():
        raise ValidationError({"decision_notes": "Say why the booking is refused"})
    return _booking_decide(booking, BookingStatus.REFUSED, user, notes)


@transaction.atomic
def room_booking_cancel(*, booking: RoomBooking, user: User) -> RoomBooking:
    if booking.group is not None:
        group_editor_required(booking.group, user)
    else:
        coordinator_required(user)
    if booking.status not in HOLDING_BOOKING_STATUSES:
        raise ValidationError("Only requested or approved bookings can be cancelled")
    booking.status = BookingStatus.CANCELLED
    booking.modified_by = user
    booking.save()
    return booking


@transaction.atomic
def room_booking_use_record(*, booking: RoomBooking, people: int, user: User) -> RoomBooking:
    """Count how many used the room, once the booking has happened."""
    if booking.group is not None:
        group_editor_required(booking.group, user)
    else:
        coordinator_required(user)
    if booking.status != BookingStatus.APPROVED or booking.starts_at > timezone.now():
        raise ValidationError("Use is counted after an approved booking has started")
    booking.people_attended = people
    booking.modified_by = user
    booking.full_clean()
    booking.save()
    return booking


def time_on(day: date, at: time) -> datetime:
    """A Europe/London wall-clock time on a day, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())
