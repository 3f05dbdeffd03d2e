"""A parent responds to a consultation on a phone (390 x 844), from the home page, by keyboard
through the first pages (Tab, Space, Enter, typing: no clicks) and by clicks after that: a page
sent with a missing answer puts the focus on the error summary, in view, at the top; "Save and
come back later" gives a link (also emailed) that brings the answers back; "Check your answers"
with a Change link; the response sent. axe finds nothing serious or critical on any page.
Issue 17 ("Consultation on a phone")."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from familyreach.consult.models import (
    Consultation,
    EqualityMonitoring,
    QuestionKind,
    Response,
    ResponseState,
)
from familyreach.outbox.models import OutboundMessage
from tests.fixtures.consult import consultation_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# What has the focus, as a person hears it: a field's label, else a link's or button's text.
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el) return '';
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  return (label || el.innerText || el.value || '').replace(/\\s+/g, ' ').trim();
}"""


@pytest.fixture
def open_consultation(consult_places: dict[str, Any]) -> Consultation:
    return consultation_build(slug="family-services")


def _fits_the_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _tab_to(page: Page, name: str, *, presses: int = 80) -> None:
    """Press Tab until the element named `name` has the focus (fails if it never does)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME) == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def _error_summary_is_focused_and_in_view(page: Page) -> None:
    focused = page.evaluate(
        """() => {
          const el = document.activeElement;
          const box = el.getBoundingClientRect();
          return {
            summary: el.classList.contains('govuk-error-summary'),
            top: box.top, bottom: box.bottom, height: window.innerHeight,
          };
        }"""
    )
    assert focused["summary"], "the focus is not on the error summary"
    assert focused["top"] >= 0, focused
    assert focused["bottom"] <= focused["height"], focused


def test_a_parent_responds_on_a_phone_with_an_error_a_saved_link_and_a_change(
    page: Page,
    live_server: Any,
    open_consultation: Consultation,
    axe: Callable[..., Any],
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    assert axe(page) == []

    # Keyboard only from here to "Save and come back later".
    _tab_to(page, "Have your say")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations")
    assert axe(page) == []
    _tab_to(page, open_consultation.title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(open_consultation.title)
    _fits_the_phone(page)
    assert axe(page) == []
    _tab_to(page, "Start now")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    _fits_the_phone(page)
    assert axe(page) == []

    # Continue without the one required answer.
    _tab_to(page, "What is your postcode? (optional)")
    page.keyboard.type("NR30 1NE")
    _tab_to(page, "Continue")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select whether you are responding as a parent or carer")
    expect(summary).to_be_focused()
    _error_summary_is_focused_and_in_view(page)
    assert page.title().startswith("Error: ")
    expect(page.get_by_label("What is your postcode? (optional)")).to_have_value("NR30 1NE")
    _fits_the_phone(page)
    assert axe(page) == []
    # From the summary, its link takes the focus to the question.
    _tab_to(
        page,
        "Select whether you are responding as a parent or carer, a professional or for an organisation",
    )
    page.keyboard.press("Enter")
    expect(page.get_by_label("A parent or carer")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("A parent or carer")).to_be_checked()
    _tab_to(page, "Continue")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your views")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    _fits_the_phone(page)
    # A topic's page, not the whole questionnaire: a few screens at most (it was 34,000 px).
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 4 * PHONE["height"], height
    assert axe(page) == []
    _tab_to(page, "7 bases")
    page.keyboard.press("Space")
    _tab_to(page, "Save and come back later")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Get a link to come back to your response"
    )
    _fits_the_phone(page)
    assert axe(page) == []
    _tab_to(page, "Email address (optional)")
    page.keyboard.type("pia@example.org")
    _tab_to(page, "Get a link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been saved")
    expect(page.get_by_test_id("emailed")).to_be_visible()
    _fits_the_phone(page)
    assert axe(page) == []
    assert "/resume/" in OutboundMessage.objects.get(to="pia@example.org").body

    # Coming back by the link: the same page, with the answer given before.
    page.get_by_test_id("resume-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your views")
    assert "/resume/" not in page.url
    expect(page.get_by_label("7 bases", exact=True)).to_be_checked()
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Library sessions").check()
    page.get_by_label("How would the proposals affect you? (optional)").fill(
        "The nearest base is two buses away."
    )
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Publishing your response")
    _fits_the_phone(page)
    assert axe(page) == []
    page.get_by_label("I agree that this response can be published").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Equality monitoring (optional)")
    _fits_the_phone(page)
    assert axe(page) == []
    page.get_by_role("group", name="What is your age? (optional)").get_by_label("25 to 34").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your response"
    )
    views = page.get_by_test_id("answers-your-views")
    expect(views).to_contain_text("7 bases")
    expect(views).to_contain_text("The nearest base is two buses away.")
    _fits_the_phone(page)
    assert axe(page) == []
    views.get_by_role("link", name="Change Which option do you prefer?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your views")
    assert axe(page) == []
    page.get_by_label("15 bases", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your response"
    )
    expect(page.get_by_test_id("answers-your-views")).to_contain_text("15 bases")

    page.get_by_role("button", name="Send my response").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Response sent")
    reference = page.get_by_test_id("reference").inner_text()
    _fits_the_phone(page)
    assert axe(page) == []
    sent = Response.objects.get(reference=reference)
    assert sent.state == ResponseState.SUBMITTED
    assert sent.imd_decile == 1
    assert sent.consent_to_publish
    assert sent.answers.get(question__kind=QuestionKind.SINGLE_CHOICE).choice == "15 bases"
    assert EqualityMonitoring.objects.get().age_band == "25_34"
    assert Response.objects.count() == 1  # the saved draft became the response
