"""Delivery: bases and teams, sessions and their occurrences, bookings and waiting lists,
registers (attendance) and home visits.

A `Session` is the plan (a weekly baby group at a library); an `Occurrence` is one dated
instance of it, generated from the session's rule. Bookings, attendance and contacts hang off
occurrences. The booking service locks the occurrence row so it is never overbooked.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from familyreach.core.models import ArchivableModel, TrackedModel
from familyreach.delivery.references import new_booking_reference


class Base(TrackedModel):
    """A family base: a building (venue of kind family base) staff work from and travel out of."""

    venue = models.OneToOneField("geo.Venue", on_delete=models.PROTECT, related_name="base")
    name = models.CharField(max_length=200)
    is_simulated = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(TrackedModel):
    """The staff working from a base."""

    base = models.ForeignKey(Base, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SessionCategory(models.TextChoices):
    STAY_AND_PLAY = "stay_and_play", "Stay and play"
    BABY_GROUP = "baby_group", "Baby group"
    ANTENATAL = "antenatal", "Antenatal"
    INFANT_FEEDING = "infant_feeding", "Infant feeding"
    PARENTING_COURSE = "parenting_course", "Parenting course"
    SPEECH_AND_LANGUAGE = "speech_and_language", "Speech and language"
    HEALTH_CLINIC = "health_clinic", "Health clinic"
    OTHER = "other", "Other"


class Recurrence(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"


class BookingMode(models.TextChoices):
    BOOKED = "booked", "Booking needed"
    DROP_IN = "drop_in", "Drop in"


class Session(ArchivableModel):
    """A planned session: what, where, when (the rule), who runs it, for whom and how many."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=SessionCategory.choices)
    base = models.ForeignKey(
        Base, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    venue = models.ForeignKey("geo.Venue", on_delete=models.PROTECT, related_name="sessions")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_run"
    )
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_helped"
    )
    capacity = models.PositiveIntegerField(help_text="Families (places) per occurrence")
    age_from_months = models.PositiveSmallIntegerField(default=0)
    age_to_months = models.PositiveSmallIntegerField(default=60)
    booking_mode = models.CharField(
        max_length=10, choices=BookingMode.choices, default=BookingMode.BOOKED
    )
    recurrence = models.CharField(
        max_length=12, choices=Recurrence.choices, default=Recurrence.WEEKLY
    )
    start_date = models.DateField(help_text="The first (or only) date")
    end_date = models.DateField(null=True, blank=True, help_text="Last date of a recurring rule")
    start_time = models.TimeField()
    end_time = models.TimeField()
    term_time_only = models.BooleanField(default=False)
    is_simulated = models.BooleanField(default=False)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="delivery_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(age_to_months__gte=models.F("age_from_months")),
                name="delivery_session_age_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def age_range_text(self) -> str:
        def months(value: int) -> str:
            if value and value % 12 == 0:
                return f"{value // 12} year{'s' if value != 12 else ''}"
            return f"{value} month{'s' if value != 1 else ''}"

        if self.age_from_months == 0:
            return f"Birth to {months(self.age_to_months)}"
        return f"{months(self.age_from_months)} to {months(self.age_to_months)}"


class SessionException(TrackedModel):
    """A date the session does not run (a bank holiday, the venue is closed)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "date"], name="delivery_session_exception_unique"
            )
        ]


class SchoolHoliday(models.Model):
    """A school holiday: term-time-only sessions do not run on these dates (inclusive)."""

    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return self.name


class OccurrenceStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Occurrence(TrackedModel):
    """One dated instance of a session. Its row is the lock the booking service takes."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="occurrences")
    date = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED
    )
    register_closed_at = models.DateTimeField(null=True, blank=True)
    register_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "date"], name="delivery_occurrence_unique")
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.session} on {self.date:%-d %B %Y}"

    @property
    def register_is_closed(self) -> bool:
        return self.register_closed_at is not None

    @property
    def places_left(self) -> int:
        """Free places, on occurrences from selectors.bookable_occurrences (annotated with
        `confirmed` bookings and places `held` for parents still to confirm)."""
        taken = getattr(self, "confirmed", 0) + getattr(self, "held", 0)
        return max(self.capacity - taken, 0)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Booked"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class BookingChannel(models.TextChoices):
    STAFF = "staff", "By staff"
    ONLINE = "online", "Online by the family"


