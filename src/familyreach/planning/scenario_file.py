"""Scenarios described in TOML files, for `familyreach plan run FILE.toml`.

    name = "7 bases (one per district) + outreach"
    description = "One base in each district, outreach in village halls and libraries"
    objective = "min_travel"            # or "max_coverage"

    [bases]
    number = 7                          # and/or [costs] budget
    candidate_kinds = ["childrens_centre", "library"]
    candidate_venues = ["Thetford Library", 123]   # venue names or ids
    forced_open = []
    excluded = []
    per_district_min = 1
    per_district_max = 1

    [outreach]
    kinds = ["village_hall", "library"]
    count = 20                          # chosen by the optimiser
    sessions_per_week = 1
    venues = [{ venue = "Acle Library", sessions_per_week = 2 }]

    [travel]
    mode = "car"                        # or "public_transport"
    thresholds = [15, 30]               # minutes

    [demand]
    measure = "under_fives"             # or "need_weighted"

    [costs]
    budget = 5_000_000                  # £ a year, buildings and frontline together
    building_default = 20_000
    staff_per_fte = 35_000
    sessions_per_fte = 6
    hours_per_fte = 1_628

    [optimiser]
    time_limit_seconds = 20
    seed = 1

Unknown keys and bad values are refused with the line they are on. `tomllib` reports line numbers
only for syntax errors, so we find each key's line by scanning the source text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from familyreach.geo.models import Venue, VenueKind
from familyreach.planning.models import DemandMeasure, Objective, TravelMode


class ScenarioFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ScenarioSpec:
    fields: dict[str, Any] = field(default_factory=dict)
    candidate_venues: list[Venue] = field(default_factory=list)
    forced_open: list[Venue] = field(default_factory=list)
    excluded: list[Venue] = field(default_factory=list)
    outreach_venues: list[tuple[Venue, int]] = field(default_factory=list)


Check = Callable[[Any], str | None]


def _integer(minimum: int, maximum: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number, not {value!r}"
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else " or more"
            return (
                f"must be {minimum}{upper}"
                if maximum is None
                else f"must be between {minimum}{upper}"
            )
        return None

    return check


def _number(minimum: float) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"must be a number, not {value!r}"
        if value < minimum:
            return f"must be at least {minimum:g}"
        return None

    return check


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be text in quotes, not {value!r}"


def _choice(choices: list[str]) -> Check:
    def check(value: Any) -> str | None:
        if value not in choices:
            return f"must be one of {', '.join(repr(c) for c in choices)}, not {value!r}"
        return None

    return check


def _kinds(value: Any) -> str | None:
    if not isinstance(value, list) or any(kind not in VenueKind.values for kind in value):
        return f"must be a list of venue kinds from {', '.join(VenueKind.values)}, not {value!r}"
    return None


def _venue_list(value: Any) -> str | None:
    if not isinstance(value, list) or any(
        isinstance(item, bool) or not isinstance(item, str | int) for item in value
    ):
        return f"must be a list of venue names or ids, not {value!r}"
    return None


def _thresholds(value: Any) -> str | None:
    if (
        not isinstance(value, list)
        or not value
        or any(
            isinstance(item, bool) or not isinstance(item, int | float) or not 0 < item <= 240
            for item in value
        )
    ):
        return f"must be a list of minutes between 1 and 240, not {value!r}"
    return None


def _outreach_venues(value: Any) -> str | None:
    if not isinstance(value, list):
        return "must be a list of { venue = ..., sessions_per_week = ... }"
    for item in value:
        if (
            not isinstance(item, dict)
            or set(item) - {"venue", "sessions_per_week"}
            or "venue" not in item
        ):
            return f'each entry must be {{ venue = "name or id", sessions_per_week = 1 }}, not {item!r}'
        sessions = item.get("sessions_per_week", 1)
        if isinstance(sessions, bool) or not isinstance(sessions, int) or not 1 <= sessions <= 50:
            return f"sessions_per_week must be a whole number between 1 and 50, not {sessions!r}"
    return None


# table -> key -> (check, scenario field or a special name)
SCHEMA: dict[str, dict[str, tuple[Check, str]]] = {
    "": {
        "name": (_text, "name"),
        "description": (_text, "description"),
        "caveats": (_text, "caveats"),
        "objective": (_choice(list(Objective.values)), "objective"),
    },
    "bases": {
        "number": (_integer(1), "number_of_bases"),
        "candidate_kinds": (_kinds, "candidate_kinds"),
        "candidate_venues": (_venue_list, "@candidate_venues"),
        "forced_open": (_venue_list, "@forced_open"),
        "excluded": (_venue_list, "@excluded"),
        "per_district_min": (_integer(0, 50), "district_minimum"),
        "per_district_max": (_integer(1, 50), "district_maximum"),
    },
    "outreach": {
        "kinds": (_kinds, "outreach_kinds"),
        "count": (_integer(0, 2000), "outreach_count"),
        "sessions_per_week": (_integer(1, 50), "outreach_sessions_per_week"),
        "venues": (_outreach_venues, "@outreach_venues"),
    },
    "travel": {
        "mode": (_choice(list(TravelMode.values)), "travel_mode"),
        "thresholds": (_thresholds, "thresholds"),
    },
    "demand": {"measure": (_choice(list(DemandMeasure.values)), "demand_measure")},
    "costs": {
        "budget": (_number(0), "budget"),
        "building_default": (_number(0), "building_cost_default"),
        "staff_per_fte": (_number(1), "staff_cost_per_fte"),
        "sessions_per_fte": (_number(0.1), "sessions_per_fte"),
        "hours_per_fte": (_integer(1, 3000), "hours_per_fte"),
    },
    "optimiser": {
        "time_limit_seconds": (_integer(1, 3600), "time_limit_seconds"),
        "seed": (_integer(0), "seed"),
    },
}
DECIMAL_FIELDS = {"budget", "building_cost_default", "staff_cost_per_fte", "sessions_per_fte"}

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- \"']+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


class SourceLines:
    """Where each key sits in the source text: (table, key) -> line number (1-based)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.positions: dict[tuple[str, str], int] = {}
        self.tables: dict[str, int] = {}
        table = ""
        depth = 0  # inside a multi-line array or inline table, lines are values, not keys
        for number, line in enumerate(self.lines, start=1):
            stripped = line.split("#", 1)[0] if '"' not in line else line
            if depth == 0:
                header = _HEADER.match(line)
                if header:
                    table = header.group(1).replace(" ", "").replace('"', "")
                    self.tables.setdefault(table, number)
                    continue
                key = _KEY.match(line)
                if key:
                    name = key.group(1).strip("\"'")
                    self.positions.setdefault((table, name), number)
            depth += stripped.count("[") - stripped.count("]")
            depth += stripped.count("{") - stripped.count("}")
            depth = max(depth, 0)

    def line_of(self, table: str, key: str | None = None) -> int | None:
        if key is None:
            return self.tables.get(table)
        return self.positions.get((table, key))

    def line_of_value(self, table: str, key: str, needle: str) -> int | None:
        """The first line at or after the key's line that contains `needle` (a list item)."""
        start = self.line_of(table, key)
        if start is None:
            return None
        for number in range(start, len(self.lines) + 1):
            if needle in self.lines[number - 1]:
                return number
        return start


