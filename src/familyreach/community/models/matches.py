"""Requests for peer support (from a family or referred by a worker) and matches between a family and
a peer supporter, with their check-ins."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from familyreach.community.models.supporters import PeerSupporter
from familyreach.community.models.vocabularies import (
    availability_labels,
    experience_labels,
    validate_availability,
    validate_experiences,
    validate_languages,
)
from familyreach.core.models import TrackedModel
from familyreach.geo.models import Area, District


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
