"""`familyreach directory import SOURCE`: import an ORUK 3.0 feed (file, folder or URL).

All or nothing: any problem refuses the whole import and prints a report naming each problem."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from familyreach.directory.importer import ImportRefused, import_source


class Command(BaseCommand):
    help = "Import an Open Referral UK 3.0 feed. A JSON file, a folder of them, or a URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "source", help="a .json file, a folder of .json files, or an http(s) URL"
        )
        parser.add_argument("--name", help="the feed's name, kept as the source of each record")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_source(options["source"], name=options.get("name"))
        except ImportRefused as refused:
            self.stderr.write(refused.report.text())
            raise CommandError("Import refused; nothing was changed.") from None
        self.stdout.write(report.text())
