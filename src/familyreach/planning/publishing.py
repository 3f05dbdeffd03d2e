"""The one place planning hands an adopted network to the directory (the front door).

The directory app owns how bases and outreach venues become directory locations; planning only
calls `familyreach.directory.services.publish_adopted_network(bases=..., outreach_venues=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from familyreach.directory.services import publish_adopted_network as directory_publish
from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario


@dataclass(frozen=True)
class PublishingOutcome:
    published: bool
    note: str


def publish_adopted_network(
    *, scenario: Scenario, bases: list[Venue], outreach_venues: list[tuple[Venue, int]]
) -> PublishingOutcome:
    # The directory publishes places; how often each outreach venue hosts sessions stays with
    # planning (delivery turns it into a timetable).
    directory_publish(bases=bases, outreach_venues=[venue for venue, _ in outreach_venues])
    return PublishingOutcome(
        published=True,
        note=(
            f"Published to the directory: {len(bases)} bases and {len(outreach_venues)} "
            f"outreach venues from “{scenario.name}”."
        ),
    )
