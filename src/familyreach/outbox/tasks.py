"""The outbox's tasks. `send_due_messages` is queued after each commit that stores a message;
the scheduler also sends what is due every minute (`outbox-send-due`), so that retries and
anything whose queueing failed still go, and deletes old sent messages once a day."""

from dataclasses import asdict
from datetime import timedelta

from django.tasks import task

from familyreach.operations.schedule import scheduled_job
from familyreach.outbox import sending


@task()
def send_due_messages() -> dict[str, int]:
    return asdict(sending.messages_send_due())


@scheduled_job(
    name="outbox-send-due",
    cron="* * * * *",
    description=(
        "Sends the messages that are due (new ones whose own task was lost, and retries after "
        "a failure, with growing waits), and takes back messages whose sender stopped mid-send."
    ),
    stale_after=timedelta(minutes=10),
)
@task()
def send_due_messages_on_schedule() -> str:
    report = sending.messages_send_due()
    return ", ".join(f"{count} {what}" for what, count in asdict(report).items())


@scheduled_job(
    name="outbox-delete-old",
    cron="40 3 * * *",
    description=(
        "Deletes sent messages older than FAMILYREACH_OUTBOX_KEEP_SENT_DAYS: their bodies are "
        "family data. Failed and waiting messages are kept."
    ),
    stale_after=timedelta(days=2),
)
@task()
def delete_old_messages() -> str:
    return f"{sending.messages_delete_old()} sent messages deleted"
