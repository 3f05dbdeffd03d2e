"""Background work under real concurrency and a real killed worker (docs/planning.md "Runs that
stop"). Each function builds its world in the current database, acts, and returns what
happened as a dict the tests assert on:

- `queue_race`: planners press "Run" on one scenario at the same moment: one run is queued;
- `refresh_race`: managers ask for the reach figures at the same moment: one refresh;
- `killed_worker`: a real `familyreach db_worker` process is killed (SIGKILL) in the middle of
  a planning run; recovery takes the run back and a new worker finishes it.

On PostgreSQL the tests call them in-process against the test database (committed rows, so
that threads and the worker process see them). On SQLite they run in a subprocess against a
database file with the production SQLite settings (WAL, immediate transactions): the
in-memory test database cannot be shared with another process, and its shared cache fails
instead of waiting. The file is migrated once per session (`migrate FILE`) and copied:

    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.planning.background_races migrate
    DATABASE_URL=sqlite:////tmp/x.sqlite3 python -m tests.planning.background_races killed_worker /tmp/work
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
REPOSITORY = Path(__file__).resolve().parents[2]


def _race(threads: int, act: Callable[[], Any]) -> list[str]:
    """Run `act` in `threads` threads released together; the outcome of each, by name."""
    from django.db import connections

    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def go() -> None:
        try:
            barrier.wait(timeout=60)
            result = act()
            outcome = f"ok:{result}"
        except Exception as error:
            outcome = f"{error.__class__.__name__}:{error}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=go) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return outcomes


def queue_race(threads: int = 8) -> dict[str, Any]:
    from django.db import connection
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from familyreach.planning.models import ScenarioRun
    from familyreach.planning.services import scenario_create, scenario_run_enqueue
    from tests.fixtures.planning import build_small_county

    build_small_county()
    scenario = scenario_create(
        user=None,
        fields={
            "name": "Race",
            "number_of_bases": 2,
            "candidate_kinds": ["library", "childrens_centre"],
            "outreach_kinds": ["village_hall"],
        },
    )
    with override_settings(TASKS=DATABASE_TASKS):
        outcomes = _race(threads, lambda: scenario_run_enqueue(scenario=scenario, user=None).status)
    return {
        "vendor": connection.vendor,
        "outcomes": sorted(outcomes),
        "runs": ScenarioRun.objects.filter(scenario=scenario).count(),
        "tasks": DBTaskResult.objects.count(),
    }


def refresh_race(threads: int = 8) -> dict[str, Any]:
    from django.db import connection
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from familyreach.insight.models import ReachRefresh
    from familyreach.insight.services import reach_refresh_request

    with override_settings(TASKS=DATABASE_TASKS):
        outcomes = _race(threads, lambda: reach_refresh_request(user=None)[1])
    return {
        "vendor": connection.vendor,
        "outcomes": sorted(outcomes),
        "refreshes": ReachRefresh.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


def _database_url() -> str:
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{params['USER']}{password}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{params['NAME']}"
    )


def _start_worker(workdir: Path, name: str) -> subprocess.Popen[bytes]:
    """`familyreach db_worker` as production runs it (dev settings: the database backend),
    on this database, beating every second."""
    familyreach = Path(sys.executable).with_name("familyreach")
    command = (
        [str(familyreach)] if familyreach.exists() else [sys.executable, "-m", "familyreach.cli"]
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.dev",
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "FAMILYREACH_DEMO_MODE": "false",
        "FAMILYREACH_HEARTBEAT_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    with (workdir / f"{name}.log").open("wb") as log:
        # The child keeps its own copy of the file descriptor.
        return subprocess.Popen(
            [
                *command,
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                name,
            ],
            cwd=REPOSITORY,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.kill()
    process.wait(timeout=30)


def _wait_for(what: str, check: Callable[[], bool], *, seconds: float, workdir: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    logs = "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
        for log in sorted(workdir.glob("*.log"))
    )
    raise AssertionError(f"Gave up after {seconds:.0f} s waiting for {what}\n{logs}")


def killed_worker(workdir: Path) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from familyreach.planning.models import ScenarioRun, ScenarioRunArea, ScenarioStatus
    from familyreach.planning.services import (
        scenario_create,
        scenario_run_enqueue,
        scenario_runs_recover,
    )
    from tests.fixtures.planning import build_wide_county

    workdir.mkdir(parents=True, exist_ok=True)
    world = build_wide_county()
    scenario = scenario_create(
        user=None,
        fields={
            "name": "Thirty bases, wide county",
            "number_of_bases": 30,
            "candidate_kinds": ["library"],
            "outreach_kinds": [],
            "time_limit_seconds": 8,
        },
    )
    seen: dict[str, Any] = {"vendor": connection.vendor, "areas": world["areas"]}
    first = second = None
    try:
        with override_settings(TASKS=DATABASE_TASKS):
            first = _start_worker(workdir, "first-worker")
            run = scenario_run_enqueue(scenario=scenario, user=None)
            first_task_id = run.task_id

            def optimising() -> bool:
                run.refresh_from_db()
                if run.status not in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING):
                    raise AssertionError(
                        f"The run ended ({run.status}: {run.error}) before it could be killed"
                    )
                return run.status == ScenarioStatus.RUNNING and run.progress == 35

            _wait_for("the run to start optimising", optimising, seconds=180, workdir=workdir)
            beat_before = run.heartbeat_at

            def beaten() -> bool:
                run.refresh_from_db()
                return run.progress == 35 and run.heartbeat_at != beat_before

            # The heartbeat thread writes while the optimiser holds the main thread.
            _wait_for("a heartbeat while optimising", beaten, seconds=30, workdir=workdir)
            seen["beat_while_optimising"] = True

            os.kill(first.pid, signal.SIGKILL)
            seen["worker_exit"] = first.wait(timeout=30)
            run.refresh_from_db()
            seen["after_kill"] = {
                "status": run.status,
                "task": DBTaskResult.objects.get(id=first_task_id).status,
            }
            # Its heartbeat is fresh: not yet taken for dead.
            seen["recovered_at_once"] = len(scenario_runs_recover())
            # Past the grace period (the clock moved on), it is taken back and queued again.
            later = timezone.now() + timedelta(seconds=settings.BACKGROUND_WORKER_GONE_SECONDS + 1)
            seen["recovered"] = [item.pk for item in scenario_runs_recover(now=later)]
            seen["run_id"] = run.pk
            seen["recovered_again"] = len(scenario_runs_recover(now=later))
            run.refresh_from_db()
            seen["after_recovery"] = {
                "status": run.status,
                "message": run.progress_message,
                "first_task": DBTaskResult.objects.get(id=first_task_id).status,
                "new_task": DBTaskResult.objects.get(id=run.task_id).status,
            }

            second = _start_worker(workdir, "second-worker")

            def ended() -> bool:
                # The run is committed first, then the worker marks its task done.
                run.refresh_from_db()
                return run.status in (
                    ScenarioStatus.FINISHED,
                    ScenarioStatus.FAILED,
                ) and DBTaskResult.objects.get(id=run.task_id).status in ("SUCCESSFUL", "FAILED")

            _wait_for("the run to end on the second worker", ended, seconds=300, workdir=workdir)
            scenario.refresh_from_db()
            seen["end"] = {
                "status": run.status,
                "error": run.error,
                "attempt": run.attempt,
                "bases": len(run.bases),
                "area_rows": ScenarioRunArea.objects.filter(run=run).count(),
                "scenario": scenario.status,
                "new_task": DBTaskResult.objects.get(id=run.task_id).status,
                "worker_ids": DBTaskResult.objects.get(id=run.task_id).worker_ids,
            }
            # A new run is possible.
            again = scenario_run_enqueue(scenario=scenario, user=None)
            seen["new_run"] = {"status": again.status, "is_new": again.pk != run.pk}
            seen["runs"] = ScenarioRun.objects.filter(scenario=scenario).count()
    finally:
        _stop(first)
        _stop(second)
    return seen


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    name = sys.argv[1]
    if name == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
        return
    if name == "killed_worker":
        result = killed_worker(Path(sys.argv[2]))
    elif name == "queue_race":
        result = queue_race()
    elif name == "refresh_race":
        result = refresh_race()
    else:
        raise SystemExit(f"Unknown: {name}")
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
