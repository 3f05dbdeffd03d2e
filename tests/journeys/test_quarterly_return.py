"""The quarterly return journey in Chromium, by clicking from each person's landing page: the
provider's manager opens the drafted return, explains the red measure and submits; the
commissioner agrees each measure and signs it off; the provider's manager comes back and
downloads the signed-off return as PDF and ODS (the draft's PDF, downloaded on the way, says
DRAFT). axe-core finds nothing serious or critical on any page on the way."""

import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from odf.opendocument import load
from odf.table import TableCell
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning.models import Contract, ContractMeasure, ReturnStatus
from familyreach.commissioning.services import return_draft
from familyreach.delivery.models import Contact
from familyreach.directory import services as directory_services
from familyreach.families.models import Child, Family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    page.wait_for_load_state()


def _download(page: Page, link: str) -> tuple[str, bytes]:
    """Click a download link and wait for the browser's download event."""
    with page.expect_download() as event:
        page.get_by_role("link", name=link).click()
    download = event.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_provider_submits_and_the_commissioner_signs_off(
    page: Page,
    live_server: Any,
    small_county: dict[str, Any],
    make_user: Callable[..., User],
    sign_in: Callable[..., None],
    axe: Callable[..., Any],
) -> None:
    for number, area in enumerate(small_county["areas"] * 3):
        family = Family.objects.create(area=area, district=area.district)
        Child.objects.create(family=family, date_of_birth=date(2024, 1, 1))
        if number % 2:
            Contact.objects.create(
                family=family, date=date(2026, 5, 4), kind="session_attendance", area=area
            )
    provider = directory_services.organization_upsert(
        source="test", source_reference="journey-provider", name="Journey Provider", description="x"
    )
    contract = Contract.objects.create(
        name="Early childhood service",
        provider=provider,
        starts_on=date(2026, 4, 1),
        ends_on=date(2029, 3, 31),
        annual_value=Decimal("5200000"),
    )
    ContractMeasure.objects.create(
        contract=contract, code="seen_reach", target=0.99, tolerance=0.01
    )
    ContractMeasure.objects.create(
        contract=contract, code="greatest_need_gap", target=0.0, tolerance=1.0, position=1
    )
    provider_manager = make_user(Role.PROVIDER_MANAGER, username="pat-provider")
    contract.provider_managers.add(provider_manager)
    commissioner = make_user(Role.PLANNER, username="cora-commissioner")
    drafted = return_draft(user=None, contract=contract, quarter_end=date(2026, 6, 30))

    # The provider's manager: landing page, contracts, the contract, the drafted return.
    sign_in(page, provider_manager)
    expect(page).to_have_url(re.compile(r"/staff/$"))
    assert axe(page) == []
    page.get_by_role("link", name="Contracts").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts")
    assert axe(page) == []
    page.get_by_role("link", name="Early childhood service").click()
    assert axe(page) == []
    page.get_by_role("link", name=re.compile(r"^1 April 2026 to 30 June 2026")).click()
    expect(page.get_by_test_id("return-status")).to_have_text("Draft")
    expect(page.locator('[data-rating="seen_reach"]')).to_have_text("Red")
    assert axe(page) == []
    name, content = _download(page, "Download as PDF")
    assert name == f"return-{contract.pk}-2026-06-30.pdf"
    assert "DRAFT" in _pdf_text(content)
    # Submitting with the red measure unexplained is refused, saying which.
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-error-summary, .govuk-notification-banner").first).to_contain_text(
        "Explain these measures"
    )
    assert axe(page) == []
    page.get_by_role("button", name="Add narrative and explanations").click()
    assert axe(page) == []
    page.get_by_label("Narrative for the quarter").fill("Sessions restarted in every district.")
    page.get_by_label(re.compile(r"Explanation: Seen reach")).fill("Two vacancies in outreach.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_test_id("return-status")).to_have_text("Submitted")
    assert axe(page) == []
    _sign_out(page)

    # The commissioner: agrees each measure, then signs the return off.
    sign_in(page, commissioner)
    page.get_by_role("link", name="Contracts").first.click()
    page.get_by_role("link", name="Early childhood service").click()
    page.get_by_role("link", name=re.compile(r"^1 April 2026 to 30 June 2026")).click()
    expect(page.get_by_text("Two vacancies in outreach.")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Agree Seen reach").click()
    page.get_by_role("button", name="Agree Greatest-need gap").click()
    page.get_by_role("button", name="Sign off the return").click()
    expect(page.get_by_test_id("return-status")).to_have_text("Signed off")
    assert axe(page) == []
    drafted.refresh_from_db()
    assert drafted.status == ReturnStatus.SIGNED_OFF
    # Signed off: no buttons to change it are offered.
    expect(page.get_by_role("button", name="Submit the return")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign off the return")).to_have_count(0)
    _sign_out(page)

    # The provider's manager again: the signed-off return, downloaded as PDF and ODS.
    sign_in(page, provider_manager)
    page.get_by_role("link", name="Contracts").first.click()
    page.get_by_role("link", name="Early childhood service").click()
    page.get_by_role("link", name=re.compile(r"^1 April 2026 to 30 June 2026")).click()
    expect(page.get_by_test_id("return-status")).to_have_text("Signed off")
    assert axe(page) == []
    seen = drafted.measures.get(code="seen_reach").text
    name, content = _download(page, "Download as PDF")
    assert name.endswith(".pdf")
    text = _pdf_text(content)
    assert "DRAFT" not in text
    assert seen in text
    assert "Two vacancies in outreach." in text
    name, content = _download(page, "Download as an OpenDocument spreadsheet (ODS)")
    assert name == f"return-{contract.pk}-2026-06-30.ods"
    cells = [str(cell) for cell in load(io.BytesIO(content)).getElementsByType(TableCell)]
    assert seen in cells
    assert "Signed off" in cells
