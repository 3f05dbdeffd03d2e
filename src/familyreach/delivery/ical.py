"""An iCalendar file (RFC 5545) for one booked session, for the family's phone calendar.

Written by hand (a dozen lines; no calendar library is a dependency). Times are given in
Europe/London with its VTIMEZONE, so a calendar shows the session at the time on the
family's letter whatever the season; DTSTAMP is in UTC as the RFC requires. The file holds
only what the family needs: the session, the place, the times and the booking reference, no
names or contact details.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone

from familyreach.delivery.models import Booking

PRODUCT = "-//familyreach//Family sessions//EN"
# Europe/London since 1996: BST from the last Sunday in March at 01:00 UTC to the last Sunday
# in October at 01:00 UTC (02:00 local).
LONDON_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF and a space (RFC 5545 3.1), never
    inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for character in line:
        if len((current + character).encode()) > limit:
            parts.append(current)
            current = character
            limit = 74  # continuation lines start with the space
        else:
            current += character
    parts.append(current)
    return "\r\n ".join(parts)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%dT%H%M%S")


def booking_calendar(booking: Booking, *, cancel_url: str, now: datetime | None = None) -> str:
    occurrence = booking.occurrence
    session = occurrence.session
    venue = session.venue
    host = settings.PUBLIC_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    where = ", ".join(part for part in (venue.name, venue.address, venue.postcode) if part)
    description = (
        f"Booking reference {booking.reference}. "
        f"If you cannot come, please cancel so someone else can have the place: {cancel_url}"
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *LONDON_VTIMEZONE,
        "BEGIN:VEVENT",
        # Stable per booking, so downloading the file again updates the same calendar entry.
        f"UID:booking-{booking.reference}@{host or 'familyreach'}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID=Europe/London:{_local(occurrence.starts_at)}",
        f"DTEND;TZID=Europe/London:{_local(occurrence.ends_at)}",
        f"SUMMARY:{escape_text(session.title)}",
        f"LOCATION:{escape_text(where)}",
        f"DESCRIPTION:{escape_text(description)}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
