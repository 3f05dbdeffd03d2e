"""Journey: a service manager, from the families list, opens Grace Wilson's record, reads the
copy of everything held about her family (including the request for support that started it,
in labelled sections, with the safeguarding section saying what is withheld and why),
downloads it, then erases the record; afterwards no search finds her. Clicks only after
signing in; axe on every page visited."""

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.directory import services as directory_services
from familyreach.families.models import Family
from familyreach.geo.models import Area, District
from tests.fixtures.directory import support_request_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_the_familys_copy_then_erases_the_record(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    manager: User,
    family_worker: User,
    yarmouth: District,
    yarmouth_area: Area,
    register_family: Callable[..., Family],
    tmp_path: Path,
) -> None:
    grace = register_family(
        "Grace", last_name="Wilson", child="Poppy", dob=date(2024, 3, 14), phone="07700 900777"
    )
    directory_services.taxonomy_ensure()
    request = support_request_make(
        name="Grace Wilson",
        district_id=yarmouth.pk,
        help_with=["infant-feeding"],
        details="Poppy is not feeding well.",
        contact_method="phone",
        phone="07700 900777",
        best_times="Mornings",
    )
    directory_services.support_request_accept(
        support_request=request, user=manager, family_id=grace.pk
    )

    sign_in(page, manager)
    page.get_by_role("link", name="Families", exact=True).first.click()
    page.get_by_role("link", name="Grace Wilson").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grace Wilson")
    page.get_by_role("link", name="Everything we hold (subject access)").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Personal data we hold about your family"
    )
    for section in (
        "Parents and carers",
        "Children",
        "Your requests for support",
        "Safeguarding concerns",
        "Who has seen or changed your records",
    ):
        expect(page.get_by_role("heading", level=2, name=section, exact=True)).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("Poppy is not feeding well.")
    expect(main).to_contain_text("whether or not we hold any")
    assert axe(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this copy as a file (JSON)").click()
    saved = tmp_path / "copy.json"
    download_info.value.save_as(saved)
    copy = json.loads(saved.read_text())
    titles = [section["title"] for section in copy["sections"]]
    assert "Your requests for support" in titles

    page.get_by_role("link", name="Back to the family").click()
    page.get_by_role("link", name="Erase this family's personal data").click()
    assert axe(page) == []
    page.get_by_label("Why is the record being erased?").fill("Grace asked to be forgotten")
    page.get_by_label("I understand the personal data will be erased").check()
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator("body")).to_contain_text("The family's personal data has been erased")
    expect(page.locator("main")).not_to_contain_text("Grace")
    assert axe(page) == []
