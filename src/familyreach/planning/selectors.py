"""Reads for planning pages, the command line and exports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from familyreach.accounts.roles import Role
from familyreach.core.input import whole_number
from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario, ScenarioRun, ScenarioRunArea

PLANNING_ROLES = (Role.PLANNER, Role.MANAGER)


def user_can_plan(user: Any) -> bool:
    return bool(
        user and user.is_authenticated and (user.is_superuser or user.has_role(*PLANNING_ROLES))
    )


def _check(user: Any) -> None:
    if not user_can_plan(user):
        raise PermissionDenied("Planning is for planners and service managers")


def scenario_list_for_user(*, user: Any) -> QuerySet[Scenario]:
    _check(user)
    return Scenario.objects.select_related("created_by", "adopted_by").order_by("name")


def scenario_get_for_user(*, user: Any, scenario_id: int) -> Scenario:
    _check(user)
    try:
        return Scenario.objects.select_related("created_by", "modified_by", "adopted_by").get(
            pk=scenario_id
        )
    except Scenario.DoesNotExist as error:
        raise Http404("No such scenario") from error


def scenario_usual_travel_mode() -> str:
    """The travel mode a new scenario starts with: the one most of the council's scenarios use.

    A council's options are compared with each other, and options on different travel modes
    are not comparable (a 30-minute bus journey is not a 30-minute drive); so a new scenario
    starts like the council's existing ones (Norfolk's demo options all use public transport).
    With no scenarios yet, or a tie, the council's setting decides.
    """
    from django.conf import settings
    from django.db.models import Count

    configured = str(settings.PLANNING_DEFAULT_TRAVEL_MODE)
    counts = {
        row["travel_mode"]: row["scenarios"]
        for row in Scenario.objects.values("travel_mode").annotate(scenarios=Count("pk"))
    }
    if not counts:
        return configured
    most = max(counts.values())
    usual = sorted(mode for mode, count in counts.items() if count == most)
    return configured if configured in usual else usual[0]


def run_area_rows(run: ScenarioRun) -> QuerySet[ScenarioRunArea]:
    return (
        ScenarioRunArea.objects.filter(run=run)
        .select_related("area", "area__district", "nearest_base", "nearest_service_point")
        .order_by("area__code")
    )


def run_sites(run: ScenarioRun) -> list[dict[str, Any]]:
    """The run's bases and outreach venues with their role and sessions, bases first."""
    venues = Venue.objects.select_related("district").in_bulk(
        [*run.bases, *(row["venue"] for row in run.outreach)]
    )
    forced = set(run.inputs.get("forced_open", []))
    sites: list[dict[str, Any]] = []
    for venue_id in run.bases:
        venue = venues.get(venue_id)
        if venue is not None:
            sites.append(
                {
                    "venue": venue,
                    "role": "base",
                    "sessions_per_week": None,
                    "chosen_by": "planner" if venue_id in forced else "optimiser",
                }
            )
    for row in run.outreach:
        venue = venues.get(row["venue"])
        if venue is not None:
            sites.append(
                {
                    "venue": venue,
                    "role": "outreach",
                    "sessions_per_week": row["sessions_per_week"],
                    "chosen_by": row.get("chosen_by", ""),
                }
            )
    return sites


def latest_finished_runs(scenarios: list[Scenario]) -> dict[int, ScenarioRun]:
    runs: dict[int, ScenarioRun] = {}
    for run in ScenarioRun.objects.filter(scenario__in=scenarios, status="finished").order_by(
        "scenario_id", "-created_at", "-id"
    ):
        runs.setdefault(run.scenario_id, run)
    return runs


def scenario_find(reference: str) -> Scenario:
    """A scenario by id or exact name (the command line)."""
    if (scenario_id := whole_number(reference)) is not None:
        found = Scenario.objects.filter(pk=scenario_id).first()
        if found:
            return found
    found = Scenario.objects.filter(name=reference).first()
    if found is None:
        raise Scenario.DoesNotExist(f"No scenario is called {reference!r}")
    return found
