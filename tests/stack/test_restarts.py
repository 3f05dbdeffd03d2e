"""Processes stop and start under load: an app instance restarted while its twin serves, and a
task worker killed in the middle of a planning run."""

import json
import signal
import subprocess
import threading
import time
import urllib.error
from typing import Any

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from familyreach.planning.models import ScenarioRun, ScenarioStatus
from familyreach.planning.services import (
    scenario_create,
    scenario_run_enqueue,
)

from .conftest import (
    FIND_PATH,
    Browser,
    Stack,
    World,
    process_alive,
    start_again,
    stop,
    wait_until,
)

pytestmark = pytest.mark.stack

# Pages of B asked for in a loop while A restarts: a kept page, pages built from the database
# each time, and the health check.
B_PATHS = ("/healthz", FIND_PATH, "/openreferral/services?page=1", "/", "/advice")


def test_restarting_instance_a_loses_no_request_sent_to_b(stack: Stack, world: World) -> None:
    a, b = stack.apps["a"], stack.apps["b"]
    answers: list[tuple[float, str, int | str]] = []
    stop_loop = threading.Event()

    def ask_b() -> None:
        browser = Browser()
        number = 0
        while not stop_loop.is_set():
            path = B_PATHS[number % len(B_PATHS)]
            number += 1
            try:
                status: int | str = browser.get(f"{b.url}{path}").status
            except OSError as error:  # refused, reset, timed out: a lost request
                status = f"{error.__class__.__name__}: {error}"
            answers.append((time.monotonic(), path, status))

    loop = threading.Thread(target=ask_b, daemon=True)
    loop.start()
    try:
        wait_until(lambda: len(answers) >= 5, seconds=30, what="B to answer the first requests")
        old_pid = a.pid()
        stop(old_pid, sig=signal.SIGTERM, seconds=40, what="instance A (SIGTERM)")
        a_down_at = time.monotonic()
        # A is really down: nothing answers on its port.
        with pytest.raises(urllib.error.URLError):
            Browser().get(f"{a.url}/healthz")
        wait_until(
            lambda: any(at > a_down_at for at, _path, _status in answers),
            seconds=30,
            what="B to answer while A is down",
        )
        start_again(a.command, pidfile=a.pidfile, log=a.log)
        wait_until(
            lambda: _answers(f"{a.url}/healthz"),
            seconds=180,
            what="instance A to answer /healthz again",
            interval=0.5,
        )
        a_up_at = time.monotonic()
        assert a.pid() != old_pid
        wait_until(
            lambda: any(at > a_up_at for at, _path, _status in answers),
            seconds=30,
            what="B to answer after A is back",
        )
    finally:
        stop_loop.set()
        loop.join(timeout=REQUEST_JOIN_SECONDS)

    during = [answer for answer in answers if a_down_at <= answer[0] <= a_up_at]
    assert during, "no request reached B while A was down"
    print(  # shown with -s: figures for docs/runbooks/deploy-postgresql.md
        f"A was down {a_up_at - a_down_at:.1f} s; B answered {len(during)} requests meanwhile, "
        f"{len(answers)} in all"
    )
    failures = [answer for answer in answers if answer[2] != 200]
    assert not failures, f"{len(failures)} of {len(answers)} requests to B failed: {failures[:5]}"


REQUEST_JOIN_SECONDS = 35


def _answers(url: str) -> bool:
    try:
        return Browser().get(url).status == 200
    except OSError:
        return False


# --- A killed worker ----------------------------------------------------------------------

# Big enough to keep a worker busy until its time limit: 40 bases from every library and
# school in Norfolk (about 20 s unhindered on this machine).
RUN_FIELDS: dict[str, Any] = {
    "candidate_kinds": ["library", "school"],
    "outreach_kinds": [],
    "thresholds": [15, 30],
    "number_of_bases": 40,
    "time_limit_seconds": 10,
}


def _claimed_by(run: ScenarioRun) -> list[str]:
    result = DBTaskResult.objects.filter(pk=run.task_id).first() if run.task_id else None
    return list(result.worker_ids) if result is not None else []


def test_a_killed_workers_planning_run_is_recovered_and_run_again(
    stack: Stack, world: World
) -> None:
    scenario = scenario_create(
        user=world.manager,
        fields={"name": f"Stack test run {time.time_ns()}", **RUN_FIELDS},
        forced_open=[],
        excluded=[],
        outreach_venues=[],
    )
    run = scenario_run_enqueue(scenario=scenario, user=world.manager)

    # Wait until a worker is optimising (past loading and travel times), then kill it.
    def optimising() -> ScenarioRun | None:
        current = ScenarioRun.objects.get(pk=run.pk)
        if current.status == ScenarioStatus.RUNNING and current.progress >= 35:
            return current
        return None

    running = wait_until(optimising, seconds=120, what="a worker to start optimising the run")
    claimed = _claimed_by(running)
    assert len(claimed) == 1, claimed
    assert claimed[0] in stack.workers, claimed
    killed = stack.workers[claimed[0]]
    survivor = next(worker for worker in stack.workers.values() if worker is not killed)
    killed_pid = killed.pid()
    stop(killed_pid, sig=signal.SIGKILL, seconds=10, what=f"worker {killed.worker_id} (kill -9)")
    try:
        # Killed in the middle: nothing finished the run, and nothing else took it.
        assert ScenarioRun.objects.get(pk=run.pk).status == ScenarioStatus.RUNNING
        assert process_alive(survivor.pid())

        # Recovery (what the scheduler runs every few minutes) takes the run back once its
        # heartbeat has been silent for FAMILYREACH_WORKER_GONE_SECONDS (10 s in the stack):
        # the dead worker's task is marked failed and the same run is queued again.
        gone = settings.BACKGROUND_WORKER_GONE_SECONDS
        time.sleep(gone + 2)
        subprocess.run(
            ["familyreach", "plan", "recover-stuck"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        taken_back = ScenarioRun.objects.get(pk=run.pk)
        assert taken_back.status in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING), (
            taken_back.status,
            taken_back.error,
        )

        # The surviving worker runs it again (attempt 2) and finishes it.
        finished = wait_until(
            lambda: (
                (current := ScenarioRun.objects.get(pk=run.pk)).status
                in (ScenarioStatus.FINISHED, ScenarioStatus.FAILED)
                and current
            ),
            seconds=180,
            what="the surviving worker to finish the run again",
            interval=0.5,
        )
        assert finished.status == ScenarioStatus.FINISHED, finished.error
        assert finished.attempt == 2
        print(
            f"worker {killed.worker_id} killed at {running.progress} %; run {run.pk} taken back "
            f"by recovery and finished by {survivor.worker_id} (attempt {finished.attempt})"
        )
        assert len(finished.bases) == RUN_FIELDS["number_of_bases"]
        assert _claimed_by(finished) == [survivor.worker_id]
    finally:
        # Leave the stack as it was: two workers.
        start_again(killed.command, pidfile=killed.pidfile, log=killed.log)


def test_both_instances_report_a_live_scheduler_and_worker(stack: Stack) -> None:
    """`familyreach worker` runs in the stack: production's /healthz requires its heartbeat, and
    both instances see it (one worker schedules, the other stands by on the Redis lock)."""
    visitor = Browser()
    for name, app in stack.apps.items():
        health = wait_until(
            lambda app=app: (page := visitor.get(f"{app.url}/healthz")).status == 200 and page,
            seconds=120,
            what=f"instance {name}'s /healthz to answer 200",
        )
        body = json.loads(health.text)
        assert body["scheduler"] == "ok", body
        assert body["worker"] == "ok", body
