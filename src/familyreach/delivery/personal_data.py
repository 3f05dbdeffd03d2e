"""What delivery holds about a family, for subject access and erasure (registered with
`familyreach.core.personal_data` from `DeliveryConfig.ready`)."""

from typing import Any

from django.db.models import QuerySet

from familyreach.core.personal_data import Holding, blank, exempt, hold
from familyreach.delivery.models import (
    Attendance,
    Base,
    Booking,
    BookingHold,
    Contact,
    SchoolHoliday,
    Team,
    Visit,
)


def _keep(rows: QuerySet[Any], user: Any) -> None:
    """Attendance and contacts hold no words about the family (a date, a kind, a session or
    venue, an area, counts): kept so that reach is still counted by area once the family is
    anonymous."""


def register() -> None:
    hold(
        Holding(
            model=Contact,
            section="Times you were in contact with the service",
            find=lambda found: Contact.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("date", "Date"),
                ("kind", "Kind"),
                ("venue", "Where"),
                ("adults", "Adults"),
                ("children", "Children"),
            ),
            erase=_keep,
            order=60,
        )
    )
    hold(
        Holding(
            model=Booking,
            section="Bookings",
            find=lambda found: Booking.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("occurrence", "Session"),
                ("status", "Status"),
                ("channel", "How it was booked"),
                ("reference", "Reference"),
                ("created_at", "Booked on"),
                ("cancelled_at", "Cancelled on"),
            ),
            # The child key is a keyed hash of the child's name, birth date and postcode.
            erase=blank(child_key=""),
            references=lambda rows: [f"booking-{pk}" for pk in rows.values_list("pk", flat=True)],
            order=70,
        )
    )
    hold(
        Holding(
            model=Attendance,
            section="Sessions you came to",
            find=lambda found: Attendance.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("occurrence", "Session"),
                ("adults", "Adults"),
                ("children", "Children"),
                ("is_walk_in", "Came without booking"),
            ),
            erase=_keep,
            order=75,
        )
    )
    hold(
        Holding(
            model=Visit,
            section="Home visits, meetings and calls",
            find=lambda found: Visit.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("kind", "Kind"),
                ("scheduled_at", "When"),
                ("worker", "Family worker"),
                ("venue", "Where"),
                ("status", "What happened"),
                ("purpose", "Purpose"),
                ("outcome_notes", "Notes"),
            ),
            erase=blank(purpose="", outcome_notes=""),
            order=80,
        )
    )
    exempt(
        Base,
        Team,
        SchoolHoliday,
        reason="Names of bases, teams and holidays: places and dates, not people.",
    )
    exempt(
        BookingHold,
        reason=(
            "An online booking not yet confirmed by the parent: never linked to a family (the "
            "family record is made only on confirmation), its personal fields are blanked when "
            "it is confirmed, and a lapsed hold is deleted within 40 minutes by the job "
            "delivery-purge-booking-holds."
        ),
    )
