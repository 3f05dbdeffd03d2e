"""Offline outreach: what arrived from workers' devices, once each.

A worker's device records changes without signal (register marks, walk-ins, visit outcomes)
and sends them later, perhaps more than once (a dropped connection after the server answered
looks like a failure to the device). Each change carries an idempotency key the device made;
`OfflineChange` is the record that the key was received and what came of it, so a replay
returns the first answer and changes nothing. Register marks also keep the device's time
(`made_at`): two workers marking the same register merge by it (docs/offline.md).

No words about a family are kept here: names typed for a walk-in go to the family record,
visit notes to the visit; this row keeps ids, the kind of change, the mark and the outcome.
"""

from django.conf import settings
from django.db import models


class ChangeKind(models.TextChoices):
    MARK = "mark", "Register mark"
    WALK_IN = "walk_in", "Walk-in"
    VISIT = "visit", "Visit outcome"


class ChangeOutcome(models.TextChoices):
    APPLIED = "applied", "Applied"
    # Nothing to change: the server already says the same, or a later mark superseded it.
    MERGED = "merged", "Merged"
    CONFLICT = "conflict", "Conflict shown to the worker"
    REFUSED = "refused", "Refused"


class OfflineChange(models.Model):
    key = models.UUIDField(unique=True, help_text="The idempotency key the device made")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offline_changes"
    )
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    occurrence = models.ForeignKey(
        "delivery.Occurrence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    family = models.ForeignKey(
        "families.Family", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visit = models.ForeignKey(
        "delivery.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attended = models.BooleanField(null=True, blank=True, help_text="For a register mark")
    base_version = models.CharField(max_length=64, blank=True)
    made_at = models.DateTimeField(help_text="When the worker made it, by the device's clock")
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=ChangeOutcome.choices)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["occurrence", "family", "kind"])]

    def __str__(self) -> str:
        return f"Offline change {self.key}"
