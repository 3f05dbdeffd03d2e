"""Referrals' scheduled job: remind organisations of referrals left waiting."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from familyreach.operations.schedule import scheduled_job
from familyreach.referrals import services


@scheduled_job(
    name="referrals-remind-waiting",
    cron="30 9 * * *",
    description=(
        "Emails each organisation the referrals it has not answered after "
        f"{settings.REFERRALS_REMIND_AFTER_WORKING_DAYS} working days (bank holidays excluded), "
        "once per referral per day."
    ),
    stale_after=timedelta(days=2),
)
@task()
def remind_waiting() -> str:
    reminded = services.referral_reminders_send()
    return f"{reminded} waiting referrals reminded"
