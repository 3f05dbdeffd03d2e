"""Calendar quarters, the period contracts report on: one place for their arithmetic, used by
returns (services), the demo and the consistent-offer page."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def is_quarter_end(day: date) -> bool:
    return day.month in (3, 6, 9, 12) and (day + relativedelta(days=1)).day == 1


def quarter_start_for(quarter_end: date) -> date:
    """The first day of the quarter ending on `quarter_end` (30 June -> 1 April)."""
    return quarter_end + relativedelta(days=1) - relativedelta(months=3)


def quarter_ends_before(today: date, count: int) -> list[date]:
    """The ends of the last `count` quarters that ended before `today`, latest first."""
    this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [
        this_quarter - relativedelta(months=3 * number) - timedelta(days=1)
        for number in range(count)
    ]


def previous_quarter_ends(quarter_end: date, count: int = 3) -> list[date]:
    """The `count` quarter ends before `quarter_end`, oldest first."""
    return sorted(quarter_ends_before(quarter_start_for(quarter_end), count))
