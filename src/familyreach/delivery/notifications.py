"""What delivery tells families (booking made, place freed, reminders), through the shared
Notify client. Messages go only to carers who consented to that channel. They are stored in the
outbox inside the booking's transaction and sent after it commits (a rolled-back booking sends
nothing; a committed one cannot lose its message)."""

from familyreach.delivery.models import Booking, BookingStatus
from familyreach.families.models import ConsentPurpose


def _channels(booking: Booking) -> list[tuple[str, str]]:
    """(channel, address) pairs the family agreed to be contacted by."""
    from familyreach.families.models import Carer, Consent

    family = booking.family
    purposes = set(
        Consent.objects.filter(family=family, withdrawn_at=None).values_list("purpose", flat=True)
    )
    carer = Carer.objects.filter(family=family).order_by("-is_main_contact", "id").first()
    if carer is None:
        return []
    channels = []
    if ConsentPurpose.CONTACT_BY_EMAIL in purposes and carer.email:
        channels.append(("email", carer.email))
    if ConsentPurpose.CONTACT_BY_TEXT in purposes and carer.phone:
        channels.append(("text", carer.phone))
    return channels


def _describe(booking: Booking) -> str:
    occurrence = booking.occurrence
    from django.utils import timezone

    starts = timezone.localtime(occurrence.starts_at)
    return (
        f"{occurrence.session.title} at {occurrence.session.venue.name}, "
        f"{starts:%A %-d %B} at {starts:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
    )


def _send(booking: Booking, *, subject: str, body: str) -> bool:
    from familyreach.outbox import notify

    channels = _channels(booking)
    for channel, address in channels:
        reference = f"booking-{booking.pk}"
        if channel == "email":
            notify.send_email(
                to=address,
                subject=subject,
                body=body,
                reference=reference,
                kind=notify.Kind.BOOKING,
            )
        else:
            notify.send_text(to=address, body=body, reference=reference, kind=notify.Kind.BOOKING)
    return bool(channels)


def booking_made(booking: Booking) -> bool:
    if booking.status == BookingStatus.CONFIRMED:
        return _send(
            booking,
            subject="Your place is booked",
            body=f"Your place is booked: {_describe(booking)}.",
        )
    return _send(
        booking,
        subject="You are on the waiting list",
        body=f"The session is full. You are on the waiting list for {_describe(booking)}. "
        "We will tell you if a place comes free.",
    )


def booking_promoted(booking: Booking) -> bool:
    return _send(
        booking,
        subject="A place has come free",
        body=f"A place came free and it is yours: {_describe(booking)}.",
    )


def booking_reminder(booking: Booking) -> bool:
    return _send(
        booking,
        subject="Reminder: your session tomorrow",
        body=f"A reminder of your booking: {_describe(booking)}. "
        "If you cannot come, please tell us so someone else can have the place.",
    )


def occurrence_cancelled(booking: Booking, *, reason: str) -> bool:
    return _send(
        booking,
        subject="Session cancelled",
        body=f"We are sorry: {_describe(booking)} is cancelled ({reason}). "
        "Your booking is cancelled; you do not need to do anything.",
    )
