"""The PDF and ODS exports of a return, read back with their own libraries (pypdf, odfpy): each
holds the measures' figures, trends and the breakdown by district and decile, and a return not
yet signed off is marked DRAFT."""

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from pypdf import PdfReader

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning.models import (
    Contract,
    QuarterlyReturn,
    ReturnMeasure,
    ReturnStatus,
)
from familyreach.directory import services as directory_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_return(make_user: Callable[..., User]) -> tuple[QuarterlyReturn, User]:
    provider = directory_services.organization_upsert(
        source="test", source_reference="export-provider", name="Home-Start (test)", description="."
    )
    manager = make_user(Role.PROVIDER_MANAGER, username="pat-exports")
    contract = Contract.objects.create(
        name="Early childhood service",
        provider=provider,
        starts_on=date(2025, 4, 1),
        ends_on=date(2028, 3, 31),
        annual_value=Decimal("5200000"),
    )
    contract.provider_managers.add(manager)
    drafted = QuarterlyReturn.objects.create(
        contract=contract,
        quarter_start=date(2026, 4, 1),
        quarter_end=date(2026, 6, 30),
        figures_as_of=date(2026, 6, 30),
        narrative="Outreach at Acle library doubled.",
    )
    ReturnMeasure.objects.create(
        quarterly_return=drafted,
        code="seen_reach",
        title="Seen reach",
        definition="Families seen ÷ under-fives.",
        value=0.571,
        text="57.1 %",
        target=0.6,
        target_text="60.0 %",
        tolerance=0.05,
        rating="amber",
        explanation="Two venues closed for repairs – back in July.",
        by_district=[
            {"district": "Broadland", "code": "E07000144", "value": 0.6, "text": "60.0 %"}
        ],
        by_decile=[
            {"decile": "IDACI decile 1", "value": 0.48, "text": "48.0 %"},
            {"decile": "IDACI decile 2", "value": None, "text": "[c]"},
        ],
        trend=[
            {
                "quarter_end": "2025-09-30",
                "label": "July to September 2025",
                "value": 0.52,
                "text": "52.0 %",
            },
            {
                "quarter_end": "2025-12-31",
                "label": "October to December 2025",
                "value": 0.54,
                "text": "54.0 %",
            },
            {
                "quarter_end": "2026-03-31",
                "label": "January to March 2026",
                "value": 0.55,
                "text": "55.0 %",
            },
        ],
    )
    return drafted, manager


def _ods_rows(content: bytes) -> dict[str, list[list[str]]]:
    document = load(io.BytesIO(content))
    sheets = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            rows.append([str(cell) for cell in row.getElementsByType(TableCell)])
        sheets[str(table.getAttribute("name"))] = rows
    return sheets


def test_ods_and_pdf_hold_the_figures_and_say_draft_until_signed_off(
    a_return: tuple[QuarterlyReturn, User], signed_in: Callable[[User], Client]
) -> None:
    drafted, manager = a_return
    client = signed_in(manager)

    ods = client.get(reverse("commissioning:return-ods", args=[drafted.pk]))
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert "return-" in ods["Content-Disposition"]
    assert ".ods" in ods["Content-Disposition"]
    sheets = _ods_rows(ods.content)
    assert list(sheets) == ["Measures", "Breakdown"]
    assert sheets["Measures"][0][0].startswith("DRAFT")
    measure_row = next(row for row in sheets["Measures"] if row[:1] == ["Seen reach"])
    assert measure_row[1:5] == ["60.0 %", "5.0 %", "Amber", "57.1 %"]
    assert "January to March 2026: 55.0 %" in measure_row[5]
    assert "higher than last quarter" in measure_row[5]
    assert ["Narrative", "Outreach at Acle library doubled."] in sheets["Measures"]
    assert ["Seen reach", "District", "Broadland", "60.0 %"] in sheets["Breakdown"]
    assert ["Seen reach", "Deprivation decile", "IDACI decile 1", "48.0 %"] in sheets["Breakdown"]
    assert ["Seen reach", "Deprivation decile", "IDACI decile 2", "[c]"] in sheets["Breakdown"]

    pdf = client.get(reverse("commissioning:return-pdf", args=[drafted.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 2
    first, second = (" ".join(page.extract_text().split()) for page in reader.pages)
    assert "DRAFT" in first
    assert "DRAFT" in second
    assert "57.1 %" in first
    assert "Amber" in first
    assert "55.0 %" in first  # the trend
    assert "back in July" in first  # the explanation, its dash made plain for the PDF font
    assert "48.0 %" in second
    assert "Broadland" in second
    assert "[c]" in second

    # Signed off: no DRAFT mark anywhere.
    QuarterlyReturn.objects.filter(pk=drafted.pk).update(status=ReturnStatus.SIGNED_OFF)
    sheets = _ods_rows(client.get(reverse("commissioning:return-ods", args=[drafted.pk])).content)
    assert not any("DRAFT" in cell for rows in sheets.values() for row in rows for cell in row)
    pdf = client.get(reverse("commissioning:return-pdf", args=[drafted.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "DRAFT" not in text
    assert "57.1 %" in text


def test_another_providers_manager_cannot_download(
    a_return: tuple[QuarterlyReturn, User],
    signed_in: Callable[[User], Client],
    make_user: Callable[..., User],
) -> None:
    drafted, _ = a_return
    stranger = signed_in(make_user(Role.PROVIDER_MANAGER, username="other-provider"))
    for name in ("commissioning:return-ods", "commissioning:return-pdf"):
        assert stranger.get(reverse(name, args=[drafted.pk])).status_code == 404
