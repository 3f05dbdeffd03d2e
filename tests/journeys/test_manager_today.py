"""Journey: a service manager signs in to what needs them today, follows the listing change
waiting for approval, sees only the field it changes, in words, and rejects it with a reason;
the community group admin who proposed it signs in and reads the reason. Clicks only after the
first sign-in page; axe on every page visited."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import selectors as directory_selectors
from familyreach.directory import services as directory_services
from tests.conftest import STAFF_PASSWORD
from tests.fixtures.directory import DirectoryWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_rejects_a_change_with_a_reason_the_group_reads(
    page: Page,
    live_server: Any,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
    manager: User,
    make_user: Callable[..., User],
    directory_world: DirectoryWorld,
) -> None:
    group_admin = make_user(
        Role.COMMUNITY_GROUP_ADMIN, username="gail-group", email="gail@example.org"
    )
    directory_world.charity.editors.add(group_admin)
    service = directory_world.baby_group
    # As the edit form sends it: every field, with one of them changed.
    current = directory_selectors.service_current_values(service)
    directory_services.service_edit(
        user=group_admin,
        organization=directory_world.charity,
        service=service,
        changes={
            **{k: v for k, v in current.items() if k in directory_services.EDITABLE_FIELDS},
            "for_pregnancy": True,
        },
    )

    sign_in(page, manager)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    approvals = page.get_by_test_id("today-approvals")
    expect(approvals).to_contain_text("1 change to directory listings")
    assert axe(page) == []

    approvals.get_by_role("link", name="Review listing changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes waiting for approval")
    changed = page.get_by_test_id("changed-fields")
    rows = changed.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("Open to expectant parents No Yes", use_inner_text=True)
    expect(page.locator("main")).not_to_contain_text("None")
    expect(page.locator("main")).not_to_contain_text("False")
    assert axe(page) == []

    page.get_by_role("button", name="Reject").click()  # no reason: refused
    expect(page.locator("main")).to_contain_text("Say why the change is rejected")
    page.get_by_label("Reason for rejecting").fill("The group still meets only on Mondays")
    page.get_by_role("button", name="Reject").click()
    expect(page.locator("main")).to_contain_text("Change rejected")
    expect(page.locator("main")).to_contain_text("Nothing is waiting")
    assert axe(page) == []

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Username").fill(group_admin.username)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    mine = page.get_by_test_id("my-changes")
    expect(mine).to_contain_text("Not approved")
    expect(mine).to_contain_text("The group still meets only on Mondays")
    assert axe(page) == []
