"""/services/<id>: what, who for, when (next dates), where, cost, contact, last checked."""

from datetime import date, time
from typing import Any

import pytest
import time_machine
from django.test import Client

from familyreach.directory import schedules
from familyreach.directory.models import Schedule
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-04 09:00:00+00:00", tick=False)  # a Wednesday
def test_service_page_shows_everything_a_family_needs(
    client: Client, directory_world: DirectoryWorld
) -> None:
    html = client.get(f"/services/{directory_world.stay_and_play.pk}").content.decode()
    assert '<h1 class="govuk-heading-xl">Stay and play at Great Yarmouth Library</h1>' in html
    assert "Children aged 0 to 4" in html
    assert "Every Monday, 10am to 11:30am" in html
    assert "Next: Monday 9 March, Monday 16 March, Monday 23 March" in html
    assert "Great Yarmouth Library" in html
    assert "NR30 2SH" in html
    assert "Step-free entrance" in html
    assert "openstreetmap.org/directions?to=52.6063" in html
    assert 'data-testid="cost">Free.' in html
    assert "01603 000000" in html
    assert "last checked on" in html


def test_paid_service_shows_its_cost(client: Client, directory_world: DirectoryWorld) -> None:
    html = client.get(f"/services/{directory_world.baby_group.pk}").content.decode()
    assert "£2.00 per session (£2 a session, first session free)" in html


def test_temporarily_closed_service_says_so(
    client: Client, directory_world: DirectoryWorld
) -> None:
    html = client.get(f"/services/{directory_world.closed_for_repairs.pk}").content.decode()
    assert "This service is temporarily closed." in html


def test_defunct_or_unknown_services_are_404(
    client: Client, directory_world: DirectoryWorld
) -> None:
    assert client.get(f"/services/{directory_world.defunct.pk}").status_code == 404
    assert client.get("/services/00000000-0000-4000-8000-000000000000").status_code == 404


def test_old_listing_is_flagged_on_its_page(
    client: Client, directory_world: DirectoryWorld
) -> None:
    service = directory_world.stay_and_play
    service.assured_date = date(2020, 1, 1)
    service.save()
    html = client.get(f"/services/{service.pk}").content.decode()
    assert "last checked on 1 January 2020" in html
    assert "It may be out of date" in html


def test_query_count_is_fixed(
    client: Client, directory_world: DirectoryWorld, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(12):
        response = client.get(f"/services/{directory_world.stay_and_play.pk}")
    assert response.status_code == 200


def _schedule(**fields: Any) -> Schedule:
    return Schedule(opens_at=time(10), closes_at=time(11, 30), **fields)


def test_next_dates_follow_the_recurrence() -> None:
    today = date(2026, 3, 4)  # Wednesday
    weekly = _schedule(freq="WEEKLY", byday="MO,TH", dtstart=date(2026, 1, 1))
    assert schedules.next_dates(weekly, today=today, count=3) == [
        date(2026, 3, 5),
        date(2026, 3, 9),
        date(2026, 3, 12),
    ]
    fortnightly = _schedule(freq="WEEKLY", interval=2, byday="WE", dtstart=date(2026, 2, 25))
    assert schedules.next_dates(fortnightly, today=today, count=2) == [
        date(2026, 3, 11),
        date(2026, 3, 25),
    ]
    first_tuesday = _schedule(freq="MONTHLY", byday="1TU", dtstart=date(2026, 1, 1))
    assert schedules.next_dates(first_tuesday, today=today, count=2) == [
        date(2026, 4, 7),
        date(2026, 5, 5),
    ]
    ended = _schedule(freq="WEEKLY", byday="MO", dtstart=date(2026, 1, 5), until=date(2026, 3, 1))
    assert schedules.next_dates(ended, today=today) == []
    one_off = _schedule(freq="", dtstart=date(2026, 3, 20))
    assert schedules.next_dates(one_off, today=today) == [date(2026, 3, 20)]
    assert schedules.next_dates(_schedule(freq="", dtstart=date(2026, 3, 1)), today=today) == []


def test_schedules_in_words() -> None:
    assert schedules.describe(_schedule(freq="WEEKLY", byday="MO,TH")) == (
        "Every Monday and Thursday, 10am to 11:30am"
    )
    assert schedules.describe(_schedule(freq="MONTHLY", byday="1TU")) == (
        "First Tuesday of the month, 10am to 11:30am"
    )
    assert schedules.describe(_schedule(freq="", dtstart=date(2026, 3, 20))) == (
        "On 20 March 2026, 10am to 11:30am"
    )
    assert schedules.clock(time(12)) == "midday"
    assert schedules.clock(time(13, 5)) == "1:05pm"
