"""Background work: running a scenario (Django tasks; the database backend in production)."""

from django.tasks import task

from familyreach.planning import services


@task()
def run_scenario(run_id: int) -> str:
    run = services.scenario_run_execute(run_id=run_id)
    return run.status
