"""`familyreach directory export FILE`: write the whole directory as ORUK 3.0 JSON."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from familyreach.directory.importer import export_feed


class Command(BaseCommand):
    help = (
        "Export the directory as Open Referral UK 3.0 JSON. Every organisation, taxonomy and "
        "service."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="where to write the JSON ('-' for standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        feed = export_feed()
        text = json.dumps(feed, indent=2, ensure_ascii=False)
        if options["file"] == "-":
            self.stdout.write(text)
            return
        Path(options["file"]).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(
            f"Wrote {len(feed['services'])} services, {len(feed['organizations'])} organisations "
            f"and {len(feed['taxonomies'])} taxonomies to {options['file']}."
        )
