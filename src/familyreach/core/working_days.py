"""Working days in England and Wales: Monday to Friday, except bank holidays.

Bank holidays follow the rules in the Banking and Financial Dealings Act 1971 as they are
proclaimed each year (New Year's Day, Good Friday, Easter Monday, the first and last Mondays of
May, the last Monday of August, Christmas Day and Boxing Day, each moved to the next weekday
when it falls at a weekend), plus the one-off days proclaimed since 2020. Computed rather than
fetched (GOV.UK publishes https://www.gov.uk/bank-holidays.json), so a deadline never depends on
a network call; add a new one-off day to `ONE_OFF` when one is proclaimed.
"""

from datetime import date, timedelta
from functools import cache

from dateutil.easter import easter

# Proclaimed one-off changes: (moved from, moved to) or (None, an extra day).
ONE_OFF: dict[int, tuple[tuple[date | None, date], ...]] = {
    # The early May bank holiday moved to the Friday for the 75th anniversary of VE Day.
    2020: ((date(2020, 5, 4), date(2020, 5, 8)),),
    # The spring bank holiday moved, and an extra day, for the Platinum Jubilee.
    2022: (
        (date(2022, 5, 30), date(2022, 6, 2)),
        (None, date(2022, 6, 3)),
        (None, date(2022, 9, 19)),  # the State Funeral of Queen Elizabeth II
    ),
    2023: ((None, date(2023, 5, 8)),),  # the Coronation of King Charles III
}


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    day = next_month - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _next_weekday(day: date, taken: set[date]) -> date:
    while day.weekday() >= 5 or day in taken:
        day += timedelta(days=1)
    return day


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in `year`."""
    good_friday = easter(year) - timedelta(days=2)
    days = {
        good_friday,
        good_friday + timedelta(days=3),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
    }
    days.add(_next_weekday(date(year, 1, 1), days))
    # Christmas first, then Boxing Day, so a Saturday Christmas goes to Monday and Boxing Day
    # to Tuesday.
    days.add(_next_weekday(date(year, 12, 25), days))
    days.add(_next_weekday(date(year, 12, 26), days))
    for moved_from, moved_to in ONE_OFF.get(year, ()):
        if moved_from is not None:
            days.discard(moved_from)
        days.add(moved_to)
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end is not after start):
    a referral made on a Monday has waited 1 working day on the Tuesday."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        days -= is_working_day(day)
    return day
