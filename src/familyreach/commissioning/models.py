"""Contracts with providers and their quarterly returns (issue 22; docs/commissioning.md).

A contract names the provider (an organisation in the directory), its period, annual value,
districts and the measures it is held to, each with a target and an amber tolerance. Each
quarter a return is drafted from the service's own records (the insight measures, by district,
suppressed as on insight's pages); the provider adds narrative and explanations and submits;
the commissioner agrees or queries each measure and signs it off. A signed-off return is never
changed again (the services refuse, and its figures were frozen when it was drafted).
"""

from django.conf import settings
from django.db import models

from familyreach.core.models import TrackedModel


class Contract(TrackedModel):
    name = models.CharField(max_length=200)
    provider = models.ForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="contracts"
    )
    services = models.TextField(blank=True, help_text="The services the contract covers.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    annual_value = models.DecimalField(max_digits=12, decimal_places=2)
    districts = models.ManyToManyField(
        "geo.District",
        blank=True,
        related_name="contracts",
        help_text="None chosen means the whole county.",
    )
    provider_managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_contracts",
        help_text="The provider's managers who prepare and submit its returns.",
    )

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name


class ContractMeasure(models.Model):
    """A measure the contract is held to (one of `commissioning.measures.DEFINITIONS`)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="measures")
    code = models.CharField(max_length=40)
    # In the measure's own unit: a share as a fraction (0.6 = 60 %), money in pounds.
    target = models.FloatField()
    # How far short of the target is amber rather than red, in the same unit.
    tolerance = models.FloatField(default=0.0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="commissioning_measure_once")
        ]

    def __str__(self) -> str:
        return self.code


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    QUERIED = "queried", "Queried"
    SIGNED_OFF = "signed_off", "Signed off"


class QuarterlyReturn(TrackedModel):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="returns")
    quarter_start = models.DateField()
    quarter_end = models.DateField()
    status = models.CharField(
        max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    narrative = models.TextField(blank=True)
    # Stories of families' experience, told only with the family's consent.
    case_studies = models.TextField(blank=True)
    case_studies_consented = models.BooleanField(default=False)
    # Where the figures came from: the reach snapshot's date and the notes shown with them.
    figures_as_of = models.DateField()
    notes = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-quarter_end"]
        permissions = [
            ("prepare_return", "Prepare and submit a provider's returns"),
            ("sign_off_return", "Agree, query and sign off returns"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "quarter_end"], name="commissioning_one_return_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract}: quarter to {self.quarter_end:%d %B %Y}"

    @property
    def label(self) -> str:
        return f"{self.quarter_start:%-d %B %Y} to {self.quarter_end:%-d %B %Y}"


class Rating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NOT_SHOWN = "not_shown", "Not shown"


class Review(models.TextChoices):
    AGREED = "agreed", "Agreed"
    QUERIED = "queried", "Queried"


class ReturnMeasure(models.Model):
    """One measure's figures in a return, frozen when drafted: the headline for the contract's
    area and each district (as insight shows it, "[c]" where suppressed)."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.CASCADE, related_name="measures"
    )
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    definition = models.TextField()
    value = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=40)
    target = models.FloatField()
    target_text = models.CharField(max_length=40)
    tolerance = models.FloatField()
    rating = models.CharField(max_length=10, choices=Rating.choices)
    # [{"district": name, "code": ONS code, "value": float|None, "text": "62.1 %"}]
    by_district = models.JSONField(default=list, blank=True)
    # [{"decile": "IDACI decile 1", "value": float|None, "text": "62.1 %"}], as by_district;
    # empty where the measure does not split by deprivation decile.
    by_decile = models.JSONField(default=list, blank=True)
    # The three quarters before this one, oldest first, as this contract's returns for them
    # reported the measure: [{"quarter_end": "2026-03-31", "label": "January to March 2026",
    # "value": float|None, "text": "61.0 %"}] ("no return" where there was none).
    trend = models.JSONField(default=list, blank=True)
    explanation = models.TextField(blank=True)
    review = models.CharField(max_length=10, choices=Review.choices, blank=True)
    review_comment = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ReturnEvent(models.Model):
    """Every step of a return, in order: drafted, edited, submitted, each measure agreed or
    queried, sent back, signed off."""

    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.action
