"""Publishing sessions to the directory: the ONE place delivery talks to `directory`.

Every session is listed in the public directory automatically (one source of truth, no double
entry). `session_publish` runs inside the session's own transaction, so a session and its
listing are saved together or not at all; it is keyed on the session's id (`service_upsert` is
idempotent), so publishing again replaces the listing.
"""

from familyreach.delivery.models import BookingMode, Recurrence, Session, SessionCategory

SOURCE = "familyreach.delivery"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Our session categories as the directory's category terms (directory/taxonomy.py).
CATEGORY_TERMS: dict[str, tuple[str, ...]] = {
    SessionCategory.STAY_AND_PLAY: ("stay-and-play",),
    SessionCategory.BABY_GROUP: ("baby-groups",),
    SessionCategory.ANTENATAL: ("pregnancy",),
    SessionCategory.INFANT_FEEDING: ("infant-feeding",),
    SessionCategory.PARENTING_COURSE: ("parenting",),
    SessionCategory.SPEECH_AND_LANGUAGE: ("early-language",),
    SessionCategory.HEALTH_CLINIC: ("health-visiting",),
    SessionCategory.OTHER: ("family-support",),
}


def source_reference(session: Session) -> str:
    return f"session-{session.pk}"


def _not_running_note(session: Session) -> str:
    """The next dates the session is off, for the public schedule. Reasons stay internal:
    staff write them for colleagues and they may name someone ("Sam is ill")."""
    from django.utils import timezone

    today = timezone.localdate()
    upcoming = [exception.date for exception in session.exceptions.all() if exception.date >= today]
    if not upcoming:
        return ""
    shown = ", ".join(f"{day:%A %-d %B %Y}" for day in sorted(upcoming)[:5])
    return f"Not running on {shown}."


def session_publish(session: Session) -> None:
    """Create or update the session's directory listing (inactive once archived)."""
    from familyreach.directory import services as directory
    from familyreach.directory.models import ListingStatus, TaxonomyTerm

    if not TaxonomyTerm.objects.exists():
        directory.taxonomy_ensure()
    organization = directory.council_organization_ensure()
    # The directory's addresses need a postcode; a venue without one is listed without a place
    # (the listing still names the venue in its description) until the venue record is fixed.
    location = (
        directory.location_upsert_from_venue(session.venue) if session.venue.postcode else None
    )
    description = ("Term time only. " if session.term_time_only else "") + _not_running_note(
        session
    )
    if session.recurrence == Recurrence.ONE_OFF:
        schedule = directory.ScheduleSpec(
            opens_at=session.start_time,
            closes_at=session.end_time,
            freq="",
            dtstart=session.start_date,
            description=description.strip(),
        )
    else:
        schedule = directory.ScheduleSpec(
            opens_at=session.start_time,
            closes_at=session.end_time,
            freq="WEEKLY",
            byday=WEEKDAYS[session.start_date.weekday()],
            interval=2 if session.recurrence == Recurrence.FORTNIGHTLY else 1,
            dtstart=session.start_date,
            until=session.end_date,
            valid_from=session.start_date,
            valid_to=session.end_date,
            description=description.strip(),
        )
    if session.booking_mode == BookingMode.BOOKED:
        # The service page shows the dates to book as links (delivery/_service_booking.html);
        # this text is what the Open Referral API and other directories show.
        how_to_book = "Book a place online on this page, or ask a member of staff."
    else:
        how_to_book = "Drop in: there is no need to book."
    directory.service_upsert(
        source=SOURCE,
        source_reference=source_reference(session),
        organization=organization,
        name=session.title,
        description=(session.description or f"{session.get_category_display()} for families.")
        + ("" if location else f" At {session.venue.name}."),
        status=ListingStatus.INACTIVE if session.archived_at else ListingStatus.ACTIVE,
        categories=CATEGORY_TERMS.get(session.category, ("family-support",)),
        location=location,
        schedules=[schedule],
        minimum_age=round(session.age_from_months / 12, 2),
        maximum_age=round(session.age_to_months / 12, 2),
        for_pregnancy=session.category == SessionCategory.ANTENATAL,
        how_to_book=how_to_book,
        is_simulated=session.is_simulated,
    )
