"""In Debian's Chromium: search by postcode (keyboard only), filter, open a service, at 320 px
wide, the map beside the list, and axe finds nothing serious or critical on any public page."""

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from familyreach.accounts.models import User
from familyreach.directory import services
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    return directory_world


def test_keyboard_only_search_filter_and_open_a_service(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.goto(live_server.url + "/find")
    assert axe(page) == []
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_postcode":
            break
    else:
        pytest.fail("The postcode box cannot be reached with the keyboard")
    page.keyboard.type("NR30 1NE")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_test_id("result-count")).to_contain_text(
        "3 results within 5 miles of NR30 1NE"
    )
    # Leaflet drew the same three places as the list.
    expect(page.locator("#find-map .leaflet-interactive")).to_have_count(
        4
    )  # 3 places + the search point
    assert axe(page) == []

    page.get_by_label("Baby groups").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("result-count")).to_contain_text("1 result within 5 miles")
    page.get_by_role("link", name="Baby group in Gorleston").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baby group in Gorleston")
    expect(page.get_by_test_id("cost")).to_contain_text("£2.00")
    assert axe(page) == []


def test_usable_at_320_pixels_wide(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    for path in (
        "/find?postcode=NR30+1NE&radius=5",
        f"/services/{world.stay_and_play.pk}",
        "/request-support",
        "/advice",
    ):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px"
        assert axe(page) == [], path


def test_every_public_page_is_accessible(
    page: Page, live_server: Any, world: DirectoryWorld, manager: User, axe: Callable[..., Any]
) -> None:
    services.advice_article_save(
        user=manager,
        article=None,
        slug="feeding-your-baby",
        title="Feeding your baby",
        summary="Help with feeding",
        body="## Getting help\n\n- Your health visitor\n- <https://www.nhs.uk/start-for-life/>",
        topic="feeding",
        status="published",
        review_by=date(2027, 3, 31),
        related_term_codes=["infant-feeding"],
    )
    for path in (
        "/find",
        "/find?postcode=NR30+1N",  # the error summary
        "/find?postcode=Atlantis",  # the suggestion
        "/find?postcode=NR30+1NE&radius=1&day=SU",  # no results advice
        f"/services/{world.feeding.pk}",
        f"/services/{world.closed_for_repairs.pk}",
        "/advice",
        "/advice?q=feeding",
        "/advice/feeding-your-baby",
        "/request-support",
    ):
        page.goto(live_server.url + path)
        assert axe(page) == [], path


def test_request_support_errors_then_success(
    page: Page, live_server: Any, world: DirectoryWorld, axe: Callable[..., Any]
) -> None:
    page.goto(live_server.url + "/request-support")
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select who is asking for help")
    expect(summary).to_be_focused()
    assert axe(page) == []
    page.get_by_label("A parent or carer asking for their own family").check()
    page.get_by_label("Parent or carer's name").fill("Sam Example")
    page.get_by_label("Postcode", exact=True).fill("NR30 1NE")
    page.get_by_label("Children's ages").fill("1")
    page.get_by_label("Parenting").check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Email address", exact=True).fill("sam@example.org")
    page.get_by_label("The family agrees").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request sent")
    expect(page.get_by_test_id("reference")).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    assert axe(page) == []


# Listens for CSP violations before any of the page's own scripts run (an init script is not
# itself subject to the page's CSP).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


def test_public_pages_run_their_scripts_under_the_real_csp_without_a_nonce(
    browser: Browser, live_server: Any, world: DirectoryWorld, manager: User
) -> None:
    """The other browser tests bypass CSP (to inject axe); this one keeps it, on a page built
    fresh, the same page answered from the page cache, and a staff page (which keeps nonces).
    Each visit is a new browser context: the browser would otherwise keep the public page
    itself (max-age) and not ask again."""
    console: list[str] = []

    def visit(address: str, *, sign_in_as: User | None = None) -> tuple[Any, Page, Any]:
        context = browser.new_context(bypass_csp=False, locale="en-GB")
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on("console", lambda message: console.append(message.text))
        if sign_in_as is not None:
            page.goto(f"{live_server.url}/staff/sign-in")
            page.get_by_label("Username").fill(sign_in_as.username)
            page.get_by_label("Password", exact=True).fill("a-long-test-password-for-staff")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
        response = page.goto(live_server.url + address)
        assert response is not None
        return context, page, response

    with override_settings(FAMILYREACH_PUBLIC_CACHE_SECONDS=60):
        for expect_kept in (False, True):
            context, page, response = visit("/find?postcode=NR30+1NE&radius=5")
            try:
                assert (response.headers.get("x-familyreach-cache") == "hit") is expect_kept
                assert "'nonce-" not in response.headers["content-security-policy"]
                assert "public" in response.headers["cache-control"]
                # GOV.UK's inline script ran (allowed by its hash)...
                classes = page.evaluate("document.body.className")
                assert "js-enabled" in classes
                assert "govuk-frontend-supported" in classes
                # ...and so did the module scripts: GOV.UK's components and the map.
                expect(page.locator("#find-map.leaflet-container")).to_be_visible()
                assert page.evaluate(
                    "Array.from(document.querySelectorAll('[data-module]'))"
                    ".some((e) => e.hasAttribute('data-' + e.dataset.module + '-init'))"
                )
                assert page.evaluate("window.__cspViolations") == []
            finally:
                context.close()
    # A staff page keeps its nonce, and its scripts run too.
    context, page, response = visit("/staff/directory/", sign_in_as=manager)
    try:
        assert "'nonce-" in response.headers["content-security-policy"]
        assert "no-store" in response.headers["cache-control"]
        assert "js-enabled" in page.evaluate("document.body.className")
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
    assert not [text for text in console if "Content Security Policy" in text], console
