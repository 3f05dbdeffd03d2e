"""Peer supporters (volunteers), and the references, DBS checks, training and supervision that make
them ready to be matched; warnings sent before a check or training expires."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from familyreach.community.models.vocabularies import (
    availability_labels,
    experience_labels,
    validate_availability,
    validate_experiences,
    validate_languages,
)
from familyreach.core.models import TrackedModel
from familyreach.geo.models import Area, District


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
