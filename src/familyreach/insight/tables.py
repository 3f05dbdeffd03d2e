"""The tables every chart, map and export is built from: one definition of each column, so the
page, the JSON behind the charts, the CSV and the Excel workbook always show the same figures."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from familyreach.insight.disclosure import MARK
from familyreach.insight.measures import TARGET_GROUPS, AreaFigures, Figures, MonthFigures, Report


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    value: Callable[[Figures], Any]
    kind: str = "count"  # count, rate, text, estimate
    # The counts this figure is built from: hidden ("[c]") when suppression hides any of them.
    needs: tuple[str, ...] = ()

    def hidden_for(self, figures: Figures) -> bool:
        return any(name in figures.hidden for name in self.needs)


def _round(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


REGISTERED = "registered_families"
SEEN = "seen_families"
SUSTAINED = "sustained_families"
SEEN_UNDER_FIVES = "seen_under_fives"
EXPECTING = "expecting_families"
EXPECTING_SEEN = "expecting_seen_families"

COLUMNS: tuple[Column, ...] = (
    Column("label", "Name", lambda f: f.label, "text"),
    Column(
        "estimated_under_fives",
        "Under-fives",
        lambda f: _round(f.estimated_under_fives),
        "estimate",
    ),
    Column(
        "registered_families",
        "Registered families",
        lambda f: f.counts.registered_families,
        needs=(REGISTERED,),
    ),
    Column(
        "registered_reach",
        "Registered reach",
        lambda f: f.registered_reach,
        "rate",
        needs=(REGISTERED,),
    ),
    Column("seen_families", "Families seen", lambda f: f.counts.seen_families, needs=(SEEN,)),
    Column("seen_reach", "Seen reach", lambda f: f.seen_reach, "rate", needs=(SEEN,)),
    Column(
        "sustained_families",
        "Families with sustained engagement",
        lambda f: f.counts.sustained_families,
        needs=(SUSTAINED,),
    ),
    Column(
        "sustained_reach",
        "Sustained reach",
        lambda f: f.sustained_reach,
        "rate",
        needs=(SUSTAINED,),
    ),
    Column(
        "seen_under_fives",
        "Under-fives in seen families",
        lambda f: f.counts.seen_under_fives,
        needs=(SEEN_UNDER_FIVES,),
    ),
    Column(
        "not_seen_share",
        "Under-fives not seen",
        lambda f: f.not_seen_share,
        "rate",
        needs=(SEEN_UNDER_FIVES,),
    ),
    Column(
        "unreached_under_fives",
        "Unreached under-fives (estimated)",
        lambda f: _round(f.unreached_under_fives),
        "estimate",
        needs=(SEEN_UNDER_FIVES,),
    ),
    Column(
        "expecting_families",
        "Families expecting a baby",
        lambda f: f.counts.expecting_families,
        needs=(EXPECTING,),
    ),
    Column(
        "expecting_seen_families",
        "Expecting families seen",
        lambda f: f.counts.expecting_seen_families,
        needs=(EXPECTING_SEEN,),
    ),
)
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("label", "Target group", lambda f: f.label, "text"),
    Column(
        "registered_families",
        "Registered families",
        lambda f: f.counts.registered_families,
        needs=(REGISTERED,),
    ),
    Column("seen_families", "Families seen", lambda f: f.counts.seen_families, needs=(SEEN,)),
    Column(
        "seen_share_of_registered",
        "Seen, of registered",
        lambda f: f.seen_share_of_registered,
        "rate",
        needs=(SEEN, REGISTERED),
    ),
    Column(
        "sustained_families",
        "Families with sustained engagement",
        lambda f: f.counts.sustained_families,
        needs=(SUSTAINED,),
    ),
    Column(
        "sustained_share_of_registered",
        "Sustained, of registered",
        lambda f: f.sustained_share_of_registered,
        "rate",
        needs=(SUSTAINED, REGISTERED),
    ),
)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def number(value: float | int | None) -> str:
    """A count of people (families, children, under-fives) as people read it: whole. Estimates
    (an area's share of a population) are fractional underneath; "49,783.3 under-fives" reads
    as a precision nobody has."""
    if value is None:
        return "–"
    return f"{round(value):,}"


def display(column: Column, figures: Figures) -> str:
    if column.hidden_for(figures):
        return MARK
    value = column.value(figures)
    if column.kind == "rate":
        return percent(value)
    if column.kind == "text":
        return str(value)
    return number(value)


def rows(
    figures: Sequence[Figures], columns: Sequence[Column] = COLUMNS, *, mark: Any = MARK
) -> list[dict[str, Any]]:
    """Rows of a table; a suppressed figure is `mark` ("[c]" in exports, None in chart data)."""
    return [
        {column.key: mark if column.hidden_for(item) else column.value(item) for column in columns}
        for item in figures
    ]


def shown(figures: Figures, key: str, columns: Sequence[Column] = COLUMNS) -> str:
    """One figure of a Figures as a page shows it ("[c]" when suppressed)."""
    column = next(column for column in columns if column.key == key)
    return display(column, figures)


def area_extra(figures: AreaFigures, *, mark: Any = MARK) -> dict[str, Any]:
    area = figures.area
    assert area is not None
    need_hidden = "seen_under_fives" in figures.hidden
    return {
        "code": area.code,
        "district": area.district_name,
        "idaci_decile": area.idaci_decile,
        "greatest_need": area.greatest_need,
        "need_weight": area.need_weight,
        "unreached_need": mark if need_hidden else round(figures.unreached_need, 1),
        "latitude": area.latitude,
        "longitude": area.longitude,
    }


def month_value(month: MonthFigures, name: str, *, mark: Any = MARK) -> Any:
    return mark if name in month.hidden else getattr(month, name)


def period_text(month: MonthFigures, as_of: date) -> str:
    """ "complete month", or how much of a partial month is counted (so a part-month is
    never read as a fall)."""
    if not month.partial:
        return "complete month"
    return f"partial month: 1 to {as_of:%-d %B %Y} so far"


def month_rows(report: Report, *, mark: Any = MARK) -> list[dict[str, Any]]:
    return [
        {
            "month": month.month,
            "families_seen": month_value(month, "families_seen", mark=mark),
            "contacts": month_value(month, "contacts", mark=mark),
            "seen_in_window": month_value(month, "seen_in_window", mark=mark),
            "partial": month.partial,
            "period": period_text(month, report.as_of),
        }
        for month in report.months
    ]


def month_group_rows(report: Report, *, mark: Any = MARK) -> list[dict[str, Any]]:
    """Families seen each month by target group (one column per group); empty for an area."""
    if report.month_groups is None:
        return []
    rows_by_month: dict[str, dict[str, Any]] = {
        month.month: {
            "month": month.month,
            "partial": month.partial,
            "period": period_text(month, report.as_of),
        }
        for month in report.months
    }
    for name, series in report.month_groups.items():
        for point in series:
            rows_by_month[point.month][name] = mark if point.hidden else point.families_seen
    return list(rows_by_month.values())


MONTH_GROUP_COLUMNS: tuple[Column, ...] = (
    Column("month", "Month", lambda f: None, "text"),
    Column("period", "Period", lambda f: None, "text"),
    *(Column(name, label, lambda f: None) for name, label in TARGET_GROUPS),
)


def table_sets(
    report: Report, *, mark: Any = MARK
) -> dict[str, tuple[Sequence[Column], list[dict[str, Any]]]]:
    """Every table of a report, by name, as (columns, rows) — what the exports write.
    Suppressed figures are `mark`."""
    areas = [
        {**row, **area_extra(figures, mark=mark)}
        for row, figures in zip(rows(report.areas, mark=mark), report.areas, strict=True)
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
        "summary": (COLUMNS, rows([report.total, report.greatest_need], mark=mark)),
        "districts": (COLUMNS, rows(report.districts, mark=mark)),
        "deciles": (COLUMNS, rows(report.deciles, mark=mark)),
        "areas": (area_columns, areas),
        "target_groups": (GROUP_COLUMNS, rows(report.target_groups, GROUP_COLUMNS, mark=mark)),
        "months": (
            (
                Column("month", "Month", lambda f: None, "text"),
                Column("period", "Period", lambda f: None, "text"),
                Column("families_seen", "Families seen in the month", lambda f: None),
                Column("contacts", "Counted contacts", lambda f: None),
                Column(
                    "seen_in_window",
                    f"Families seen in the {report.config.window_months} months to the month's end",
                    lambda f: None,
                ),
            ),
            month_rows(report, mark=mark),
        ),
        "months_by_group": (MONTH_GROUP_COLUMNS, month_group_rows(report, mark=mark)),
    }
