"""`familyreach plan run FILE.toml` and `familyreach plan compare A B`."""

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario, ScenarioStatus

pytestmark = pytest.mark.django_db

PLAN = """\
name = "{name}"

[bases]
number = {number}
candidate_kinds = ["library", "childrens_centre"]

[outreach]
venues = [{{ venue = "Caister Village Hall", sessions_per_week = 2 }}]

[travel]
thresholds = [15, 30]
"""


def _write(tmp_path: Path, name: str, number: int) -> Path:
    path = tmp_path / f"{number}.toml"
    path.write_text(PLAN.format(name=name, number=number), encoding="utf-8")
    return path


def test_plan_run_prints_measures_and_writes_outputs(
    tmp_path: Path, small_county: dict[str, Any]
) -> None:
    out = StringIO()
    call_command(
        "plan_run",
        str(_write(tmp_path, "Two bases", 2)),
        "--output",
        str(tmp_path / "out"),
        "--no-progress",
        stdout=out,
    )
    text = out.getvalue()
    assert "Created scenario “Two bases”" in text
    assert "within 30 minutes of any service point" in text
    scenario = Scenario.objects.get(name="Two bases")
    assert scenario.status == ScenarioStatus.FINISHED
    run = scenario.latest_finished_run
    assert run is not None
    sites = list(csv.DictReader((tmp_path / "out" / "sites.csv").open(encoding="utf-8")))
    assert sorted(int(row["venue_id"]) for row in sites if row["role"] == "base") == sorted(
        run.bases
    )
    geojson = json.loads((tmp_path / "out" / "scenario.geojson").read_text(encoding="utf-8"))
    assert geojson["type"] == "FeatureCollection"
    assert "Two bases" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "areas.csv").exists()


def test_plan_run_refuses_a_bad_file_with_line_numbers(
    tmp_path: Path, small_county: dict[str, Any]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n[bases]\nnumber = 0\nfavourite = "Acle"\n', encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("plan_run", str(path), "--no-progress", stdout=StringIO())
    message = str(refused.value)
    assert f"{path} line 3: bases.number must be 1 or more" in message
    assert f"{path} line 4: unknown key 'favourite' in [bases]" in message
    assert not Scenario.objects.exists()


def test_plan_run_refuses_an_unmeetable_scenario(
    tmp_path: Path, small_county: dict[str, Any]
) -> None:
    path = tmp_path / "quota.toml"
    path.write_text('name = "x"\n[bases]\nnumber = 1\nper_district_min = 1\n', encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("plan_run", str(path), "--no-progress", stdout=StringIO())
    assert "The scenario cannot be met" in str(refused.value)
    assert "needs 2 bases but the scenario allows 1" in str(refused.value)


def test_plan_compare_prints_side_by_side(tmp_path: Path, small_county: dict[str, Any]) -> None:
    for number in (1, 2):
        call_command(
            "plan_run",
            str(_write(tmp_path, f"{number} bases", number)),
            "--output",
            str(tmp_path / str(number)),
            "--no-progress",
            stdout=StringIO(),
        )
    out = StringIO()
    call_command("plan_compare", "1 bases", "2 bases", stdout=out)
    text = out.getvalue()
    header = text.splitlines()[0]
    assert "1 bases" in header
    assert "2 bases" in header
    assert (
        "Against “1 bases”, “2 bases” has +1 bases" in text.replace("\n", " ") or "+1 bases" in text
    )


def test_plan_compare_needs_finished_runs(small_county: dict[str, Any]) -> None:
    Scenario.objects.create(name="Never run", number_of_bases=1)
    Scenario.objects.create(name="Also never run", number_of_bases=1)
    with pytest.raises(CommandError, match="no finished run yet"):
        call_command("plan_compare", "Never run", "Also never run", stdout=StringIO())
    assert Venue.objects.exists()
