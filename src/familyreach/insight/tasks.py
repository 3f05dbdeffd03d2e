"""Background work: refreshing the reach snapshot (minutes for a million families), so the
button on the dashboard never holds a web request open for it."""

from django.tasks import task

from familyreach.accounts.models import User
from familyreach.insight import services


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
