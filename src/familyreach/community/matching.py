"""Ranking peer supporters for a family's request, with the reasons a coordinator reads.

Only supporters whose checks and training are complete and in date on the day are considered
(`selectors.supporter_readiness`); those at their limit of families, already matched to this
family, or who cannot reach the family are left out, with the reason. The rest are scored:

| what | points |
| --- | --- |
| each lived experience the family asked for that the supporter shares | +3 |
| speaks a language the family asked for | +2; none of them (and not English only): -3 |
| travel time by car (geo's model, see `travel_minutes`) | +2 at the door, falling to 0 at an hour |
| availability in common | +1, and +0.25 for each further slot in common (at most +2); none: -1 |
| families already supported | -0.5 each |

The weights put shared experience first because that is the point of peer support; language
next because without it there is no conversation; then distance, time and load. Ties go to the
supporter with fewer families, then by name, so the order is the same every time.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from familyreach.community.models import (
    LIVE_MATCH_STATUSES,
    AvailabilitySlot,
    Experience,
    PeerSupporter,
    PeerSupportRequest,
)
from familyreach.community.selectors import supporter_readiness, supporters_with_checks
from familyreach.geo.distance import haversine_km
from familyreach.geo.models import TravelMode
from familyreach.geo.travel import modelled_minutes

SHARED_EXPERIENCE_POINTS = 3.0
LANGUAGE_POINTS = 2.0
NO_COMMON_LANGUAGE_POINTS = -3.0
TRAVEL_POINTS = 2.0
TRAVEL_REFERENCE_MINUTES = 60.0  # a trip this long or longer earns no travel points
AVAILABILITY_POINTS = 1.0
EXTRA_SLOT_POINTS = 0.25
AVAILABILITY_CAP = 2.0
NO_AVAILABILITY_POINTS = -1.0
LOAD_POINTS = -0.5


def travel_minutes(straight_line_km: float) -> float:
    """Modelled minutes by car for a straight-line distance (geo's calibrated model, docs/geo.md).

    The model's rural setting is used for everyone: it is the slower of the two over any
    distance a volunteer would travel, so "within 30 minutes" errs on the side of "reachable"
    meaning reachable; working out each home's setting would cost a scan of every postcode."""
    minutes = modelled_minutes(
        np.asarray(straight_line_km, dtype=np.float64), np.asarray(False), TravelMode.CAR
    )
    return float(minutes)


@dataclass(frozen=True)
class Proposal:
    supporter: PeerSupporter
    score: float
    reasons: tuple[str, ...]
    distance_km: float | None = None
    travel_minutes: float | None = None


@dataclass(frozen=True)
class Exclusion:
    supporter: PeerSupporter
    reasons: tuple[str, ...]


@dataclass
class Ranking:
    proposals: list[Proposal] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)


def _languages(values: list[str]) -> set[str]:
    return {value.strip().casefold() for value in values if value.strip()}


def supporter_fit(
    supporter: PeerSupporter, request: PeerSupportRequest, *, live_matches: int
) -> Proposal | Exclusion:
    """Score one (ready) supporter against a request, or say why they cannot be proposed."""
    if live_matches >= supporter.max_families:
        return Exclusion(
            supporter, (f"Already supporting {live_matches} of {supporter.max_families} families",)
        )
    score = 0.0
    reasons: list[str] = []

    shared = [code for code in request.experiences_wanted if code in supporter.experiences]
    if shared:
        score += SHARED_EXPERIENCE_POINTS * len(shared)
        labels = ", ".join(Experience(code).label.lower() for code in shared)
        reasons.append(f"Shared experience: {labels}")

    wanted = _languages(request.languages)
    spoken = _languages(supporter.languages)
    if wanted and not wanted <= {"english"}:
        common = wanted & spoken
        if common:
            score += LANGUAGE_POINTS
            reasons.append("Speaks " + ", ".join(sorted(name.title() for name in common)))
        else:
            score += NO_COMMON_LANGUAGE_POINTS
            reasons.append("Does not speak " + ", ".join(sorted(n.title() for n in wanted)))

    distance_km = minutes = None
    reachable_district = request.district_id is not None and any(
        district.pk == request.district_id for district in supporter.districts.all()
    )
    if None not in (supporter.latitude, supporter.longitude, request.latitude, request.longitude):
        distance_km = float(
            haversine_km(
                supporter.latitude,  # type: ignore[arg-type]
                supporter.longitude,  # type: ignore[arg-type]
                request.latitude,  # type: ignore[arg-type]
                request.longitude,  # type: ignore[arg-type]
            )
        )
        minutes = travel_minutes(distance_km)
        if minutes > supporter.max_travel_minutes and not reachable_district:
            return Exclusion(
                supporter,
                (
                    f"About {minutes:.0f} minutes away by car, more than their "
                    f"{supporter.max_travel_minutes} minutes",
                ),
            )
        closeness = max(0.0, 1 - minutes / TRAVEL_REFERENCE_MINUTES)
        score += TRAVEL_POINTS * closeness
        reasons.append(
            f"About {minutes:.0f} minutes away by car ({distance_km:.1f} km in a straight line)"
        )
    elif reachable_district:
        reasons.append("Can reach the family's district")
    else:
        return Exclusion(supporter, ("Cannot tell whether they can reach the family",))

    common_slots = [slot for slot in request.availability if slot in supporter.availability]
    if common_slots:
        score += min(
            AVAILABILITY_CAP, AVAILABILITY_POINTS + EXTRA_SLOT_POINTS * (len(common_slots) - 1)
        )
        labels = ", ".join(AvailabilitySlot(slot).label.lower() for slot in common_slots)
        reasons.append(f"Both free: {labels}")
    elif request.availability:
        score += NO_AVAILABILITY_POINTS
        reasons.append("No times in common")

    if live_matches:
        score += LOAD_POINTS * live_matches
        plural = "family" if live_matches == 1 else "families"
        reasons.append(f"Supporting {live_matches} {plural} now")
    else:
        reasons.append("Not supporting a family now")
    return Proposal(supporter, round(score, 2), tuple(reasons), distance_km, minutes)


def rank_supporters(request: PeerSupportRequest, *, on: date) -> Ranking:
    """Every supporter considered for `request` on day `on`: ranked proposals and exclusions."""
    ranking = Ranking()
    already = set(
        request.matches.filter(status__in=LIVE_MATCH_STATUSES).values_list(
            "supporter_id", flat=True
        )
    )
    for supporter in supporters_with_checks():
        readiness = supporter_readiness(supporter, on=on)
        if not readiness.ready:
            ranking.excluded.append(Exclusion(supporter, readiness.problems))
            continue
        if supporter.pk in already:
            ranking.excluded.append(Exclusion(supporter, ("Already matched to this family",)))
            continue
        fit = supporter_fit(supporter, request, live_matches=supporter.live_matches)  # type: ignore[attr-defined]
        if isinstance(fit, Exclusion):
            ranking.excluded.append(fit)
        else:
            ranking.proposals.append(fit)
    ranking.proposals.sort(
        key=lambda p: (
            -p.score,
            p.supporter.live_matches,  # type: ignore[attr-defined]
            p.supporter.first_name,
            p.supporter.last_name,
            p.supporter.pk,
        )
    )
    return ranking
