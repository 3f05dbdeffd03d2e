"""Peer supporters' checks and training: nobody is ready until everything is complete and in
date; expiries warn the coordinators on the right days."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from familyreach.community.models import ExpiryWarning, PeerSupporter, TrainingModule
from familyreach.community.selectors import (
    expiries_upcoming,
    supporter_readiness,
    supporters_matchable,
    supporters_with_checks,
)
from familyreach.community.services import supporters as supporter_services
from tests.fixtures.community import COMMUNITY_TODAY
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _fresh(supporter: PeerSupporter) -> PeerSupporter:
    return supporters_with_checks().get(pk=supporter.pk)


def test_a_fully_checked_supporter_is_ready(make_supporter: Callable[..., Any]) -> None:
    supporter = make_supporter("Amira")
    readiness = supporter_readiness(_fresh(supporter), on=COMMUNITY_TODAY)
    assert readiness.ready
    assert readiness.problems == ()


def test_an_applicant_without_checks_is_not_ready_and_says_why(
    make_supporter: Callable[..., Any],
) -> None:
    supporter = make_supporter("Beth", ready=False)
    readiness = supporter_readiness(_fresh(supporter), on=COMMUNITY_TODAY)
    assert not readiness.ready
    assert "No enhanced DBS check" in readiness.problems
    assert "0 of 2 satisfactory references received" in readiness.problems
    assert "Peer supporter preparation course not completed" in readiness.problems
    assert "Safeguarding children not completed" in readiness.problems


def test_dbs_expires_on_its_recheck_date(make_supporter: Callable[..., Any]) -> None:
    due = COMMUNITY_TODAY + timedelta(days=10)
    supporter = make_supporter("Cass", dbs_recheck_due_on=due)
    assert supporter_readiness(_fresh(supporter), on=due - timedelta(days=1)).ready
    on_the_day = supporter_readiness(_fresh(supporter), on=due)
    assert not on_the_day.ready
    assert on_the_day.problems == ("DBS check expired on 12 March 2026",)


def test_expired_training_stops_matching_until_renewed(
    make_supporter: Callable[..., Any], coordinator: Any
) -> None:
    expiry = COMMUNITY_TODAY - timedelta(days=1)
    supporter = make_supporter("Dee", training_expires_on=expiry)
    assert supporters_matchable(on=COMMUNITY_TODAY) == []
    supporter_services.training_record_add(
        supporter=supporter,
        module=TrainingModule.SAFEGUARDING,
        completed_on=COMMUNITY_TODAY,
        expires_on=COMMUNITY_TODAY + timedelta(days=365),
        user=coordinator,
    )
    # The preparation course has expired too, so still not ready.
    assert supporters_matchable(on=COMMUNITY_TODAY) == []
    supporter_services.training_record_add(
        supporter=supporter,
        module=TrainingModule.PREPARATION,
        completed_on=COMMUNITY_TODAY,
        expires_on=None,
        user=coordinator,
    )
    assert [s.pk for s in supporters_matchable(on=COMMUNITY_TODAY)] == [supporter.pk]


def test_a_dbs_certificate_number_is_twelve_digits(
    make_supporter: Callable[..., Any], coordinator: Any
) -> None:
    supporter = make_supporter("Eve", ready=False)
    with pytest.raises(ValidationError, match="12 digits"):
        supporter_services.dbs_check_record(
            supporter=supporter,
            certificate_number="12345",
            issued_on=COMMUNITY_TODAY,
            recheck_due_on=COMMUNITY_TODAY + timedelta(days=1000),
            update_service_subscribed=False,
            user=coordinator,
        )


def test_a_renewed_check_replaces_the_old_expiry(
    make_supporter: Callable[..., Any], coordinator: Any
) -> None:
    supporter = make_supporter("Fay", dbs_recheck_due_on=COMMUNITY_TODAY + timedelta(days=20))
    assert [e.what for e in expiries_upcoming(on=COMMUNITY_TODAY)] == ["Enhanced DBS check recheck"]
    supporter_services.dbs_check_record(
        supporter=supporter,
        certificate_number="009876543210",
        issued_on=COMMUNITY_TODAY,
        recheck_due_on=COMMUNITY_TODAY + timedelta(days=1095),
        update_service_subscribed=True,
        user=coordinator,
    )
    assert expiries_upcoming(on=COMMUNITY_TODAY) == []


def _run_command_on(day: date) -> str:
    output = StringIO()
    with time_machine.travel(
        datetime(day.year, day.month, day.day, 7, 0, tzinfo=LONDON), tick=False
    ):
        call_command("community_warn_expiries", stdout=output)
    return output.getvalue()


def test_expiry_warnings_are_sent_on_the_right_days(
    make_supporter: Callable[..., Any], coordinator: Any
) -> None:
    expires = date(2026, 5, 1)
    make_supporter("Gwen", dbs_recheck_due_on=expires)
    forget_stored_messages()
    expected = {
        expires - timedelta(days=31): 0,
        expires - timedelta(days=30): 1,  # 30 days ahead
        expires - timedelta(days=29): 0,
        expires - timedelta(days=8): 0,
        expires - timedelta(days=7): 1,  # a week ahead
        expires - timedelta(days=1): 0,
        expires: 1,  # on the day
        expires + timedelta(days=1): 0,
    }
    for day, count in expected.items():
        before = len(stored_messages())
        output = _run_command_on(day)
        assert output.startswith(f"{count} new expiry warnings"), (day, output)
        assert len(stored_messages()) - before == count, day
    assert sorted(ExpiryWarning.objects.values_list("threshold_days", flat=True)) == [0, 7, 30]
    messages = [m for m in stored_messages() if m.to == "cora@example.org"]
    assert "Gwen Tester: Enhanced DBS check recheck expires in 30 days" in messages[0].body
    assert "expires today (1 May 2026)" in messages[-1].body


def test_a_missed_run_sends_only_the_most_urgent_warning(
    make_supporter: Callable[..., Any],
) -> None:
    expires = date(2026, 5, 1)
    make_supporter("Hana", dbs_recheck_due_on=expires)
    forget_stored_messages()
    assert _run_command_on(expires - timedelta(days=5)).startswith("1 new")
    assert list(ExpiryWarning.objects.values_list("threshold_days", flat=True)) == [7]
    assert _run_command_on(expires - timedelta(days=4)).startswith("0 new")
    assert len(stored_messages()) == 1
