"""Background work: refreshing the reach snapshot (minutes for a million families), so the
button on the dashboard never holds a web request open for it; and the nightly refresh."""

from datetime import timedelta

from django.tasks import task

from familyreach.accounts.models import User
from familyreach.insight import services
from familyreach.operations.schedule import scheduled_job


@task()
def refresh_reach(refresh_id: int | None = None, user_id: int | None = None) -> str:
    """Work out a `ReachRefresh` (its status shows on the dashboard). A task queued before
    refreshes were recorded carries only `user_id`: it is worked out as it used to be."""
    if refresh_id is not None:
        refresh = services.reach_refresh_execute(refresh_id=refresh_id)
        return refresh.status
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    snapshot = services.reach_snapshot_refresh(user=user)
    return snapshot.as_of.isoformat()


# TODO(lead, issue 15): recovering insight refreshes whose worker died (status, de-duplication)
# is being built on the `runs` branch; schedule its recovery service here once merged.
@scheduled_job(
    name="insight-reach-refresh",
    cron="45 2 * * *",
    description=(
        "Recomputes the reach figures the dashboards show (families seen against need, by area) "
        "every night, after retention has run."
    ),
    stale_after=timedelta(hours=3),
)
@task()
def nightly_reach_refresh() -> str:
    snapshot = services.reach_snapshot_refresh(user=None)
    return f"reach as of {snapshot.as_of:%-d %B %Y} computed in {snapshot.seconds:.1f} s"
