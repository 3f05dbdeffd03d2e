"""50 families book the last place of a session at the same moment: exactly one gets it,
the other 49 are wait-listed. On PostgreSQL (`make test-postgres`) the race runs in this
process against the test database; on SQLite in a subprocess against a database file with the
production SQLite settings (see `booking_race.py` for why)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.delivery.booking_race import hold_race, race, same_child_race

THREADS = 50
REPOSITORY = Path(__file__).resolve().parents[2]


def _race_on_a_sqlite_file(tmp_path: Path, *mode: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.test",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "tests.delivery.booking_race", str(THREADS), *mode],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_bookings_for_the_last_place(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        result = _race_on_a_sqlite_file(tmp_path)
        assert result["vendor"] == "sqlite"
    else:
        result = race(THREADS)
    assert result["errors"] == []
    assert result["racer_bookings"] == THREADS
    assert result["racers_confirmed"] == 1
    assert result["racers_waiting"] == THREADS - 1
    assert result["confirmed_total"] == result["capacity"]
    assert result["waiting_positions_distinct"]


@pytest.mark.django_db(transaction=True)
def test_the_same_child_booked_at_the_same_moment_gets_one_place(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        result = _race_on_a_sqlite_file(tmp_path, "same-child")
        assert result["vendor"] == "sqlite"
    else:
        result = same_child_race(THREADS)
    assert result["errors"] == []
    assert result["live_bookings"] == 1
    assert len(result["refused"]) == THREADS - 1
    assert set(result["refused"]) == {"Pip already has a place at this session on this date"}
    # Each refusal rolled back the family it registered.
    assert result["families"] == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_parents_posting_for_the_last_place_get_one_hold_and_one_booking(
    tmp_path: Path,
) -> None:
    """Holds count against the places under the occurrence lock: one of 50 simultaneous posts
    keeps the last place; 50 simultaneous clicks on its link make one family and one booking."""
    if connection.vendor == "sqlite":
        result = _race_on_a_sqlite_file(tmp_path, "holds")
        assert result["vendor"] == "sqlite"
    else:
        result = hold_race(THREADS)
    assert result["errors"] == []
    assert result["holds"] == THREADS
    assert result["holding_place"] == 1
    assert len(result["confirmed_references"]) == 1
    assert result["families_after_posts_and_clicks"] == 1
    assert result["confirmed_total"] == result["capacity"]