class Booking(TrackedModel):
    """A family's place (or place on the waiting list) at one occurrence.

    The waiting list is ordered by `waiting_since` then id; the first waiting booking is
    promoted when a confirmed booking is cancelled.

    One place per child per occurrence: online bookings register a new household each time
    (families never sign in), so the family-level rule alone would let a parent book the same
    child twice; `child_key` (references.child_key) names the child whatever record it is on.
    """

    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="bookings")
    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(max_length=10, choices=BookingStatus.choices)
    channel = models.CharField(max_length=10, choices=BookingChannel.choices)
    waiting_since = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(
        max_length=8,
        unique=True,
        default=new_booking_reference,
        editable=False,
        help_text="What the family quotes: 8 characters without 0, O, 1, I or L",
    )
    child_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="A keyed hash of the booked child's name, date and postcode",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "family"],
                condition=~Q(status="cancelled"),
                name="delivery_booking_one_live_per_family",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "child_key"],
                condition=~Q(status="cancelled") & ~Q(child_key=""),
                name="delivery_booking_one_place_per_child",
            ),
        ]
        indexes = [models.Index(fields=["occurrence", "status"])]

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.get_status_display()})"


class Attendance(TrackedModel):
    """A family ticked on an occurrence's register, adults and children counted separately."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="attendances")
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, related_name="attendances"
    )
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=1)
    is_walk_in = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "family"], name="delivery_attendance_unique"
            )
        ]


class VisitKind(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    ONE_TO_ONE = "one_to_one", "One-to-one"
    PHONE = "phone", "Phone call"


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NO_ACCESS = "no_access", "No answer or no access"
    CANCELLED = "cancelled", "Cancelled"


class Visit(TrackedModel):
    """A home visit, one-to-one meeting or phone call with a family, by one worker."""

    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits"
    )
    kind = models.CharField(max_length=20, choices=VisitKind.choices)
    scheduled_at = models.DateTimeField()
    venue = models.ForeignKey(
        "geo.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="For one-to-ones at a venue; home visits have none (homes are never venues).",
    )
    status = models.CharField(
        max_length=12, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED
    )
    purpose = models.CharField(max_length=300, blank=True)
    outcome_notes = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def date(self) -> date:
        from django.utils import timezone

        return timezone.localtime(self.scheduled_at).date()


class BookingHold(models.Model):
    """An online booking waiting for the parent to confirm it from the link we sent them.

    Anyone can post the public form, so a post alone creates no family record: it creates this
    hold, which keeps what the record will need for a short time (settings
    FAMILYREACH_BOOKING_HOLD_MINUTES) and a hash of the link's secret, never the secret
    itself. Following the link registers the family and books (`booking_hold_confirm`). A hold
    made while places were left keeps one (`holds_place`) until it expires, so the last place
    cannot be given to two families; an expired hold counts for nothing, and a job every ten minutes
    deletes it (`delivery-purge-booking-holds`). After confirmation its personal fields are blanked: the family record holds them.
    """

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="holds")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    holds_place = models.BooleanField(
        help_text="Made while a place was free: the place is kept for it until it expires"
    )
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    child_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # What the family record needs, as the parent typed it (blanked on confirmation).
    carer_first_name = models.CharField(max_length=100, blank=True)
    carer_last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    child_first_name = models.CharField(max_length=100, blank=True)
    child_date_of_birth = models.DateField(null=True, blank=True)
    expected_due_date = models.DateField(null=True, blank=True)
    remind_by_email = models.BooleanField(default=False)
    remind_by_text = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["occurrence", "expires_at"])]

    def __str__(self) -> str:
        return f"Booking hold {self.pk}"


class ContactKind(models.TextChoices):
    SESSION_ATTENDANCE = "session_attendance", "Session attendance"
    HOME_VISIT = "home_visit", "Home visit"
    ONE_TO_ONE = "one_to_one", "One-to-one"
    PHONE = "phone", "Phone call"


class Contact(TrackedModel):
    """One contact between the service and a family: what insight counts for reach.

    Exactly one per family per session occurrence (constraint) and one per visit. The area and
    district are those of the family at the time, so reach stays countable by area after the
    family moves or is anonymised.

    Delivery records every contact (registers, visits), so the model lives here; its table keeps
    the name it had in the families app, where it began (docs/decisions/0014-signals-between-apps.md).
    """

    family = models.ForeignKey("families.Family", on_delete=models.PROTECT, related_name="contacts")
    date = models.DateField()
    kind = models.CharField(max_length=30, choices=ContactKind.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    venue = models.ForeignKey(
        "geo.Venue", on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    adults = models.PositiveSmallIntegerField(default=0)
    children = models.PositiveSmallIntegerField(default=0)
    is_simulated = models.BooleanField(default=False)

    class Meta:
        db_table = "families_contact"
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["date", "area"]), models.Index(fields=["kind", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "occurrence"],
                condition=Q(occurrence__isnull=False),
                name="families_contact_one_per_family_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["family", "visit"],
                condition=Q(visit__isnull=False),
                name="families_contact_one_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date:%d %b %Y}"
