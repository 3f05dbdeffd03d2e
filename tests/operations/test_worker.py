"""`familyreach worker` as a real process: it runs the schedule and the tasks, stops cleanly on
SIGTERM, and with Redis only one of several workers schedules.

The workers run against this test's database: on PostgreSQL the test database itself (the
test commits, `transactional_db`); on SQLite the in-memory test database copied to a file."""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from familyreach.operations.models import Heartbeat

WAIT_SECONDS = 120  # a bound on waiting, not a timing assertion


def _database_url(tmp_path: Path) -> tuple[str, Callable[[], set[str]]]:
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


def _start_worker(
    tmp_path: Path, url: str, name: str, **environment: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.dev",
        "DATABASE_URL": url,
        "FAMILYREACH_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
        **environment,
    }
    if "FAMILYREACH_SCHEDULER_REDIS_URL" not in environment:
        env.pop("FAMILYREACH_SCHEDULER_REDIS_URL", None)
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "familyreach.cli", "worker", "--interval", "0.2"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


def _wait_for(condition: Callable[[], bool], *processes: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        if any(process.poll() is not None for process in processes):
            return condition()
        time.sleep(0.3)
    return False


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_worker_runs_the_schedule_and_stops_on_sigterm(
    transactional_db: Any, tmp_path: Path
) -> None:
    url, heartbeats = _database_url(tmp_path)
    process, log = _start_worker(tmp_path, url, "worker")
    try:
        # The scheduler enqueued the heartbeat job at once, and the worker ran it.
        seen = _wait_for(lambda: heartbeats() == {"scheduler", "worker"}, process)
        assert seen, log.read_text()
        assert _stop(process) == 0, log.read_text()
    finally:
        _stop(process)
    text = log.read_text()
    assert "Scheduler started: " in text
    assert "delivery-roll-forward" in text
    assert "Worker stopped." in text


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """Debian's redis-server on a free port of 127.0.0.1, for this test only."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is needed (Debian: apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_with_redis_one_worker_schedules_and_another_takes_over(
    transactional_db: Any, tmp_path: Path, redis_url: str
) -> None:
    url, _heartbeats = _database_url(tmp_path)
    first, first_log = _start_worker(
        tmp_path, url, "first", FAMILYREACH_SCHEDULER_REDIS_URL=redis_url
    )
    second: subprocess.Popen[bytes] | None = None
    try:
        assert _wait_for(lambda: "Scheduler started" in first_log.read_text(), first), (
            first_log.read_text()
        )
        second, second_log = _start_worker(
            tmp_path, url, "second", FAMILYREACH_SCHEDULER_REDIS_URL=redis_url
        )
        assert _wait_for(lambda: "standing by" in second_log.read_text(), second), (
            second_log.read_text()
        )
        assert "Scheduler started" not in second_log.read_text()
        # The first stops (a deploy, a lost machine): the second takes the lock and schedules.
        assert _stop(first) == 0, first_log.read_text()
        assert _wait_for(lambda: "Scheduler started" in second_log.read_text(), second), (
            second_log.read_text()
        )
        assert _stop(second) == 0, second_log.read_text()
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