def _where(source: str, line: int | None) -> str:
    return f"{source} line {line}" if line else source


def _resolve_venue(reference: str | int) -> tuple[Venue | None, str | None]:
    if isinstance(reference, int):
        venue = Venue.objects.filter(pk=reference).first()
        return (venue, None) if venue else (None, f"no venue has id {reference}")
    matches = list(Venue.objects.filter(name__iexact=reference.strip())[:3])
    if not matches:
        return None, f"no venue is called {reference!r}"
    if len(matches) > 1:
        ids = ", ".join(str(v.pk) for v in matches)
        return None, f"{len(matches)} venues are called {reference!r} (ids {ids}): use the id"
    return matches[0], None


def parse_scenario_text(text: str, source: str = "scenario.toml") -> ScenarioSpec:
    """Read and check a scenario file; raise ScenarioFileError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message already names the line and column.
        raise ScenarioFileError([f"{source}: {error}"]) from error
    lines = SourceLines(text)
    problems: list[str] = []
    spec = ScenarioSpec()

    for key, value in data.items():
        if isinstance(value, dict) and key in SCHEMA and key != "":
            continue
        if key not in SCHEMA[""]:
            known = ", ".join([*SCHEMA[""], *(f"[{t}]" for t in SCHEMA if t)])
            where = lines.line_of(key) if isinstance(value, dict) else lines.line_of("", key)
            problems.append(
                f"{_where(source, where)}: unknown key {key!r} (expected one of {known})"
            )
    if "name" not in data:
        problems.append(f'{source}: the scenario needs a name (name = "...")')

    for table, keys in SCHEMA.items():
        section = data if table == "" else data.get(table, {})
        if table and not isinstance(section, dict):
            continue
        for key, value in section.items():
            if table == "" and isinstance(value, dict):
                continue
            if key not in keys:
                problems.append(
                    f"{_where(source, lines.line_of(table, key))}: unknown key {key!r} in "
                    f"[{table}] (expected one of {', '.join(keys)})"
                )
                continue
            check, target = keys[key]
            message = check(value)
            label = f"{table}.{key}" if table else key
            if message:
                problems.append(f"{_where(source, lines.line_of(table, key))}: {label} {message}")
                continue
            if target == "@outreach_venues":
                for item in value:
                    venue, problem = _resolve_venue(item["venue"])
                    if problem:
                        line = lines.line_of_value(table, key, str(item["venue"]))
                        problems.append(f"{_where(source, line)}: {label}: {problem}")
                    else:
                        assert venue is not None
                        spec.outreach_venues.append((venue, int(item.get("sessions_per_week", 1))))
            elif target.startswith("@"):
                resolved: list[Venue] = []
                for item in value:
                    venue, problem = _resolve_venue(item)
                    if problem:
                        line = lines.line_of_value(table, key, str(item))
                        problems.append(f"{_where(source, line)}: {label}: {problem}")
                    else:
                        assert venue is not None
                        resolved.append(venue)
                setattr(spec, target[1:], resolved)
            elif target in DECIMAL_FIELDS:
                spec.fields[target] = Decimal(str(value))
            else:
                spec.fields[target] = value
    if problems:
        raise ScenarioFileError(problems)
    return spec


def parse_scenario_file(path: Path) -> ScenarioSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScenarioFileError([f"{path}: cannot read the file ({error.strerror})"]) from error
    return parse_scenario_text(text, source=str(path))


FIELD_TO_KEY: dict[str, tuple[str, str]] = {
    target: (table, key)
    for table, keys in SCHEMA.items()
    for key, (_check, target) in keys.items()
    if not target.startswith("@")
}


def validation_problems(error: ValidationError, text: str, source: str) -> list[str]:
    """Turn a model's ValidationError into file problems with line numbers."""
    lines = SourceLines(text)
    problems = []
    for field_name, messages in error.message_dict.items():
        table, key = FIELD_TO_KEY.get(field_name, ("", field_name))
        label = f"{table}.{key}" if table else key
        for message in messages:
            problems.append(f"{_where(source, lines.line_of(table, key))}: {label}: {message}")
    return problems
