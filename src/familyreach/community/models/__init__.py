"""Peer-led community support: peer supporters (volunteers) with their checks and training,
requests for peer support and matches, safeguarding concerns, community groups, and rooms in
former centres offered for community use.

Choices that several parts share (lived experiences, availability slots) are plain lists of codes
stored in JSON columns: they are small, fixed vocabularies compared in Python when matching.

One module per part (the same parts as `services`); every model and choice is imported here,
where Django and the migrations look for them (`familyreach.community.models.X`).
"""

from familyreach.community.models.groups import (
    AttendanceCount,
    CommunityGroup,
    GroupFrequency,
    GroupKind,
    GroupLeader,
    GroupSession,
    GroupStatus,
    HelpKind,
    HelpStatus,
    StartUpHelp,
    Weekday,
)
from familyreach.community.models.matches import (
    LIVE_MATCH_STATUSES,
    MATCH_TRANSITIONS,
    CheckIn,
    Match,
    MatchOutcome,
    MatchStatus,
    PeerSupportRequest,
    RequestStatus,
)
from familyreach.community.models.rooms import (
    HOLDING_BOOKING_STATUSES,
    ROOM_VENUE_KINDS,
    BookingStatus,
    Room,
    RoomBooking,
)
from familyreach.community.models.safeguarding import (
    FINAL_DECISIONS,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    Concern,
    ConcernDecision,
    ConcernDecisionKind,
    ConcernUrgency,
    ImmutableRecord,
)
from familyreach.community.models.supporters import (
    REQUIRED_TRAINING,
    DbsCheck,
    ExpiryKind,
    ExpiryWarning,
    PeerSupporter,
    Reference,
    SupervisionSession,
    SupporterStatus,
    TrainingModule,
    TrainingRecord,
)
from familyreach.community.models.vocabularies import (
    AvailabilitySlot,
    Experience,
    availability_labels,
    experience_labels,
    validate_availability,
    validate_experiences,
    validate_languages,
)

__all__ = [
    "FINAL_DECISIONS",
    "HOLDING_BOOKING_STATUSES",
    "LIVE_MATCH_STATUSES",
    "MATCH_TRANSITIONS",
    "REQUIRED_TRAINING",
    "ROOM_VENUE_KINDS",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "AttendanceCount",
    "AvailabilitySlot",
    "BookingStatus",
    "CheckIn",
    "CommunityGroup",
    "Concern",
    "ConcernDecision",
    "ConcernDecisionKind",
    "ConcernUrgency",
    "DbsCheck",
    "Experience",
    "ExpiryKind",
    "ExpiryWarning",
    "GroupFrequency",
    "GroupKind",
    "GroupLeader",
    "GroupSession",
    "GroupStatus",
    "HelpKind",
    "HelpStatus",
    "ImmutableRecord",
    "Match",
    "MatchOutcome",
    "MatchStatus",
    "PeerSupportRequest",
    "PeerSupporter",
    "Reference",
    "RequestStatus",
    "Room",
    "RoomBooking",
    "StartUpHelp",
    "SupervisionSession",
    "SupporterStatus",
    "TrainingModule",
    "TrainingRecord",
    "Weekday",
    "availability_labels",
    "experience_labels",
    "validate_availability",
    "validate_experiences",
    "validate_languages",
]
