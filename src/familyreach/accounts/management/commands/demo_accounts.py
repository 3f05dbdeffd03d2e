from typing import Any

from django.core.management.base import BaseCommand, CommandError

from familyreach.accounts import demo


class Command(BaseCommand):
    help = "Create or reset the demo accounts (demo mode only). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo.load(self.stdout)
        except PermissionError as error:
            raise CommandError(str(error)) from error
