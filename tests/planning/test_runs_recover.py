"""Planning runs that survive queueing failures and lost workers (docs/planning.md "Runs that
stop"): the run and its task are queued together, a running run beats, and
`scenario_runs_recover` queues again or fails what a lost worker left behind.

These tests use the real database task backend (django-tasks-db) on the test database, so
queued tasks wait as they do in production; `run_waiting_tasks` runs them with db_worker's own
code. tests/planning/test_killed_worker.py kills a real worker process.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.tasks.exceptions import InvalidTask
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from familyreach.core import background
from familyreach.planning.models import Scenario, ScenarioRun, ScenarioRunArea, ScenarioStatus
from familyreach.planning.services import (
    NO_WORKER_MESSAGE,
    STOPPED_RUN_MESSAGE,
    scenario_run_enqueue,
    scenario_run_execute,
    scenario_run_queue,
    scenario_runs_recover,
    scenario_update,
)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS


def run_waiting_tasks() -> int:
    """Take and run every waiting task as `db_worker` does (its Worker.run_task), in this
    process and this test's transaction."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    count = 0
    while (task := DBTaskResult.objects.ready().first()) is not None:
        task.claim(worker.worker_id)
        worker.run_task(task)
        count += 1
    return count


class WorkerDies(BaseException):
    """Raised from a progress callback: like a killed worker, nothing in the run catches it, so
    the run is left RUNNING and its heartbeat stops."""


def die_at(percent: int) -> Callable[[int, str], None]:
    def progress(at: int, message: str) -> None:
        if at >= percent:
            raise WorkerDies

    return progress


def start_and_die(run: ScenarioRun) -> ScenarioRun:
    """A worker takes the run's task, starts the run, and dies while optimising."""
    DBTaskResult.objects.get(id=run.task_id).claim("worker-that-dies")
    with pytest.raises(WorkerDies):
        scenario_run_execute(run_id=run.pk, progress=die_at(35))
    run.refresh_from_db()
    assert run.status == ScenarioStatus.RUNNING
    return run


def gone() -> timedelta:
    return timedelta(seconds=settings.BACKGROUND_WORKER_GONE_SECONDS)


def task_of(run: ScenarioRun) -> DBTaskResult:
    run.refresh_from_db()
    return DBTaskResult.objects.get(id=run.task_id)


def test_the_run_and_its_task_are_queued_together(
    make_scenario: Callable[..., Scenario], planner: Any, database_tasks: None
) -> None:
    run = scenario_run_enqueue(scenario=make_scenario(number_of_bases=2), user=planner)
    assert run.status == ScenarioStatus.QUEUED
    task = task_of(run)
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs["args"] == [run.pk]
    assert run_waiting_tasks() == 1
    run.refresh_from_db()
    assert (run.status, run.attempt) == (ScenarioStatus.FINISHED, 1), run.error
    assert run.heartbeat_at is not None
    assert task_of(run).status == TaskResultStatus.SUCCESSFUL


def test_a_failed_enqueue_leaves_no_queued_run(
    make_scenario: Callable[..., Scenario], settings: Any
) -> None:
    scenario = make_scenario(number_of_bases=2)
    # A real refusal by the real backend: it serves no queue the task is on.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["elsewhere"]}
    }
    with pytest.raises(InvalidTask):
        scenario_run_enqueue(scenario=scenario, user=None)
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DRAFT
    assert not ScenarioRun.objects.filter(scenario=scenario).exists()
    assert not DBTaskResult.objects.exists()
    # Nothing is left to block it: with a working queue the scenario runs.
    settings.TASKS = DATABASE_TASKS
    run = scenario_run_enqueue(scenario=scenario, user=None)
    assert run.status == ScenarioStatus.QUEUED
    assert run_waiting_tasks() == 1


def test_a_queued_run_with_no_task_is_queued_again(
    make_scenario: Callable[..., Scenario], database_tasks: None
) -> None:
    # As the command line leaves a run when its process dies between queueing and running.
    run = scenario_run_queue(scenario=make_scenario(number_of_bases=2), user=None)
    assert run.task_id == ""
    assert run.queued_at is not None
    assert scenario_runs_recover(now=run.queued_at + gone() - timedelta(seconds=1)) == []
    later = run.queued_at + gone() + timedelta(seconds=1)
    assert scenario_runs_recover(now=later) == [run]
    assert task_of(run).status == TaskResultStatus.READY
    # Idempotent: its task is now waiting for a worker, which is not yet a problem.
    assert scenario_runs_recover(now=later) == []
    assert DBTaskResult.objects.count() == 1
    assert run_waiting_tasks() == 1
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error


