"""The background queue (django-tasks-db on PostgreSQL) with 1, 2 and 4 worker processes:
what enqueueing costs, and how fast workers that claim with SELECT … FOR UPDATE SKIP LOCKED
drain a queue of tasks that do nothing (the queue's own cost). For docs/scaling.md.

Migrates a throw-away PostgreSQL (scripts/with-postgres.sh when DATABASE_URL is not set),
enqueues BENCH_TASKS (3,000) tasks through the task framework, then starts the workers
(`db_worker --batch`: each exits when the queue is empty) and prints tasks a second, CPU time
per task of the workers and of PostgreSQL, that every task succeeded exactly once, and the load
average before and after (the machine is shared).

    uv run python benchmarks/bench_task_queue.py
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASKS = int(os.environ.get("BENCH_TASKS", "3000"))


def main() -> int:
    if "--help" in sys.argv[1:] or "-h" in sys.argv[1:]:
        print(__doc__)
        return 0
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return subprocess.call(
            ["sh", "-c", f"scripts/with-postgres.sh {sys.executable} {__file__}"], cwd=ROOT
        )
    # The base settings: the database task backend (the test settings run tasks at once).
    os.environ["DJANGO_SETTINGS_MODULE"] = "familyreach.config.settings.base"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).parent), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    )
    sys.path[:0] = [str(Path(__file__).parent), str(ROOT / "src")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from measuring import cpu_seconds, load_average, postmaster_pid
    from queue_tasks import nothing

    call_command("migrate", verbosity=0)
    database = postmaster_pid(os.environ["DATABASE_URL"])
    print(
        f"PostgreSQL and the workers on the same {os.cpu_count()} cores, shared with other jobs.",
        flush=True,
    )
    for workers in (1, 2, 4):
        DBTaskResult.objects.all().delete()
        before, database_before = load_average(), cpu_seconds(database)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        for _ in range(TASKS):
            nothing.enqueue()
        enqueue_seconds = time.perf_counter() - started
        after_usage = resource.getrusage(resource.RUSAGE_SELF)
        enqueue_cpu = (after_usage.ru_utime + after_usage.ru_stime) - (
            usage.ru_utime + usage.ru_stime
        )
        enqueue_database = cpu_seconds(database) - database_before
        connection.close()

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        database_before = cpu_seconds(database)
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "db_worker",
                    *("--batch", "--interval", "0.1", "--no-startup-delay"),
                    *("--worker-id", f"bench-{number}"),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for number in range(workers)
        ]
        for process in processes:
            process.wait(timeout=1800)
        drain_seconds = time.perf_counter() - started
        after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = (after_children.ru_utime + after_children.ru_stime) - (
            children.ru_utime + children.ru_stime
        )
        drain_database = cpu_seconds(database) - database_before
        succeeded = DBTaskResult.objects.successful().count()
        left = DBTaskResult.objects.exclude(status="SUCCESSFUL").count()
        print(
            f"{workers} worker process(es): enqueued {TASKS:,} in {enqueue_seconds:.1f} s "
            f"({TASKS / enqueue_seconds:,.0f}/s; CPU per task: enqueuer "
            f"{1000 * enqueue_cpu / TASKS:.2f} ms, PostgreSQL {1000 * enqueue_database / TASKS:.2f}"
            f" ms); drained in {drain_seconds:.1f} s ({TASKS / drain_seconds:,.0f} tasks/s, "
            f"worker start-up included; CPU per task: workers {1000 * worker_cpu / TASKS:.2f} ms, "
            f"PostgreSQL {1000 * drain_database / TASKS:.2f} ms); succeeded {succeeded:,}, "
            f"not succeeded {left}; load average before {before}, after {load_average()}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
