"""Community groups run by local people: their leaders and sessions, attendance counts, and the
start-up help the council gives them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from familyreach.core.models import TrackedModel
from familyreach.geo.models import Venue


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
