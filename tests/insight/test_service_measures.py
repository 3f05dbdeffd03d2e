"""Time from a request for support to first contact, and the peer-led share of sessions, on a
hand-worked example (insight/service_measures.py)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from familyreach.community.models import AttendanceCount, CommunityGroup
from familyreach.delivery.models import Contact, Occurrence, OccurrenceStatus, Session
from familyreach.directory.models import RequestStatus, SupportRequest
from familyreach.families.models import Family
from familyreach.insight import service_measures
from familyreach.insight.disclosure import MARK
from familyreach.insight.service_measures import ALL, Request
from tests.fixtures.directory import support_request_for_family

pytestmark = pytest.mark.django_db

START, END = date(2026, 4, 1), date(2026, 6, 30)


def _request(family: Family, on: date, **fields: Any) -> SupportRequest:
    reference = f"R{SupportRequest.objects.count():05d}"
    return support_request_for_family(family, made_on=on, reference=reference, **fields)


def test_days_to_first_contact_follow_the_rules(small_county: dict[str, Any]) -> None:
    area = small_county["areas"][0]
    families = [Family.objects.create(area=area, district=area.district) for _ in range(5)]
    a, b, c, d, e = families
    # a: a contact before the request does not count; the next one, 3 days after, does.
    Contact.objects.create(family=a, date=date(2026, 4, 1), kind="phone", area=area)
    Contact.objects.create(family=a, date=date(2026, 4, 13), kind="home_visit", area=area)
    _request(a, date(2026, 4, 10))
    # b: recorded as contacted on the request 2 days after, before any contact.
    Contact.objects.create(family=b, date=date(2026, 5, 20), kind="phone", area=area)
    _request(b, date(2026, 5, 1), contacted_at=datetime(2026, 5, 3, 12, tzinfo=UTC))
    # c: first contact after the period's end: not contacted as at the end, target passed.
    Contact.objects.create(family=c, date=date(2026, 7, 2), kind="phone", area=area)
    _request(c, date(2026, 6, 1))
    # d: made two days before the end and not contacted: not judged yet.
    _request(d, date(2026, 6, 28))
    # e: declined, and one made before the period: neither counts.
    _request(e, date(2026, 5, 5), status=RequestStatus.DECLINED)
    _request(e, date(2026, 3, 30))

    found = service_measures.requests_in(start=START, end=END)
    assert sorted((r.requested_on, r.days) for r in found) == [
        (date(2026, 4, 10), 3),
        (date(2026, 5, 1), 2),
        (date(2026, 6, 1), None),
        (date(2026, 6, 28), None),
    ]
    county = service_measures.first_contact_table(found, end=END, target_days=7, threshold=1)[
        (ALL, ALL)
    ]
    assert county.requests == 4
    assert county.median_days == 2.5
    assert county.median_text == "2.5 days"
    # Two contacted within 7 days, of three judged (d is still inside its target).
    assert county.share_within == pytest.approx(2 / 3)
    assert county.share_text == "66.7 %"


def test_small_numbers_are_hidden_and_not_given_away_by_a_split() -> None:
    end = date(2026, 6, 30)
    quick = [Request(date(2026, 5, 1), 1, 1, 1) for _ in range(6)]
    slow = [Request(date(2026, 5, 1), 1, 2, 20) for _ in range(2)]
    table = service_measures.first_contact_table(quick + slow, end=end, target_days=7, threshold=5)
    # Decile 2 has 2 requests: hidden; so decile 1 must be hidden too, or the district's total
    # (8) less decile 1 (6) would give decile 2 away.
    assert table[(1, 2)].median_text == MARK
    assert table[(1, 1)].median_text == MARK
    assert table[(ALL, ALL)].requests == 8
    assert table[(ALL, ALL)].median_text == "1 day"
    # 6 within and 2 not: the share would show a count of 2, so it is hidden.
    assert table[(ALL, ALL)].share_text == MARK


def test_peer_led_share_counts_group_meetings_beside_the_services_sessions(
    small_county: dict[str, Any],
) -> None:
    venue = small_county["venues"]["Acle Library"]
    session = Session.objects.create(
        title="Stay and play",
        category="stay_and_play",
        venue=venue,
        capacity=10,
        start_date=START,
        start_time=time(10),
        end_time=time(11),
    )
    for week in range(4):
        day = START + timedelta(weeks=week)
        Occurrence.objects.create(
            session=session,
            date=day,
            starts_at=datetime.combine(day, time(10), tzinfo=UTC),
            ends_at=datetime.combine(day, time(11), tzinfo=UTC),
            capacity=10,
            status=OccurrenceStatus.CANCELLED if week == 3 else OccurrenceStatus.SCHEDULED,
        )
    group = CommunityGroup.objects.create(
        name="Parents' group",
        kind="baby_group",
        description=".",
        who_for=".",
        venue=venue,
        venue_name="Acle Library",
        venue_postcode="NR13 3AA",
        contact_email="group@example.org",
    )
    for on in (date(2026, 4, 2), date(2026, 5, 2), date(2026, 7, 2)):  # the last is after
        AttendanceCount.objects.create(group=group, met_on=on, children=3, adults=2)

    measures = service_measures.service_measures(start=START, end=END)
    # 3 sessions held (one cancelled) and 2 meetings in the quarter.
    assert (measures.peer_led.sessions, measures.peer_led.peer_led) == (5, 2)
    assert measures.peer_led.text == "40.0 %"
    assert sum(p.sessions for p in measures.peer_led_deciles.values()) == 5
    district = service_measures.service_measures(
        start=START, end=END, district_id=venue.district_id
    )
    assert district.peer_led.sessions == 5
