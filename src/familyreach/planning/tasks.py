"""Background work: running a scenario (Django tasks; the database backend in production), and
the scheduled recovery of runs whose worker died."""

from datetime import timedelta

from django.tasks import task

from familyreach.operations.schedule import scheduled_job
from familyreach.planning import services


@task()
def run_scenario(run_id: int) -> str:
    run = services.scenario_run_execute(run_id=run_id)
    return run.status


@scheduled_job(
    name="planning-recover-stuck",
    cron="*/10 * * * *",
    description=(
        "Takes back the planning runs whose worker is gone (no heartbeat for a few minutes, or "
        "queued with no task): queues them again, or marks them failed after their last attempt "
        "or when no worker took them, so planners can change the scenario and run it again."
    ),
    stale_after=timedelta(minutes=30),
)
@task()
def recover_stuck_runs() -> str:
    recovered = services.scenario_runs_recover()
    return f"{len(recovered)} planning runs taken back"
