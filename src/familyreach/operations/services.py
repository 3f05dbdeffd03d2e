"""Writes for operations: "Run now", abandoned runs, and keeping the history short (signs of
life are in `heartbeats`)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks.base import TaskResult
from django.utils import timezone

from familyreach.operations.models import JobRun, Outcome
from familyreach.operations.schedule import job_get, jobs
from familyreach.operations.selectors import latest_runs

ABANDONED_MESSAGE = (
    "The worker stopped before the job finished (restarted or killed). "
    "The next scheduled run does the work again; or press Run now."
)


def job_run_request(*, name: str, user: object) -> TaskResult:
    """A manager's "Run now": enqueue the job at once for a slot of its own (now), beside its
    schedule. Every job is idempotent, so running it early or twice does no harm."""
    job = job_get(name)
    username = str(getattr(user, "get_username", lambda: "")())
    return job.enqueue(
        slot=timezone.now().replace(microsecond=0), trigger="manual", requested_by=username
    )


@transaction.atomic
def job_runs_mark_abandoned(*, now: datetime | None = None) -> int:
    """Runs still "running" long after they started lost their worker (a restart, a kill):
    mark them failed so the page shows it and nobody waits for them."""
    now = now or timezone.now()
    marked = 0
    for job in jobs():
        marked += JobRun.objects.filter(
            job=job.name, outcome=Outcome.RUNNING, started_at__lt=now - job.stale_after
        ).update(outcome=Outcome.FAILED, finished_at=now, error=ABANDONED_MESSAGE)
    return marked


@transaction.atomic
def history_prune(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete job runs and finished task results older than FAMILYREACH_JOB_HISTORY_DAYS,
    keeping each job's latest run whatever its age. Returns (runs, task results) deleted."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FAMILYREACH_JOB_HISTORY_DAYS)
    latest = latest_runs().values("pk")
    runs, _ = JobRun.objects.filter(started_at__lt=cutoff).exclude(pk__in=latest).delete()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return runs, results
