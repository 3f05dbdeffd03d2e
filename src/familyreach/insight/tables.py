"""The tables every chart, map and export is built from: one definition of each column, so the
page, the JSON behind the charts, the CSV and the Excel workbook always show the same figures."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from familyreach.insight.measures import AreaFigures, Figures, Report


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    value: Callable[[Figures], Any]
    kind: str = "count"  # count, rate, text, estimate


def _round(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


COLUMNS: tuple[Column, ...] = (
    Column("label", "Name", lambda f: f.label, "text"),
    Column(
        "estimated_under_fives",
        "Under-fives (estimated)",
        lambda f: _round(f.estimated_under_fives),
        "estimate",
    ),
    Column("registered_families", "Registered families", lambda f: f.counts.registered_families),
    Column("registered_reach", "Registered reach", lambda f: f.registered_reach, "rate"),
    Column("seen_families", "Families seen", lambda f: f.counts.seen_families),
    Column("seen_reach", "Seen reach", lambda f: f.seen_reach, "rate"),
    Column(
        "sustained_families",
        "Families with sustained engagement",
        lambda f: f.counts.sustained_families,
    ),
    Column("sustained_reach", "Sustained reach", lambda f: f.sustained_reach, "rate"),
    Column("seen_under_fives", "Under-fives in seen families", lambda f: f.counts.seen_under_fives),
    Column("not_seen_share", "Under-fives not seen", lambda f: f.not_seen_share, "rate"),
    Column(
        "unreached_under_fives",
        "Unreached under-fives (estimated)",
        lambda f: _round(f.unreached_under_fives),
        "estimate",
    ),
)
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("label", "Target group", lambda f: f.label, "text"),
    Column("registered_families", "Registered families", lambda f: f.counts.registered_families),
    Column("seen_families", "Families seen", lambda f: f.counts.seen_families),
    Column(
        "seen_share_of_registered",
        "Seen, of registered",
        lambda f: f.seen_share_of_registered,
        "rate",
    ),
    Column(
        "sustained_families",
        "Families with sustained engagement",
        lambda f: f.counts.sustained_families,
    ),
    Column(
        "sustained_share_of_registered",
        "Sustained, of registered",
        lambda f: f.sustained_share_of_registered,
        "rate",
    ),
)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def display(column: Column, figures: Figures) -> str:
    value = column.value(figures)
    if column.kind == "rate":
        return percent(value)
    if column.kind == "text":
        return str(value)
    return number(value)


def rows(figures: Sequence[Figures], columns: Sequence[Column] = COLUMNS) -> list[dict[str, Any]]:
    return [{column.key: column.value(item) for column in columns} for item in figures]


def area_extra(figures: AreaFigures) -> dict[str, Any]:
    area = figures.area
    assert area is not None
    return {
        "code": area.code,
        "district": area.district_name,
        "idaci_decile": area.idaci_decile,
        "greatest_need": area.greatest_need,
        "need_weight": area.need_weight,
        "unreached_need": round(figures.unreached_need, 1),
        "latitude": area.latitude,
        "longitude": area.longitude,
    }


def table_sets(report: Report) -> dict[str, tuple[Sequence[Column], list[dict[str, Any]]]]:
    """Every table of a report, by name, as (columns, rows) — what the exports write."""
    areas = [
        {**row, **area_extra(figures)}
        for row, figures in zip(rows(report.areas), report.areas, strict=True)
    ]
    area_columns = (
        *COLUMNS[:1],
        Column("code", "Area code", lambda f: None, "text"),
        Column("district", "District", lambda f: None, "text"),
        Column("idaci_decile", "IDACI decile", lambda f: None, "text"),
        Column("greatest_need", "Greatest need", lambda f: None, "text"),
        *COLUMNS[1:],
        Column("need_weight", "Need weight", lambda f: None, "count"),
        Column("unreached_need", "Unreached need (weighted)", lambda f: None, "estimate"),
    )
    return {
        "summary": (COLUMNS, rows([report.total, report.greatest_need])),
        "districts": (COLUMNS, rows(report.districts)),
        "deciles": (COLUMNS, rows(report.deciles)),
        "areas": (area_columns, areas),
        "target_groups": (GROUP_COLUMNS, rows(report.target_groups, GROUP_COLUMNS)),
        "months": (
            (
                Column("month", "Month", lambda f: None, "text"),
                Column("families_seen", "Families seen in the month", lambda f: None),
                Column("contacts", "Counted contacts", lambda f: None),
            ),
            [
                {
                    "month": month.month,
                    "families_seen": month.families_seen,
                    "contacts": month.contacts,
                }
                for month in report.months
            ],
        ),
    }
