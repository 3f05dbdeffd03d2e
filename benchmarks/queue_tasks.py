"""The task bench_task_queue.py enqueues: it does nothing, so the figures are the queue's own
cost (enqueue, claim with SKIP LOCKED, run, record the result)."""

from django.tasks import task


@task()
def nothing() -> None:
    return None
