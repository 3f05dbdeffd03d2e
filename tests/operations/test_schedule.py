"""The schedule: slots, words, and the recording wrapper every scheduled job runs in."""

from datetime import UTC, datetime, timedelta

import crontask
import pytest
import time_machine
from django.utils import timezone

from familyreach.operations.models import JobRun, Outcome
from familyreach.operations.schedule import (
    ScheduledJob,
    SlotEnqueuer,
    _run_recorded,
    describe_cron,
    job_get,
    jobs,
)

pytestmark = pytest.mark.django_db

EXPECTED_JOBS = {
    "commissioning-draft-returns",
    "community-warn-expiries",
    "consult-delete-abandoned-drafts",
    "delivery-purge-booking-holds",
    "delivery-roll-forward",
    "delivery-send-reminders",
    "directory-remind-unassured",
    "families-apply-retention",
    "heartbeat",
    "insight-reach-refresh",
    "insight-recover-refreshes",
    "insight-year-end-figures",
    "operations-prune-history",
    "outbox-delete-old",
    "outbox-send-due",
    "planning-recover-stuck",
    "referrals-remind-waiting",
}


def test_every_domain_job_is_registered_and_on_crontasks_scheduler() -> None:
    assert {job.name for job in jobs()} == EXPECTED_JOBS
    scheduled = {job.name for job in crontask.scheduler.get_jobs()}
    assert scheduled >= EXPECTED_JOBS
    for job in jobs():
        assert job.description
        assert not job.schedule_in_words.startswith("cron "), job.name


def test_cron_in_words() -> None:
    assert describe_cron("* * * * *") == "Every minute"
    assert describe_cron("*/10 * * * *") == "Every 10 minutes"
    assert describe_cron("15 2 * * *") == "Every day at 02:15"
    assert describe_cron("0 8 * * Mon") == "Every Monday at 08:00"
    assert describe_cron("7 * * * *") == "Every hour at 07 minutes past"
    assert describe_cron("0 0 1 * *") == "cron 0 0 1 * *"


def test_slots_are_in_london_time_across_the_clock_change() -> None:
    job = job_get("delivery-roll-forward")
    # 02:15 in London is 01:15 UTC in summer and 02:15 UTC in winter.
    assert job.slot_at(datetime(2027, 7, 1, 12, tzinfo=UTC)) == datetime(
        2027, 7, 1, 1, 15, tzinfo=UTC
    )
    assert job.slot_at(datetime(2027, 12, 1, 2, 14, tzinfo=UTC)) == datetime(
        2027, 11, 30, 2, 15, tzinfo=UTC
    )
    # The week the clocks go back (31 October 2027): one slot a day, none doubled.
    start = datetime(2027, 10, 28, tzinfo=UTC)
    slots = list(job.slots_between(start, start + timedelta(days=7)))
    assert len(slots) == 7
    assert len({timezone.localtime(slot).date() for slot in slots}) == 7
    weekly = job_get("directory-remind-unassured")
    assert weekly.slot_at(datetime(2027, 7, 1, 12, tzinfo=UTC)) == datetime(
        2027, 6, 28, 7, tzinfo=UTC
    )  # Monday 28 June, 08:00 BST
    minutely = job_get("heartbeat")
    assert minutely.slot_at(datetime(2027, 7, 1, 12, 30, 42, tzinfo=UTC)) == datetime(
        2027, 7, 1, 12, 30, tzinfo=UTC
    )


def test_a_slot_runs_once_however_often_it_is_enqueued() -> None:
    job = job_get("planning-recover-stuck")
    slot = datetime(2027, 3, 1, 9, 10, tzinfo=UTC)
    with time_machine.travel(slot + timedelta(seconds=3), tick=False):
        first = job.enqueue(slot=slot)
        second = job.enqueue(slot=slot)
    assert first.return_value == "0 planning runs taken back"
    assert second.return_value == "skipped: this slot already ran"
    run = JobRun.objects.get(job=job.name)
    assert run.slot == slot
    assert run.outcome == Outcome.SUCCEEDED
    assert run.summary == "0 planning runs taken back"
    assert run.finished_at is not None


def test_the_scheduler_enqueues_the_slot_that_just_came_due() -> None:
    """What crontask calls when a job fires: the slot is the due time, worked out then."""
    with time_machine.travel(datetime(2027, 3, 1, 9, 20, 0, 400_000, tzinfo=UTC), tick=False):
        SlotEnqueuer("planning-recover-stuck").enqueue()
    run = JobRun.objects.get(job="planning-recover-stuck")
    assert run.slot == datetime(2027, 3, 1, 9, 20, tzinfo=UTC)
    assert run.trigger == "schedule"
    from familyreach.operations.models import Heartbeat

    assert Heartbeat.objects.get(kind="scheduler").seen_at == datetime(
        2027, 3, 1, 9, 20, 0, 400_000, tzinfo=UTC
    )


def _broken() -> str:
    raise RuntimeError("the database said no")


def test_a_failed_run_is_recorded_with_its_error_and_raised() -> None:
    base = job_get("planning-recover-stuck")
    job = ScheduledJob(
        name="test-broken",
        cron="0 4 * * *",
        description="Fails",
        stale_after=timedelta(hours=1),
        task=base.task,
    )
    slot = datetime(2027, 3, 1, 4, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        _run_recorded(job=job, function=_broken, slot=slot, trigger="schedule", requested_by="")
    run = JobRun.objects.get(job="test-broken")
    assert run.outcome == Outcome.FAILED
    assert "RuntimeError: the database said no" in run.error
    assert run.finished_at is not None
    # The same slot does not run again on its own: a manager's "Run now" takes a new slot.
    assert (
        _run_recorded(job=job, function=_broken, slot=slot, trigger="schedule", requested_by="")
        == "skipped: this slot already ran"
    )


def test_the_heartbeat_marks_abandoned_runs_failed_and_leaves_no_history() -> None:
    now = timezone.now()
    stuck = JobRun.objects.create(
        job="delivery-roll-forward",
        slot=now - timedelta(hours=5),
        started_at=now - timedelta(hours=5),
    )
    fresh = JobRun.objects.create(
        job="insight-reach-refresh", slot=now - timedelta(minutes=5), started_at=now
    )
    result = job_get("heartbeat").enqueue()
    assert result.return_value == "1 abandoned runs marked failed"
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.outcome == Outcome.FAILED
    assert "worker stopped" in stuck.error
    assert fresh.outcome == Outcome.RUNNING
    assert not JobRun.objects.filter(job="heartbeat").exists()


def test_pruning_keeps_each_jobs_latest_run() -> None:
    old = timezone.now() - timedelta(days=200)
    for days in (0, 1, 2):
        JobRun.objects.create(
            job="delivery-roll-forward",
            slot=old - timedelta(days=days),
            started_at=old - timedelta(days=days),
            outcome=Outcome.SUCCEEDED,
        )
    recent = JobRun.objects.create(
        job="families-apply-retention", slot=timezone.now(), started_at=timezone.now()
    )
    result = job_get("operations-prune-history").enqueue()
    assert result.return_value.startswith("2 old job runs")
    kept = JobRun.objects.filter(job="delivery-roll-forward").get()
    assert kept.slot == old
    assert JobRun.objects.filter(pk=recent.pk).exists()
