"""One row per email or text message the service sends, from the moment it is decided.

A row is written in the same transaction as whatever caused it (a concern, a booking), so a
rolled-back change sends nothing and a committed one cannot lose its message. The sender moves
it pending → sending → sent, or back to pending with a later `next_attempt_at` after a failure
that may pass, or to failed.
"""

import uuid

from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class MessageKind(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding concern"
    BOOKING = "booking", "Booking"
    SUPPORT_REQUEST = "support_request", "Request for support"
    DIRECTORY = "directory", "Directory reminder"
    COMMUNITY = "community", "Community checks and training"
    REFERRAL = "referral", "Referral between organisations"
    GENERAL = "general", "Other"


class OutboundMessage(models.Model):
    # Sent to Notify inside the reference, so a message whose reply was lost (a crash between
    # sending and recording) can be looked up there instead of being sent again.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    to = models.CharField(max_length=320)
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField()
    reference = models.CharField(max_length=100, blank=True)
    kind = models.CharField(
        max_length=20, choices=MessageKind.choices, default=MessageKind.GENERAL, db_index=True
    )
    # Urgent messages (safeguarding) are claimed before any other due message.
    urgent = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a sender took it (status "sending"): a claim older than the lease belongs to a
    # sender that died, and is recovered.
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # GOV.UK Notify's id for the notification; empty for the console backend.
    notify_id = models.CharField(max_length=64, blank=True)
    # Which backend handled it: "govuk-notify", or "console" (the demo: logged, NOT sent).
    sent_by = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["reference"], name="outbox_reference"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.to} ({self.get_status_display()})"

    @property
    def notify_reference(self) -> str:
        """The reference Notify keeps: the caller's, then this row's own id."""
        return f"{self.reference}/{self.public_id}" if self.reference else str(self.public_id)

    @property
    def demo_only(self) -> bool:
        return self.sent_by == "console"
