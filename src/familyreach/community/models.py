"""Peer-led community support: peer supporters (volunteers) with their checks and training,
requests for peer support and matches, safeguarding concerns, community groups, and rooms in
former centres offered for community use.

Choices that several parts share (lived experiences, availability slots) are plain lists of codes
stored in JSON columns: they are small, fixed vocabularies compared in Python when matching.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from familyreach.core.models import TrackedModel
from familyreach.geo.models import Area, District, Venue, VenueKind

# --- Shared vocabularies ------------------------------------------------------------------


class Experience(models.TextChoices):
    """Lived experiences a peer supporter offers and a family may want to share."""

    POSTNATAL_DEPRESSION = "postnatal_depression", "Postnatal depression or anxiety"
    TWINS = "twins", "Twins or more"
    SEND = "send", "A child with special educational needs or disabilities"
    YOUNG_PARENT = "young_parent", "Being a young parent"
    PREMATURE_BABY = "premature_baby", "A premature baby"
    BREASTFEEDING = "breastfeeding", "Breastfeeding difficulties"
    SINGLE_PARENT = "single_parent", "Being a single parent"
    NEW_TO_AREA = "new_to_area", "Being new to the area or the country"
    BEREAVEMENT = "bereavement", "Baby loss or bereavement"


class AvailabilitySlot(models.TextChoices):
    MONDAY_MORNING = "mon_am", "Monday morning"
    MONDAY_AFTERNOON = "mon_pm", "Monday afternoon"
    TUESDAY_MORNING = "tue_am", "Tuesday morning"
    TUESDAY_AFTERNOON = "tue_pm", "Tuesday afternoon"
    WEDNESDAY_MORNING = "wed_am", "Wednesday morning"
    WEDNESDAY_AFTERNOON = "wed_pm", "Wednesday afternoon"
    THURSDAY_MORNING = "thu_am", "Thursday morning"
    THURSDAY_AFTERNOON = "thu_pm", "Thursday afternoon"
    FRIDAY_MORNING = "fri_am", "Friday morning"
    FRIDAY_AFTERNOON = "fri_pm", "Friday afternoon"
    EVENINGS = "evenings", "Evenings"
    WEEKENDS = "weekends", "Weekends"


def experience_labels(codes: list[str]) -> list[str]:
    return [Experience(code).label for code in codes if code in Experience.values]


def availability_labels(codes: list[str]) -> list[str]:
    return [AvailabilitySlot(code).label for code in codes if code in AvailabilitySlot.values]


def _codes_valid(values: Any, allowed: type[models.TextChoices], what: str) -> None:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValidationError(f"{what} must be a list of codes.")
    unknown = set(values) - set(allowed.values)
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(sorted(unknown))}")


def validate_experiences(values: Any) -> None:
    _codes_valid(values, Experience, "lived experiences")


def validate_availability(values: Any) -> None:
    _codes_valid(values, AvailabilitySlot, "availability slots")


def validate_languages(values: Any) -> None:
    if not isinstance(values, list) or not all(
        isinstance(value, str) and value.strip() for value in values
    ):
        raise ValidationError("Languages must be a list of language names.")


# --- Peer supporters ----------------------------------------------------------------------


class SupporterStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    LEFT = "left", "Left"


class PeerSupporter(TrackedModel):
    """A volunteer who supports families from their own lived experience.

    Whether they may be matched is worked out from their checks and training
    (`selectors.supporter_readiness`), never stored, so an expiry takes effect on its day.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="peer_supporter",
        help_text="Their sign-in, once they have one (to see their matches and raise concerns)",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    contact_route = models.CharField(
        max_length=200,
        help_text="How a matched family gets in touch, e.g. 'through the coordinator on 01603 …'",
    )
    status = models.CharField(
        max_length=16, choices=SupporterStatus.choices, default=SupporterStatus.APPLIED
    )
    applied_on = models.DateField()
    application_notes = models.TextField(blank=True)
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    experiences = models.JSONField(default=list, blank=True, validators=[validate_experiences])
    availability = models.JSONField(default=list, blank=True, validators=[validate_availability])
    home_postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True, help_text="Of the home postcode")
    longitude = models.FloatField(null=True, blank=True, help_text="Of the home postcode")
    home_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    districts = models.ManyToManyField(
        District, blank=True, related_name="+", help_text="Districts they can reach"
    )
    max_travel_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(180)]
    )
    max_families = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Families they can support at once",
    )
    is_simulated = models.BooleanField(
        default=False, help_text="Simulated demo data, labelled as such wherever shown"
    )

    class Meta:
        ordering = ["first_name", "last_name"]
        permissions = [
            ("manage_volunteers", "Can manage peer supporters, their checks and training"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def experience_labels(self) -> list[str]:
        return experience_labels(self.experiences)

    @property
    def availability_labels(self) -> list[str]:
        return availability_labels(self.availability)


class Reference(TrackedModel):
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="references"
    )
    referee_name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=200, help_text="e.g. employer, health visitor")
    received_on = models.DateField(null=True, blank=True)
    satisfactory = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_on"]

    def __str__(self) -> str:
        return f"Reference from {self.referee_name}"


