"""`familyreach plan run FILE.toml`: create or update a scenario from a file, run it, print the
measures and write the outputs (report, CSV, GeoJSON) to a folder."""

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify
from tqdm import tqdm

from familyreach.planning import outputs
from familyreach.planning.engine import ScenarioCannotBeMet
from familyreach.planning.models import Scenario, ScenarioStatus
from familyreach.planning.scenario_file import (
    ScenarioFileError,
    parse_scenario_file,
    validation_problems,
)
from familyreach.planning.services import scenario_create, scenario_run_now, scenario_update


class Command(BaseCommand):
    help = "Run a planning scenario described in a TOML file. Writes its outputs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The scenario, in TOML")
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Folder for report.html, areas.csv, sites.csv, scenario.geojson "
            "(default var/plans/<scenario name>)",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            spec = parse_scenario_file(path)
        except ScenarioFileError as error:
            raise CommandError("The scenario file has problems:\n" + str(error)) from error
        name = spec.fields["name"]
        existing = Scenario.objects.filter(name=name).first()
        relations: dict[str, Any] = {
            "candidate_venues": spec.candidate_venues,
            "forced_open": spec.forced_open,
            "excluded": spec.excluded,
            "outreach_venues": spec.outreach_venues,
        }
        try:
            if existing:
                scenario = scenario_update(
                    scenario=existing, user=None, fields=spec.fields, **relations
                )
            else:
                scenario = scenario_create(user=None, fields=spec.fields, **relations)
        except ValidationError as error:
            text = path.read_text(encoding="utf-8")
            raise CommandError(
                "The scenario file has problems:\n"
                + "\n".join(validation_problems(error, text, str(path)))
            ) from error

        self.stdout.write(f"{'Updated' if existing else 'Created'} scenario “{scenario.name}”")
        bar = tqdm(
            total=100,
            disable=bool(options["no_progress"]),
            unit="%",
            file=sys.stderr,
            bar_format="{desc:50} {percentage:3.0f}% |{bar}|",
        )

        def progress(percent: int, message: str) -> None:
            bar.set_description(message[:50])
            bar.update(max(percent - bar.n, 0))

        try:
            run = scenario_run_now(scenario=scenario, user=None, progress=progress)
        except ScenarioCannotBeMet as error:
            bar.close()
            raise CommandError(
                "The scenario cannot be met:\n" + "\n".join(f"- {r}" for r in error.reasons)
            ) from error
        bar.close()
        if run.status != ScenarioStatus.FINISHED:
            raise CommandError(f"The run failed: {run.error}")

        rows = [["Measure", scenario.name]] + [
            [row["label"], row["text"]] for row in outputs.measure_rows(run)
        ]
        rows.append(["Optimiser", outputs.optimiser_text(run)])
        self.stdout.write(outputs.text_table(rows, width=60))
        folder = options["output"] or Path(settings.VAR_DIR) / "plans" / slugify(scenario.name)
        for written in outputs.write_outputs(scenario, run, folder):
            self.stdout.write(f"Wrote {written}")
