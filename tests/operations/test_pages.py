"""/staff/operations/ for managers, and what /healthz says of the scheduler."""

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.operations.heartbeats import heartbeat_record
from familyreach.operations.models import Heartbeat, JobRun, Outcome

pytestmark = pytest.mark.django_db


def test_managers_see_every_job_with_its_schedule_and_last_outcome(
    manager: User, signed_in: Callable[[User], Client]
) -> None:
    now = timezone.now()
    JobRun.objects.create(
        job="delivery-roll-forward",
        slot=now - timedelta(hours=3),
        started_at=now - timedelta(hours=3),
        finished_at=now - timedelta(hours=3),
        outcome=Outcome.SUCCEEDED,
        summary="312 session dates added",
    )
    JobRun.objects.create(
        job="families-apply-retention",
        slot=now - timedelta(hours=2),
        started_at=now - timedelta(hours=2),
        finished_at=now - timedelta(hours=2),
        outcome=Outcome.FAILED,
        error="OperationalError: could not obtain lock",
    )
    heartbeat_record(kind="scheduler")
    page = signed_in(manager).get("/staff/operations/").content.decode()
    assert "Scheduled jobs" in page
    assert "delivery-roll-forward" in page
    assert "Every day at 02:15" in page
    assert "312 session dates added" in page
    assert "Succeeded" in page
    assert "Failed" in page
    assert "OperationalError: could not obtain lock" in page
    assert "Every Monday at 08:00" in page  # directory-remind-unassured
    assert page.count("Run now") >= 9
    # The scheduler was seen just now; no worker ever ran the heartbeat here.
    assert "Last seen" in page
    assert "Not running" in page


def test_the_navigation_links_managers_to_it(
    manager: User, planner: User, signed_in: Callable[[User], Client]
) -> None:
    assert 'href="/staff/operations/"' in signed_in(manager).get("/staff/").content.decode()
    assert 'href="/staff/operations/"' not in signed_in(planner).get("/staff/").content.decode()


@pytest.mark.parametrize(
    "role", [Role.PLANNER, Role.FAMILY_WORKER, Role.VOLUNTEER_COORDINATOR, Role.VOLUNTEER]
)
def test_other_roles_may_neither_see_nor_run_jobs(
    role: Role, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(make_user(role))
    assert client.get("/staff/operations/").status_code == 403
    assert client.post("/staff/operations/delivery-roll-forward/run").status_code == 403
    assert not JobRun.objects.exists()


def test_run_now_runs_the_job_for_a_slot_of_its_own(
    manager: User, yarmouth_family: object, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(manager)
    response = client.post("/staff/operations/families-apply-retention/run")
    assert response.status_code == 302
    # The test settings run tasks at once; in production a worker picks it up.
    run = JobRun.objects.get(job="families-apply-retention")
    assert run.trigger == "manual"
    assert run.requested_by == "dana-manager"
    assert run.outcome == Outcome.SUCCEEDED
    assert run.summary == "0 family records anonymised"
    page = client.get("/staff/operations/").content.decode()
    assert "was handed to a worker" in page
    assert "run now by dana-manager" in page
    assert client.get("/staff/operations/no-such-job/run").status_code == 405
    assert client.post("/staff/operations/no-such-job/run").status_code == 404


def test_healthz_without_a_scheduler_in_tests_and_the_demo(client: Client) -> None:
    body = json.loads(client.get("/healthz").content)
    assert body["scheduler"] == "not-expected"
    assert body["worker"] == "not-expected"
    assert body["failed_jobs"] == []
    assert body["status"] == "ok"


@override_settings(FAMILYREACH_SCHEDULER_REQUIRED=True)
def test_healthz_answers_503_when_a_required_scheduler_is_silent(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["scheduler"] == "stale"
    heartbeat_record(kind="scheduler")
    heartbeat_record(kind="worker")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["scheduler"] == "ok"
    # Six minutes without a heartbeat (more than FAMILYREACH_SCHEDULER_STALE_SECONDS).
    Heartbeat.objects.filter(kind="worker").update(seen_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["worker"] == "stale"
    with override_settings(FAMILYREACH_SCHEDULER_REQUIRED=False):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert json.loads(response.content)["worker"] == "stale"


def test_healthz_lists_jobs_whose_latest_run_failed(client: Client) -> None:
    now = timezone.now()
    for minutes, job, outcome in (
        (30, "delivery-roll-forward", Outcome.FAILED),
        (20, "delivery-roll-forward", Outcome.SUCCEEDED),
        (10, "insight-reach-refresh", Outcome.FAILED),
    ):
        JobRun.objects.create(
            job=job,
            slot=now - timedelta(minutes=minutes),
            started_at=now - timedelta(minutes=minutes),
            outcome=outcome,
        )
    body = json.loads(client.get("/healthz").content)
    assert body["failed_jobs"] == ["insight-reach-refresh"]
    assert body["status"] == "ok"
