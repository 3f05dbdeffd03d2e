"""Scheduled jobs: the `@scheduled_job` decorator, the registry of every job, and the times a
cron schedule gives.

A scheduled job is a Django task (`@task`) with a cron schedule on top:

    @scheduled_job(
        name="delivery-roll-forward",
        cron="15 2 * * *",
        description="Adds the dates of every recurring session up to 12 weeks ahead.",
        stale_after=timedelta(days=2),
    )
    @task()
    def roll_forward() -> str:
        return f"{services.occurrences_roll_forward()} dates added"

The schedule is django-crontask's (`crontask.cron`, an APScheduler cron trigger in Europe/London
that enqueues the task when due); the `worker` command runs that scheduler. What this module adds:

- each run is recorded as a `JobRun` for its *slot* (the time the schedule said it was due),
  with its outcome, the one-line summary the job returns, and the error if it failed;
- a slot runs once: two schedulers (or one task delivered twice) insert the same (job, slot)
  and the second finds it there and does nothing. Jobs must still be idempotent, because a
  manager's "Run now" may run one again beside its schedule.

Schedules avoid 01:00–02:00 local time, which happens twice or not at all when the clocks
change (APScheduler would run such a job twice, or skip it).
"""

import dataclasses
import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import crontask  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.tasks import Task
from django.tasks.base import TaskResult
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
# Windows searched backwards for the latest slot, shortest first (a minute's job finds its slot
# in the first, a weekly one in the fourth).
_LOOK_BACK = (
    timedelta(minutes=2),
    timedelta(hours=2),
    timedelta(days=2),
    timedelta(days=9),
    timedelta(days=32),
    timedelta(days=367),
)


