"""Parsing query parameters: one function per kind, each raising `BadParameter` with a
message that says what was wrong and what is accepted."""

import re
from datetime import UTC, date, datetime, time
from uuid import UUID

DAY_NAMES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
DAY_CODES = tuple(DAY_NAMES.values())
# Parameters with a format or a set of values (ids, numbers, days, times, dates): an empty
# value is refused rather than read as "not given". `search` and `postcode` are free text.
NOT_EMPTY = frozenset(
    {
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "minimum_age",
        "maximum_age",
        "modified_after",
        "day",
        "start_time",
        "end_time",
        "proximity",
        "page",
        "per_page",
    }
)


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def positive_int(name: str, raw: str, *, maximum: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number, for example 1") from None
    if value < 1:
        raise BadParameter(name, f"{name} must be 1 or more")
    if maximum is not None and value > maximum:
        raise BadParameter(name, f"{name} must be {maximum} or less")
    return value


def non_negative_number(name: str, raw: str, *, maximum: float | None = None) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a number, for example 2") from None
    if value != value or value < 0:  # NaN or negative
        raise BadParameter(name, f"{name} must be 0 or more")
    if maximum is not None and value > maximum:
        raise BadParameter(name, f"{name} must be {maximum:g} or less")
    return value


def uuid(name: str, raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a UUID") from None


def day(name: str, raw: str) -> str:
    value = raw.strip().lower()
    if value in DAY_NAMES:
        return DAY_NAMES[value]
    if value.upper() in DAY_CODES:
        return value.upper()
    raise BadParameter(name, f"{name} must be a day: MO, TU, WE, TH, FR, SA, SU or its name")


TIME_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def clock_time(name: str, raw: str) -> time:
    match = TIME_PATTERN.match(raw.strip())
    if match:
        hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
        if hours < 24 and minutes < 60 and seconds < 60:
            return time(hours, minutes, seconds)
    raise BadParameter(name, f"{name} must be a time as HH:MM or HH:MM:SS, for example 09:30")


def date_time(name: str, raw: str) -> datetime:
    """An ISO 8601 date or date and time; without an offset it is taken as UTC, and a date
    alone as midnight UTC at its start."""
    text = raw.strip()
    try:
        if len(text) == 10:
            day_only = date.fromisoformat(text)
            return datetime(day_only.year, day_only.month, day_only.day, tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadParameter(
            name,
            f"{name} must be a date or date and time in ISO 8601, "
            "for example 2026-01-31 or 2026-01-31T09:30:00Z",
        ) from None
    if not value.tzinfo:
        return value.replace(tzinfo=UTC)
    # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 (and Python) allow.
    try:
        return value.astimezone(UTC)
    except OverflowError:  # a first-century or 9999 time pushed past the calendar's ends
        return (
            datetime.min.replace(tzinfo=UTC)
            if value.year == 1
            else datetime.max.replace(tzinfo=UTC)
        )
