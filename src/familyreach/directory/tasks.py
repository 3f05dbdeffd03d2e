"""Directory's scheduled job: remind owners of listings nobody has checked for six months."""

from datetime import timedelta

from django.tasks import task

from familyreach.directory import services
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="directory-remind-unassured",
    cron="0 8 * * Mon",
    description=(
        "Emails each listing owner (or its organisation) the listings not checked within the "
        "assurance period (six months), once a week."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def remind_unassured() -> str:
    messages = services.unassured_services_remind()
    return f"{len(messages)} reminder emails sent"
