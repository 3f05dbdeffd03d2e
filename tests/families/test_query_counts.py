"""Pages do a fixed number of queries, however many families, bookings or contacts there are."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from familyreach.accounts.models import User
from familyreach.delivery.models import Occurrence
from familyreach.delivery.selectors import occurrence_bookings, register_rows, worker_week
from familyreach.delivery.services import booking_create
from familyreach.families.models import Family
from familyreach.families.selectors import family_get_for_user, family_list_for_user
from familyreach.families.services import case_open

pytestmark = pytest.mark.django_db


def _count(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_family_record_query_count_is_pinned(
    yarmouth_family: Family, family_worker: User, django_assert_num_queries: Any
) -> None:
    case_open(user=None, family=yarmouth_family, worker=family_worker)
    family_worker = User.objects.get(pk=family_worker.pk)
    # family + 4 prefetches (carers, children, consents, cases), the user's roles, the access
    # rule, and the audit entry. Contacts are delivery's: its page section reads them.
    with django_assert_num_queries(8):
        family = family_get_for_user(user=family_worker, family_id=yarmouth_family.pk)
        assert family.carers.all()[0].first_name == "Amy"


def test_lists_do_not_grow_with_the_number_of_families(
    register_family: Callable[..., Family],
    family_worker: User,
    next_occurrence: Occurrence,
    yarmouth_area: Any,
) -> None:
    def list_names() -> None:
        families = family_list_for_user(user=User.objects.get(pk=family_worker.pk))
        [str(c) for f in families for c in f.carers.all()]

    def bookings_and_register() -> None:
        user = User.objects.get(pk=family_worker.pk)
        occurrence = Occurrence.objects.get(pk=next_occurrence.pk)
        occurrence_bookings(user=user, occurrence=occurrence)
        register_rows(user=user, occurrence=occurrence)

    first = register_family("One", child="Uno")
    case_open(user=None, family=first, worker=family_worker)
    booking_create(user=None, occurrence_id=next_occurrence.pk, family=first)
    few_list, few_register = _count(list_names), _count(bookings_and_register)
    for index in range(4):
        family = register_family(f"More{index}", child=f"Kid{index}")
        case_open(user=None, family=family, worker=family_worker)
        booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
    assert _count(list_names) == few_list
    # Each family shown is an audited read (one insert each): bookings show 5 families where
    # they showed 1, the register the 3 confirmed (capacity 3) where it showed 1. Reads stay fixed.
    audit_inserts_added = (5 - 1) + (3 - 1)
    assert _count(bookings_and_register) == few_register + audit_inserts_added


def test_week_page_query_count_does_not_grow(
    family_worker: User, next_occurrence: Occurrence, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        worker_week(user=family_worker, start=next_occurrence.date)