def test_a_run_whose_worker_stopped_is_run_again_once_then_failed(
    make_scenario: Callable[..., Scenario], planner: Any, database_tasks: None
) -> None:
    scenario = make_scenario(number_of_bases=2, user=planner)
    run = start_and_die(scenario_run_enqueue(scenario=scenario, user=planner))
    assert run.attempt == 1
    first_task = task_of(run)
    assert run.heartbeat_at is not None
    assert scenario_runs_recover(now=run.heartbeat_at + gone() - timedelta(seconds=1)) == []
    later = run.heartbeat_at + gone() + timedelta(seconds=1)
    assert scenario_runs_recover(now=later) == [run]
    run.refresh_from_db()
    assert run.status == ScenarioStatus.QUEUED
    assert "Its worker stopped during attempt 1" in run.progress_message
    first_task.refresh_from_db()
    assert first_task.status == TaskResultStatus.FAILED
    assert first_task.exception_class_path.endswith("WorkerLost")
    assert task_of(run).status == TaskResultStatus.READY
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.QUEUED
    with pytest.raises(ValueError, match="being run"):
        scenario_update(scenario=scenario, user=planner, fields={"description": "changed"})
    # Idempotent: nothing more to do, and no second task.
    assert scenario_runs_recover(now=later) == []
    assert DBTaskResult.objects.count() == 2

    # Its second attempt dies too: it has had its attempts, so it fails with a clear message.
    run = start_and_die(run)
    assert run.attempt == 2
    assert run.heartbeat_at is not None
    assert scenario_runs_recover(now=run.heartbeat_at + gone() + timedelta(seconds=1)) == [run]
    run.refresh_from_db()
    scenario.refresh_from_db()
    message = STOPPED_RUN_MESSAGE.format(times="twice")
    assert (run.status, run.error) == (ScenarioStatus.FAILED, message)
    assert (scenario.status, scenario.status_error) == (ScenarioStatus.FAILED, message)
    assert not DBTaskResult.objects.ready().exists()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 0
    assert scenario_runs_recover(now=later + 10 * gone()) == []
    # And the planner can run it again.
    again = scenario_run_enqueue(scenario=scenario, user=planner)
    assert again.status == ScenarioStatus.QUEUED
    assert run_waiting_tasks() == 1
    again.refresh_from_db()
    assert again.status == ScenarioStatus.FINISHED


def test_a_run_no_worker_takes_is_failed_and_its_task_never_runs(
    make_scenario: Callable[..., Scenario], planner: Any, database_tasks: None
) -> None:
    scenario = make_scenario(number_of_bases=2, user=planner)
    run = scenario_run_enqueue(scenario=scenario, user=planner)
    assert run.queued_at is not None
    wait = timedelta(seconds=settings.BACKGROUND_QUEUE_WAIT_SECONDS)
    assert scenario_runs_recover(now=run.queued_at + wait - timedelta(seconds=1)) == []
    assert scenario_runs_recover(now=run.queued_at + wait + timedelta(seconds=1)) == [run]
    run.refresh_from_db()
    message = NO_WORKER_MESSAGE.format(minutes=round(wait.total_seconds() / 60))
    assert (run.status, run.error) == (ScenarioStatus.FAILED, message)
    assert task_of(run).status == TaskResultStatus.FAILED
    # A worker started later does not run it.
    assert run_waiting_tasks() == 0
    assert not ScenarioRunArea.objects.filter(run=run).exists()
    # The scenario can be changed again.
    changed = scenario_update(scenario=scenario, user=planner, fields={"description": "changed"})
    assert changed.status == ScenarioStatus.DRAFT


def test_an_attempt_taken_back_while_it_saves_writes_nothing(
    make_scenario: Callable[..., Scenario], database_tasks: None
) -> None:
    run = scenario_run_enqueue(scenario=make_scenario(number_of_bases=2), user=None)
    DBTaskResult.objects.get(id=run.task_id).claim("slow-worker")
    taken_back: list[ScenarioRun] = []

    def recover_while_saving(percent: int, message: str) -> None:
        # Recovery decides this worker is gone (its clock is far ahead) just before it saves.
        if percent == 90:
            taken_back.extend(scenario_runs_recover(now=timezone.now() + 2 * gone()))

    scenario_run_execute(run_id=run.pk, progress=recover_while_saving)
    assert taken_back == [run]
    run.refresh_from_db()
    assert (run.status, run.attempt, run.bases) == (ScenarioStatus.QUEUED, 1, [])
    assert not ScenarioRunArea.objects.filter(run=run).exists()
    assert run_waiting_tasks() == 1
    run.refresh_from_db()
    assert (run.status, run.attempt) == (ScenarioStatus.FINISHED, 2)
    assert ScenarioRunArea.objects.filter(run=run).exists()


def test_the_heartbeat_beats_while_the_body_works() -> None:
    beats: list[datetime] = []
    with background.heartbeat(lambda: beats.append(timezone.now()), every=0.02):
        deadline = time.monotonic() + 10
        while len(beats) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(beats) >= 3
    count = len(beats)
    time.sleep(0.1)
    assert len(beats) == count  # stopped with the body
    assert not any(thread.name == "familyreach-heartbeat" for thread in threading.enumerate())


def test_the_command_recovers(make_scenario: Callable[..., Scenario], database_tasks: None) -> None:
    run = scenario_run_queue(scenario=make_scenario(number_of_bases=2, name="Lost"), user=None)
    with time_machine.travel(timezone.now() + gone() + timedelta(seconds=5)):
        from io import StringIO

        out = StringIO()
        call_command("plan_recover_stuck", stdout=out)
    assert f"Run {run.pk} of 'Lost': Queued" in out.getvalue()
    assert "1 stuck run(s) recovered" in out.getvalue()


def test_the_scenario_page_recovers_its_run(
    make_scenario: Callable[..., Scenario], planner: Any
) -> None:
    # The immediate backend (tests): a run queued again runs at once.
    scenario = make_scenario(number_of_bases=2, user=planner)
    run = scenario_run_queue(scenario=scenario, user=planner)
    client = Client()
    client.force_login(planner)
    page = client.get(reverse("planning:detail", args=[scenario.pk]))
    assert "Queued since" in page.content.decode()
    run.refresh_from_db()
    assert run.status == ScenarioStatus.QUEUED
    with time_machine.travel(timezone.now() + gone() + timedelta(seconds=5)):
        page = client.get(reverse("planning:detail", args=[scenario.pk]))
    assert page.status_code == 200
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
