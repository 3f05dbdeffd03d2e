"""Reach figures every page shows, one definition each (docs/figures.md).

The dashboard's headline, the manager's "Today" page and the plan-effect page all take their
measured reach from here, so "seen reach" is one number wherever it is shown. The arithmetic is
`measures.Figures` (families seen ÷ under-fives); the shown text, with "[c]" for a hidden
figure, is `tables.shown`, as in every table and export.

Partial periods: the month of the reference date is counted only up to that date, so its
counts are not comparable with a whole month's. `measures.month_is_partial` says which month
that is; pages and exports label it "so far" and the chart draws it apart from the line.
"""

from dataclasses import dataclass
from datetime import date

from familyreach.insight import tables
from familyreach.insight.measures import Report, month_is_partial

SEEN_REACH_NAME = "Seen reach"
GREATEST_NEED_GAP_NAME = "Greatest-need gap"


@dataclass(frozen=True)
class ReachFigure:
    """One measured reach figure as pages show it."""

    name: str
    value: float | None  # None when hidden ([c]) or when there is no denominator
    text: str  # "62.1 %", "[c]" or "–"
    hidden: bool
    as_of: date
    window_months: int


def _figure(report: Report, name: str, key: str, *, greatest_need: bool) -> ReachFigure:
    figures = report.greatest_need if greatest_need else report.total
    column = next(column for column in tables.COLUMNS if column.key == key)
    hidden = column.hidden_for(figures)
    value = column.value(figures)
    return ReachFigure(
        name=name,
        value=None if hidden else value,
        text=tables.display(column, figures),
        hidden=hidden,
        as_of=report.as_of,
        window_months=report.config.window_months,
    )


def seen_reach(report: Report) -> ReachFigure:
    """Families with a child under five seen in the window ÷ under-fives, for the report's
    scope (docs/measures.md)."""
    return _figure(report, SEEN_REACH_NAME, "seen_reach", greatest_need=False)


def greatest_need_gap(report: Report) -> ReachFigure:
    """Under-fives in greatest-need areas whose families were not seen in the window, as a share
    of the under-fives there."""
    return _figure(report, GREATEST_NEED_GAP_NAME, "not_seen_share", greatest_need=True)


def county_report() -> Report | None:
    """The county report of the latest reach figures (the dashboard's), or None before any."""
    from familyreach.insight.selectors import dashboard_report, latest_snapshot

    snapshot = latest_snapshot()
    if snapshot is None:
        return None
    return dashboard_report(snapshot=snapshot).report


@dataclass(frozen=True)
class Period:
    """A calendar month of the trend, and whether it is complete on the reference date."""

    month: str  # "YYYY-MM"
    partial: bool
    days_counted: int

    @property
    def label(self) -> str:
        if not self.partial:
            return self.month
        days = "1 day" if self.days_counted == 1 else f"{self.days_counted} days"
        return f"{self.month} (so far: {days})"


def month_period(month: str, as_of: date) -> Period:
    partial = month_is_partial(month, as_of)
    return Period(month=month, partial=partial, days_counted=as_of.day if partial else 0)
