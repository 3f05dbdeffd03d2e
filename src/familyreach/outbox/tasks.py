"""The outbox's tasks. `send_due_messages` is queued after each commit that stores a message,
and the scheduler runs it every minute so that retries and anything whose queueing failed still
go. `delete_old_messages` is for the scheduler once a day."""

from dataclasses import asdict

from django.tasks import task

from familyreach.outbox import services


@task()
def send_due_messages() -> dict[str, int]:
    return asdict(services.messages_send_due())


@task()
def delete_old_messages() -> int:
    return services.messages_delete_old()
