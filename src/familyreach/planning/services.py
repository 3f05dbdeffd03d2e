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
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.core import background
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


ACTIVE = (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)


def _queue(*, scenario: Scenario, user: User | None) -> ScenarioRun:
    """Take the scenario's one run slot, check it can be met, and write the queued run. Call
    inside a transaction: a refusal raises and rolls the slot back."""
    with _acting_as(user):
        # One run at a time, decided by one conditional UPDATE: of two planners pressing "Run"
        # at once, PostgreSQL makes the second UPDATE wait for the first to commit and then
        # re-check the condition, so it changes nothing (SQLite's immediate transactions run
        # them one after the other). The status change is not audited on its own; the run row
        # written below is, with its author.
        taken = (
            Scenario.objects.filter(pk=scenario.pk)
            .exclude(status__in=ACTIVE)
            .update(
                status=ScenarioStatus.QUEUED,
                status_error="",
                modified_by=user,
                modified_at=timezone.now(),
            )
        )
        if not taken:
            raise engine.ScenarioCannotBeMet(["This scenario is already queued or running"])
        scenario = Scenario.objects.get(pk=scenario.pk)
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
            queued_at=timezone.now(),
        )
        run.full_clean()
        run.save()
    return run


@transaction.atomic
def scenario_run_queue(*, scenario: Scenario, user: User | None) -> ScenarioRun:
    """Check the scenario can be met, then queue a run without handing it to a worker (the
    command line runs it itself). Raises ScenarioCannotBeMet with reasons (and leaves the
    scenario as it was) when it cannot. Should the caller never run it, recovery does."""
    return _queue(scenario=scenario, user=user)


@transaction.atomic
def scenario_run_enqueue(*, scenario: Scenario, user: User | None) -> ScenarioRun:
    """Queue a run and hand it to a background worker (at once, in tests), in one transaction:
    the run and its task are committed together or not at all (see `enqueue_with_row`)."""
    run = _queue(scenario=scenario, user=user)
    _enqueue(run.pk)
    run.refresh_from_db()
    return run


def _enqueue(run_id: int) -> None:
    from familyreach.planning.tasks import run_scenario

    def record(task_id: str) -> None:
        ScenarioRun.objects.filter(pk=run_id).update(task_id=task_id[:64])

    background.enqueue_with_row(run_scenario, run_id, on_enqueued=record)


def _set_progress(run_id: int, attempt: int, percent: int, message: str) -> None:
    # A plain UPDATE outside the result transaction: the page shows it while the run works.
    # Only the attempt that holds the run writes (a superseded one changes nothing).
    ScenarioRun.objects.filter(pk=run_id, status=ScenarioStatus.RUNNING, attempt=attempt).update(
        progress=max(0, min(100, percent)),
        progress_message=message[:200],
        heartbeat_at=timezone.now(),
    )


def _beat(run_id: int, attempt: int) -> None:
    ScenarioRun.objects.filter(pk=run_id, status=ScenarioStatus.RUNNING, attempt=attempt).update(
        heartbeat_at=timezone.now()
    )


class RunSuperseded(Exception):
    """This attempt no longer holds the run: recovery took it back (its heartbeat had stopped)
    and queued it again, or failed it. Its results are thrown away."""


def scenario_run_execute(
    *, run_id: int, progress: Callable[[int, str], None] | None = None
) -> ScenarioRun:
    """Do a queued run: optimise, measure, and write everything in one transaction at the end.

    On any failure the run and the scenario are marked failed with the error, and no partial
    result is written. While it works, a thread writes a heartbeat, which is how recovery tells
    a slow run from one whose worker has died.
    """
    now = timezone.now()
    # Taking the run is one conditional UPDATE: a task delivered twice, or a run recovery has
    # already failed, is not run again. Each start takes the next attempt number.
    taken = ScenarioRun.objects.filter(pk=run_id, status=ScenarioStatus.QUEUED).update(
        status=ScenarioStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempt=F("attempt") + 1,
        progress=0,
        progress_message="Starting",
    )
    run = ScenarioRun.objects.select_related("scenario", "created_by").get(pk=run_id)
    if not taken:
        return run
    scenario = run.scenario
    user = run.created_by
    attempt = run.attempt

    def report(percent: int, message: str) -> None:
        _set_progress(run_id, attempt, percent, message)
        if progress is not None:
            progress(percent, message)

    with _acting_as(user), background.heartbeat(lambda: _beat(run_id, attempt)):
        Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.RUNNING)
        try:
            plan = engine.optimise(scenario, progress=report)
            report(90, "Saving the results")
            _write_results(run_id=run_id, attempt=attempt, scenario=scenario, plan=plan, user=user)
        except RunSuperseded:
            logger.warning("Scenario run %s attempt %s was taken back: not saved", run_id, attempt)
        except Exception as error:
            if not isinstance(error, engine.ScenarioCannotBeMet):
                logger.exception("Scenario run %s failed", run_id)
            _mark_failed(
                run_id=run_id,
                scenario_id=scenario.pk,
                error=error,
                user=user,
                attempt=attempt,
            )
        else:
            report(100, "Finished")
    return ScenarioRun.objects.get(pk=run_id)


