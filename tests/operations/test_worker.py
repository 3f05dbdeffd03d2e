"""`familyreach worker` as a real process: it runs the schedule and the tasks, and stops
cleanly on SIGTERM.

The worker runs against this test's database: on PostgreSQL the test database itself (the
test commits, `transactional_db`); on SQLite the in-memory test database copied to a file."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.db import connection

from familyreach.operations.models import Heartbeat

WAIT_SECONDS = 120  # a bound on waiting, not a timing assertion: the first heartbeat is at once


def _database_url(tmp_path: Path) -> tuple[str, Any]:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "worker.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()

        def read() -> set[str]:
            with sqlite3.connect(path) as reader:
                return {row[0] for row in reader.execute("SELECT kind FROM operations_heartbeat")}

        return f"sqlite:///{path}", read
    user, password = settings["USER"], settings["PASSWORD"]
    host, port = settings["HOST"] or "localhost", settings["PORT"] or 5432
    url = f"postgres://{user}:{password}@{host}:{port}/{settings['NAME']}"
    return url, lambda: set(Heartbeat.objects.values_list("kind", flat=True))


def test_the_worker_runs_the_schedule_and_stops_on_sigterm(
    transactional_db: Any, tmp_path: Path
) -> None:
    url, heartbeats = _database_url(tmp_path)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.dev",
        "DATABASE_URL": url,
        "FAMILYREACH_VAR_DIR": str(tmp_path),
    }
    environment.pop("FAMILYREACH_SCHEDULER_REDIS_URL", None)
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "familyreach.cli", "worker", "--interval", "0.2"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            seen: set[str] = set()
            while time.monotonic() < deadline and process.poll() is None:
                seen = heartbeats()
                if seen == {"scheduler", "worker"}:
                    break
                time.sleep(0.5)
            # The scheduler enqueued the heartbeat job, and the worker ran it.
            assert seen == {"scheduler", "worker"}, log.read_text()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = log.read_text()
    assert "Scheduler started: " in text
    assert "delivery-roll-forward" in text
    assert "Worker stopped." in text
