"""`familyreach directory remind-unassured`: email owners of listings not checked for 6 months."""

from typing import Any

from django.core.management.base import BaseCommand

from familyreach.directory.services import unassured_services_remind


class Command(BaseCommand):
    help = (
        "Remind the owners of unassured listings. Listings not checked within the assurance "
        "period (6 months)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        messages = unassured_services_remind()
        for message in messages:
            self.stdout.write(f"Reminded {message.to}: {message.subject}")
        self.stdout.write(f"{len(messages)} reminders sent.")
