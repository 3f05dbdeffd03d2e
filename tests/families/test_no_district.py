"""No district means no family access.

A staff account's district decides which families it works with; county-wide access is given
on purpose (`all_districts`), never by leaving the district blank. An account with neither
(a manager or worker created in a hurry) sees no families, no requests for support and no
registers: empty lists, and 403 or 404 on records.
"""

from collections.abc import Callable
from typing import Any

import pytest
import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, override_settings

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.accounts.services import demo_accounts_ensure
from familyreach.delivery.models import Session
from familyreach.directory import selectors as directory_selectors
from familyreach.families.models import Family
from familyreach.families.selectors import family_get_for_user, family_list_for_user
from familyreach.families.services import case_open
from tests.fixtures.directory import support_request_make

pytestmark = pytest.mark.django_db

YARMOUTH = "E07000145"


def _request_from(district: Any, name: str) -> Any:
    return support_request_make(name=name, district_id=district.pk)


@pytest.fixture
def both_districts(yarmouth_family: Family, norwich_family: Family) -> dict[str, Any]:
    return {
        "yarmouth": yarmouth_family,
        "norwich": norwich_family,
        "requests": {
            _request_from(yarmouth_family.district, "Yara Request"),
            _request_from(norwich_family.district, "Nia Request"),
        },
    }


def _sees(user: User) -> set[int]:
    return set(family_list_for_user(user=user).values_list("pk", flat=True))


def test_a_manager_without_a_district_sees_no_family(
    make_user: Callable[..., User], both_districts: dict[str, Any], baby_group: Session
) -> None:
    manager = make_user(Role.MANAGER, username="unassigned-manager")
    assert _sees(manager) == set()
    for family in (both_districts["yarmouth"], both_districts["norwich"]):
        with pytest.raises(PermissionDenied):
            family_get_for_user(user=manager, family_id=family.pk)
    assert set(directory_selectors.support_requests_for_user(user=manager)) == set()
    assert not rules.test_rule("delivery.run_session", manager, baby_group)


def test_a_worker_without_a_district_sees_not_even_their_own_caseload(
    make_user: Callable[..., User], both_districts: dict[str, Any]
) -> None:
    worker = make_user(Role.FAMILY_WORKER, username="unassigned-worker")
    case_open(user=None, family=both_districts["yarmouth"], worker=worker)
    assert _sees(worker) == set()
    assert set(directory_selectors.support_requests_for_user(user=worker)) == set()
    # Given a district, the same worker sees the family on their caseload again.
    worker.district_code = YARMOUTH
    worker.save()
    assert _sees(worker) == {both_districts["yarmouth"].pk}


def test_a_district_or_every_district_on_purpose(
    make_user: Callable[..., User], both_districts: dict[str, Any], baby_group: Session
) -> None:
    in_yarmouth = make_user(Role.MANAGER, username="gy-manager", district_code=YARMOUTH)
    county = make_user(Role.MANAGER, username="county-manager", all_districts=True)
    yarmouth, norwich = both_districts["yarmouth"], both_districts["norwich"]
    assert _sees(in_yarmouth) == {yarmouth.pk}
    assert _sees(county) == {yarmouth.pk, norwich.pk}
    assert {r.name for r in directory_selectors.support_requests_for_user(user=in_yarmouth)} == {
        "Yara Request"
    }
    assert {r.name for r in directory_selectors.support_requests_for_user(user=county)} == {
        "Yara Request",
        "Nia Request",
    }
    assert rules.test_rule("delivery.run_session", in_yarmouth, baby_group)
    assert rules.test_rule("delivery.run_session", county, baby_group)
    with pytest.raises((PermissionDenied, Http404)):
        family_get_for_user(user=in_yarmouth, family_id=norwich.pk)


def test_the_pages_of_an_account_without_a_district(
    make_user: Callable[..., User], both_districts: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(make_user(Role.MANAGER, username="unassigned-manager"))
    listing = client.get("/staff/families/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Amy" not in page
    assert "Nora" not in page
    for family in (both_districts["yarmouth"], both_districts["norwich"]):
        assert client.get(f"/staff/families/{family.pk}").status_code in (403, 404)
    requests = client.get("/staff/families/requests/").content.decode()
    assert "Yara Request" not in requests
    assert "Nia Request" not in requests
    for support_request in both_districts["requests"]:
        assert client.get(f"/staff/requests/{support_request.pk}").status_code == 404


@override_settings(DEMO_MODE=True)
def test_the_demo_accounts_that_see_families_are_given_where_they_work() -> None:
    accounts = {user.username: user for user in demo_accounts_ensure()}
    assert accounts["demo-manager"].all_districts
    assert accounts["demo-worker"].district_code == YARMOUTH
    assert not accounts["demo-worker"].all_districts
    # Run again (the demo is reset this way): still so.
    again = {user.username: user for user in demo_accounts_ensure()}
    assert again["demo-manager"].district_scope is None
    assert again["demo-worker"].district_scope == YARMOUTH
