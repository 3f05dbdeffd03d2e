"""Six months of operation, simulated: the clock runs day by day from January to July and each
day's scheduled jobs run as the scheduler would run them (crontask calls the job's enqueuer at
its slot; the test settings' ImmediateBackend runs the task at once, through the wrapper that
records the run).

What must hold throughout, as the issue asks:
- every weekly session stays bookable for the coming 12 weeks (its dates roll forward every
  night; without the job they would stop 12 weeks after the session was created);
- term-time sessions do not run in school holidays, including holidays that were beyond the
  12-week horizon when the session was created;
- retention runs: a family is anonymised on the day its retention period ends, not before;
- no planning run stays RUNNING or QUEUED past its grace period: a run whose worker was killed
  mid-run, and a run whose task was lost before any worker took it, are each taken back by the
  recovery job and run again to the end;
- each job has one recorded run per slot, and every run succeeded.

To keep the test quick, the jobs due more often than daily run at some of their slots: the
minute jobs (heartbeat, sending due messages) at noon, and the 10-minute recoveries every six
hours and at each of their slots in the hour after a worker dies; every other job runs at every
slot.
"""

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.delivery.models import Base, OccurrenceStatus, SchoolHoliday, Session
from familyreach.delivery.services import SessionDetails, session_create
from familyreach.families.models import Family
from familyreach.geo.models import Venue
from familyreach.operations.models import JobRun, Outcome
from familyreach.operations.schedule import ScheduledJob, SlotEnqueuer, jobs
from familyreach.planning.models import Scenario, ScenarioRun, ScenarioStatus
from familyreach.planning.services import scenario_create

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
START = date(2027, 1, 4)  # a Monday
DAYS = 183
HORIZON = timedelta(weeks=12)
HOLIDAYS = [
    ("February half term", date(2027, 2, 15), date(2027, 2, 19)),
    ("Easter holidays", date(2027, 3, 29), date(2027, 4, 9)),
    ("May half term", date(2027, 5, 31), date(2027, 6, 4)),
    # Beyond the horizon of every date made at the start: only the nightly job can honour it.
    ("Summer holidays", date(2027, 7, 22), date(2027, 9, 1)),
]
RETENTION_DAY = date(2027, 2, 14)  # the youngest child's 25th birthday


def _in_holiday(day: date) -> bool:
    return any(first <= day <= last for _name, first, last in HOLIDAYS)


def _expected_dates(first: date, *, after: date, until: date, term_time: bool) -> set[date]:
    """Worked out here from the calendar, not with the service's own rule."""
    dates = set()
    day = first
    while day <= until:
        if day > after and not (term_time and _in_holiday(day)):
            dates.add(day)
        day += timedelta(days=7)
    return dates


def _due(
    job: ScheduledJob, day_start: datetime, *, watch: tuple[time, time] | None
) -> set[datetime]:
    """The job's slots in the day. Jobs due every minute run at noon only; the 10-minute
    recoveries every six hours, and at every slot of the `watch` hour after a worker died."""
    day_end = day_start + timedelta(days=1)
    if job.cron.startswith("* "):  # every minute: the heartbeat, sending due messages
        return {day_start.replace(hour=12)}
    if not job.cron.startswith("*/"):
        return set(job.slots_between(day_start, day_end))
    hours = [day_start + timedelta(hours=hour) for hour in range(0, 24, 6)]
    due = {slot for hour in hours if (slot := job.slot_at(hour)) and slot >= day_start}
    if watch is not None:
        first, last = (datetime.combine(day_start.date(), at, tzinfo=LONDON) for at in watch)
        due |= set(job.slots_between(first, last))
    return due


def _stuck_run(scenario: Scenario, *, lost_task: bool) -> ScenarioRun:
    """A run left behind: RUNNING with its worker killed (its first attempt, heartbeat now), or
    QUEUED with its task lost before any worker took it (no task id)."""
    now = timezone.now()
    status = ScenarioStatus.QUEUED if lost_task else ScenarioStatus.RUNNING
    Scenario.objects.filter(pk=scenario.pk).update(status=status)
    if lost_task:
        return ScenarioRun.objects.create(scenario=scenario, status=status, queued_at=now)
    return ScenarioRun.objects.create(
        scenario=scenario,
        status=status,
        queued_at=now,
        started_at=now,
        heartbeat_at=now,
        attempt=1,
    )


def _last_sign_of_life(run: ScenarioRun) -> datetime:
    sign = run.heartbeat_at or run.started_at or run.queued_at
    assert sign is not None
    return sign


# Taken back by the first 10-minute recovery once its worker has been silent this long.
GONE = timedelta(seconds=django_settings.BACKGROUND_WORKER_GONE_SECONDS)


