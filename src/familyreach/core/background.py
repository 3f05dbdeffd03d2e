"""Background work that survives a lost worker: planning runs and reach refreshes use these.

Three parts, each small:

- `enqueue_with_row` hands a task to the backend so that it is queued exactly when the row it
  belongs to (a run, a refresh) is committed;
- `heartbeat` lets a running job say "still alive" every few seconds from a thread of its own,
  while the main thread is busy in one long call (an optimisation, one big query);
- `recovery_decide` (built on `task_look`, `task_abandon` and `recovery_for_running`/
  `recovery_for_queued`) lets a periodic recovery (the scheduler, or a page) tell a job whose
  worker is gone from one that is merely slow, and puts its task right; the caller then
  queues the job again or fails it.

The grace periods are settings (`BACKGROUND_*`, config/settings/base.py, documented in
docs/planning.md "Runs that stop").
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.tasks import Task, TaskResultStatus
from django.tasks.backends.immediate import ImmediateBackend
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend

logger = logging.getLogger(__name__)

AnyTask = Task[Any, Any]


def enqueue_with_row(task: AnyTask, *args: Any, on_enqueued: Callable[[str], object]) -> None:
    """Queue `task(*args)` as part of the caller's transaction; `on_enqueued(task_id)` records
    the task's id on the row.

    With the database backend (django-tasks-db, production) the task is a row in the same
    database, so it is written INSIDE the transaction: the run and its task are committed
    together or not at all. A worker can never see a task whose run is not there yet, and a
    failure to queue rolls the run back instead of leaving it QUEUED with nothing to run it.
    The immediate backend (tests) runs the task at once, also inside the transaction, as it
    always has. Any other backend (a broker such as Redis) lives outside the database: the
    task is sent once the transaction commits, and should sending fail (or the process die
    between the commit and the send) the row is left QUEUED with no task id, which
    `recovery_for_queued` finds and queues again.
    """
    backend = task.get_backend()

    def send() -> None:
        result = task.enqueue(*args)
        on_enqueued(str(result.id))

    if isinstance(backend, DatabaseBackend | ImmediateBackend):
        send()
    else:
        transaction.on_commit(send, robust=True)


class TaskRecord(enum.StrEnum):
    """What the task backend says about a job's task."""

    MISSING = "missing"  # no task id, or the backend has no such task (lost, pruned)
    WAITING = "waiting"  # queued, no worker has taken it yet
    TAKEN = "taken"  # a worker took it (and may have died since)
    ENDED = "ended"  # the task ended (succeeded or failed) without finishing the job
    UNKNOWN = "unknown"  # the backend cannot say (immediate, or a backend without results)


@dataclass(frozen=True)
class TaskLook:
    record: TaskRecord
    taken_at: datetime | None = None


def task_look(task: AnyTask, task_id: str) -> TaskLook:
    if not task_id:
        return TaskLook(TaskRecord.MISSING)
    backend = task.get_backend()
    if not backend.supports_get_result:
        return TaskLook(TaskRecord.UNKNOWN)
    try:
        result = backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return TaskLook(TaskRecord.MISSING)
    if result.status == TaskResultStatus.READY:
        return TaskLook(TaskRecord.WAITING)
    if result.status == TaskResultStatus.RUNNING:
        return TaskLook(TaskRecord.TAKEN, taken_at=result.started_at)
    return TaskLook(TaskRecord.ENDED)


class WorkerLost(Exception):
    """Recorded on a task whose worker was found gone (its traceback says why)."""


def task_abandon(task: AnyTask, task_id: str, *, reason: str, only_waiting: bool = False) -> bool:
    """Mark a task failed in django-tasks-db when its job is taken back; True if it was marked.

    db_worker only takes READY tasks, so a task left RUNNING by a killed worker is never run
    twice; but it would stay RUNNING for ever (shown so in the admin, never pruned). Failing a
    waiting task (`only_waiting`, for a job given up because no worker took it) stops a worker
    started later from running it; the conditional UPDATE loses cleanly to a worker taking it
    at the same moment (then False: leave the job to that worker).
    """
    if not task_id or not isinstance(task.get_backend(), DatabaseBackend):
        return False
    from django_tasks_db.models import DBTaskResult

    try:
        task_uuid = uuid.UUID(task_id)
    except ValueError:
        return False
    statuses = (
        [TaskResultStatus.READY]
        if only_waiting
        else [
            TaskResultStatus.READY,
            TaskResultStatus.RUNNING,
        ]
    )
    try:
        updated = DBTaskResult.objects.filter(id=task_uuid, status__in=statuses).update(
            status=TaskResultStatus.FAILED,
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=reason,
            return_value=None,
        )
    except ValidationError:
        return False
    return updated > 0