class DbsCheck(TrackedModel):
    """An enhanced DBS (Disclosure and Barring Service) certificate."""

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="dbs_checks"
    )
    certificate_number = models.CharField(max_length=12)
    issued_on = models.DateField()
    recheck_due_on = models.DateField(
        help_text="When the council's policy needs a new check (or an update service status check)"
    )
    update_service_subscribed = models.BooleanField(default=False)
    clear = models.BooleanField(
        default=True, help_text="No information that stops the person volunteering with families"
    )

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = "DBS check"
        constraints = [
            models.CheckConstraint(
                condition=Q(recheck_due_on__gt=models.F("issued_on")),
                name="community_dbs_recheck_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"Enhanced DBS {self.certificate_number}"

    def clean(self) -> None:
        if not self.certificate_number.isdigit() or len(self.certificate_number) != 12:
            raise ValidationError(
                {"certificate_number": "A DBS certificate number is 12 digits, like 001234567890"}
            )
        if self.issued_on and self.recheck_due_on and self.recheck_due_on <= self.issued_on:
            raise ValidationError(
                {"recheck_due_on": "The recheck date must be after the issue date"}
            )


class TrainingModule(models.TextChoices):
    PREPARATION = "preparation", "Peer supporter preparation course"
    SAFEGUARDING = "safeguarding", "Safeguarding children"
    INFANT_FEEDING = "infant_feeding", "Infant feeding"
    PERINATAL_MENTAL_HEALTH = "perinatal_mental_health", "Perinatal mental health awareness"
    FIRST_AID = "first_aid", "Paediatric first aid"


# Modules every peer supporter must have completed, and in date, before being matched.
REQUIRED_TRAINING: tuple[TrainingModule, ...] = (
    TrainingModule.PREPARATION,
    TrainingModule.SAFEGUARDING,
)


class TrainingRecord(TrackedModel):
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="training_records"
    )
    module = models.CharField(max_length=32, choices=TrainingModule.choices)
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Blank: does not expire")

    class Meta:
        ordering = ["module", "-completed_on"]

    def __str__(self) -> str:
        return f"{self.get_module_display()} ({self.completed_on})"

    def clean(self) -> None:
        if self.expires_on and self.completed_on and self.expires_on <= self.completed_on:
            raise ValidationError({"expires_on": "The expiry date must be after completion"})


class SupervisionSession(TrackedModel):
    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="supervision_sessions"
    )
    held_on = models.DateField()
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]


class ExpiryKind(models.TextChoices):
    DBS = "dbs", "DBS recheck"
    TRAINING = "training", "Training"


class ExpiryWarning(models.Model):
    """A warning sent to the coordinators about something expiring, kept so it is sent once per
    threshold (e.g. 30 days before, 7 days before, on the day)."""

    supporter = models.ForeignKey(
        PeerSupporter, on_delete=models.CASCADE, related_name="expiry_warnings"
    )
    kind = models.CharField(max_length=16, choices=ExpiryKind.choices)
    record_id = models.PositiveBigIntegerField(help_text="The DBS check or training record")
    expires_on = models.DateField()
    threshold_days = models.PositiveSmallIntegerField()
    sent_on = models.DateField()
    sent_to = models.TextField()

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "record_id", "expires_on", "threshold_days"],
                name="community_expiry_warning_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} warning ({self.threshold_days} days) for {self.supporter_id}"


