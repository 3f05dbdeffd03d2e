"""`familyreach community warn-expiries`: warn the volunteer coordinators about peer supporters'
DBS checks and training that expire soon (run it every morning, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from familyreach.community.services.supporters import expiry_warnings_send


class Command(BaseCommand):
    help = (
        "Warn coordinators of expiring checks and training. Peer supporters' checks and "
        "training that expire soon."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        warnings = expiry_warnings_send(on=today)
        self.stdout.write(f"{len(warnings)} new expiry warnings sent on {today:%-d %B %Y}.")
