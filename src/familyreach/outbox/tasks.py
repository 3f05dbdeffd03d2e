"""The task that sends due messages: queued after each commit that stores one, and run every
minute by the scheduler so that retries and anything whose queueing failed still go."""

from dataclasses import asdict

from django.tasks import task

from familyreach.outbox import services


@task()
def send_due_messages() -> dict[str, int]:
    return asdict(services.messages_send_due())
