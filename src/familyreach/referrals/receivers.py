"""What referrals adds to the families app's signals (connected in `ReferralsConfig.ready()`)."""

from datetime import date
from typing import Any

from familyreach.referrals.selectors import referrals_for_family


def family_page_section(sender: Any, user: Any, family: Any, **kwargs: Any) -> dict[str, Any]:
    """The family's referrals to other organisations, for its record page."""
    return {"family_referrals": referrals_for_family(user=user, family=family)}


def requests_for_support(
    start: date, end: date, **kwargs: Any
) -> list[tuple[date, int, int | None]]:
    """Answers `directory.signals.requests_for_support_made` for insight's time to first
    contact: referrals made in the days for a family with a record, not declined."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from familyreach.referrals.models import Referral, ReferralStatus

    zone = timezone.get_current_timezone()
    found = (
        Referral.objects.filter(
            family__isnull=False,
            created_at__gte=datetime.combine(start, time.min, tzinfo=zone),
            created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
        )
        .exclude(status=ReferralStatus.DECLINED)
        .values_list("created_at", "family_id", "district_id")
    )
    return [
        (timezone.localdate(created_at), family_id, district_id)
        for created_at, family_id, district_id in found
    ]
