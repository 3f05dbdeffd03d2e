"""Every change to scenarios and runs: create, update, queue a run, run it, adopt it.

Each write names the user, validates with `full_clean()`, and leaves its trace in the audit log
(auditlog records the actor; outside a web request we name the actor ourselves).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.core.audit import acting_as
from familyreach.geo.models import Venue
from familyreach.planning import engine, publishing
from familyreach.planning.models import (
    PublishingStatus,
    Scenario,
    ScenarioOutreachVenue,
    ScenarioRun,
    ScenarioRunArea,
    ScenarioStatus,
)

logger = logging.getLogger(__name__)

SCALAR_FIELDS = (
    "name",
    "description",
    "objective",
    "candidate_kinds",
    "number_of_bases",
    "budget",
    "district_minimum",
    "district_maximum",
    "outreach_kinds",
    "outreach_count",
    "outreach_sessions_per_week",
    "travel_mode",
    "thresholds",
    "demand_measure",
    "building_cost_default",
    "staff_cost_per_fte",
    "sessions_per_fte",
    "hours_per_fte",
    "time_limit_seconds",
    "seed",
    "caveats",
)


@contextlib.contextmanager
def _acting_as(user: User | None) -> Iterator[None]:
    """Name the actor for the audit log when no web request has (commands, tasks)."""
    if user is None:
        yield
        return
    with acting_as(user):
        yield


def _apply(
    scenario: Scenario,
    *,
    fields: dict[str, Any],
    candidate_venues: list[Venue] | None,
    forced_open: list[Venue] | None,
    excluded: list[Venue] | None,
    outreach_venues: list[tuple[Venue, int]] | None,
) -> None:
    unknown = set(fields) - set(SCALAR_FIELDS)
    if unknown:
        raise ValueError(f"Unknown scenario fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(scenario, name, value)
    scenario.full_clean()
    scenario.save()
    if candidate_venues is not None:
        scenario.candidate_venues.set(candidate_venues)
    if forced_open is not None:
        scenario.forced_open.set(forced_open)
    if excluded is not None:
        scenario.excluded.set(excluded)
    if outreach_venues is not None:
        scenario.outreach_venues.all().delete()
        for venue, sessions in outreach_venues:
            row = ScenarioOutreachVenue(scenario=scenario, venue=venue, sessions_per_week=sessions)
            row.full_clean()
            row.save()


@transaction.atomic
def scenario_create(
    *,
    user: User | None,
    fields: dict[str, Any],
    candidate_venues: list[Venue] | None = None,
    forced_open: list[Venue] | None = None,
    excluded: list[Venue] | None = None,
    outreach_venues: list[tuple[Venue, int]] | None = None,
) -> Scenario:
    with _acting_as(user):
        scenario = Scenario(created_by=user, modified_by=user)
        _apply(
            scenario,
            fields=fields,
            candidate_venues=candidate_venues,
            forced_open=forced_open,
            excluded=excluded,
            outreach_venues=outreach_venues,
        )
    return scenario


@transaction.atomic
def scenario_update(
    *,
    scenario: Scenario,
    user: User | None,
    fields: dict[str, Any],
    candidate_venues: list[Venue] | None = None,
    forced_open: list[Venue] | None = None,
    excluded: list[Venue] | None = None,
    outreach_venues: list[tuple[Venue, int]] | None = None,
) -> Scenario:
    """Change a scenario's inputs. Its earlier runs stay as they were (they keep their inputs);
    a changed scenario goes back to draft until it is run again. Saving the same inputs again
    (a form saved unchanged, the demo loaded twice) keeps its status: its results still hold."""
    with _acting_as(user):
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if scenario.status in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING):
            raise ValueError("This scenario is being run: wait for it to finish before changing it")
        inputs_before = scenario_inputs_snapshot(scenario)
        status_before, error_before = scenario.status, scenario.status_error
        scenario.modified_by = user
        scenario.status = ScenarioStatus.DRAFT
        scenario.status_error = ""
        _apply(
            scenario,
            fields=fields,
            candidate_venues=candidate_venues,
            forced_open=forced_open,
            excluded=excluded,
            outreach_venues=outreach_venues,
        )
        # Compare as stored: a Decimal written as 5000000 reads back as 5000000.00.
        scenario.refresh_from_db()
        if scenario_inputs_snapshot(scenario) == inputs_before:
            scenario.status, scenario.status_error = status_before, error_before
            scenario.save(update_fields=["status", "status_error"])
    return scenario


def scenario_inputs_snapshot(scenario: Scenario) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        value = getattr(scenario, name)
        snapshot[name] = (
            str(value)
            if value is not None
            and name
            in {
                "budget",
                "building_cost_default",
                "staff_cost_per_fte",
                "sessions_per_fte",
            }
            else value
        )
    snapshot["candidate_venues"] = sorted(scenario.candidate_venues.values_list("pk", flat=True))
    snapshot["forced_open"] = sorted(scenario.forced_open.values_list("pk", flat=True))
    snapshot["excluded"] = sorted(scenario.excluded.values_list("pk", flat=True))
    snapshot["outreach_venues"] = [
        [venue_id, sessions]
        for venue_id, sessions in scenario.outreach_venues.values_list(
            "venue_id", "sessions_per_week"
        ).order_by("venue_id")
    ]
    return snapshot


@transaction.atomic
def scenario_run_queue(*, scenario: Scenario, user: User | None) -> ScenarioRun:
    """Check the scenario can be met, then queue a run. Raises ScenarioCannotBeMet with reasons
    (and leaves the scenario as it was) when it cannot."""
    with _acting_as(user):
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if scenario.status in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING):
            raise engine.ScenarioCannotBeMet(["This scenario is already queued or running"])
        problems = engine.scenario_problems(scenario)
        if problems:
            raise engine.ScenarioCannotBeMet(problems)
        run = ScenarioRun(
            scenario=scenario,
            status=ScenarioStatus.QUEUED,
            created_by=user,
            modified_by=user,
            inputs=scenario_inputs_snapshot(scenario),
            progress_message="Waiting for a worker",
        )
        run.full_clean()
        run.save()
        scenario.status = ScenarioStatus.QUEUED
        scenario.status_error = ""
        scenario.modified_by = user
        scenario.save(update_fields=["status", "status_error", "modified_by", "modified_at"])
    return run


def scenario_run_enqueue(*, scenario: Scenario, user: User | None) -> ScenarioRun:
    """Queue a run and hand it to a background worker (at once, in tests)."""
    run = scenario_run_queue(scenario=scenario, user=user)
    # The database task backend writes the task in the same database (and transaction), so a
    # worker never sees the task before the run row it names.
    _enqueue(run.pk)
    run.refresh_from_db()
    return run


def _enqueue(run_id: int) -> None:
    from familyreach.planning.tasks import run_scenario

    result = run_scenario.enqueue(run_id)
    ScenarioRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])


def _set_progress(run_id: int, percent: int, message: str) -> None:
    # A plain UPDATE outside the result transaction: the page shows it while the run works.
    ScenarioRun.objects.filter(pk=run_id).update(
        progress=max(0, min(100, percent)), progress_message=message[:200]
    )


def scenario_run_execute(
    *, run_id: int, progress: Callable[[int, str], None] | None = None
) -> ScenarioRun:
    """Do a queued run: optimise, measure, and write everything in one transaction at the end.

    On any failure the run and the scenario are marked failed with the error, and no partial
    result is written.
    """
    run = ScenarioRun.objects.select_related("scenario", "created_by").get(pk=run_id)
    if run.status != ScenarioStatus.QUEUED:
        # A task delivered twice must not run the optimisation again or overwrite results.
        return run
    scenario = run.scenario
    user = run.created_by

    def report(percent: int, message: str) -> None:
        _set_progress(run_id, percent, message)
        if progress is not None:
            progress(percent, message)

    with _acting_as(user):
        ScenarioRun.objects.filter(pk=run_id).update(
            status=ScenarioStatus.RUNNING, started_at=timezone.now()
        )
        Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.RUNNING)
        try:
            plan = engine.optimise(scenario, progress=report)
            report(90, "Saving the results")
            _write_results(run_id=run_id, scenario=scenario, plan=plan, user=user)
        except Exception as error:
            if not isinstance(error, engine.ScenarioCannotBeMet):
                logger.exception("Scenario run %s failed", run_id)
            _mark_failed(run_id=run_id, scenario_id=scenario.pk, error=error, user=user)
        else:
            report(100, "Finished")
    return ScenarioRun.objects.get(pk=run_id)


def _mark_failed(*, run_id: int, scenario_id: int, error: Exception, user: User | None) -> None:
    message = str(error) or error.__class__.__name__
    if not isinstance(error, engine.ScenarioCannotBeMet | RunInterrupted):
        message = f"{error.__class__.__name__}: {message}"
    with transaction.atomic():
        run = ScenarioRun.objects.select_for_update().get(pk=run_id)
        run.status = ScenarioStatus.FAILED
        run.error = message
        run.finished_at = timezone.now()
        run.progress_message = "Failed"
        run.modified_by = user
        run.save()
        scenario = Scenario.objects.select_for_update().get(pk=scenario_id)
        scenario.status = ScenarioStatus.FAILED
        scenario.status_error = message
        scenario.save(update_fields=["status", "status_error", "modified_at"])


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@transaction.atomic
def _write_results(
    *, run_id: int, scenario: Scenario, plan: engine.PlanResult, user: User | None
) -> None:
    summary = plan.summary(scenario)
    run = ScenarioRun.objects.select_for_update().get(pk=run_id)
    run.bases = [venue.pk for venue in plan.bases]
    run.outreach = [
        {
            "venue": point.venue.pk,
            "sessions_per_week": point.sessions_per_week,
            "chosen_by": point.chosen_by,
        }
        for point in plan.outreach
    ]
    run.measures = summary["measures"]
    run.districts = summary["districts"]
    run.worst_served = summary["worst_served"]
    optimisation = plan.optimisation
    run.method = optimisation.method[:200]
    run.optimiser_status = optimisation.status[:32]
    run.objective = optimisation.objective
    run.bound = optimisation.bound
    run.gap = optimisation.gap
    run.proven_optimal = optimisation.proven_optimal
    run.optimiser_seconds = optimisation.seconds
    run.time_limit_hit = optimisation.time_limit_hit
    run.status = ScenarioStatus.FINISHED
    run.finished_at = timezone.now()
    run.progress = 100
    run.progress_message = "Finished"
    run.modified_by = user
    run.full_clean()
    run.save()
    ScenarioRunArea.objects.bulk_create(
        ScenarioRunArea(
            run=run,
            area=area,
            nearest_base=plan.bases[int(plan.base_index[k])] if plan.base_index[k] >= 0 else None,
            base_minutes=_finite(plan.base_minutes[k]),
            nearest_service_point=(
                plan.service_venues[int(plan.service_index[k])]
                if plan.service_index[k] >= 0
                else None
            ),
            service_minutes=_finite(plan.service_minutes[k]),
            under_fives=float(plan.area_data.under_fives[k]),
            greatest_need=bool(plan.area_data.greatest_need[k]),
        )
        for k, area in enumerate(plan.area_data.areas)
    )
    Scenario.objects.filter(pk=scenario.pk).update(
        status=ScenarioStatus.FINISHED, status_error="", modified_at=timezone.now()
    )


def scenario_run_now(
    *, scenario: Scenario, user: User | None, progress: Callable[[int, str], None] | None = None
) -> ScenarioRun:
    """Queue and run at once in this process (the command line)."""
    run = scenario_run_queue(scenario=scenario, user=user)
    return scenario_run_execute(run_id=run.pk, progress=progress)


@transaction.atomic
def scenario_adopt(*, scenario: Scenario, user: User) -> Scenario:
    """Adopt a scenario's latest finished run as the network, and hand its sites to the directory."""
    with _acting_as(user):
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        run = scenario.latest_finished_run
        if run is None or scenario.status != ScenarioStatus.FINISHED:
            raise ValueError("Only a scenario whose latest run has finished can be adopted")
        bases = list(Venue.objects.filter(pk__in=run.bases).order_by("name"))
        sessions = {row["venue"]: row["sessions_per_week"] for row in run.outreach}
        outreach = [
            (venue, sessions[venue.pk])
            for venue in Venue.objects.filter(pk__in=sessions).order_by("name")
        ]
        outcome = publishing.publish_adopted_network(
            scenario=scenario, bases=bases, outreach_venues=outreach
        )
        scenario.adopted_at = timezone.now()
        scenario.adopted_by = user
        scenario.modified_by = user
        scenario.publishing_status = (
            PublishingStatus.PUBLISHED if outcome.published else PublishingStatus.PENDING
        )
        scenario.publishing_note = outcome.note
        scenario.full_clean()
        scenario.save()
    return scenario


