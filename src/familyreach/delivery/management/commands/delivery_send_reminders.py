"""`familyreach delivery send-reminders`: remind families booked for tomorrow (run daily).

Only families who consented to email or text reminders get one; each booking is reminded once.
"""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from familyreach.delivery.services import booking_reminders_send


class Command(BaseCommand):
    help = "Send reminders for bookings on a day (default: tomorrow)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The sessions' date (YYYY-MM-DD); default tomorrow")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError("--date must be a date like 2027-01-31") from error
        day = day or timezone.localdate() + timedelta(days=1)
        sent = booking_reminders_send(on=day)
        self.stdout.write(f"Sent {sent} reminders for sessions on {day}.\n")