@contextlib.contextmanager
def heartbeat(beat: Callable[[], object], *, every: float | None = None) -> Iterator[None]:
    """Call `beat()` every `every` seconds (default `BACKGROUND_HEARTBEAT_SECONDS`) from a
    thread of its own while the body runs.

    A thread, because the body spends most of its time in one call (HiGHS, numpy, one SQL
    query) that reports no progress; those release the GIL, so the thread keeps beating. When
    the process is killed the beats stop, which is how recovery knows the worker is gone. A
    failed beat (the database busy) is logged and tried again at the next one.
    """
    interval = float(settings.BACKGROUND_HEARTBEAT_SECONDS if every is None else every)
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(interval):
                try:
                    beat()
                except Exception:
                    logger.warning("A heartbeat could not be written", exc_info=True)
        finally:
            # Connections are per thread: close this thread's own.
            connections.close_all()

    thread = threading.Thread(target=loop, name="familyreach-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # Not joined for long: a beat waiting on a row lock held by the caller's own open
        # transaction would otherwise wait for ever. A late beat is harmless (each beat only
        # touches a job still running under the same attempt).
        thread.join(timeout=1)


class Recovery(enum.StrEnum):
    LEAVE = "leave"  # nothing wrong (yet)
    REQUEUE = "requeue"  # queue it (again) for a worker
    FAIL_STOPPED = "fail_stopped"  # its worker stopped, and it has had all its attempts
    FAIL_NO_WORKER = "fail_no_worker"  # no worker has taken it within the queue wait


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=float(getattr(settings, name)))


def recovery_for_running(*, last_sign_of_life: datetime, attempt: int, now: datetime) -> Recovery:
    """A running job whose heartbeat is older than `BACKGROUND_WORKER_GONE_SECONDS` has lost its
    worker: run it again, unless it has had `BACKGROUND_MAX_ATTEMPTS` attempts (a job that
    kills its worker, e.g. by running out of memory, must not do so for ever)."""
    if last_sign_of_life >= now - _seconds("BACKGROUND_WORKER_GONE_SECONDS"):
        return Recovery.LEAVE
    if attempt >= settings.BACKGROUND_MAX_ATTEMPTS:
        return Recovery.FAIL_STOPPED
    return Recovery.REQUEUE


def recovery_for_queued(*, queued_at: datetime, look: TaskLook, now: datetime) -> Recovery:
    """A queued job: its task lost or ended without it, or taken by a worker that died before
    starting it, is queued again; one still waiting (or one we cannot see) after
    `BACKGROUND_QUEUE_WAIT_SECONDS` is given up, so that it can be changed and run again.

    Nothing is done in the first `BACKGROUND_WORKER_GONE_SECONDS`: a task sent on commit may
    not have its id recorded yet, and a worker that has just taken a task has not yet marked
    the job running.
    """
    waited = now - queued_at
    if waited < _seconds("BACKGROUND_WORKER_GONE_SECONDS"):
        return Recovery.LEAVE
    given_up = waited >= _seconds("BACKGROUND_QUEUE_WAIT_SECONDS")
    if look.record in (TaskRecord.WAITING, TaskRecord.UNKNOWN):
        return Recovery.FAIL_NO_WORKER if given_up else Recovery.LEAVE
    if look.record == TaskRecord.TAKEN and (
        look.taken_at is not None
        and look.taken_at >= now - _seconds("BACKGROUND_WORKER_GONE_SECONDS")
    ):
        return Recovery.LEAVE
    # Missing, ended, or taken long ago by a worker that never started it. Re-queueing does not
    # move queued_at, so a job whose task keeps vanishing is still given up in the end.
    return Recovery.FAIL_NO_WORKER if given_up else Recovery.REQUEUE


def recovery_decide(
    task: AnyTask,
    *,
    task_id: str,
    running: bool,
    last_sign_of_life: datetime,
    queued_at: datetime,
    attempt: int,
    now: datetime,
    taken_back_by: str,
) -> Recovery:
    """What recovery does with a job (a run, a refresh) that is running or queued, with its
    task already put right: call it with the job's row locked, then queue the job again
    (REQUEUE) or fail it (FAIL_STOPPED, FAIL_NO_WORKER) as the answer says.

    A task given up is marked failed in the backend, so no worker takes it later; a job given
    up for want of a worker is left alone (LEAVE) if a worker took its task just now."""
    if running:
        action = recovery_for_running(last_sign_of_life=last_sign_of_life, attempt=attempt, now=now)
    else:
        action = recovery_for_queued(queued_at=queued_at, look=task_look(task, task_id), now=now)
    if action == Recovery.LEAVE:
        return action
    reason = f"Taken back by {taken_back_by} at {now.isoformat()}: {action}"
    if action != Recovery.FAIL_NO_WORKER:
        task_abandon(task, task_id, reason=reason)
    elif (
        not task_abandon(task, task_id, reason=reason, only_waiting=True)
        and task_look(task, task_id).record == TaskRecord.TAKEN
    ):
        return Recovery.LEAVE
    return action


def attempts_in_words(attempts: int) -> str:
    """For the messages that say how often a job's worker stopped: "twice", "3 times"."""
    return "twice" if attempts == 2 else f"{attempts} times"
