"""Schedules in words and as next dates (RRULE through dateutil)."""

from datetime import date, datetime, time, timedelta

from dateutil import rrule

from familyreach.directory.models import Frequency, Schedule

WEEKDAYS = {
    "MO": rrule.MO,
    "TU": rrule.TU,
    "WE": rrule.WE,
    "TH": rrule.TH,
    "FR": rrule.FR,
    "SA": rrule.SA,
    "SU": rrule.SU,
}
DAY_WORDS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def clock(value: time | None) -> str:
    """GOV.UK style: 10am, 1:30pm, midday."""
    if value is None:
        return ""
    if value == time(12):
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _byweekday(byday: str) -> list[rrule.weekday]:
    days = []
    for part in byday.split(","):
        part = part.strip().upper()
        if not part:
            continue
        code, prefix = part[-2:], part[:-2]
        if code not in WEEKDAYS:
            continue
        weekday = WEEKDAYS[code]
        days.append(weekday(int(prefix)) if prefix.lstrip("+-").isdigit() else weekday)
    return days


def next_dates(schedule: Schedule, *, today: date, count: int = 3) -> list[date]:
    """The next `count` dates on or after today (none once it has ended)."""
    end = min((d for d in (schedule.until, schedule.valid_to) if d is not None), default=None)
    if not schedule.freq:
        start = schedule.dtstart
        return [start] if start and start >= today and (end is None or start <= end) else []
    start = max(d for d in (schedule.dtstart, schedule.valid_from, today) if d is not None)
    rule = rrule.rrule(
        rrule.WEEKLY if schedule.freq == Frequency.WEEKLY else rrule.MONTHLY,
        dtstart=datetime.combine(schedule.dtstart or start, time()),
        interval=schedule.interval or 1,
        byweekday=_byweekday(schedule.byday) or None,
        bymonthday=[
            int(d) for d in schedule.bymonthday.split(",") if d.strip().lstrip("-").isdigit()
        ]
        or None,
        until=datetime.combine(end, time()) if end else None,
    )
    found: list[date] = []
    moment = datetime.combine(start, time()) - timedelta(seconds=1)
    while len(found) < count:
        following = rule.after(moment)
        if following is None:
            break
        found.append(following.date())
        moment = following
    return found


def describe(schedule: Schedule) -> str:
    """ "Every Monday, 10am to 11:30am", "First Tuesday of the month, …", "On 4 March 2026, …"."""
    times = (
        f"{clock(schedule.opens_at)} to {clock(schedule.closes_at)}"
        if schedule.opens_at and schedule.closes_at
        else clock(schedule.opens_at)
    )
    days = [part.strip().upper() for part in schedule.byday.split(",") if part.strip()]
    if not schedule.freq:
        when = f"On {schedule.dtstart:%-d %B %Y}" if schedule.dtstart else "One-off"
    elif schedule.freq == Frequency.WEEKLY:
        names = " and ".join(DAY_WORDS.get(day[-2:], day) for day in days) or "week"
        every = "Every" if (schedule.interval or 1) == 1 else f"Every {schedule.interval} weeks on"
        when = f"{every} {names}"
    else:
        parts = []
        for day in days:
            prefix = day[:-2]
            ordinal = ORDINALS.get(int(prefix), prefix) if prefix.lstrip("+-").isdigit() else ""
            parts.append(f"{ordinal} {DAY_WORDS.get(day[-2:], day)}".strip())
        joined = " and ".join(parts) or "once"
        when = joined[0].upper() + joined[1:] + " of the month"
    return f"{when}, {times}" if times else when
