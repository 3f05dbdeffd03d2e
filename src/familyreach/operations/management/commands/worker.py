"""`familyreach worker`: run background tasks and the schedule in one process.

The main thread is django-tasks-db's worker (the loop of `db_worker`); a background thread runs
django-crontask's scheduler, which enqueues each scheduled job when it is due. SIGTERM or
SIGINT (Ctrl+C) stops both: the worker finishes the task in hand, the scheduler stops at once.

Run as many workers as the load needs, on as many machines: with
`CRONTASK = {"REDIS_URL": ...}` (FAMILYREACH_SCHEDULER_REDIS_URL) only the process holding
crontask's Redis lock schedules and the others stand by to take over; without Redis, every
scheduler enqueues, and each job's run is recorded once per slot so the work is done once.
`--no-scheduler` runs a worker only.
"""

import logging
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger  # type: ignore[import-untyped]
from crontask import conf as crontask_conf  # type: ignore[import-untyped]
from crontask import scheduler
from crontask import utils as crontask_utils
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from familyreach.operations.schedule import SlotEnqueuer, jobs


class SchedulerThread(threading.Thread):
    """crontask's scheduler, in a thread, behind crontask's lock.

    A process that cannot take the lock (another scheduler holds it) stands by and tries again,
    so a second worker machine takes over the schedule when the first one stops."""

    def __init__(self, *, write: Any) -> None:
        super().__init__(name="familyreach-scheduler", daemon=True)
        self._stopping = threading.Event()
        self._write = write

    def run(self) -> None:
        retry_seconds = float(crontask_conf.get_settings().LOCK_TIMEOUT)
        while not self._stopping.is_set():
            try:
                with crontask_utils.lock as lock:
                    if self._stopping.is_set():
                        return
                    self._schedule(lock)
                    # A stopped APScheduler cannot start again (its thread pool is gone): once
                    # it has run, this process goes on as a worker only.
                    return
            except crontask_utils.LockNotOwnedError:
                self._write("The scheduler lost its Redis lock; this process is a worker only now")
                return
            except crontask_utils.LockError:
                self._write("Another scheduler holds the lock; standing by")
            self._stopping.wait(retry_seconds)

    def _schedule(self, lock: Any) -> None:
        # crontask's own "heartbeat" (found with every app's tasks module) only logs a line a
        # minute through a queued task; ours records the heartbeat /healthz reads.
        import crontask.tasks  # type: ignore[import-untyped]

        for scheduled in scheduler.get_jobs():
            if getattr(scheduled.func, "__self__", None) is crontask.tasks.heartbeat:
                scheduled.remove()
        if not isinstance(lock, crontask_utils.FakeLock):
            scheduler.add_job(
                crontask_utils.extend_lock,
                IntervalTrigger(seconds=crontask_conf.get_settings().LOCK_REFRESH_INTERVAL),
                args=(lock, scheduler),
                id="crontask-lock-extend",
                name="crontask.utils.lock.extend",
                replace_existing=True,
            )
        names = ", ".join(job.name for job in jobs())
        self._write(f"Scheduler started: {names}")
        # A heartbeat straight away (no trigger: once, now), so /healthz is green without
        # waiting for the next minute.
        scheduler.add_job(
            SlotEnqueuer("heartbeat").enqueue,
            id="familyreach-first-heartbeat",
            name="first heartbeat",
            replace_existing=True,
        )
        scheduler.start()

    def stop(self) -> None:
        self._stopping.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)


class Command(BaseCommand):
    help = "Run background tasks and the schedule of jobs. Use --no-scheduler for tasks only."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Run tasks only; another process runs the schedule.",
        )
        parser.add_argument(
            "--queue-name",
            default="default",
            help="Queues to take tasks from, separated by commas ('*': all). Default: default",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when there is no task (default 1).",
        )
        parser.add_argument(
            "--worker-id",
            default="",
            help="Unique across the pool of workers (default: random).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("django_tasks_db").setLevel(logging.INFO)
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
        )
        thread: SchedulerThread | None = None
        if not options["no_scheduler"]:
            thread = SchedulerThread(write=self.stdout.write)
            thread.start()

        def stop(signum: int, frame: FrameType | None) -> None:
            if thread is not None:
                thread.stop()
            # The worker finishes the task in hand (a second signal ends it at once).
            worker.shutdown(signum, frame)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(
            f"Worker started on queues {options['queue_name']}"
            + ("" if thread else " (no scheduler)")
        )
        try:
            worker.run()
        finally:
            if thread is not None:
                thread.stop()
                thread.join(timeout=10)
            self.stdout.write("Worker stopped.")
