"""Delivery's scheduled jobs: recurring sessions' dates, and reminders to families."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from familyreach.delivery import services
from familyreach.operations.schedule import scheduled_job


@scheduled_job(
    name="delivery-roll-forward",
    cron="15 2 * * *",
    description=(
        "Adds the dates of every recurring session up to "
        f"{settings.DELIVERY_OCCURRENCE_WEEKS_AHEAD} weeks ahead, skipping school holidays for "
        "term-time sessions, so families can always book weeks ahead."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def roll_forward() -> str:
    added = services.occurrences_roll_forward()
    return f"{added} session dates added"


@scheduled_job(
    name="delivery-send-reminders",
    cron="0 10 * * *",
    description=(
        "Reminds families booked for tomorrow's sessions (once per booking, only where they "
        "consented to reminders)."
    ),
    stale_after=timedelta(hours=2),
)
@task()
def send_reminders() -> str:
    tomorrow = timezone.localdate() + timedelta(days=1)
    sent = services.booking_reminders_send(on=tomorrow)
    return f"{sent} reminders sent for {tomorrow:%-d %B %Y}"