# --- Requests for peer support and matches ------------------------------------------------


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for a match"
    MATCHED = "matched", "Matched"
    CLOSED = "closed", "Closed"


class PeerSupportRequest(TrackedModel):
    """A family's request for a peer supporter, holding only what matching needs.

    A worker who can open the family's record refers it (`request_refer_family`), linking the
    household (`family`); coordinators can also record a request for a family not known to the
    service (no link). Coordinators and volunteers never open the family record itself: they
    see this request, and volunteers only its first name, contact route and stated needs.
    """

    family = models.ForeignKey(
        "families.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_support_requests",
    )
    first_name = models.CharField(max_length=100)
    contact_route = models.CharField(
        max_length=200, help_text="How the volunteer makes first contact (agreed with the family)"
    )
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    postcode = models.CharField(max_length=8)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    experiences_wanted = models.JSONField(
        default=list, blank=True, validators=[validate_experiences]
    )
    availability = models.JSONField(default=list, blank=True, validators=[validate_availability])
    stated_needs = models.TextField(help_text="In the family's own words; shown to the volunteer")
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    is_simulated = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("manage_matches", "Can match peer supporters to families")]

    def __str__(self) -> str:
        return f"Peer support for {self.first_name}"

    @property
    def experience_labels(self) -> list[str]:
        return experience_labels(self.experiences_wanted)

    @property
    def availability_labels(self) -> list[str]:
        return availability_labels(self.availability)


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    INTRODUCED = "introduced", "Introduced"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


# Matches that take up a supporter's time (and count against their load).
LIVE_MATCH_STATUSES = (
    MatchStatus.PROPOSED,
    MatchStatus.INTRODUCED,
    MatchStatus.ACTIVE,
    MatchStatus.PAUSED,
)

# The lifecycle: which status may follow which.
MATCH_TRANSITIONS: dict[str, tuple[str, ...]] = {
    MatchStatus.PROPOSED: (MatchStatus.INTRODUCED, MatchStatus.ENDED),
    MatchStatus.INTRODUCED: (MatchStatus.ACTIVE, MatchStatus.ENDED),
    MatchStatus.ACTIVE: (MatchStatus.PAUSED, MatchStatus.ENDED),
    MatchStatus.PAUSED: (MatchStatus.ACTIVE, MatchStatus.ENDED),
    MatchStatus.ENDED: (),
}


class MatchOutcome(models.TextChoices):
    GOALS_MET = "goals_met", "The family's goals were met"
    MOVED_ON = "moved_on", "The family moved on to other support"
    FAMILY_WITHDREW = "family_withdrew", "The family withdrew"
    SUPPORTER_WITHDREW = "supporter_withdrew", "The peer supporter withdrew"
    NOT_STARTED = "not_started", "Did not start"
    SAFEGUARDING = "safeguarding", "Ended after a safeguarding concern"


def _wellbeing_field(help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=help_text,
    )


class Match(TrackedModel):
    request = models.ForeignKey(
        PeerSupportRequest, on_delete=models.PROTECT, related_name="matches"
    )
    supporter = models.ForeignKey(PeerSupporter, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(
        max_length=16, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.FloatField(help_text="Fit when proposed (higher is better)")
    reasons = models.JSONField(default=list, blank=True, help_text="Why the match was proposed")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    introduced_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=32, choices=MatchOutcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    wellbeing_start = _wellbeing_field("The parent's own rating of their wellbeing, 1 to 10")
    wellbeing_end = _wellbeing_field("The parent's own rating at the end, 1 to 10")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "supporter"],
                condition=~Q(status="ended"),
                name="community_match_one_live_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(status="ended") | Q(outcome=""), name="community_match_outcome_at_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supporter.first_name} with {self.request.first_name}"


