"""Staff family search (`family_list_for_user(search=...)`): full and partial names, postcodes
with or without their space, dates of birth as typed, phone numbers however written. Runs on
SQLite and on PostgreSQL (`scripts/with-postgres.sh ... pytest tests/families/test_search.py`).
"""

from collections.abc import Callable
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client

from familyreach.accounts.models import User
from familyreach.families.models import Carer, Family
from familyreach.families.selectors import (
    family_list_for_user,
    search_date,
    search_phone_digits,
)
from familyreach.families.services import case_open
from familyreach.geo.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def grace(yarmouth_area: Area, register_family: Callable[..., Family]) -> Family:
    family = register_family(
        "Grace",
        last_name="Wilson",
        child="Poppy",
        dob=date(2024, 3, 14),
        postcode="NR30 1NE",
        phone="07700 900123",
    )
    Carer.objects.filter(family=family).update(date_of_birth=date(1995, 7, 2))
    return family


@pytest.fixture
def others(
    yarmouth_area: Area, norwich_area: Area, register_family: Callable[..., Family]
) -> list[Family]:
    return [
        # Grace and Wilson, but not one person called Grace Wilson.
        register_family("Grace", last_name="Smith", child="Tom", dob=date(2023, 1, 5)),
        register_family("Amy", last_name="Wilson", child="Ben", dob=date(2022, 6, 1)),
        register_family(
            "Nora", last_name="Jones", child="Olly", postcode="NR2 4AB", phone="+44 7700 900999"
        ),
    ]


def _found(user: User, search: str) -> set[int]:
    return set(family_list_for_user(user=user, search=search).values_list("pk", flat=True))


@pytest.fixture
def superuser(make_user: Callable[..., User]) -> User:
    return make_user(username="admin", is_superuser=True)


@pytest.mark.parametrize(
    "search",
    [
        # A full or partial name, in any order, case or spacing.
        "Grace Wilson",
        "grace wilson",
        "  Grace   Wilson ",
        "Wilson Grace",
        "Gra Wil",
        "Poppy Wilson",
        # Her child's date of birth as people type it.
        "14/03/2024",
        "14/3/2024",
        "14-03-2024",
        "2024-03-14",
        # Her own date of birth.
        "02/07/1995",
        "1995-07-02",
        # Her phone number however it is written.
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+447700900123",
        "900123",
    ],
)
def test_a_search_that_names_grace_finds_her_only(
    superuser: User, grace: Family, others: list[Family], search: str
) -> None:
    assert _found(superuser, search) == {grace.pk}


def test_one_name_still_finds_everyone_with_it(
    superuser: User, grace: Family, others: list[Family]
) -> None:
    assert _found(superuser, "Grace") == {grace.pk, others[0].pk}
    assert _found(superuser, "Wilson") == {grace.pk, others[1].pk}


@pytest.mark.parametrize("search", ["NR30 1NE", "NR301NE", "nr301ne", "nr30 1ne", "NR30"])
def test_a_postcode_with_or_without_its_space(
    superuser: User, grace: Family, others: list[Family], search: str
) -> None:
    found = _found(superuser, search)
    assert grace.pk in found
    assert others[2].pk not in found  # NR2 4AB


def test_a_partial_inward_code_without_the_space_finds_nothing_else(
    superuser: User, grace: Family, others: list[Family]
) -> None:
    assert _found(superuser, "NR24AB") == {others[2].pk}


def test_an_impossible_date_finds_nothing(
    superuser: User, grace: Family, others: list[Family]
) -> None:
    assert _found(superuser, "31/02/2024") == set()


def test_a_number_stored_with_plus_44_is_found_by_its_0_form(
    superuser: User, grace: Family, others: list[Family]
) -> None:
    assert _found(superuser, "07700 900999") == {others[2].pk}
    assert _found(superuser, "+44 (0)7700 900999") == {others[2].pk}


def test_the_family_number(superuser: User, grace: Family, others: list[Family]) -> None:
    assert grace.pk in _found(superuser, str(grace.pk))


def test_search_keeps_the_access_rules(
    family_worker: User, grace: Family, others: list[Family]
) -> None:
    # A family worker sees only their caseload: Grace Smith is not on it.
    assert _found(family_worker, "Grace") == set()
    case_open(user=None, family=grace, worker=family_worker)
    assert _found(family_worker, "Grace") == {grace.pk}
    assert _found(family_worker, "NR301NE") == {grace.pk}


def test_helpers_read_dates_and_phones() -> None:
    assert search_date("1/2/2024") == date(2024, 2, 1)
    assert search_date("2024-2-1") == date(2024, 2, 1)
    assert search_date("Grace") is None
    assert search_phone_digits("+44 (0)7700 900 123") == "07700900123"
    assert search_phone_digits("447700900123") == "07700900123"
    assert search_phone_digits("12345") is None  # too short to be a phone search
    assert search_phone_digits("NR30 1NE") is None


def test_the_page_finds_grace_wilson_and_audits_what_it_shows(
    family_worker: User, grace: Family, others: list[Family]
) -> None:
    case_open(user=None, family=grace, worker=family_worker)
    client = Client()
    client.force_login(family_worker)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    page = client.get("/staff/families/", {"q": "Grace Wilson"}).content.decode()
    assert f"/staff/families/{grace.pk}" in page
    assert "1 family" in page
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1


def test_the_page_for_a_role_without_family_records_is_refused(
    planner: User, grace: Family
) -> None:
    client = Client()
    client.force_login(planner)
    assert client.get("/staff/families/", {"q": "Grace Wilson"}).status_code == 403
