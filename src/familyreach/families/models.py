"""Families: households, their carers and children, consent, caseloads and contacts.

This is special-category data about children. Nothing here is read except through the
`*_get_for_user` selectors (which authorise and audit), and every model is registered with
django-auditlog so every write is recorded.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from familyreach.core.models import ArchivableModel, TrackedModel


class FamilySource(models.TextChoices):
    STAFF = "staff", "Registered by staff"
    WALK_IN = "walk_in", "Walk-in at a session"
    ONLINE = "online", "Registered online when booking"
    SUPPORT_REQUEST = "support_request", "Request for support"
    DEMO = "demo", "Simulated (demo)"


class Family(ArchivableModel):
    """A household: the unit the service works with and counts reach by.

    The postcode is resolved through `familyreach.geo` to a small area (LSOA) and district when
    the family is registered or moves; need (IDACI/IMD decile) is read from the area.
    A merged duplicate is archived with `merged_into` pointing at the record it joined.
    An anonymised family keeps only its area, district and counts (see `family_anonymise`).
    """

    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=8, blank=True, help_text="Normalised, e.g. NR30 1NE")
    area = models.ForeignKey(
        "geo.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, blank=True, related_name="families"
    )
    area_is_exact = models.BooleanField(default=False)

    # Target groups (flags the service reports reach against).
    lone_parent = models.BooleanField(default=False)
    young_parent = models.BooleanField(default=False, help_text="A parent aged under 20")
    disability_or_send = models.BooleanField(
        default=False, help_text="A parent or child with a disability or special educational needs"
    )
    english_additional_language = models.BooleanField(
        default=False, help_text="English is an additional language"
    )
    workless_household = models.BooleanField(default=False)

    source = models.CharField(max_length=20, choices=FamilySource.choices, default="staff")
    is_simulated = models.BooleanField(default=False)
    needs_duplicate_review = models.BooleanField(
        default=False,
        help_text="Registered online or at the door while a similar family already existed.",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Kept after anonymisation so reach can still be counted.
    children_count_at_anonymisation = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "families"
        indexes = [models.Index(fields=["postcode"]), models.Index(fields=["district", "area"])]

    def __str__(self) -> str:
        return f"Family {self.pk}"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def need_decile(self) -> int | None:
        """IDACI decile of the family's area (1 = most deprived 10%); None when unknown."""
        return self.area.idaci_decile if self.area_id and self.area else None

    @property
    def target_groups(self) -> list[str]:
        return [label for name, label in TARGET_GROUPS if getattr(self, name)]


TARGET_GROUPS: tuple[tuple[str, str], ...] = (
    ("lone_parent", "Lone parent"),
    ("young_parent", "Young parent"),
    ("disability_or_send", "Disability or SEND"),
    ("english_additional_language", "English as an additional language"),
    ("workless_household", "Workless household"),
)


class Carer(TrackedModel):
    """A parent or carer in the household."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="carers")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    relationship = models.CharField(max_length=50, blank=True, help_text="e.g. mother, father")
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    is_main_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_main_contact", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Child(TrackedModel):
    """A child in the household, or an expected baby (due date instead of date of birth)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(max_length=100, blank=True, help_text="Blank before birth")
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_due_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["date_of_birth", "expected_due_date", "id"]
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(expected_due_date__isnull=False),
                name="families_child_birth_or_due_date",
            )
        ]

    def __str__(self) -> str:
        if self.first_name:
            return f"{self.first_name} {self.last_name}".strip()
        return "Expected baby"

    def age_in_months(self, on: date) -> int | None:
        if self.date_of_birth is None:
            return None
        months = (on.year - self.date_of_birth.year) * 12 + on.month - self.date_of_birth.month
        if on.day < self.date_of_birth.day:
            months -= 1
        return months


class ConsentPurpose(models.TextChoices):
    KEEP_RECORD = "keep_record", "Keep a record of the family and its contacts"
    CONTACT_BY_TEXT = "contact_by_text", "Send reminders and news by text message"
    CONTACT_BY_EMAIL = "contact_by_email", "Send reminders and news by email"
    SHARE_WITH_HEALTH = "share_with_health", "Share information with health visitors"
    PHOTOGRAPHS = "photographs", "Take photographs at sessions"


class LawfulBasis(models.TextChoices):
    # UK GDPR article 6 bases (with article 9 conditions for special-category data noted in text).
    CONSENT = "consent", "Consent (article 6(1)(a))"
    PUBLIC_TASK = "public_task", "Public task (article 6(1)(e))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (article 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (article 6(1)(d))"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbally, in person"
    WRITTEN = "written", "On a paper form"
    PHONE = "phone", "By phone"
    ONLINE = "online", "Online"


class Consent(TrackedModel):
    """What a family agreed to, when, who gave it, how, and whether it was withdrawn."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    given_at = models.DateTimeField()
    given_by = models.CharField(max_length=200, help_text="Name of the person who gave consent")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return self.get_purpose_display()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Case(TrackedModel):
    """A family on a worker's caseload, with the next thing to do."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="cases")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    reason = models.TextField(blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    next_action = models.CharField(max_length=300, blank=True)
    next_action_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["next_action_due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "worker"],
                condition=Q(closed_on__isnull=True),
                name="families_case_one_open_per_worker",
            )
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"
