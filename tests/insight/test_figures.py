"""The partial-period rule and the reach figures pages share (insight.figures)."""

from datetime import date

import pytest

from familyreach.insight.figures import greatest_need_gap, month_period, seen_reach
from familyreach.insight.measures import (
    AreaRow,
    Cells,
    Counts,
    MeasureConfig,
    Report,
    month_is_partial,
    roll_up,
)
from familyreach.insight.tables import month_rows, table_sets


@pytest.mark.parametrize(
    ("month", "as_of", "partial"),
    [
        ("2026-06", date(2026, 6, 6), True),  # six days in: the "fall"
        ("2026-06", date(2026, 6, 1), True),
        ("2026-06", date(2026, 6, 30), False),  # the last day: the month is whole
        ("2026-05", date(2026, 6, 6), False),  # an earlier month is always whole
        ("2028-02", date(2028, 2, 28), True),  # a leap year: 29 February is still to come
        ("2028-02", date(2028, 2, 29), False),
        ("2026-12", date(2026, 12, 31), False),
    ],
)
def test_only_the_reference_dates_unfinished_month_is_partial(
    month: str, as_of: date, partial: bool
) -> None:
    assert month_is_partial(month, as_of) is partial


def test_a_partial_month_is_labelled_with_the_days_counted() -> None:
    assert month_period("2026-06", date(2026, 6, 6)).label == "2026-06 (so far: 6 days)"
    assert month_period("2026-06", date(2026, 6, 1)).label == "2026-06 (so far: 1 day)"
    assert month_period("2026-05", date(2026, 6, 6)).label == "2026-05"


def _report(as_of: date) -> Report:
    areas = [AreaRow(1, "A", "A", 1, "North", 1, 100.0, True, True)]
    cells = Cells(as_of=as_of, config=MeasureConfig())
    cells.reach[(1, 0)] = Counts(50, 60, 40, 48, 20, 24)
    return roll_up(cells, areas)


def test_the_report_marks_the_last_month_partial_and_no_other() -> None:
    report = _report(date(2026, 6, 6))
    assert [month.month for month in report.months if month.partial] == ["2026-06"]
    assert report.months[-2].partial is False
    rows = month_rows(report)
    assert rows[-1]["period"] == "partial month: 1 to 6 June 2026 so far"
    assert rows[-2]["period"] == "complete month"
    _, export = table_sets(report)["months"]
    assert export[-1]["period"].startswith("partial")
    # On the month's last day nothing is partial.
    assert not any(month.partial for month in _report(date(2026, 6, 30)).months)


def test_seen_reach_and_the_gap_are_the_reports_figures() -> None:
    report = _report(date(2026, 6, 30))
    reach = seen_reach(report)
    assert reach.value == pytest.approx(40 / 100)
    assert reach.text == "40.0 %"
    assert reach.name == "Seen reach"
    gap = greatest_need_gap(report)
    assert gap.value == pytest.approx(1 - 48 / 100)
    assert gap.text == "52.0 %"
