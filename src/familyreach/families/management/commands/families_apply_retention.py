"""`familyreach families apply-retention`: anonymise every family past its retention date.

The rule (settings.FAMILY_RETENTION_YEARS_AFTER_YOUNGEST_BIRTH, default 25): a record is kept
until the youngest child's 25th birthday, then its personal data is erased; contacts stay,
countable by area. All or nothing: one transaction.
"""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.families.services import families_due_for_retention, retention_apply


class Command(BaseCommand):
    help = "Anonymise families whose retention period has ended. All or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing")
        parser.add_argument("--today", help="Treat this date (YYYY-MM-DD) as today")
        parser.add_argument("--as-user", help="Username recorded in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as error:
            raise CommandError("--today must be a date like 2027-01-31") from error
        today = today or timezone.localdate()
        user = None
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"]).first()
            if user is None:
                raise CommandError(f"No user called {options['as_user']}")
        if options["dry_run"]:
            due = families_due_for_retention(today)
            self.stdout.write(f"{len(due)} families are due for anonymisation on {today}.\n")
            return
        anonymised = retention_apply(user=user, today=today)
        self.stdout.write(f"Anonymised {len(anonymised)} families (retention date {today}).\n")
