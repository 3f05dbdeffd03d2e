"""Rooms in former centres and family bases offered for community use, and their bookings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from familyreach.community.models.groups import CommunityGroup
from familyreach.core.models import TrackedModel
from familyreach.geo.models import Venue, VenueKind

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
