"""A worker is killed (SIGKILL) in the middle of a planning run: after recovery and a new
worker, the run finishes (its second attempt), and the scenario can be run again.

On PostgreSQL (`make test-postgres`) the test drives a real `familyreach db_worker` process
against the test database; on SQLite, the same steps run in a subprocess against a database
file (see tests/planning/background_races.py). The world is made big enough that the
optimisation takes seconds; every wait is bounded, and the workers are killed in any case.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.planning.background_races import killed_worker


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_is_killed_is_run_again_and_finishes(
    tmp_path: Path, on_a_sqlite_file: Callable[..., Any]
) -> None:
    if connection.vendor == "sqlite":
        seen = on_a_sqlite_file("killed_worker", str(tmp_path / "work"))
        assert seen["vendor"] == "sqlite"
    else:
        seen = killed_worker(tmp_path / "work")
    # Killed while optimising, after its heartbeat thread had beaten during the optimisation.
    assert seen["beat_while_optimising"] is True
    assert seen["worker_exit"] == -9
    # What a killed worker leaves: the run and its task both "running", for ever.
    assert seen["after_kill"] == {"status": "running", "task": "RUNNING"}
    # Not yet taken for dead within the grace period; then taken back once, and only once.
    assert seen["recovered_at_once"] == 0
    assert seen["recovered"] == [seen["run_id"]]
    assert seen["recovered_again"] == 0
    after = seen["after_recovery"]
    assert after["status"] == "queued"
    assert "Its worker stopped during attempt 1" in after["message"]
    assert (after["first_task"], after["new_task"]) == ("FAILED", "READY")
    # The second worker runs it to the end: every area has its result.
    end = seen["end"]
    assert (end["status"], end["error"], end["attempt"]) == ("finished", "", 2)
    assert (end["bases"], end["area_rows"]) == (30, seen["areas"])
    assert end["scenario"] == "finished"
    assert (end["new_task"], end["worker_ids"]) == ("SUCCESSFUL", ["second-worker"])
    # And a new run is possible.
    assert seen["new_run"] == {"status": "queued", "is_new": True}
    assert seen["runs"] == 2
