"""A return as rows: the CSV and the workbooks show the same rows as the page.

Two layouts. The CSV and the Excel workbook list each measure's headline and districts in one
table (as they always have). The PDF and the ODS workbook follow the layout commissioners use
(decision 0020): a section (sheet) of measures, one row each with target, RAG rating, figure,
the trend over the previous three quarters and the provider's words, then the narrative; and a
section (sheet) of the breakdown by district and by deprivation decile. A return not yet signed
off is marked DRAFT in the title and on every page or sheet.
"""

import io
from typing import Any

from fpdf import FPDF
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import Workbook

from familyreach.commissioning import measures
from familyreach.commissioning.models import Contract, QuarterlyReturn, ReturnMeasure, ReturnStatus

HEADINGS = (
    "Measure",
    "Scope",
    "Value",
    "Target",
    "Amber within",
    "Rating",
    "Provider's explanation",
    "Commissioner",
    "Commissioner's comment",
)


def contract_measures(contract: Contract) -> list[dict[str, Any]]:
    rows = []
    for item in contract.measures.all():
        definition = measures.BY_CODE[item.code]
        rows.append(
            {
                "title": definition.title,
                "definition": definition.definition,
                "target": definition.show(item.target),
                "tolerance": definition.show(item.tolerance),
                "direction": "higher is better"
                if definition.higher_is_better
                else "lower is better",
            }
        )
    return rows


def filename(quarterly_return: QuarterlyReturn, extension: str) -> str:
    return f"return-{quarterly_return.contract_id}-{quarterly_return.quarter_end.isoformat()}.{extension}"


def return_rows(quarterly_return: QuarterlyReturn) -> list[list[Any]]:
    """The headline and every district of every measure, as the page shows them ("[c]" where
    suppressed), after a heading block naming the contract, the quarter and its status."""
    contract = quarterly_return.contract
    rows: list[list[Any]] = [
        ["Contract", contract.name],
        ["Provider", contract.provider.name],
        ["Quarter", quarterly_return.label],
        ["Figures as at", quarterly_return.figures_as_of.isoformat()],
        ["Status", quarterly_return.get_status_display()],
        *([note] for note in quarterly_return.notes),
        [],
        list(HEADINGS),
    ]
    for measure in quarterly_return.measures.all():
        definition = measures.BY_CODE.get(measure.code)
        tolerance = definition.show(measure.tolerance) if definition else measure.tolerance
        rows.append(
            [
                measure.title,
                "Contract area",
                measure.text,
                measure.target_text,
                tolerance,
                measure.get_rating_display(),
                measure.explanation,
                measure.get_review_display() if measure.review else "",
                measure.review_comment,
            ]
        )
        for part in measure.by_district:
            rows.append([measure.title, part["district"], part["text"], "", "", "", "", "", ""])
    rows.extend([[], ["Narrative", quarterly_return.narrative]])
    if quarterly_return.case_studies:
        rows.append(["Case studies (with consent)", quarterly_return.case_studies])
    return rows


def fill_workbook(workbook: Workbook, quarterly_return: QuarterlyReturn) -> None:
    """One sheet of measures (headline and districts, as commissioners lay a return out) and one
    of the return's steps."""
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Return"
    for row in return_rows(quarterly_return):
        sheet.append(row)
    steps = workbook.create_sheet("Steps")
    steps.append(["When", "Who", "What", "Comment"])
    for event in quarterly_return.events.all():
        steps.append([event.at.isoformat(), str(event.by or ""), event.action, event.comment])


# --- The commissioners' layout: PDF and ODS ---------------------------------------------------

MEASURE_HEADINGS = (
    "Measure",
    "Target",
    "Amber within",
    "RAG",
    "Figure",
    "Trend (previous three quarters, oldest first)",
    "Provider's explanation",
    "Commissioner",
)
BREAKDOWN_HEADINGS = ("Measure", "Breakdown", "Group", "Figure")


def is_draft(quarterly_return: QuarterlyReturn) -> bool:
    return quarterly_return.status != ReturnStatus.SIGNED_OFF


def title(quarterly_return: QuarterlyReturn) -> str:
    draft = "DRAFT (not signed off): " if is_draft(quarterly_return) else ""
    return f"{draft}Quarterly return, {quarterly_return.label}"


def trend_words(measure: ReturnMeasure) -> str:
    """The direction since the last quarter in words (the trend is text, not a picture, so a
    screen reader and a printout say the same)."""
    if not measure.trend:
        return ""
    last = measure.trend[-1].get("value")
    if last is None or measure.value is None:
        return ""
    if abs(measure.value - last) < 1e-9:
        return "the same as last quarter"
    return "higher than last quarter" if measure.value > last else "lower than last quarter"


def trend_text(measure: ReturnMeasure) -> str:
    points = [f"{point['label']}: {point['text']}" for point in measure.trend]
    words = trend_words(measure)
    return "; ".join(points) + (f" ({words})" if words else "")


