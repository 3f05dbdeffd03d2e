"""What peer-led community support holds about a family, for subject access and erasure
(registered with `familyreach.core.personal_data` from `CommunityConfig.ready`)."""

from typing import Any

from django.db.models import QuerySet

from familyreach.community import models
from familyreach.core.personal_data import ERASED, Holding, blank, exempt, hold

# Why safeguarding records are not in the family's copy. Shown whether or not any is held, so
# the copy neither confirms nor denies that a concern was raised (telling a parent a concern
# exists can itself put a child at risk). Conservative by design: the data protection officer
# decides on each request for these records one by one, applying the exemptions named here.
SAFEGUARDING_WITHHELD = (
    "Records of safeguarding concerns, and the decisions taken on them, are not part of this "
    "copy, whether or not we hold any. The Data Protection Act 2018 allows us to withhold "
    "information that would be likely to cause serious harm to anyone's physical or mental "
    "health (Schedule 3, Parts 2 and 3: health and social work data), information about a "
    "child's possible abuse where sharing it is not in the child's best interests (Schedule 3, "
    "Part 5, paragraph 21), information whose disclosure would prejudice the prevention or "
    "detection of crime (Schedule 2, Part 1, paragraph 2), and information that identifies "
    "another person, such as whoever raised a concern (Schedule 2, Part 3, paragraph 16). "
    "Our data protection officer reviews each request for these records individually: you can "
    "ask them to, and you can complain to the Information Commissioner's Office (ico.org.uk)."
)


def _open_concerns(rows: QuerySet[Any]) -> str:
    still_open = rows.exclude(decisions__decision__in=models.FINAL_DECISIONS).distinct().count()
    if still_open:
        return (
            f"{still_open} safeguarding concern(s) about this family have no final decision yet: "
            "a record needed to protect a child is not erased while it is being acted on "
            "(UK GDPR article 17(3)(b)). Ask the safeguarding lead to record a decision first."
        )
    return ""


def register() -> None:
    hold(
        Holding(
            model=models.PeerSupportRequest,
            section="Your requests for peer support",
            find=lambda found: models.PeerSupportRequest.objects.filter(
                family_id__in=found.family_ids
            ),
            fields=(
                ("created_at", "Asked on"),
                ("first_name", "First name"),
                ("contact_route", "How the peer supporter gets in touch"),
                ("languages", "Languages"),
                ("postcode", "Postcode"),
                ("experience_labels", "Experiences you wanted to share"),
                ("availability_labels", "When you are free"),
                ("stated_needs", "What you told us"),
                ("status", "Status"),
            ),
            erase=blank(
                first_name=ERASED,
                contact_route="",
                languages=[],
                postcode="",
                latitude=None,
                longitude=None,
                stated_needs="",
            ),
            order=100,
        )
    )
    hold(
        Holding(
            model=models.Match,
            section="Your peer supporters",
            find=lambda found: models.Match.objects.filter(
                request_id__in=found.of(models.PeerSupportRequest)
            ),
            fields=(
                ("supporter.first_name", "Peer supporter"),
                ("status", "Status"),
                ("introduced_on", "Introduced on"),
                ("started_on", "Started on"),
                ("ended_on", "Ended on"),
                ("outcome", "Outcome"),
                ("outcome_notes", "Notes on how it ended"),
                ("wellbeing_start", "Your wellbeing score at the start (1 to 10)"),
                ("wellbeing_end", "Your wellbeing score at the end (1 to 10)"),
            ),
            erase=blank(outcome_notes="", reasons=[]),
            order=110,
            after=(models.PeerSupportRequest,),
        )
    )
    hold(
        Holding(
            model=models.CheckIn,
            section="Check-ins on your peer support",
            find=lambda found: models.CheckIn.objects.filter(match_id__in=found.of(models.Match)),
            fields=(
                ("held_on", "Date"),
                ("notes", "Notes"),
                ("wellbeing", "Your wellbeing score (1 to 10)"),
            ),
            erase=blank(notes=ERASED),
            order=120,
            after=(models.Match,),
        )
    )
    hold(
        Holding(
            model=models.Concern,
            section="Safeguarding concerns",
            find=lambda found: models.Concern._base_manager.filter(
                match_id__in=found.of(models.Match)
            ),
            fields=(
                ("raised_at", "Raised on"),
                ("urgency", "Urgency"),
                ("about", "About"),
                ("what_happened", "What happened"),
                ("where", "Where"),
            ),
            # The fact, date, urgency and decisions stay (the safeguarding trail); the words
            # that identify the family go. Concerns refuse every other change.
            erase=blank(about=ERASED, what_happened=ERASED, where=""),
            withheld=SAFEGUARDING_WITHHELD,
            blocks_erasure=_open_concerns,
            references=lambda rows: rows.values_list("reference", flat=True),
            order=130,
            after=(models.Match,),
        )
    )
    hold(
        Holding(
            model=models.ConcernDecision,
            # One section with the concerns in the family's copy (both are withheld alike).
            section="Safeguarding concerns",
            find=lambda found: models.ConcernDecision._base_manager.filter(
                concern_id__in=found.of(models.Concern)
            ),
            fields=(("decided_at", "Decided on"), ("decision", "Decision"), ("notes", "Notes")),
            erase=blank(notes=ERASED),
            withheld=SAFEGUARDING_WITHHELD,
            order=140,
            after=(models.Concern,),
        )
    )
    exempt(
        models.PeerSupporter,
        models.Reference,
        models.SupervisionSession,
        reason="Peer supporters' (volunteers') own records, not a family's: their rights are "
        "met through the volunteer coordinators, and nothing here links to a family.",
    )
    exempt(
        models.CommunityGroup,
        models.GroupLeader,
        models.GroupSession,
        models.StartUpHelp,
        models.Room,
        models.RoomBooking,
        reason="Community groups, their organisers and room bookings: the organisers' contact "
        "details, not families'.",
    )
