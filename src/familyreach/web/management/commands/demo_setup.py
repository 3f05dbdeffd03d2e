import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from familyreach.web.demo import demo_steps


class Command(BaseCommand):
    help = "Load everything the demo needs. Real open data and simulated families. Safe to rerun."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("Set FAMILYREACH_DEMO_MODE=true: demo data never loads elsewhere.")
        for description, step in demo_steps():
            started = time.perf_counter()
            self.stdout.write(f"- {description} ...")
            step(self.stdout)
            self.stdout.write(f"  done in {time.perf_counter() - started:.1f} s")
