"""What referrals adds to the families app's signals (connected in `ReferralsConfig.ready()`)."""

from typing import Any

from familyreach.referrals.selectors import referrals_for_family


def family_page_section(sender: Any, user: Any, family: Any, **kwargs: Any) -> dict[str, Any]:
    """The family's referrals to other organisations, for its record page."""
    return {"family_referrals": referrals_for_family(user=user, family=family)}
