"""The staff page "Listing quality": the listings the feed's consumers would refuse, worst
first, each linked to its edit page; reached from the directory's staff pages."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.directory import services
from familyreach.directory.models import Service
from tests.conftest import STAFF_PASSWORD
from tests.fixtures.directory import DirectoryWorld


def _unreachable_group() -> Service:
    """A listing nobody can act on: no email, website, contact, place or description."""
    group = services.organization_upsert(
        source="test", source_reference="quiet-group", name="A quiet group", description="A group."
    )
    return services.service_upsert(
        source="test", source_reference="quiet-group", organization=group, name="Quiet group"
    )


@pytest.mark.django_db
def test_failing_listings_worst_first_with_links_to_fix_them(
    client: Client, directory_world: DirectoryWorld, manager: User
) -> None:
    quiet = _unreachable_group()
    stale = directory_world.stay_and_play
    stale.assured_date = timezone.localdate() - timedelta(days=400)
    stale.save(update_fields=["assured_date"])

    client.force_login(manager)
    html = client.get("/staff/directory/quality").content.decode()
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)[1:]
    names = [re.search(r'">([^<]+)</a>', row).group(1) for row in rows]  # type: ignore[union-attr]
    assert names[0] == "Quiet group", names
    assert f'href="/staff/directory/services/{quiet.pk}/edit"' in rows[0]
    for problem in ("No way to get in touch", "No email address", "No place or area served"):
        assert problem in rows[0]
    assert "Stay and play at Great Yarmouth Library" in names
    stale_row = rows[names.index("Stay and play at Great Yarmouth Library")]
    assert "Not checked for 6 months" in stale_row
    # A listing that passes every rule is not listed: the council's phone and web page stand
    # in for a council listing's own.
    assert "Breastfeeding and infant feeding drop-in" not in names

    # Fixed (an email and a web address, checked today): no longer "no way to get in touch".
    services.service_edit(
        user=manager,
        organization=quiet.organization,
        service=quiet,
        changes={"email": "hello@quiet.example.org", "url": "https://quiet.example.org"},
    )
    html = client.get("/staff/directory/quality").content.decode()
    row = re.search(r"Quiet group</a>.*?</tr>", html, re.S)
    assert row is not None
    assert "No way to get in touch" not in row.group(0)
    assert "No place or area served" in row.group(0)


@pytest.mark.django_db
def test_a_group_admin_sees_only_their_own_organisations_listings(
    client: Client, directory_world: DirectoryWorld, make_user: Callable[..., User]
) -> None:
    from familyreach.accounts.roles import Role

    quiet = _unreachable_group()
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN, username="quiet-admin")
    quiet.organization.editors.add(admin)
    client.force_login(admin)
    html = client.get("/staff/directory/quality").content.decode()
    assert "Quiet group" in html
    assert "Stay and play in Norwich" not in html  # the council's, not theirs


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_manager_clicks_from_the_directory_to_listing_quality_and_on_to_fix_one(
    page: Page,
    live_server: Any,
    directory_world: DirectoryWorld,
    manager: User,
    axe: Callable[..., Any],
) -> None:
    _unreachable_group()
    page.goto(f"{live_server.url}/staff/sign-in")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Directory", exact=True).first.click()
    page.get_by_role("link", name="Listing quality").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Listing quality")
    expect(page.get_by_test_id("quality-summary")).to_contain_text("need fixing")
    assert axe(page) == []
    page.get_by_role("link", name="Quiet group").click()
    expect(page).to_have_url(re.compile(r"/staff/directory/services/[0-9a-f-]+/edit$"))
