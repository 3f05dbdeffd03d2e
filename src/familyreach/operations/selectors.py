"""Reads for operations: each job's last run and next run, and whether the scheduler and the
workers are alive (for /healthz and the staff page)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from familyreach.operations.models import Heartbeat, HeartbeatKind, JobRun, Outcome
from familyreach.operations.schedule import ScheduledJob, jobs


@dataclass(frozen=True)
class JobStatus:
    job: ScheduledJob
    next_run: datetime | None
    last_run: JobRun | None
    last_success: JobRun | None

    @property
    def failed(self) -> bool:
        return self.last_run is not None and self.last_run.outcome == Outcome.FAILED


def job_statuses(*, now: datetime | None = None) -> list[JobStatus]:
    now = now or timezone.now()
    statuses = []
    for job in jobs():
        runs = JobRun.objects.filter(job=job.name).order_by("-started_at")
        statuses.append(
            JobStatus(
                job=job,
                next_run=job.next_run(now),
                last_run=runs.first(),
                last_success=runs.filter(outcome=Outcome.SUCCEEDED).first(),
            )
        )
    return statuses


def job_runs_recent(*, name: str, limit: int = 20) -> list[JobRun]:
    return list(JobRun.objects.filter(job=name).order_by("-started_at")[:limit])


def latest_runs() -> QuerySet[JobRun]:
    """Each job's latest run, in one query (the index on job and start time serves it)."""
    latest = JobRun.objects.filter(job=OuterRef("job")).order_by("-started_at").values("pk")[:1]
    return JobRun.objects.filter(pk=Subquery(latest))


def failed_jobs() -> list[str]:
    """Jobs whose latest run failed (a later success clears it). One query: /healthz asks."""
    return list(
        latest_runs().filter(outcome=Outcome.FAILED).order_by("job").values_list("job", flat=True)
    )


@dataclass(frozen=True)
class Liveness:
    """ "ok" (seen within FAMILYREACH_SCHEDULER_STALE_SECONDS), "stale" (seen before, or
    expected and never seen) or "not-expected" (never seen and not required here)."""

    state: str
    seen_at: datetime | None
    where: str


def _liveness(kind: HeartbeatKind, *, now: datetime) -> Liveness:
    heartbeat = Heartbeat.objects.filter(kind=kind).first()
    limit = timedelta(seconds=settings.FAMILYREACH_SCHEDULER_STALE_SECONDS)
    if heartbeat is None:
        state = "stale" if settings.FAMILYREACH_SCHEDULER_REQUIRED else "not-expected"
        return Liveness(state=state, seen_at=None, where="")
    state = "ok" if now - heartbeat.seen_at <= limit else "stale"
    return Liveness(
        state=state, seen_at=heartbeat.seen_at, where=f"{heartbeat.hostname} (pid {heartbeat.pid})"
    )


def scheduler_liveness(*, now: datetime | None = None) -> Liveness:
    return _liveness(HeartbeatKind.SCHEDULER, now=now or timezone.now())


def worker_liveness(*, now: datetime | None = None) -> Liveness:
    return _liveness(HeartbeatKind.WORKER, now=now or timezone.now())