class CheckIn(TrackedModel):
    """A coordinator's regular check-in on how a match is going."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="check_ins")
    held_on = models.DateField()
    notes = models.TextField()
    wellbeing = _wellbeing_field("The parent's own rating today, 1 to 10, if asked")

    class Meta:
        ordering = ["-held_on"]


# --- Safeguarding -------------------------------------------------------------------------


class ImmutableRecord(Exception):
    """Raised on any attempt to change or delete a record that is fixed once sent."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableRecord(f"{self.model.__name__} records cannot be changed once sent.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(f"{self.model.__name__} records cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A record written once and never changed or deleted: only new records may be added.

    Guarded in `save()`/`delete()` and in bulk `update()`/`delete()` on its queryset; the
    services never offer an edit. (Raw SQL could still change it: the audit log would show it.)
    """

    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRecord(f"{type(self).__name__} records cannot be changed once sent.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecord(f"{type(self).__name__} records cannot be deleted.")


class ConcernUrgency(models.TextChoices):
    IMMEDIATE_DANGER = "immediate", "A child is in danger now"
    TODAY = "today", "Someone needs to act today"
    WORRIED = "worried", "I am worried and want advice"


class Concern(AppendOnlyModel):
    """A safeguarding concern raised by a volunteer or group lead; fixed once sent."""

    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    urgency = models.CharField(max_length=16, choices=ConcernUrgency.choices)
    about = models.CharField(
        max_length=200, help_text="The child or family, by first name or as you know them"
    )
    what_happened = models.TextField()
    where = models.CharField(max_length=200, blank=True)
    match = models.ForeignKey(
        Match, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns"
    )
    group = models.ForeignKey(
        "CommunityGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concerns",
    )
    sent_to = models.TextField(help_text="The duty safeguarding lead it was sent to")
    reference = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["-raised_at"]
        permissions = [
            ("raise_concern", "Can raise a safeguarding concern"),
            ("review_concerns", "Can see and decide on safeguarding concerns"),
        ]

    def __str__(self) -> str:
        return f"Concern {self.reference}"


class ConcernDecisionKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged, being looked into"
    ADVICE_GIVEN = "advice_given", "Advice given to the person who raised it"
    REFERRED_CHILDRENS_SERVICES = (
        "referred_childrens_services",
        "Referred to children's services (MASH)",
    )
    REFERRED_POLICE = "referred_police", "Referred to the police"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


# Decisions that close a concern (an acknowledgement does not).
FINAL_DECISIONS = (
    ConcernDecisionKind.ADVICE_GIVEN,
    ConcernDecisionKind.REFERRED_CHILDRENS_SERVICES,
    ConcernDecisionKind.REFERRED_POLICE,
    ConcernDecisionKind.NO_FURTHER_ACTION,
)


class ConcernDecision(AppendOnlyModel):
    """What the safeguarding lead decided; appended, never edited, so the trail stays whole."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="decisions")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    decision = models.CharField(max_length=32, choices=ConcernDecisionKind.choices)
    notes = models.TextField()

    class Meta:
        ordering = ["decided_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.decided_at:%Y-%m-%d})"


# --- Community groups ---------------------------------------------------------------------


class GroupKind(models.TextChoices):
    PARENT_AND_TODDLER = "parent_and_toddler", "Parent and toddler group"
    BABY_GROUP = "baby_group", "Baby group"
    BREASTFEEDING = "breastfeeding", "Breastfeeding support circle"
    DADS = "dads", "Dads' group"
    PEER_SUPPORT = "peer_support", "Peer support group"
    OTHER = "other", "Other"


class GroupStatus(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    SUSPENDED = "suspended", "Suspended"


class CommunityGroup(TrackedModel):
    """A group set up and run by local people. Once approved its sessions are published to
    the directory marked as run by local parents (see `publishing.py`)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=GroupKind.choices)
    description = models.TextField()
    who_for = models.CharField(max_length=300, help_text="e.g. parents and carers of babies")
    minimum_age_months = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age_months = models.PositiveSmallIntegerField(null=True, blank=True)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="community_groups"
    )
    venue_name = models.CharField(max_length=200)
    venue_address = models.TextField(blank=True)
    venue_postcode = models.CharField(max_length=8)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    cost_description = models.CharField(max_length=200, blank=True, help_text="Blank: free")
    insurance_url = models.URLField(blank=True)
    insurance_file = models.FileField(upload_to="community/insurance/", blank=True)
    policy_url = models.URLField(blank=True, help_text="Safeguarding policy")
    policy_file = models.FileField(upload_to="community/policies/", blank=True)
    status = models.CharField(
        max_length=16, choices=GroupStatus.choices, default=GroupStatus.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_notes = models.TextField(blank=True)
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="community_groups",
        help_text="Community group admins who manage this group",
    )
    is_simulated = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        permissions = [("manage_groups", "Can approve and manage community groups")]

    def __str__(self) -> str:
        return self.name

    @property
    def insurance_provided(self) -> bool:
        return bool(self.insurance_url or self.insurance_file)

    @property
    def policy_provided(self) -> bool:
        return bool(self.policy_url or self.policy_file)


class GroupLeader(models.Model):
    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="leaders")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=30, blank=True)
    is_safeguarding_lead = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_safeguarding_lead", "name"]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class GroupFrequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every other week"
    MONTHLY = "monthly", "First week of each month"


class GroupSession(models.Model):
    """When the group meets (term-time or all year is said in `notes`)."""

    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    frequency = models.CharField(
        max_length=16, choices=GroupFrequency.choices, default=GroupFrequency.WEEKLY
    )
    notes = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="community_group_session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end time must be after the start time"})


class AttendanceCount(TrackedModel):
    """How many came to one meeting: counts only, no personal data."""

    group = models.ForeignKey(
        CommunityGroup, on_delete=models.CASCADE, related_name="attendance_counts"
    )
    met_on = models.DateField()
    children = models.PositiveSmallIntegerField(validators=[MaxValueValidator(500)])
    adults = models.PositiveSmallIntegerField(validators=[MaxValueValidator(500)])

    class Meta:
        ordering = ["-met_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "met_on"], name="community_attendance_once_a_day"
            )
        ]


class HelpKind(models.TextChoices):
    GRANT = "grant", "A small start-up grant"
    FREE_ROOM = "free_room", "A free room"


class HelpStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    PROVIDED = "provided", "Paid or provided"


class StartUpHelp(TrackedModel):
    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="help")
    kind = models.CharField(max_length=16, choices=HelpKind.choices)
    amount_requested = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, help_text="£, for a grant"
    )
    purpose = models.TextField()
    status = models.CharField(
        max_length=16, choices=HelpStatus.choices, default=HelpStatus.REQUESTED
    )
    amount_awarded = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "start-up help"

    def clean(self) -> None:
        if self.kind == HelpKind.GRANT and not self.amount_requested:
            raise ValidationError({"amount_requested": "Enter how much the grant is for"})


# --- Community use of buildings -----------------------------------------------------------

# Former centres and bases whose rooms are offered for community use.
ROOM_VENUE_KINDS = (VenueKind.CHILDRENS_CENTRE, VenueKind.FAMILY_BASE)


class Room(TrackedModel):
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="community_rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField()
    rules = models.TextField(help_text="House rules shown to groups when they book")
    hourly_cost = models.DecimalField(
        max_digits=7, decimal_places=2, default=0, help_text="£ an hour; 0 for free"
    )
    is_bookable = models.BooleanField(default=True)
    is_demo = models.BooleanField(
        default=False, help_text="A demonstration room, not really offered (labelled as demo)"
    )

    class Meta:
        ordering = ["venue__name", "name"]
        permissions = [("manage_rooms", "Can list rooms and approve community bookings")]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="community_room_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.venue.name}"

    def clean(self) -> None:
        if self.venue_id and not self.is_demo and self.venue.kind not in ROOM_VENUE_KINDS:
            raise ValidationError(
                {"venue": "Rooms are offered in former children's centres and family bases"}
            )


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"


# Bookings that hold their time slot: a new request may not overlap any of these.
HOLDING_BOOKING_STATUSES = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class RoomBooking(TrackedModel):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings")
    group = models.ForeignKey(
        CommunityGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    organisation_name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    benefits_under_fives = models.BooleanField(
        help_text="The use benefits families with children under five"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    cost = models.DecimalField(max_digits=8, decimal_places=2)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_notes = models.TextField(blank=True)
    people_attended = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Counted after the booking: how many used the room"
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["room", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="community_booking_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.room} for {self.organisation_name}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600
