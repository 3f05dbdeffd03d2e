"""Working out the reach figures again from the dashboard: a recorded refresh with a status
the dashboard shows, one at a time however often the button is pressed, and recovery when its
worker is gone (docs/measures.md "Refreshing the figures").

The real database task backend (django-tasks-db) keeps tasks waiting as in production;
`run_waiting_tasks` runs them with db_worker's own code.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from familyreach.accounts.models import User
from familyreach.insight.models import ReachRefresh, ReachSnapshot, RefreshStatus
from familyreach.insight.services import (
    NO_WORKER_REFRESH_MESSAGE,
    STOPPED_REFRESH_MESSAGE,
    reach_refresh_request,
    reach_refreshes_recover,
)
from tests.fixtures.insight import ReachWorld
from tests.planning.background_races import refresh_race
from tests.planning.test_runs_recover import run_waiting_tasks

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS


def gone() -> timedelta:
    return timedelta(seconds=settings.BACKGROUND_WORKER_GONE_SECONDS)


def test_a_second_request_while_one_is_queued_joins_it(manager: Any, database_tasks: None) -> None:
    first, queued = reach_refresh_request(user=manager)
    assert queued
    assert (first.status, first.requested_by) == (RefreshStatus.QUEUED, manager)
    second, queued_again = reach_refresh_request(user=None)
    assert (second, queued_again) == (first, False)
    assert ReachRefresh.objects.count() == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == [first.pk]


def test_double_click_queues_one_refresh_and_the_dashboard_shows_it(
    reach_world: ReachWorld, manager: Any, database_tasks: None, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(manager)
    client.post(reverse("insight:refresh"))
    response = client.post(reverse("insight:refresh"), follow=True)
    page = response.content.decode()
    assert "already being worked out" in page
    assert ReachRefresh.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    # While it waits the page says since when, and offers no second button.
    assert "waiting to be worked out again, since" in page
    assert "Work out the figures now" not in page
    assert run_waiting_tasks() == 1
    refresh = ReachRefresh.objects.get()
    assert (refresh.status, refresh.attempt) == (RefreshStatus.SUCCEEDED, 1)
    assert refresh.snapshot == ReachSnapshot.objects.get()
    assert refresh.snapshot.computed_by == manager
    page = client.get(reverse("insight:dashboard")).content.decode()
    assert "Headline figures" in page
    assert 'data-testid="refresh-status"' not in page
    assert "Work out the figures again" in page
    # Once it has finished, another can be asked for.
    assert reach_refresh_request(user=manager)[1] is True


def test_a_refresh_no_worker_takes_fails_and_the_dashboard_says_so(
    reach_world: ReachWorld, manager: Any, database_tasks: None, signed_in: Callable[[User], Client]
) -> None:
    refresh, _ = reach_refresh_request(user=manager)
    wait = timedelta(seconds=settings.BACKGROUND_QUEUE_WAIT_SECONDS)
    assert reach_refreshes_recover(now=refresh.queued_at + wait - timedelta(seconds=1)) == []
    assert reach_refreshes_recover(now=refresh.queued_at + wait + timedelta(seconds=1)) == [refresh]
    refresh.refresh_from_db()
    message = NO_WORKER_REFRESH_MESSAGE.format(minutes=round(wait.total_seconds() / 60))
    assert (refresh.status, refresh.error) == (RefreshStatus.FAILED, message)
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert run_waiting_tasks() == 0
    page = signed_in(manager).get(reverse("insight:dashboard")).content.decode()
    assert "Working out the figures again failed at" in page
    assert "No worker started working out the figures" in page
    assert "Work out the figures now" in page


def _start_and_die(refresh: ReachRefresh, attempt: int) -> ReachRefresh:
    """What a worker writes as it takes the refresh, and then it is killed."""
    DBTaskResult.objects.get(id=refresh.task_id).claim("worker-that-dies")
    now = timezone.now()
    ReachRefresh.objects.filter(pk=refresh.pk).update(
        status=RefreshStatus.RUNNING, started_at=now, heartbeat_at=now, attempt=attempt
    )
    refresh.refresh_from_db()
    return refresh


def test_a_refresh_whose_worker_stopped_is_run_again_then_failed(
    reach_world: ReachWorld, manager: Any, database_tasks: None
) -> None:
    refresh = _start_and_die(reach_refresh_request(user=manager)[0], attempt=1)
    assert refresh.heartbeat_at is not None
    assert reach_refreshes_recover(now=refresh.heartbeat_at + gone() - timedelta(seconds=1)) == []
    later = refresh.heartbeat_at + gone() + timedelta(seconds=1)
    assert reach_refreshes_recover(now=later) == [refresh]
    assert reach_refreshes_recover(now=later) == []  # idempotent
    refresh.refresh_from_db()
    assert refresh.status == RefreshStatus.QUEUED
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == [TaskResultStatus.FAILED, TaskResultStatus.READY]
    # Still one at a time while it is queued again.
    assert reach_refresh_request(user=None) == (refresh, False)

    refresh = _start_and_die(refresh, attempt=2)
    assert refresh.heartbeat_at is not None
    assert reach_refreshes_recover(now=refresh.heartbeat_at + gone() + timedelta(seconds=1)) == [
        refresh
    ]
    refresh.refresh_from_db()
    message = STOPPED_REFRESH_MESSAGE.format(times="twice")
    assert (refresh.status, refresh.error) == (RefreshStatus.FAILED, message)
    assert not DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).exists()


def test_a_refresh_queued_again_is_worked_out_by_the_next_worker(
    reach_world: ReachWorld, database_tasks: None
) -> None:
    refresh = _start_and_die(reach_refresh_request(user=None)[0], attempt=1)
    assert refresh.heartbeat_at is not None
    reach_refreshes_recover(now=refresh.heartbeat_at + gone() + timedelta(seconds=1))
    assert run_waiting_tasks() == 1
    refresh.refresh_from_db()
    assert (refresh.status, refresh.attempt) == (RefreshStatus.SUCCEEDED, 2)
    assert ReachSnapshot.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_refresh_requests_queue_one(on_a_sqlite_file: Callable[..., Any]) -> None:
    if connection.vendor == "sqlite":
        seen = on_a_sqlite_file("refresh_race")
        assert seen["vendor"] == "sqlite"
    else:
        seen = refresh_race()
    assert sorted(seen["outcomes"]) == ["ok:False"] * 7 + ["ok:True"]
    assert (seen["refreshes"], seen["tasks"]) == (1, 1)
