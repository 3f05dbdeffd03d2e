"""Families' scheduled job: anonymise records past their retention date."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from familyreach.families import services
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="families-apply-retention",
    cron="30 2 * * *",
    description=(
        "Anonymises every family record past its retention date (the youngest child's 25th "
        "birthday by default); contacts stay, countable by area."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def apply_retention() -> str:
    anonymised = services.retention_apply(user=None, today=timezone.localdate())
    return f"{len(anonymised)} family records anonymised"
