"""Background work: refreshing the reach snapshot (minutes for a million families), so the
button on the dashboard never holds a web request open for it; and the nightly refresh."""

from datetime import timedelta

from django.tasks import task

from familyreach.accounts.models import User
from familyreach.insight import services
from familyreach.insight.models import RefreshStatus
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
    # Asked for like the dashboard's button (so a refresh already under way is joined, not
    # doubled), then worked out here: only one of this job and the queued task takes it.
    refresh, _queued = services.reach_refresh_request(user=None)
    refresh = services.reach_refresh_execute(refresh_id=refresh.pk)
    if refresh.status != RefreshStatus.SUCCEEDED:
        return f"reach refresh {refresh.pk} is {refresh.get_status_display().lower()}"
    return f"reach refresh {refresh.pk} succeeded"


@scheduled_job(
    name="insight-recover-refreshes",
    cron="*/10 * * * *",
    description=(
        "Takes back reach refreshes whose worker is gone: queues them again, or marks them "
        "failed after their last attempt, so the dashboard never shows one waiting for ever."
    ),
    stale_after=timedelta(minutes=30),
)
@task()
def recover_refreshes() -> str:
    recovered = services.reach_refreshes_recover()
    return f"{len(recovered)} reach refreshes taken back"


@scheduled_job(
    name="insight-year-end-figures",
    cron="15 3 * * *",
    description=(
        "Works out the reach figures as at 31 March for the public annual report (the last two "
        "complete financial years), where they have not been worked out yet."
    ),
    stale_after=timedelta(hours=3),
)
@task()
def year_end_reach_figures() -> str:
    made = services.reach_year_end_snapshots_ensure()
    if not made:
        return "year-end reach figures already worked out"
    return "worked out reach as of " + ", ".join(f"{s.as_of:%-d %B %Y}" for s in made)
