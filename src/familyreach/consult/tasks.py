"""Consultation's scheduled jobs: deleting drafts nobody can come back to."""

from datetime import timedelta

from django.tasks import task

from familyreach.consult import services
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="consult-delete-abandoned-drafts",
    cron="50 3 * * *",
    description=(
        "Deletes unsent consultation responses that can no longer be finished: their return "
        "link has expired (or none was asked for) and the browser session that held them has "
        "ended, or the consultation has closed. Sent responses are never touched."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def delete_abandoned_drafts() -> str:
    deleted = services.drafts_delete_abandoned()
    return f"{deleted} abandoned draft responses deleted"
