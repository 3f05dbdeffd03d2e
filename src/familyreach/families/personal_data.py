"""What the families app holds about a family, for subject access and erasure (registered with
`familyreach.core.personal_data` from `FamiliesConfig.ready`)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from familyreach.core.personal_data import Found, Holding, delete, hold
from familyreach.families.models import (
    TARGET_GROUPS,
    Carer,
    Case,
    Child,
    Consent,
    Family,
)


def _erase_household(rows: QuerySet[Any], user: Any) -> None:
    # The row stays (area, district and counts are what reach is measured by); the address,
    # postcode and circumstances go, on the family and on every duplicate merged into it.
    rows.update(
        address="",
        postcode="",
        needs_duplicate_review=False,
        **{name: False for name, _label in TARGET_GROUPS},
    )
    rows.filter(anonymised_at=None).update(anonymised_at=timezone.now())


def register() -> None:
    hold(
        Holding(
            model=Family,
            section="Your household's record",
            find=lambda found: Family.objects.filter(pk__in=found.family_ids),
            fields=(
                ("id", "Record number"),
                ("address", "Address"),
                ("postcode", "Postcode"),
                ("district", "District"),
                *TARGET_GROUPS,
                ("source", "How the record was started"),
                ("created_at", "Record started"),
                ("merged_into_id", "Joined to record number"),
                ("archive_reason", "Why the record was closed"),
            ),
            erase=_erase_household,
            order=10,
        )
    )
    hold(
        Holding(
            model=Carer,
            section="Parents and carers",
            find=lambda found: Carer.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("first_name", "First name"),
                ("last_name", "Last name"),
                ("relationship", "Relationship"),
                ("date_of_birth", "Date of birth"),
                ("phone", "Phone"),
                ("email", "Email"),
                ("is_main_contact", "Main contact"),
            ),
            erase=delete,
            order=20,
        )
    )
    hold(
        Holding(
            model=Child,
            section="Children",
            find=lambda found: Child.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("first_name", "First name"),
                ("last_name", "Last name"),
                ("date_of_birth", "Date of birth"),
                ("expected_due_date", "Due date"),
            ),
            erase=delete,
            order=30,
        )
    )
    hold(
        Holding(
            model=Consent,
            section="What you agreed to",
            find=lambda found: Consent.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("purpose", "What for"),
                ("lawful_basis", "Lawful basis"),
                ("given_at", "Given on"),
                ("given_by", "Given by"),
                ("method", "How"),
                ("withdrawn_at", "Withdrawn on"),
                ("withdrawal_note", "Why withdrawn"),
            ),
            erase=delete,
            order=40,
        )
    )
    hold(
        Holding(
            model=Case,
            section="Support from our family workers",
            find=lambda found: Case.objects.filter(family_id__in=found.family_ids),
            fields=(
                ("worker", "Family worker"),
                ("reason", "Why"),
                ("opened_on", "Started"),
                ("closed_on", "Ended"),
                ("next_action", "Next step"),
                ("next_action_due", "Next step due"),
            ),
            erase=delete,
            order=50,
        )
    )


def family_and_merged_ids(family: Family) -> frozenset[int]:
    """The family and every duplicate merged into it (and into those, at any depth)."""
    ids = {family.pk}
    frontier = {family.pk}
    while frontier:
        frontier = (
            set(Family.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            - ids
        )
        ids |= frontier
    return frozenset(ids)


__all__ = ["Found", "family_and_merged_ids", "register"]