def _mark_failed(
    *,
    run_id: int,
    scenario_id: int,
    error: Exception,
    user: User | None,
    attempt: int | None = None,
) -> bool:
    """Fail the run and its scenario; with `attempt`, only if that attempt still holds it.
    True if it was marked."""
    message = str(error) or error.__class__.__name__
    if not isinstance(error, engine.ScenarioCannotBeMet | RunInterrupted):
        message = f"{error.__class__.__name__}: {message}"
    with transaction.atomic():
        run = ScenarioRun.objects.select_for_update().get(pk=run_id)
        if run.status not in ACTIVE or (attempt is not None and run.attempt != attempt):
            return False
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
    return True


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


@transaction.atomic
def _write_results(
    *, run_id: int, attempt: int, scenario: Scenario, plan: engine.PlanResult, user: User | None
) -> None:
    summary = plan.summary(scenario)
    run = ScenarioRun.objects.select_for_update().get(pk=run_id)
    if run.status != ScenarioStatus.RUNNING or run.attempt != attempt:
        raise RunSuperseded
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


STOPPED_RUN_MESSAGE = (
    "The run stopped without finishing {times} (its worker was stopped, restarted or ran out "
    "of memory). Nothing was saved: run it again, or ask for the worker to be checked."
)
NO_WORKER_MESSAGE = (
    "No worker started this run within {minutes} minutes of it being queued, so it was "
    "stopped: check that the worker (`familyreach worker`) is running, then run it again."
)


def _last_sign_of_life(run: ScenarioRun) -> datetime:
    return run.heartbeat_at or run.started_at or run.queued_at or run.created_at


def scenario_runs_recover(*, now: datetime | None = None) -> list[ScenarioRun]:
    """Take back the runs whose worker is gone; idempotent, safe to run from several places.

    - RUNNING with no heartbeat for `BACKGROUND_WORKER_GONE_SECONDS`: its task is marked failed
      and the run queued again (the planner sees it waiting, then finishing), or failed with
      a message once it has had `BACKGROUND_MAX_ATTEMPTS` attempts;
    - QUEUED whose task is lost, ended, or taken by a worker that died before starting it:
      queued again; QUEUED that no worker has taken within `BACKGROUND_QUEUE_WAIT_SECONDS`:
      failed with a message (is a worker running?), its waiting task failed so no worker
      starts it later.

    Returns the runs it changed, as they are now. The scheduler runs it every few minutes; a
    scenario's page runs it too while that scenario is queued or running.
    """
    now = now or timezone.now()
    gone = now - timedelta(seconds=settings.BACKGROUND_WORKER_GONE_SECONDS)
    # Cheap filters first, so a page can call this every few seconds; each candidate is then
    # decided again under its row lock.
    candidates = list(
        ScenarioRun.objects.filter(status=ScenarioStatus.RUNNING)
        .annotate(sign=Coalesce("heartbeat_at", "started_at", "queued_at", "created_at"))
        .filter(sign__lt=gone)
        .values_list("pk", flat=True)
    ) + list(
        ScenarioRun.objects.filter(status=ScenarioStatus.QUEUED)
        .annotate(since=Coalesce("queued_at", "created_at"))
        .filter(since__lt=gone)
        .values_list("pk", flat=True)
    )
    recovered = []
    for run_id in candidates:
        run = _recover_one(run_id=run_id, now=now)
        if run is not None:
            recovered.append(run)
    return recovered


@transaction.atomic
def _recover_one(*, run_id: int, now: datetime) -> ScenarioRun | None:
    from familyreach.planning.tasks import run_scenario

    run = ScenarioRun.objects.select_for_update().select_related("scenario").get(pk=run_id)
    if run.status not in ACTIVE:
        return None
    action = background.recovery_decide(
        run_scenario,
        task_id=run.task_id,
        running=run.status == ScenarioStatus.RUNNING,
        last_sign_of_life=_last_sign_of_life(run),
        queued_at=run.queued_at or run.created_at,
        attempt=run.attempt,
        now=now,
        taken_back_by="scenario_runs_recover",
    )
    if action == background.Recovery.LEAVE:
        return None
    if action == background.Recovery.FAIL_NO_WORKER:
        minutes = round(settings.BACKGROUND_QUEUE_WAIT_SECONDS / 60)
        _mark_failed(
            run_id=run.pk,
            scenario_id=run.scenario_id,
            error=RunInterrupted(NO_WORKER_MESSAGE.format(minutes=minutes)),
            user=None,
        )
    elif action == background.Recovery.FAIL_STOPPED:
        times = background.attempts_in_words(run.attempt)
        _mark_failed(
            run_id=run.pk,
            scenario_id=run.scenario_id,
            error=RunInterrupted(STOPPED_RUN_MESSAGE.format(times=times)),
            user=None,
        )
    else:
        if run.status == ScenarioStatus.RUNNING:
            # Queued again as a fresh start: only the next attempt may write results.
            run.queued_at = now
            run.progress_message = (
                f"Its worker stopped during attempt {run.attempt}: waiting for a worker "
                "to run it again"
            )
        else:
            run.progress_message = "Its task was lost: waiting for a worker"
        run.status = ScenarioStatus.QUEUED
        run.progress = 0
        run.started_at = None
        run.heartbeat_at = None
        run.task_id = ""
        run.save()
        Scenario.objects.filter(pk=run.scenario_id).update(status=ScenarioStatus.QUEUED)
        logger.warning("Scenario run %s queued again: %s", run.pk, run.progress_message)
        _enqueue(run.pk)
    return ScenarioRun.objects.select_related("scenario").get(pk=run.pk)
