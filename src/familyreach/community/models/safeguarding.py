"""Safeguarding concerns and the decisions on them: append-only, so the record of who raised what and
what was decided cannot be changed afterwards."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from familyreach.community.models.matches import Match


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
