"""What referrals hold about a family, for subject access and erasure (registered with
`familyreach.core.personal_data` from `ReferralsConfig.ready`)."""

from typing import Any

from django.db.models import QuerySet

from familyreach.core.personal_data import ERASED, Holding, exempt, hold
from familyreach.referrals.models import Referral, ReferralReminder


def _erase(rows: QuerySet[Any], user: Any) -> None:
    # The referral stays (status and dates remain countable) without the family's name,
    # contact details or words. A declined referral must keep a reason (a constraint).
    rows.update(name=ERASED, email="", phone="", postcode="", reason=ERASED, engage_with_family="")
    rows.exclude(decline_reason="").update(decline_reason=ERASED)


def register() -> None:
    hold(
        Holding(
            model=Referral,
            section="Referrals to other organisations",
            find=lambda found: Referral.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("reference", "Reference"),
                ("created_at", "Made on"),
                ("service_and_provider", "Referred to"),
                ("referrer_organization", "Referred by"),
                ("name", "Name"),
                ("contact_method", "How to contact you"),
                ("email", "Email"),
                ("phone", "Phone"),
                ("postcode", "Postcode"),
                ("reason", "Why"),
                ("engage_with_family", "How best to contact you"),
                ("status", "Status"),
                ("decline_reason", "Why it was declined"),
            ),
            erase=_erase,
            references=lambda rows: rows.values_list("reference", flat=True),
            order=95,
        )
    )
    exempt(
        ReferralReminder,
        reason="One row per reminder to the receiving organisation: its staff's addresses and "
        "a date, nothing about the family.",
    )
