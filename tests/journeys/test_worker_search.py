"""Journey: a family support worker, from their landing page, finds Grace Wilson by her full
name and opens her record; then sees the count of new requests for support and opens one.
Clicks only after signing in; axe on every page visited."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.directory import services as directory_services
from familyreach.families.models import Family
from familyreach.families.services import case_open
from familyreach.geo.models import Area, District
from tests.fixtures.directory import support_request_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_finds_grace_wilson_and_opens_a_new_request(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    family_worker: User,
    yarmouth: District,
    yarmouth_area: Area,
    register_family: Callable[..., Family],
) -> None:
    grace = register_family("Grace", last_name="Wilson", child="Poppy", dob=date(2024, 3, 14))
    # Two families the worker also sees, each with one of her names, and neither is her.
    for carer, surname in (("Grace", "Smith"), ("Amy", "Wilson")):
        case_open(user=None, family=register_family(carer, last_name=surname), worker=family_worker)
    case_open(user=None, family=grace, worker=family_worker)
    directory_services.taxonomy_ensure()
    support_request_make(
        name="Jade Turner",
        district_id=yarmouth.pk,
        help_with=["infant-feeding"],
        details="My baby is not feeding well.",
        contact_method="phone",
        phone="07700 900555",
        best_times="Mornings",
    )

    sign_in(page, family_worker)
    expect(page.get_by_role("heading", level=1)).to_contain_text("My week")
    assert axe(page) == []

    page.get_by_label("Find a family").fill("Grace Wilson")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Families")
    results = page.locator("table tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Grace Wilson")
    assert axe(page) == []

    page.get_by_role("link", name="Grace Wilson").click()
    expect(page).to_have_url(f"{live_server.url}/staff/families/{grace.pk}")
    expect(page.locator("main")).to_contain_text("Poppy")
    assert axe(page) == []

    page.get_by_role("link", name="Home").click()
    count = page.get_by_test_id("new-requests-count")
    expect(count).to_contain_text("1 new request for support")
    count.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for support")
    expect(page.get_by_test_id("requests")).to_contain_text("Infant feeding")
    assert axe(page) == []

    page.get_by_role("link", name="Jade Turner").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jade Turner")
    expect(page.get_by_test_id("needs")).to_contain_text("My baby is not feeding well.")
    assert axe(page) == []
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("is yours")
    expect(page.locator("main")).to_contain_text(f"Who has it {family_worker}")
    assert axe(page) == []
