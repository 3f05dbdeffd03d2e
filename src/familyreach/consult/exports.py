"""Exports of responses for analysis elsewhere: CSV and Excel.

One row per submitted response. Never in an export: the postcode (only the district, the small
area and its deprivation decile), the sender's address hash, or equality monitoring (which is
kept apart and only counted). Cells that a spreadsheet would run as a formula are neutralised.
"""

import csv
import io
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from familyreach.consult.models import AnswerCode, Consultation, Question, QuestionKind
from familyreach.consult.selectors import (
    Analysis,
    ResponseRow,
    questions_for,
    responses_for_analysis,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text beginning like a formula gets a leading apostrophe (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_header(questions: list[Question]) -> list[str]:
    return [
        "Reference",
        "Channel",
        "Submitted (Europe/London)",
        "Paper received on",
        "Respondent type",
        "District",
        "Area code (LSOA 2011)",
        "IMD decile of area (1 = most deprived 10%)",
        "Agreed to publication",
        "Agreed to be quoted",
        "Flags",
        "Simulated",
        *[question.text for question in questions if _exported(question)],
        "Codes",
    ]


def _exported(question: Question) -> bool:
    return question.kind not in (QuestionKind.POSTCODE, QuestionKind.RESPONDENT_TYPE)


def export_rows(consultation: Consultation) -> tuple[list[str], list[list[Any]]]:
    questions = questions_for(consultation)
    responses = responses_for_analysis(consultation=consultation)
    codes = _codes_by_response(consultation)
    rows = [_row(response, questions, codes.get(response.pk, [])) for response in responses]
    return export_header(questions), rows


def _codes_by_response(consultation: Consultation) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for response_id, theme, name in AnswerCode.objects.filter(
        code__consultation=consultation
    ).values_list("answer__response_id", "code__theme", "code__name"):
        result.setdefault(response_id, []).append(f"{theme}: {name}")
    return result


def _row(response: ResponseRow, questions: list[Question], codes: list[str]) -> list[Any]:
    cells: list[Any] = [
        response.reference,
        response.channel_label,
        timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M")
        if response.submitted_at
        else "",
        response.received_on.isoformat() if response.received_on else "",
        response.respondent_type_label,
        response.district_name,
        response.area_code,
        response.imd_decile or "",
        "yes" if response.consent_to_publish else "no",
        "yes" if response.consent_to_quote else "no",
        "; ".join(response.flags),
        "yes" if response.is_simulated else "no",
    ]
    for question in questions:
        if not _exported(question):
            continue
        if question.kind == QuestionKind.FREE_TEXT:
            cells.append(response.texts.get(question.pk, ""))
        else:
            labels = dict(question.choice_pairs())
            values = response.answers.get(question.pk, [])
            cells.append("; ".join(labels.get(value, value) for value in values))
    cells.append("; ".join(sorted(codes)))
    return [safe_cell(cell) for cell in cells]


def export_csv(consultation: Consultation) -> str:
    header, rows = export_rows(consultation)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def export_xlsx(consultation: Consultation, analysis: Analysis) -> bytes:
    header, rows = export_rows(consultation)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Responses"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    counts = workbook.create_sheet("Counts")
    counts.append([f"{consultation.title}: counts of {analysis.total} responses"])
    if analysis.simulated:
        counts.append([f"{analysis.simulated} of these responses are SIMULATED demo data."])
    for table in analysis.respondent_tables + [t for _q, t in analysis.question_tables]:
        counts.append([])
        counts.append([safe_cell(table.title), "Count"])
        for label, count in table.rows:
            counts.append([safe_cell(label), count])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
