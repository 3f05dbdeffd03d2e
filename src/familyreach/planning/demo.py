"""The four Norfolk options, ready to run: `familyreach demo setup` calls `load(stdout)`.

The official list of Norfolk's 53 children's centres with addresses is not in our data. The
press reports in data/norfolk/childrens_centres_press_mentions.csv name some of them and their
towns: each named centre is placed at the library (or, failing that, a school) of its named town
and marked approximate. The rest of the 53 are chosen by the optimiser from libraries and
schools, as it would place new centres; the scenario says so on its page.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from familyreach.core.output import Output
from familyreach.geo.models import Area, Venue, VenueKind, VenueStatus
from familyreach.geo.selectors import under_fives_summary
from familyreach.planning import inputs
from familyreach.planning.models import DemandMeasure, Scenario, ScenarioStatus, TravelMode
from familyreach.planning.services import (
    scenario_adopt,
    scenario_create,
    scenario_run_now,
    scenario_update,
)

CENTRES_FILE = "childrens_centres_press_mentions.csv"
CENTRE_SOURCE = "planning-demo-press-mentions"
CURRENT_CENTRES = 53

CURRENT = "Current network: 53 centres"
HALF = "50% of centres in the highest-need areas"
SEVEN = "7 bases (one per district) + outreach"
FIFTEEN = "15 bases + outreach"

# The option the demo adopts, so that spend, the share reaching families and the cost per family
# seen (insight's money page, the annual report, the contract's returns) have a network to count.
ADOPTED = FIFTEEN
DEMO_ADOPTION_NOTE = (
    "SIMULATED ADOPTION: the demo adopts this option so that spend and cost per family seen have "
    "a network to count; no council has adopted it here."
)

# The service's budget before and after the cut, £10m to £5m a year: the options the demo
# scenarios compare were drawn up to fit the smaller one.
FORMER_BUDGET = Decimal(10_000_000)
REDUCED_BUDGET = Decimal(5_000_000)


def _centres_path() -> Path:
    return Path(settings.DATA_DIR) / "norfolk" / CENTRES_FILE


def _place_tokens(row: dict[str, str]) -> list[str]:
    """Places to look for, most specific first, from the reported place and later use."""
    tokens: list[str] = []
    for text in (row["place_as_reported"], row["later_use_as_reported_2019"]):
        transferred = re.search(r"transferred to (?:the )?([A-Z][\w' ]+?)(?: \(|$)", text)
        if transferred:
            tokens.append(transferred.group(1).strip())
    place = re.sub(r"\(.*?\)", "", row["place_as_reported"]).strip()
    if place and not place.lower().startswith("not stated"):
        for part in re.split(r"[/,]", place):
            part = part.strip()
            if part:
                tokens.append(part)
        reported = re.search(r"as reported: '([^']+)'", row["place_as_reported"])
        if reported:
            tokens.insert(0, reported.group(1))
    return list(dict.fromkeys(tokens))


SCHOOL_PREFERENCE = ("nursery", "infant", "primary")


def _match(token: str, used: set[int]) -> Venue | None:
    """The library of a place, else a school named after it (nursery, infant, primary first)."""
    pattern = rf"(^|[^A-Za-z]){re.escape(token)}([^A-Za-z]|$)"
    libraries = [
        venue
        for venue in Venue.objects.filter(kind=VenueKind.LIBRARY, name__icontains=token)
        .exclude(source=CENTRE_SOURCE)
        .order_by("name")
        if re.search(pattern, venue.name, re.IGNORECASE) and venue.pk not in used
    ]
    if libraries:
        return libraries[0]
    schools = [
        venue
        for venue in Venue.objects.filter(kind=VenueKind.SCHOOL, name__icontains=token).order_by(
            "name"
        )
        if re.search(pattern, venue.name, re.IGNORECASE) and venue.pk not in used
    ]

    def preference(venue: Venue) -> tuple[int, str]:
        name = venue.name.lower()
        for rank, word in enumerate(SCHOOL_PREFERENCE):
            if word in name:
                return rank, venue.name
        return len(SCHOOL_PREFERENCE), venue.name

    schools.sort(key=preference)
    return schools[0] if schools else None


def place_named_centres(stdout: Output | None = None) -> list[Venue]:
    """Create (or update) a children's centre venue for each centre named in the press, placed
    approximately; centres whose town has no library or school in our data are left out."""
    placed: list[Venue] = []
    used: set[int] = set()
    with _centres_path().open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        name = row["centre_name_as_reported"].strip()
        anchor = None
        for token in _place_tokens(row):
            # Published names drop apostrophes at times ("Kings Lynn Library").
            for spelling in dict.fromkeys([token, token.replace("'", "")]):
                anchor = _match(spelling, used)
                if anchor is not None:
                    break
            if anchor is not None:
                break
        if anchor is None:
            if stdout is not None:
                stdout.write(f"  {name}: no library or school found for its town; not placed\n")
            continue
        used.add(anchor.pk)
        venue, _ = Venue.objects.update_or_create(
            source=CENTRE_SOURCE,
            source_reference=name[:100],
            defaults={
                "name": name if "children" in name.lower() else f"{name} children's centre",
                "kind": VenueKind.CHILDRENS_CENTRE,
                "latitude": anchor.latitude,
                "longitude": anchor.longitude,
                "district": anchor.district,
                "area": anchor.area,
                "position_is_exact": False,
                "position_source": (
                    f"Approximate: placed at {anchor.name}, the "
                    f"{'library' if anchor.kind == VenueKind.LIBRARY else 'school'} of the town "
                    "named in press reports; the centre's address is not in our data"
                )[:200],
                "status": VenueStatus.OPEN,
                "details": {"press_mention": row, "placed_at_venue": anchor.pk},
            },
        )
        placed.append(venue)
    return placed


def _greatest_need_area_ids() -> list[int]:
    data = inputs.load_areas()
    return [area.pk for area, need in zip(data.areas, data.greatest_need, strict=True) if need]


def _upsert(
    name: str,
    fields: dict[str, Any],
    *,
    forced_open: list[Venue] | None = None,
    candidate_venues: list[Venue] | None = None,
) -> Scenario:
    # Families in the areas of greatest need are the least likely to have a car: the demo
    # options are judged on public transport or walking ("beyond 30 minutes by bus").
    fields = {"travel_mode": TravelMode.PUBLIC_TRANSPORT, "thresholds": [15, 30], **fields}
    # Each venue list is given, empty where an option names none, so loading the demo again
    # puts back an option someone changed.
    relations: dict[str, Any] = {
        "forced_open": forced_open or [],
        "candidate_venues": candidate_venues or [],
        "excluded": [],
        "outreach_venues": [],
    }
    existing = Scenario.objects.filter(name=name).first()
    if existing is None:
        return scenario_create(user=None, fields={"name": name, **fields}, **relations)
    if existing.status in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING):
        return existing
    return scenario_update(scenario=existing, user=None, fields=fields, **relations)


def load(stdout: Output, *, run: bool = True) -> None:
    """Create the four options and (unless `run` is False) run those not run yet, so the demo
    opens with results. Safe to run again."""
    if not Area.objects.exists():
        stdout.write("Planning scenarios need the Norfolk geography: load geo first\n")
        return
    _create(stdout)
    if not run:
        return
    # A run made on other under-fives (the 0–15 × 0.335 estimate, before the ONS counts were
    # loaded) is run again, so the demo's options are judged on the figures its pages show.
    current_source = under_fives_summary().source
    for name in (CURRENT, HALF, SEVEN, FIFTEEN):
        scenario = Scenario.objects.get(name=name)
        latest = scenario.latest_finished_run
        if latest is not None:
            if latest.measures.get("under_fives_source") == current_source:
                continue
            if scenario.status != ScenarioStatus.FINISHED or scenario.adopted_at is not None:
                continue
        elif scenario.status != ScenarioStatus.DRAFT:
            continue
        result = scenario_run_now(scenario=scenario, user=None)
        outcome = "finished" if result.status == ScenarioStatus.FINISHED else result.error
        stdout.write(f"  ran “{name}”: {outcome}\n")
    _adopt(stdout)


def _adopt(stdout: Output) -> None:
    """Adopt the decided option (labelled simulated in its caveats) unless one is adopted."""
    from django.contrib.auth import get_user_model

    if Scenario.objects.filter(adopted_at__isnull=False).exists():
        return
    scenario = Scenario.objects.get(name=ADOPTED)
    planner = get_user_model().objects.filter(username="demo-planner").first()
    if planner is None:
        stdout.write("  no demo planner account: nothing adopted\n")
        return
    if scenario.status != ScenarioStatus.FINISHED:
        stdout.write(f"  “{ADOPTED}” has not finished running: nothing adopted\n")
        return
    scenario_adopt(scenario=scenario, user=planner)
    stdout.write(f"  adopted “{ADOPTED}” (simulated adoption, for the money measures)\n")


# What the two options from the review share: bases in children's centres and libraries, at
# least one in each district, on the reduced budget, with outreach twice a week.
AFTER_REVIEW: dict[str, Any] = {
    "candidate_kinds": [VenueKind.CHILDRENS_CENTRE, VenueKind.LIBRARY],
    "district_minimum": 1,
    "budget": REDUCED_BUDGET,
    "outreach_kinds": [VenueKind.LIBRARY, VenueKind.SCHOOL],
    "outreach_sessions_per_week": 2,
    "caveats": "Children's centre positions are approximate (see the sites table). "
    "Building and staff costs are assumptions, not published figures.",
}


@transaction.atomic
def _create(stdout: Output) -> None:
    centres = place_named_centres(stdout)
    named = len(centres)
    approximate = (
        f"{named} of the 53 centres are named in press reports and placed approximately at the "
        "library or school of their town (shown as approximate). The official list with "
        f"addresses is not in our data, so the other {CURRENT_CENTRES - named} were chosen by "
        "the optimiser from libraries and schools, as it would place new centres. Building "
        "running costs are assumptions, not published figures."
    )
    _upsert(
        CURRENT,
        {
            "description": "Keep all 53 children's centres open (the option found unaffordable), "
            "on the former budget of £10m a year.",
            "candidate_kinds": [VenueKind.LIBRARY, VenueKind.SCHOOL],
            "number_of_bases": CURRENT_CENTRES,
            "budget": FORMER_BUDGET,
            "outreach_count": 0,
            "outreach_kinds": [],
            "caveats": approximate,
            # Every one of the 53 is a children's centre, whatever building it stands in for.
            "building_cost_default": Decimal(
                settings.PLANNING_BUILDING_COST_BY_KIND["childrens_centre"]
            ),
            "time_limit_seconds": 30,
        },
        forced_open=centres,
    )
    need_areas = _greatest_need_area_ids()
    need_venues = list(
        Venue.objects.filter(
            Q(area_id__in=need_areas),
            Q(kind__in=[VenueKind.LIBRARY, VenueKind.CHILDRENS_CENTRE, VenueKind.SCHOOL]),
        ).exclude(status=VenueStatus.CLOSED)
    )
    _upsert(
        HALF,
        {
            "description": "Keep half of the 53 centres, in the areas of greatest need, on the "
            "reduced budget of £5m a year.",
            "candidate_kinds": [],
            "number_of_bases": 27,
            "budget": REDUCED_BUDGET,
            "demand_measure": DemandMeasure.NEED_WEIGHTED,
            "outreach_count": 0,
            "outreach_kinds": [],
            "caveats": (
                f"{named} of the 53 centres are named in press reports and placed approximately "
                "at the library or school of their town (shown as approximate); the official "
                "list is not in our data. The optimiser keeps 27 bases chosen from those named "
                "centres and the libraries and schools in greatest-need areas, weighting "
                "families by need. Building running costs are assumptions, not published figures."
            ),
            "building_cost_default": Decimal(
                settings.PLANNING_BUILDING_COST_BY_KIND["childrens_centre"]
            ),
            "time_limit_seconds": 30,
        },
        candidate_venues=need_venues + centres,
    )
    _upsert(
        SEVEN,
        {
            "description": "One early childhood and family base in each district, with outreach "
            "sessions in libraries and schools (the option proposed for consultation).",
            **AFTER_REVIEW,
            "number_of_bases": 7,
            "district_maximum": 1,
            "outreach_count": 40,
        },
    )
    _upsert(
        FIFTEEN,
        {
            "description": "15 bases, at least one in each district, with outreach (the "
            "decision after consultation).",
            **AFTER_REVIEW,
            "number_of_bases": 15,
            "district_maximum": None,
            "outreach_count": 30,
            "caveats": f"{AFTER_REVIEW['caveats']} {DEMO_ADOPTION_NOTE}",
        },
    )
    stdout.write(
        f"Planning: {named} named children's centres placed (approximate); 4 scenarios ready "
        "to run\n"
    )
