"""The daily reminder: a referral waiting more than 5 working days (bank holidays excluded) is
reminded to its organisation once a day at most; younger or answered ones are not."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from familyreach.operations.schedule import job_get
from familyreach.referrals import services
from familyreach.referrals.models import Referral, ReferralReminder
from tests.fixtures.outbox import forget_stored_messages, stored_messages
from tests.fixtures.referrals import ReferralWorld

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Tuesday 10 March 2026: no bank holiday within the fortnight before.
TODAY = date(2026, 3, 10)


def _made_on(referral: Referral, day: date) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        created_at=datetime.combine(day, time(11), tzinfo=LONDON)
    )


def _reminders() -> list[str]:
    return [m.body for m in stored_messages() if m.reference == "referrals-waiting"]


def test_six_working_days_gets_one_reminder_three_gets_none_and_a_rerun_sends_nothing(
    referral_world: ReferralWorld,
) -> None:
    world = referral_world
    old = world.refer()
    young = world.refer(name="Beth Jones", email="beth@example.org")
    _made_on(old, date(2026, 3, 2))  # Monday: 6 working days before Tuesday 10th
    _made_on(young, date(2026, 3, 5))  # Thursday: 3 working days before
    forget_stored_messages()

    assert services.referral_reminders_send(today=TODAY) == 1
    bodies = _reminders()
    # One email to each of the charity's two addresses, naming the old referral only.
    assert len(bodies) == 2
    assert all(old.reference in body and young.reference not in body for body in bodies)
    assert {m.to for m in stored_messages()} == {
        "hello@home-start.example.org",
        "gina@home-start.example.org",
    }
    assert not any("Amy" in body for body in bodies)  # no family details by email

    # The same day again (a second scheduler, "Run now"): nothing more.
    forget_stored_messages()
    assert services.referral_reminders_send(today=TODAY) == 0
    assert _reminders() == []
    assert ReferralReminder.objects.filter(referral=old).count() == 1

    # The next working day it is still waiting: reminded again, once.
    assert services.referral_reminders_send(today=date(2026, 3, 11)) == 1
    assert ReferralReminder.objects.filter(referral=old).count() == 2


def test_bank_holidays_do_not_count_and_answered_referrals_are_not_reminded(
    referral_world: ReferralWorld,
) -> None:
    world = referral_world
    # Made Thursday 2 April 2026; Good Friday (3rd) and Easter Monday (6th) are bank holidays,
    # so it has waited 4 working days on Friday 10 April, 5 on Monday 13th (not more than 5)
    # and 6 on Tuesday 14th.
    waiting = world.refer()
    _made_on(waiting, date(2026, 4, 2))
    answered = world.refer(name="Cat", email="cat@example.org")
    _made_on(answered, date(2026, 3, 2))
    services.referral_decline(referral=answered, user=world.group_admin, reason="Full")
    forget_stored_messages()
    assert services.referral_reminders_send(today=date(2026, 4, 9)) == 0
    assert services.referral_reminders_send(today=date(2026, 4, 10)) == 0
    assert services.referral_reminders_send(today=date(2026, 4, 13)) == 0
    assert services.referral_reminders_send(today=date(2026, 4, 14)) == 1
    assert all(answered.reference not in body for body in _reminders())


def test_the_job_is_scheduled_daily() -> None:
    job = job_get("referrals-remind-waiting")
    assert job.schedule_in_words.startswith("Every day")
