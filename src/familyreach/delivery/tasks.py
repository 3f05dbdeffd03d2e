"""Delivery's scheduled jobs: recurring sessions' dates, reminders to families, and lapsed
online booking holds."""

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


@scheduled_job(
    name="delivery-purge-booking-holds",
    cron="*/10 * * * *",
    description=(
        "Deletes online bookings nobody confirmed within "
        f"{settings.FAMILYREACH_BOOKING_HOLD_MINUTES} minutes (and what they held about the "
        "family), and gives the places they kept to the waiting list."
    ),
    stale_after=timedelta(minutes=30),
    keep_history=False,
)
@task()
def purge_booking_holds() -> str:
    deleted = services.booking_holds_purge()
    return f"{deleted} lapsed booking holds deleted"
