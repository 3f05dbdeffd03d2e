"""Referrals: a professional asks another organisation in the directory to contact a family,
with the family's consent (like DfE's "Connect families to support").

A referral holds personal data (the family's name and how to contact them, and why they need
support). Only the person who made it, the receiving organisation's admins and, through the
family's record, those who may see that family read it; every read and write is audited.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from familyreach.core.models import TrackedModel


class ReferralStatus(models.TextChoices):
    # DfE's Connect statuses, in its order.
    NEW = "new", "New"
    OPENED = "opened", "Opened"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


WAITING_STATUSES = (ReferralStatus.NEW, ReferralStatus.OPENED)


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    PHONE = "phone", "Phone call"


class Referral(TrackedModel):
    """`created_by` is the referrer; `organization` is the receiving organisation (copied
    from the service when the referral is made, so moving a listing does not move its
    referrals)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=12, unique=True)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="referrals"
    )
    organization = models.ForeignKey(
        "directory.Organization", on_delete=models.PROTECT, related_name="referrals_received"
    )
    referrer_organization = models.ForeignKey(
        "directory.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_made",
    )
    referrer_phone = models.CharField(max_length=30, blank=True)
    family = models.ForeignKey(
        "families.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The family's record, where the council knows the family",
    )
    family_consent = models.BooleanField(
        default=False, help_text="The family agreed to share these details with the service"
    )
    name = models.CharField(max_length=200, help_text="The parent or carer to contact")
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # Whose district the family is in, for scoping (as family records are): the family
    # record's district, else the postcode's, else the referrer's (set when it is made).
    district = models.ForeignKey(
        "geo.District", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(max_length=1000, help_text="Why the family needs support")
    engage_with_family = models.TextField(
        max_length=1000,
        blank=True,
        help_text="How best to engage: times, interpreter, restrictions on calls or texts",
    )
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    decline_reason = models.TextField(max_length=1000, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "status", "created_at"]),
            models.Index(fields=["created_by", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(family_consent=True), name="referrals_referral_needs_consent"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referrals_referral_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.reference}"

    @property
    def service_and_provider(self) -> str:
        """ "Baby group (Home-Start Great Yarmouth)"; the name once where a group's listing is
        named after the group."""
        service, provider = self.service.name, self.organization.name
        return service if provider == service else f"{service} ({provider})"

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING_STATUSES


class ReferralReminder(models.Model):
    """One row per referral per day a reminder went: the unique pair is what keeps reminders
    to once a day, however often the job runs (a second scheduler, "Run now")."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField()
    sent_to = models.TextField(help_text="Addresses the reminder went to, one a line")

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "sent_on"], name="referrals_one_reminder_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.referral_id} on {self.sent_on}"