def heading_rows(quarterly_return: QuarterlyReturn) -> list[list[str]]:
    contract = quarterly_return.contract
    return [
        [title(quarterly_return)],
        ["Contract", contract.name],
        ["Provider", contract.provider.name],
        ["Quarter", quarterly_return.label],
        ["Figures as at", quarterly_return.figures_as_of.strftime("%-d %B %Y")],
        ["Status", quarterly_return.get_status_display()],
        *([str(note)] for note in quarterly_return.notes),
        ["[c] = confidential: a small number, hidden as on every page."],
    ]


def measure_table(quarterly_return: QuarterlyReturn) -> list[list[str]]:
    rows = [list(MEASURE_HEADINGS)]
    for measure in quarterly_return.measures.all():
        definition = measures.BY_CODE.get(measure.code)
        review = measure.get_review_display() if measure.review else ""
        if measure.review_comment:
            review = f"{review}: {measure.review_comment}"
        rows.append(
            [
                measure.title,
                measure.target_text,
                definition.show(measure.tolerance) if definition else str(measure.tolerance),
                measure.get_rating_display(),
                measure.text,
                trend_text(measure),
                measure.explanation,
                review,
            ]
        )
    return rows


def narrative_rows(quarterly_return: QuarterlyReturn) -> list[list[str]]:
    rows = [["Narrative", quarterly_return.narrative or "None."]]
    if quarterly_return.case_studies:
        rows.append(["Case studies (with consent)", quarterly_return.case_studies])
    return rows


def breakdown_table(quarterly_return: QuarterlyReturn) -> list[list[str]]:
    rows = [list(BREAKDOWN_HEADINGS)]
    for measure in quarterly_return.measures.all():
        rows.append([measure.title, "Contract area", "All", measure.text])
        for part in measure.by_district:
            rows.append([measure.title, "District", part["district"], part["text"]])
        for part in measure.by_decile:
            rows.append([measure.title, "Deprivation decile", part["decile"], part["text"]])
    return rows


def _row(cells: list[str]) -> TableRow:
    row = TableRow()
    for value in cells:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=str(value)))
        row.addElement(cell)
    return row


def return_ods(quarterly_return: QuarterlyReturn) -> bytes:
    """The workbook: "Measures" (heading, one row per measure, narrative) and "Breakdown"."""
    document = OpenDocumentSpreadsheet()
    sheet = Table(name="Measures")
    for cells in [
        *heading_rows(quarterly_return),
        [],
        *measure_table(quarterly_return),
        [],
        *narrative_rows(quarterly_return),
    ]:
        sheet.addElement(_row(cells))
    document.spreadsheet.addElement(sheet)
    breakdown = Table(name="Breakdown")
    for cells in [[title(quarterly_return)], *breakdown_table(quarterly_return)]:
        breakdown.addElement(_row(cells))
    document.spreadsheet.addElement(breakdown)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


# The PDF's built-in font (Helvetica) has Latin-1 only; these are the other characters the
# return's own words use. Shipping a Unicode font file would lift this (decision 0020).
_LATIN = str.maketrans(
    {"–": "-", "—": "-", "÷": "/", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "≥": ">="}
)


def _latin(text: str) -> str:
    return text.translate(_LATIN).encode("latin-1", "replace").decode("latin-1")


class _ReturnPDF(FPDF):
    def __init__(self, banner: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.banner = banner

    def header(self) -> None:
        self.set_font("helvetica", "B", 9)
        self.cell(0, 6, _latin(self.banner), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 6, f"Page {self.page_no()}", align="C")


def _pdf_table(pdf: FPDF, rows: list[list[str]], widths: tuple[int, ...]) -> None:
    pdf.set_font("helvetica", size=8)
    with pdf.table(col_widths=widths, text_align="LEFT", first_row_as_headings=True) as table:
        for cells in rows:
            row = table.row()
            for value in cells:
                row.cell(_latin(str(value)))


def return_pdf(quarterly_return: QuarterlyReturn) -> bytes:
    """Section 1: the heading, every measure and the narrative; section 2: the breakdown by
    district and decile. Every page's header says DRAFT until the return is signed off."""
    banner = f"{quarterly_return.contract.name}: {title(quarterly_return)}"
    pdf = _ReturnPDF(banner)
    pdf.set_title(_latin(title(quarterly_return)))
    pdf.set_author(_latin(quarterly_return.contract.provider.name))
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin(title(quarterly_return)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    for cells in heading_rows(quarterly_return)[1:]:
        pdf.multi_cell(0, 6, _latin(": ".join(cells)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 13)
    pdf.cell(0, 8, "1. Measures", new_x="LMARGIN", new_y="NEXT")
    _pdf_table(pdf, measure_table(quarterly_return), (40, 18, 18, 16, 18, 60, 50, 40))
    pdf.ln(3)
    for label, text in narrative_rows(quarterly_return):
        pdf.set_font("helvetica", "B", 11)
        pdf.cell(0, 7, _latin(label), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(0, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 13)
    pdf.cell(0, 8, "2. By district and deprivation decile", new_x="LMARGIN", new_y="NEXT")
    _pdf_table(pdf, breakdown_table(quarterly_return), (80, 50, 80, 40))
    return bytes(pdf.output())
