"""Reads for operations: each job's last run and next run, and whether the scheduler and the
workers are alive (for /healthz and the staff page)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
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


# --- The audit trail (every write, every read of a family record, exports and erasures) -------

AUDIT_ACTIONS: dict[str, str] = {
    "": "Any action",
    "viewed": "Viewed",
    "created": "Created",
    "changed": "Changed",
    "deleted": "Deleted",
    "exports": "Exports and erasures",
}


@dataclass(frozen=True)
class AuditSearch:
    person: str = ""
    record: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_entries(search: AuditSearch) -> QuerySet[Any]:
    """Audit entries matching a manager's search, newest first.

    `person` matches the username, name or email of whoever acted; `record` the record's
    description ("Family 12", "Booking 40") or its type ("family", "booking")."""
    from auditlog.models import LogEntry

    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if search.person:
        entries = entries.filter(
            Q(actor__username__icontains=search.person)
            | Q(actor__display_name__icontains=search.person)
            | Q(actor__first_name__icontains=search.person)
            | Q(actor__last_name__icontains=search.person)
            | Q(actor_email__icontains=search.person)
        )
    if search.record:
        entries = entries.filter(
            Q(object_repr__icontains=search.record)
            | Q(content_type__model__iexact=search.record.replace(" ", ""))
        )
    action = {
        "viewed": Q(action=LogEntry.Action.ACCESS, additional_data__action__isnull=True),
        "created": Q(action=LogEntry.Action.CREATE),
        "changed": Q(action=LogEntry.Action.UPDATE),
        "deleted": Q(action=LogEntry.Action.DELETE),
        "exports": Q(additional_data__action__isnull=False),
    }.get(search.action)
    if action is not None:
        entries = entries.filter(action)
    if search.date_from:
        entries = entries.filter(timestamp__date__gte=search.date_from)
    if search.date_to:
        entries = entries.filter(timestamp__date__lte=search.date_to)
    return entries


def audit_action_words(entry: Any) -> str:
    """What an entry records, in words: "Viewed", "Changed", or the named action."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    if named := data.get("action"):
        return str(named).capitalize()
    return {0: "Created", 1: "Changed", 2: "Deleted", 3: "Viewed"}.get(entry.action, "Other")
