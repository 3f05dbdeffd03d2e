"""What delivery tells families (booking made, place freed, reminders), through the shared
Notify client. Messages go only to carers who consented to that channel. They are stored in the
outbox inside the booking's transaction and sent after it commits (a rolled-back booking sends
nothing; a committed one cannot lose its message)."""

from familyreach.delivery.models import Booking, BookingHold, BookingStatus, Occurrence
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
    return _describe_occurrence(booking.occurrence)


def _describe_occurrence(occurrence: Occurrence) -> str:
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


def links(booking: Booking) -> dict[str, str]:
    """The family's own links to the booking (absolute: they leave in an email or a text)."""
    from django.conf import settings
    from django.urls import reverse

    from familyreach.delivery import references

    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return {
        "cancel": base
        + reverse("delivery:book-cancel", args=[references.cancel_token(booking.reference)]),
        "calendar": base
        + reverse("delivery:book-calendar", args=[references.calendar_token(booking.reference)]),
    }


def _reference_and_links(booking: Booking) -> str:
    urls = links(booking)
    return (
        f" Your booking reference is {booking.reference}."
        f" Add it to your calendar: {urls['calendar']}"
        f" If you cannot come, cancel here so someone else can have the place: {urls['cancel']}"
    )


def booking_made(booking: Booking) -> bool:
    if booking.status == BookingStatus.CONFIRMED:
        return _send(
            booking,
            subject=f"Your place is booked (reference {booking.reference})",
            body=f"Your place is booked: {_describe(booking)}.{_reference_and_links(booking)}",
        )
    return _send(
        booking,
        subject=f"You are on the waiting list (reference {booking.reference})",
        body=f"The session is full. You are on the waiting list for {_describe(booking)}. "
        "We will tell you if a place comes free."
        f" Your booking reference is {booking.reference}. To leave the waiting list: "
        f"{links(booking)['cancel']}",
    )


def booking_promoted(booking: Booking) -> bool:
    return _send(
        booking,
        subject=f"A place has come free (reference {booking.reference})",
        body=f"A place came free and it is yours: {_describe(booking)}."
        f"{_reference_and_links(booking)}",
    )


def booking_cancelled(booking: Booking) -> bool:
    return _send(
        booking,
        subject=f"Booking cancelled (reference {booking.reference})",
        body=f"Your booking {booking.reference} is cancelled: {_describe(booking)}. "
        "Thank you for letting us know.",
    )


def booking_reminder(booking: Booking) -> bool:
    return _send(
        booking,
        subject="Reminder: your session tomorrow",
        body=f"A reminder of your booking {booking.reference}: {_describe(booking)}. "
        "If you cannot come, please cancel so someone else can have the place: "
        f"{links(booking)['cancel']}",
    )


def occurrence_cancelled(booking: Booking, *, reason: str) -> bool:
    return _send(
        booking,
        subject="Session cancelled",
        body=f"We are sorry: {_describe(booking)} is cancelled ({reason}). "
        "Your booking is cancelled; you do not need to do anything.",
    )


def booking_hold_made(hold: BookingHold, *, token: str) -> str:
    """The link that confirms an online booking, to the address the parent typed: by email when
    they gave one, else by text (one message, so the form cannot be used to send two). Sent
    whatever they chose about reminders: without it nothing is booked. Returns "email" or
    "text". The message names no child and no family, in case the address was mistyped."""
    from django.conf import settings
    from django.urls import reverse

    from familyreach.outbox import notify

    link = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("delivery:book-confirm", args=[token])
    minutes = settings.FAMILYREACH_BOOKING_HOLD_MINUTES
    what = _describe_occurrence(hold.occurrence)
    place = (
        "We are holding a place for you until then."
        if hold.holds_place
        else "The session is full: confirming puts you on the waiting list."
    )
    body = (
        f"To book {what}, confirm within {minutes} minutes: {link} {place} "
        "If you did not ask to book, ignore this message: nothing is booked and we keep none "
        "of the details."
    )
    reference = f"booking-hold-{hold.pk}"
    if hold.email:
        notify.send_email(
            to=hold.email,
            subject="Confirm your booking",
            body=body,
            reference=reference,
            kind=notify.Kind.BOOKING,
        )
        return "email"
    notify.send_text(to=hold.phone, body=body, reference=reference, kind=notify.Kind.BOOKING)
    return "text"