def _trigger(cron: str) -> CronTrigger:
    # The same trigger crontask builds from the same string (Europe/London, literal days).
    return CronTrigger.from_crontab(cron, timezone=timezone.get_default_timezone())


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    cron: str
    description: str
    # A run still "running" this long after it started lost its worker (a restart, a kill):
    # the heartbeat job marks it failed.
    stale_after: timedelta
    task: Task
    # The minute heartbeat would add half a million rows a year: it leaves none.
    keep_history: bool = True

    @property
    def trigger(self) -> CronTrigger:
        return _trigger(self.cron)

    def next_run(self, after: datetime | None = None) -> datetime | None:
        after = after or timezone.now()
        return cast(
            "datetime | None",
            self.trigger.get_next_fire_time(None, after + timedelta(seconds=1)),
        )

    def slot_at(self, moment: datetime | None = None) -> datetime | None:
        """The latest time at or before `moment` when the schedule said the job was due."""
        moment = moment or timezone.now()
        trigger = self.trigger
        for window in _LOOK_BACK:
            first = trigger.get_next_fire_time(None, moment - window)
            if first is None or first > moment:
                continue
            slot: datetime = first
            while True:
                following = trigger.get_next_fire_time(None, slot + timedelta(seconds=1))
                if following is None or following > moment:
                    return slot
                slot = following
        return None

    def slots_between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every slot from `start` (included) to `end` (excluded), in order."""
        trigger = self.trigger
        slot = trigger.get_next_fire_time(None, start)
        while slot is not None and slot < end:
            yield slot
            slot = trigger.get_next_fire_time(None, slot + timedelta(seconds=1))

    @property
    def schedule_in_words(self) -> str:
        return describe_cron(self.cron)

    def enqueue(
        self,
        *,
        slot: datetime | None = None,
        trigger: str = "schedule",
        requested_by: str = "",
    ) -> TaskResult:
        """Hand the job to a worker for `slot` (default: the slot due now)."""
        slot = slot or self.slot_at() or timezone.now().replace(microsecond=0)
        return self.task.enqueue(slot=slot.isoformat(), trigger=trigger, requested_by=requested_by)


_REGISTRY: dict[str, ScheduledJob] = {}


def jobs() -> list[ScheduledJob]:
    """Every scheduled job of every installed app (their `tasks` modules are imported here,
    once, the way Django's admin finds `admin` modules)."""
    autodiscover_modules("tasks")
    return sorted(_REGISTRY.values(), key=lambda job: (job.keep_history is False, job.name))


def job_get(name: str) -> ScheduledJob:
    autodiscover_modules("tasks")
    return _REGISTRY[name]


class SlotEnqueuer:
    """What crontask's scheduler calls when a job is due. crontask calls `task.enqueue()` with
    no arguments and reads `task.name`; this object enqueues the real task with the slot that
    just came due (worked out now, at the moment it fires, not later when a worker picks it
    up), and records that the scheduler is alive."""

    def __init__(self, job_name: str) -> None:
        self.job_name = job_name

    @property
    def name(self) -> str:
        return self.job_name

    def enqueue(self) -> TaskResult:
        if connection.in_atomic_block:
            # Called inside a caller's transaction (a test driving the clock): its connection
            # is in use and must not be closed under it.
            return self.fire()
        # APScheduler runs this in its own threads: Django's per-thread connections there are
        # never closed by a request cycle, so close stale ones ourselves.
        close_old_connections()
        try:
            return self.fire()
        finally:
            close_old_connections()

    def fire(self) -> TaskResult:
        # Imported here: the schedule is read while apps load, before models may be.
        from familyreach.operations.heartbeats import heartbeat_record

        heartbeat_record(kind="scheduler")
        return job_get(self.job_name).enqueue()


def scheduled_job(
    *,
    name: str,
    cron: str,
    description: str,
    stale_after: timedelta,
    keep_history: bool = True,
) -> Callable[[Task], Task]:
    """Put a Django task on a cron schedule (crontask) and record each of its runs."""

    def decorator(task: Task) -> Task:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.task.module_path != task.module_path:
            raise ValueError(f"Two scheduled jobs are called {name!r}")
        job_function = task.func

        def run(slot: str = "", trigger: str = "schedule", requested_by: str = "") -> str:
            return _run_recorded(
                job=_REGISTRY[name],
                function=job_function,
                slot=datetime.fromisoformat(slot) if slot else None,
                trigger=trigger,
                requested_by=requested_by,
            )

        # The worker finds a task by its function's module and name: the wrapper keeps the
        # job function's, so the module attribute (this returned task) is what it imports.
        run.__module__ = job_function.__module__
        run.__qualname__ = job_function.__qualname__
        run.__name__ = job_function.__name__
        run.__doc__ = job_function.__doc__
        recorded = dataclasses.replace(task, func=run, takes_context=False)
        _REGISTRY[name] = ScheduledJob(
            name=name,
            cron=cron,
            description=description,
            stale_after=stale_after,
            task=recorded,
            keep_history=keep_history,
        )
        if existing is None:
            # Sentry monitoring off: the project does not use Sentry, and crontask's wrapper
            # would rebuild the task object we pass.
            crontask.cron(cron, sentry_monitor_config=None)(cast("Task", SlotEnqueuer(name)))
        return recorded

    return decorator


def _short_error(error: BaseException) -> str:
    """The exception and the last few frames: enough to start on, short enough for a page."""
    lines = traceback.format_exception(error)
    text = "".join(lines[-6:]) if len(lines) > 6 else "".join(lines)
    return text[-4000:]


def _run_recorded(
    *,
    job: ScheduledJob,
    function: Callable[[], Any],
    slot: datetime | None,
    trigger: str,
    requested_by: str,
) -> str:
    from familyreach.operations.models import JobRun, Outcome

    slot = slot or job.slot_at() or timezone.now().replace(microsecond=0)
    if not job.keep_history:
        return str(function())
    try:
        # A savepoint: in a test (or any caller's transaction) the failed insert must not
        # break the transaction around it.
        with transaction.atomic():
            run = JobRun.objects.create(
                job=job.name,
                slot=slot,
                trigger=trigger,
                requested_by=requested_by[:150],
                outcome=Outcome.RUNNING,
                started_at=timezone.now(),
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
            )
    except IntegrityError:
        logger.info("Job %s: slot %s already ran; nothing to do", job.name, slot.isoformat())
        return "skipped: this slot already ran"
    try:
        result = function()
    except Exception as error:
        JobRun.objects.filter(pk=run.pk).update(
            outcome=Outcome.FAILED, finished_at=timezone.now(), error=_short_error(error)
        )
        logger.exception("Scheduled job %s failed for slot %s", job.name, slot.isoformat())
        raise
    summary = str(result if result is not None else "done")
    JobRun.objects.filter(pk=run.pk).update(
        outcome=Outcome.SUCCEEDED, finished_at=timezone.now(), summary=summary[:500]
    )
    return summary


def describe_cron(cron: str) -> str:
    """A cron schedule in words, for the staff page ("Every day at 02:15"). Patterns we do not
    use come back as the cron string itself."""
    minute, hour, day, month, weekday = cron.split()
    if (day, month) != ("*", "*"):
        return f"cron {cron}"
    if hour == "*" and weekday == "*":
        if minute == "*":
            return "Every minute"
        if minute.startswith("*/"):
            return f"Every {minute[2:]} minutes"
        if minute.isdigit():
            return f"Every hour at {int(minute):02d} minutes past"
        return f"cron {cron}"
    if not (minute.isdigit() and hour.isdigit()):
        return f"cron {cron}"
    at = f"{int(hour):02d}:{int(minute):02d}"
    if weekday == "*":
        return f"Every day at {at}"
    days = [DAY_NAMES.get(part.lower()) for part in weekday.split(",")]
    if None in days:
        return f"cron {cron}"
    return f"Every {', '.join(cast('list[str]', days))} at {at}"
