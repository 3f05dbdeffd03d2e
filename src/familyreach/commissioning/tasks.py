"""Commissioning's scheduled job: each quarter's returns drafted once the quarter has ended."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from familyreach.commissioning import services
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="commissioning-draft-returns",
    cron="30 6 * * *",
    description=(
        "Drafts each running contract's quarterly return from the service's records once the "
        "quarter has ended (once: a return already drafted is left alone), and emails the "
        "provider's managers to add their narrative and submit it. Daily, so a missed day "
        "catches up."
    ),
    stale_after=timedelta(hours=6),
)
@task()
def draft_returns() -> str:
    drafted = services.returns_draft_due(today=timezone.localdate())
    return f"{len(drafted)} quarterly returns drafted"
