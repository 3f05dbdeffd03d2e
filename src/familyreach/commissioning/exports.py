"""A return as rows: the CSV and the workbook show the same rows as the page."""

from typing import Any

from openpyxl import Workbook

from familyreach.commissioning import measures
from familyreach.commissioning.models import Contract, QuarterlyReturn

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
