"""`familyreach outbox send`: send every due message now (what the worker does every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from familyreach.outbox.backends import backend_for_settings
from familyreach.outbox.sending import messages_send_due


class Command(BaseCommand):
    help = "Send the messages that are due, once each. Retries included; says what happened."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = backend_for_settings()
        report = messages_send_due(backend=backend)
        self.stdout.write(
            f"{report.sent} sent, {report.retrying} to try again, {report.failed} failed, "
            f"{report.recovered} recovered from a stopped sender (through {backend.name})."
        )
        if backend.name == "console":
            self.stdout.write(
                "Console backend (no NOTIFY_API_KEY): messages were logged, NOT sent."
            )