class RunInterrupted(Exception):
    """A run's worker stopped before it finished; the message is for the planner."""


STUCK_RUN_MESSAGE = (
    "The run stopped without finishing (its worker was restarted or stopped). Nothing was "
    "saved: run it again."
)


def scenario_runs_recover_stuck(*, now: datetime | None = None) -> list[ScenarioRun]:
    """Mark failed the runs whose worker died: still running well past their own time limit
    (plus `PLANNING_STUCK_RUN_GRACE_SECONDS` for loading and saving). Without this a scenario
    stays "running" for ever and can be neither changed nor run again."""
    now = now or timezone.now()
    grace = settings.PLANNING_STUCK_RUN_GRACE_SECONDS
    recovered = []
    candidates = ScenarioRun.objects.filter(
        status=ScenarioStatus.RUNNING, started_at__lt=now - timedelta(seconds=grace)
    ).select_related("scenario")
    for run in candidates:
        assert run.started_at is not None  # the filter above
        deadline = run.started_at + timedelta(seconds=run.scenario.time_limit_seconds + grace)
        if deadline >= now:
            continue
        with transaction.atomic():
            locked = ScenarioRun.objects.select_for_update().get(pk=run.pk)
            if locked.status != ScenarioStatus.RUNNING:
                continue  # it finished while we looked
        _mark_failed(
            run_id=run.pk,
            scenario_id=run.scenario_id,
            error=RunInterrupted(STUCK_RUN_MESSAGE),
            user=None,
        )
        recovered.append(run)
    return recovered
