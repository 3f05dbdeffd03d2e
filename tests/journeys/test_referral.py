"""The referral journey in Chromium, by clicking from each person's landing page: a family worker
finds another organisation's service through the directory and refers a family on their
caseload; the charity's admin sees the count of new referrals, opens it and accepts; the worker
sees it accepted. axe-core finds nothing serious or critical on any page on the way."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.outbox.models import OutboundMessage
from familyreach.referrals.models import Referral, ReferralStatus
from tests.fixtures.referrals import ReferralWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    page.wait_for_load_state()


def test_a_worker_refers_a_family_and_the_charity_accepts(
    page: Page,
    live_server: Any,
    referral_world: ReferralWorld,
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    world = referral_world
    sign_in(page, world.worker)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    assert axe(page) == []

    # From the landing page to the directory, and a service run by the charity.
    page.get_by_role("link", name="Referrals I made").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals I made")
    assert axe(page) == []
    page.get_by_role("link", name="find a service").click()
    page.get_by_label("Postcode or place").fill("NR30 1NE")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Baby group in Gorleston").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baby group in Gorleston")
    assert axe(page) == []
    page.get_by_role("link", name=re.compile(r"^Refer a family")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Refer a family")
    assert axe(page) == []

    # Sent empty: the error summary, focused, names what is missing.
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select yes if you have the family's permission")
    expect(summary).to_contain_text("Enter why the family needs support")
    assert axe(page) == []

    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Family record number (optional)").fill(str(world.family.pk))
    page.get_by_label("Name of the parent or carer to contact").fill("Amy Smith")
    page.get_by_label("Text message").check()
    page.get_by_label("Phone number", exact=True).fill("07700 900982")
    page.get_by_label("Why does the family need support?").fill(
        "Amy has a new baby and twins of two, and would like to meet other parents."
    )
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_test_id("status")).to_contain_text("New")
    reference = page.get_by_role("heading", level=1).inner_text().strip()
    assert axe(page) == []
    referral = Referral.objects.get(reference=reference)
    assert referral.family == world.family
    assert OutboundMessage.objects.filter(to="07700 900982", reference=reference).count() == 1
    _sign_out(page)

    # The charity's admin: the count on their landing page, the inbox, the referral.
    sign_in(page, world.group_admin)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    assert axe(page) == []
    page.get_by_role("link", name="Referrals (1 new)").first.click()
    expect(page.get_by_test_id("count-new")).to_have_text("New: 1")
    assert axe(page) == []
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("status")).to_contain_text("Opened")
    expect(page.get_by_text("Amy has a new baby")).to_be_visible()
    assert axe(page) == []
    # Declining needs a reason: choosing decline without one is sent back.
    page.get_by_label("Decline: our service will not offer support").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for declining")
    assert axe(page) == []
    page.get_by_label("Accept: our service will contact the family to offer support").check()
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{reference} accepted")
    assert axe(page) == []
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    _sign_out(page)

    # The worker sees it accepted, and so does the family's record.
    sign_in(page, world.worker)
    page.get_by_role("link", name="Referrals I made").first.click()
    expect(page.get_by_test_id(f"status-{reference}")).to_have_text("Accepted")
    assert axe(page) == []
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("decision")).to_contain_text("Accepted")
    assert axe(page) == []
