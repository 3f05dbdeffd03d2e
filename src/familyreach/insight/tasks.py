"""Background work: refreshing the reach snapshot (minutes for a million families), so the
button on the dashboard never holds a web request open for it."""

from django.tasks import task

from familyreach.accounts.models import User
from familyreach.insight import services


@task()
def refresh_reach(user_id: int | None = None) -> str:
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    snapshot = services.reach_snapshot_refresh(user=user)
    return snapshot.as_of.isoformat()
