"""Planners press "Run" on one scenario at the same moment: exactly one run is queued (one
conditional UPDATE decides), the others are told it is already queued. On PostgreSQL the
threads race in this process on the test database; on SQLite in a subprocess on a file (see
tests/planning/background_races.py)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tests.planning.background_races import queue_race


@pytest.mark.django_db(transaction=True)
def test_concurrent_run_requests_queue_one_run(on_a_sqlite_file: Callable[..., Any]) -> None:
    if connection.vendor == "sqlite":
        seen = on_a_sqlite_file("queue_race")
        assert seen["vendor"] == "sqlite"
    else:
        seen = queue_race()
    outcomes = seen["outcomes"]
    assert len(outcomes) == 8
    assert outcomes.count("ok:queued") == 1, outcomes
    refused = [outcome for outcome in outcomes if outcome != "ok:queued"]
    assert refused == ["ScenarioCannotBeMet:This scenario is already queued or running"] * 7
    assert (seen["runs"], seen["tasks"]) == (1, 1)
