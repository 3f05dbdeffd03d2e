"""Community's scheduled job: warn coordinators of expiring DBS checks and training."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from familyreach.community.services import supporters as supporter_services
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="community-warn-expiries",
    cron="0 7 * * *",
    description=(
        "Emails the volunteer coordinators about peer supporters' DBS checks and training "
        "expiring in 30 days, in 7 days or today (each warning once)."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def warn_expiries() -> str:
    warnings = supporter_services.expiry_warnings_send(on=timezone.localdate())
    return f"{len(warnings)} expiry warnings sent"
