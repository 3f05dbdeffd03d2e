"""The TOML scenario loader refuses unknown keys and bad values, naming their lines."""

from decimal import Decimal
from typing import Any

import pytest

from familyreach.planning.scenario_file import (
    ScenarioFileError,
    SourceLines,
    parse_scenario_text,
)

pytestmark = pytest.mark.django_db

GOOD = """\
name = "Two bases"
description = "A test"

[bases]
number = 2
candidate_kinds = ["library", "childrens_centre"]
forced_open = [
    "Acle Library",
]
per_district_min = 1

[outreach]
count = 1
venues = [{ venue = "Thorpe Village Hall", sessions_per_week = 2 }]

[travel]
mode = "public_transport"
thresholds = [15, 30, 45]

[costs]
budget = 400_000
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioFileError) as refused:
        parse_scenario_text(text, source="plan.toml")
    return refused.value.problems


def test_a_good_file_gives_the_scenario(small_county: dict[str, Any]) -> None:
    spec = parse_scenario_text(GOOD)
    assert spec.fields["name"] == "Two bases"
    assert spec.fields["number_of_bases"] == 2
    assert spec.fields["district_minimum"] == 1
    assert spec.fields["travel_mode"] == "public_transport"
    assert spec.fields["thresholds"] == [15, 30, 45]
    assert spec.fields["budget"] == Decimal(400000)
    assert [venue.name for venue in spec.forced_open] == ["Acle Library"]
    assert [(venue.name, n) for venue, n in spec.outreach_venues] == [("Thorpe Village Hall", 2)]


def test_unknown_keys_are_refused_with_their_lines(small_county: dict[str, Any]) -> None:
    text = GOOD.replace("per_district_min = 1", "per_district_minimum = 1").replace(
        'description = "A test"', 'description = "A test"\ncolour = "blue"'
    )
    text += "\n[extras]\nx = 1\n"
    problems = _problems(text)
    assert any(p.startswith("plan.toml line 3: unknown key 'colour'") for p in problems), problems
    assert any(
        p.startswith("plan.toml line 11: unknown key 'per_district_minimum' in [bases]")
        for p in problems
    ), problems
    assert any(p.startswith("plan.toml line 24: unknown key 'extras'") for p in problems), problems


def test_bad_values_are_refused_with_their_lines(small_county: dict[str, Any]) -> None:
    text = (
        GOOD.replace("number = 2", 'number = "two"')
        .replace('mode = "public_transport"', 'mode = "helicopter"')
        .replace("thresholds = [15, 30, 45]", "thresholds = [15, -3]")
        .replace('    "Acle Library",', '    "Nowhere Library",')
    )
    problems = _problems(text)
    assert "plan.toml line 5: bases.number must be a whole number, not 'two'" in problems
    assert any(p.startswith("plan.toml line 17: travel.mode must be one of") for p in problems)
    assert any(p.startswith("plan.toml line 18: travel.thresholds must be") for p in problems)
    assert "plan.toml line 8: bases.forced_open: no venue is called 'Nowhere Library'" in problems


def test_syntax_errors_keep_tomllib_line_numbers(small_county: dict[str, Any]) -> None:
    problems = _problems('name = "x"\n[bases]\nnumber = = 3\n')
    assert len(problems) == 1
    assert "line 3" in problems[0]


def test_a_missing_name_is_refused(small_county: dict[str, Any]) -> None:
    assert "plan.toml: the scenario needs a name" in _problems("[bases]\nnumber = 2\n")[0]


def test_source_lines_ignore_keys_inside_multiline_values() -> None:
    lines = SourceLines('a = [\n  1,\n]\n[t]\nb = { c = 1 }\n"quoted key" = 2\n')
    assert lines.line_of("", "a") == 1
    assert lines.line_of("t", "b") == 5
    assert lines.line_of("t", "quoted key") == 6
    assert lines.line_of("t") == 4
