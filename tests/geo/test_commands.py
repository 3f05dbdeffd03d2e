import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from familyreach.geo.models import Area, District, Venue
from tests.fixtures.geo import NorfolkWorld


def test_summary_json_contract(norfolk: NorfolkWorld) -> None:
    out = StringIO()
    call_command("geo_summary", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["districts"] == 7
    assert summary["areas"] == 538
    assert summary["postcodes"] == 27648
    assert summary["venues"]["library"] == 48
    assert summary["venues"]["school"] == 465


def test_postcode_json_contract(norfolk: NorfolkWorld) -> None:
    out = StringIO()
    call_command("geo_postcode", "nr301ne", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["postcode"] == "NR30 1NE"
    assert result["latitude"] == pytest.approx(52.610982)
    assert result["longitude"] == pytest.approx(1.72652)
    assert (result["lat"], result["lon"]) == (result["latitude"], result["longitude"])
    assert result["district_code"] == "E07000145"
    assert result["area_code"].startswith("E01")
    assert result["area_is_exact"] is False


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("hello", "Enter a real postcode, like NR30 1NE"),
        ("NR30 9ZZ", "We could not find NR30 9ZZ. Try the start of the postcode: NR30"),
    ],
)
def test_postcode_problems_exit_with_status_1(
    norfolk: NorfolkWorld, typed: str, message: str
) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("geo_postcode", typed, "--json", stdout=StringIO())
    assert str(caught.value) == message
    assert caught.value.returncode == 1


def test_postcode_problem_from_the_command_line(norfolk: NorfolkWorld) -> None:
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["familyreach", "geo_postcode", "NR30 9ZZ"])
    assert exited.value.code == 1


def test_load_norfolk_command_is_idempotent(norfolk: NorfolkWorld) -> None:
    out = StringIO()
    call_command("geo_load_norfolk", stdout=out)
    assert "7 districts" in out.getvalue()
    assert "538 areas" in out.getvalue()
    assert District.objects.count() == 7
    assert Venue.objects.count() == 513


def test_load_is_all_or_nothing(db: object, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "data" / "norfolk"
    for file in source.glob("*.csv"):
        (tmp_path / file.name).write_bytes(file.read_bytes())
    schools = tmp_path / "schools_gias_2025.csv"
    lines = schools.read_text().splitlines()
    lines[10] = (
        lines[10].replace(",Primary,", ",Primary,lots,", 1)
        if ",Primary," in lines[10]
        else lines[10] + ",extra"
    )
    schools.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError) as caught:
        call_command("geo_load_norfolk", "--data-dir", str(tmp_path), stdout=StringIO())
    assert "Nothing was loaded" in str(caught.value)
    assert "schools_gias_2025.csv line 11" in str(caught.value)
    assert District.objects.count() == 0
    assert Area.objects.count() == 0
    assert Venue.objects.count() == 0
