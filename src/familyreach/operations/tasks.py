"""The scheduler's own jobs: a heartbeat every minute and a nightly prune of old history."""

from datetime import timedelta

from django.tasks import task

from familyreach.operations import services
from familyreach.operations.heartbeats import heartbeat_record
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="heartbeat",
    cron="* * * * *",
    description=(
        "Shows that the scheduler and a worker are alive (for /healthz), and marks failed any "
        "job run whose worker stopped before it finished."
    ),
    stale_after=timedelta(minutes=5),
    keep_history=False,
)
@task()
def heartbeat() -> str:
    heartbeat_record(kind="worker")
    abandoned = services.job_runs_mark_abandoned()
    return f"{abandoned} abandoned runs marked failed"


@scheduled_job(
    name="operations-prune-history",
    cron="30 3 * * *",
    description=(
        "Deletes job runs and finished background task results older than "
        "FAMILYREACH_JOB_HISTORY_DAYS (each job's latest run is kept)."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def prune_history() -> str:
    runs, results = services.history_prune()
    return f"{runs} old job runs and {results} old task results deleted"
