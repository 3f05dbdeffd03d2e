"""Working days in England and Wales against the bank holidays GOV.UK published."""

from datetime import date

from familyreach.core.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)


def test_bank_holidays_match_govuk() -> None:
    # https://www.gov.uk/bank-holidays (England and Wales)
    assert bank_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 5, 4),
        date(2026, 5, 25),
        date(2026, 8, 31),
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day is a Saturday: substitute Monday
    }
    assert date(2027, 12, 27) in bank_holidays(2027)  # Christmas on a Saturday → Monday
    assert date(2027, 12, 28) in bank_holidays(2027)  # Boxing Day on a Sunday → Tuesday
    assert date(2022, 9, 19) in bank_holidays(2022)  # one-off: the State Funeral
    assert date(2020, 5, 8) in bank_holidays(2020)
    assert date(2020, 5, 4) not in bank_holidays(2020)


def test_counting_working_days() -> None:
    assert not is_working_day(date(2026, 12, 26))  # Saturday
    assert not is_working_day(date(2026, 12, 28))  # substitute bank holiday
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 10)) == 6
    assert working_days_between(date(2026, 3, 10), date(2026, 3, 2)) == 0
    # Over Easter: Good Friday and Easter Monday are not working days.
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 10)) == 4
    assert add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