def test_six_months_of_operation(
    yarmouth_base: Base,
    yarmouth_library: Venue,
    family_worker: User,
    register_family: Callable[..., Family],
    settings: Any,
) -> None:
    # History is kept for a year here, so every run of the six months can be counted (pruning
    # has its own test in test_schedule.py).
    settings.FAMILYREACH_JOB_HISTORY_DAYS = 365
    start_moment = datetime.combine(START, time(9), tzinfo=LONDON)
    with time_machine.travel(start_moment, tick=False) as traveller:
        for name, first, last in HOLIDAYS:
            SchoolHoliday.objects.create(name=name, start_date=first, end_date=last)

        def weekly(title: str, first: date, *, term_time: bool) -> Session:
            return session_create(
                user=family_worker,
                details=SessionDetails(
                    title=title,
                    category="stay_and_play",
                    venue=yarmouth_library,
                    base=yarmouth_base,
                    capacity=12,
                    start_date=first,
                    start_time=time(10),
                    end_time=time(11, 30),
                    term_time_only=term_time,
                ),
                staff=[family_worker],
            )

        sessions = {
            "all year": weekly("Stay and play", START + timedelta(days=1), term_time=False),
            "term time": weekly("Rhyme time", START + timedelta(days=3), term_time=True),
        }
        leaving = register_family("Lee", child="Robin", dob=date(2002, 2, 14))
        staying = register_family("Sam", child="Alex", dob=date(2026, 5, 1))
        scenario = scenario_create(
            user=None,
            fields={
                "name": "Six months",
                "candidate_kinds": ["library"],
                "outreach_kinds": [],
                "thresholds": [15, 30],
                "number_of_bases": 1,
            },
        )
        # Created the way a session is edited: 12 weeks of dates, and not one more.
        first_dates = sorted(sessions["all year"].occurrences.values_list("date", flat=True))
        assert first_dates[-1] <= START + HORIZON

        scheduled = list(jobs())
        ran: Counter[str] = Counter()
        stuck: list[ScenarioRun] = []
        for offset in range(DAYS):
            today = START + timedelta(days=offset)
            day_start = datetime.combine(today, time(), tzinfo=LONDON)
            # Every fortnight a worker dies in the middle of a planning run at 11:05, and a week
            # later a run's task is lost before any worker takes it, at the same time.
            killed = offset % 7 == 3
            killed_at = datetime.combine(today, time(11, 5), tzinfo=LONDON) if killed else None
            due = sorted(
                (slot, job.name)
                for job in scheduled
                for slot in _due(job, day_start, watch=(time(11), time(12, 1)) if killed else None)
            )
            for slot, name in due:
                if killed_at is not None and slot > killed_at:
                    traveller.move_to(killed_at)
                    stuck.append(_stuck_run(scenario, lost_task=offset % 14 == 10))
                    killed_at = None
                # crontask fires a moment after the slot.
                traveller.move_to(slot + timedelta(milliseconds=300))
                SlotEnqueuer(name).enqueue()
                ran[name] += 1
                if name == "planning-recover-stuck":
                    # Nothing is left running or queued, silent, once the recovery job has run.
                    for run in ScenarioRun.objects.filter(
                        status__in=[ScenarioStatus.RUNNING, ScenarioStatus.QUEUED]
                    ):
                        assert _last_sign_of_life(run) + GONE >= slot, (today, run.pk)

            traveller.move_to(datetime.combine(today, time(23, 59), tzinfo=LONDON))
            for label, session in sessions.items():
                bookable = set(
                    session.occurrences.filter(
                        date__gt=today,
                        date__lte=today + HORIZON,
                        status=OccurrenceStatus.SCHEDULED,
                    ).values_list("date", flat=True)
                )
                expected = _expected_dates(
                    session.start_date,
                    after=today,
                    until=today + HORIZON,
                    term_time=session.term_time_only,
                )
                assert bookable == expected, (label, today, sorted(expected - bookable))
                assert max(bookable) > today + HORIZON - timedelta(
                    days=8 if label == "all year" else 50
                )
            leaving.refresh_from_db()
            assert leaving.is_anonymised == (today >= RETENTION_DAY), today

        staying.refresh_from_db()
        assert not staying.is_anonymised
        assert len(stuck) == len([day for day in range(DAYS) if day % 7 == 3])
        for run in stuck:
            sign = _last_sign_of_life(run)
            run.refresh_from_db()
            # Taken back by the first 10-minute recovery after its worker went silent, and run
            # again to the end (the test settings' workers run a queued task at once).
            assert run.status in (ScenarioStatus.FINISHED, ScenarioStatus.FAILED), run.pk
            assert run.status == ScenarioStatus.FINISHED, run.error
            assert run.finished_at is not None
            assert sign + GONE < run.finished_at <= sign + GONE + timedelta(minutes=10)
        # The summer holiday was 29 weeks away on the first day: no term-time date in it.
        assert (
            not sessions["term time"]
            .occurrences.filter(
                date__range=(date(2027, 7, 22), date(2027, 9, 1)), status=OccurrenceStatus.SCHEDULED
            )
            .exists()
        )
        assert sessions["all year"].occurrences.filter(date__gt=date(2027, 7, 22)).exists()

    for job in scheduled:
        runs = JobRun.objects.filter(job=job.name)
        if not job.keep_history:
            assert not runs.exists()
            continue
        slots = list(runs.values_list("slot", flat=True))
        assert len(slots) == ran[job.name], job.name
        assert len(set(slots)) == len(slots), job.name
        assert set(runs.values_list("outcome", flat=True)) == {Outcome.SUCCEEDED}, job.name
    assert ran["delivery-roll-forward"] == DAYS
    assert ran["directory-remind-unassured"] == (DAYS + 6) // 7  # Mondays
    assert ran["planning-recover-stuck"] == DAYS * 4 + len(stuck) * 6
    # One retention run anonymised one family.
    assert JobRun.objects.filter(
        job="families-apply-retention", summary="1 family records anonymised"
    ).get().slot == datetime(2027, 2, 14, 2, 30, tzinfo=UTC)
