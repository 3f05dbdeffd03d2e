"""The one place planning hands an adopted network to the directory (the front door).

The directory app owns how bases and outreach venues become directory locations; planning only
calls `familyreach.directory.services.publish_adopted_network(bases=..., outreach_venues=...)`.
Until the directory provides it, adoption is recorded and publishing is marked pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.apps import apps

from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario


@dataclass(frozen=True)
class PublishingOutcome:
    published: bool
    note: str


def publish_adopted_network(
    *, scenario: Scenario, bases: list[Venue], outreach_venues: list[tuple[Venue, int]]
) -> PublishingOutcome:
    if not apps.is_installed("familyreach.directory"):
        return PublishingOutcome(
            published=False,
            note="Publishing is pending: the directory is not installed on this service.",
        )
    try:
        directory_services = import_module("familyreach.directory.services")
    except ImportError:
        directory_services = None
    hook = getattr(directory_services, "publish_adopted_network", None)
    if hook is None:
        return PublishingOutcome(
            published=False,
            note="Publishing is pending: the directory does not yet accept adopted networks.",
        )
    # The directory publishes places; how often each outreach venue hosts sessions stays with
    # planning (delivery turns it into a timetable).
    hook(bases=bases, outreach_venues=[venue for venue, _ in outreach_venues])
    return PublishingOutcome(
        published=True,
        note=(
            f"Published to the directory: {len(bases)} bases and {len(outreach_venues)} "
            f"outreach venues from “{scenario.name}”."
        ),
    )
