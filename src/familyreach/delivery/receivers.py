"""What delivery adds to the families app's signals (`familyreach.families.signals`): the
families a worker works with through sessions and visits, a merge's contacts, bookings,
attendance and visits, and the family record page's bookings, visits and contacts. Connected in `DeliveryConfig.ready()`.
"""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from familyreach.delivery.models import Attendance, Booking, BookingStatus, Contact, Visit
from familyreach.delivery.selectors import family_bookings, family_contacts, family_visits


def worker_links(sender: Any, user: Any, **kwargs: Any) -> Q:
    """Families the worker booked on, took the register of, or visits."""
    return (
        Q(
            pk__in=Booking.objects.filter(occurrence__session__staff=user)
            .exclude(status=BookingStatus.CANCELLED)
            .values("family_id")
        )
        | Q(pk__in=Attendance.objects.filter(occurrence__session__staff=user).values("family_id"))
        | Q(pk__in=Visit.objects.filter(worker=user).values("family_id"))
    )


def merge_family_records(
    sender: Any, duplicate: Any, keep: Any, user: Any, **kwargs: Any
) -> list[str]:
    """Move contacts, visits, attendance and bookings onto the kept family. Where both attended,
    hold a place or were counted at the same occurrence the kept family's row stays (it records
    the same event)."""
    notes: list[str] = []
    kept_occurrences = set(
        Contact.objects.filter(family=keep, occurrence__isnull=False).values_list(
            "occurrence_id", flat=True
        )
    )
    for contact in Contact.objects.filter(family=duplicate):
        if contact.occurrence_id in kept_occurrences:
            notes.append(f"contact {contact.pk} was the same attendance as one already kept")
            contact.delete()
            continue
        contact.family = keep
        contact.save()
    for visit in Visit.objects.filter(family=duplicate):
        visit.family = keep
        visit.save()
    attended = set(Attendance.objects.filter(family=keep).values_list("occurrence_id", flat=True))
    for attendance in Attendance.objects.filter(family=duplicate):
        if attendance.occurrence_id in attended:
            notes.append(f"attendance {attendance.pk} duplicated one already kept")
            attendance.delete()
            continue
        attendance.family = keep
        attendance.save()
    live_bookings = set(
        Booking.objects.filter(family=keep)
        .exclude(status=BookingStatus.CANCELLED)
        .values_list("occurrence_id", flat=True)
    )
    for booking in Booking.objects.filter(family=duplicate):
        if booking.status != BookingStatus.CANCELLED and booking.occurrence_id in live_bookings:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = timezone.now()
            notes.append(f"booking {booking.pk} cancelled: the kept family holds a place")
        booking.family = keep
        booking.save()
    return notes


def family_page_section(sender: Any, user: Any, family: Any, **kwargs: Any) -> dict[str, Any]:
    return {
        "bookings": family_bookings(family=family),
        "visits": family_visits(family=family),
        "contacts": family_contacts(family=family),
    }
