"""The analysis: every count recomputed here from the raw responses, online and paper together."""

import csv
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from familyreach.accounts.models import User
from familyreach.consult import selectors, services
from familyreach.consult.exports import export_csv, safe_cell
from familyreach.consult.models import (
    Answer,
    Channel,
    Consultation,
    QuestionKind,
    Response,
    ResponseState,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_responses(
    consultation: Consultation,
    respond: Callable[..., Response],
    planner: User,
    consult_places: dict[str, Any],
) -> list[Response]:
    """Online and paper responses from a deprived and an affluent area, and from nowhere."""
    deprived, affluent = "NR30 1NE", "NR14 8AB"
    plan = [
        {
            "postcode": deprived,
            "preferred": "7 bases",
            "agree": "agree",
            "used": ["Library sessions"],
        },
        {"postcode": deprived, "preferred": "15 bases", "agree": "strongly_disagree"},
        {
            "postcode": deprived,
            "preferred": "15 bases",
            "respondent_type": "professional",
            "used": ["Children's centre", "Health visitor"],
            "paper_by": planner,
        },
        {"postcode": affluent, "preferred": "7 bases", "agree": "agree", "paper_by": planner},
        {
            "postcode": affluent,
            "preferred": "7 bases",
            "respondent_type": "organisation",
            "used": ["Health visitor"],
            "text": "We run a playgroup: the bus is the problem.",
        },
        {"postcode": "", "preferred": "15 bases", "agree": "neither", "paper_by": planner},
        {"postcode": "IP1 1AA", "preferred": "7 bases"},
    ]
    responses = [
        respond(consultation, source_address=f"198.51.100.{index}", **spec)
        for index, spec in enumerate(plan)
    ]
    # A draft is not a response: it must not be counted anywhere.
    services.response_save_draft(
        consultation=consultation,
        data=services.ResponseData(respondent_type="parent", postcode=deprived),
    )
    return responses


def _raw_values(response: Response, kind: str) -> list[str]:
    return [
        value
        for answer in Answer.objects.filter(response=response, question__kind=kind)
        for value in answer.values
    ]


def test_counts_match_the_raw_responses(
    consultation: Consultation, mixed_responses: list[Response]
) -> None:
    analysis = selectors.analysis_build(consultation=consultation)
    raw = list(Response.objects.filter(consultation=consultation, state=ResponseState.SUBMITTED))
    assert analysis.total == len(raw) == 7
    assert analysis.online == sum(r.channel == Channel.ONLINE for r in raw) == 4
    assert analysis.paper == sum(r.channel == Channel.PAPER for r in raw) == 3

    tables = {table.key: dict(table.rows) for table in analysis.respondent_tables}
    expected_district = Counter(r.district.name if r.district else "Not known" for r in raw)
    assert tables["by-district"] == dict(expected_district)
    assert tables["by-district"] == {"Great Yarmouth": 3, "South Norfolk": 2, "Not known": 2}
    expected_decile = Counter(str(r.imd_decile) if r.imd_decile else "Not known" for r in raw)
    assert tables["by-imd-decile"] == dict(expected_decile)
    assert tables["by-imd-decile"] == {"1": 3, "9": 2, "Not known": 2}
    expected_type = Counter(r.get_respondent_type_display() for r in raw)
    assert tables["by-respondent-type"] == dict(expected_type)
    assert tables["by-channel"] == {"Online": 4, "Paper": 3}

    for question, table in analysis.question_tables:
        counts = Counter(
            value
            for r in raw
            for answer in Answer.objects.filter(response=r, question=question)
            for value in answer.values
        )
        not_answered = sum(
            1 for r in raw if not Answer.objects.filter(response=r, question=question).exists()
        )
        labels = dict(question.choice_pairs())
        expected = {labels[value]: count for value, count in counts.items()}
        shown = dict(table.rows)
        assert shown.pop("Not answered") == not_answered
        assert {label: count for label, count in shown.items() if count} == expected
    preferred = dict(
        next(t for q, t in analysis.question_tables if q.kind == QuestionKind.SINGLE_CHOICE).rows
    )
    assert preferred == {"7 bases": 4, "15 bases": 3, "Not answered": 0}


def test_cross_table_by_deprivation_counts_paper_and_online_together(
    consultation: Consultation, mixed_responses: list[Response]
) -> None:
    question = consultation.questions.get(kind=QuestionKind.SINGLE_CHOICE)
    responses = selectors.responses_for_analysis(consultation=consultation)
    table = selectors.question_cross_table(question, responses, "imd_decile")
    rows = {label: counts for label, counts, _total in table.rows}
    assert table.columns == ["7 bases", "15 bases", "Not answered"]
    expected: dict[str, Counter[str]] = {}
    for response in Response.objects.filter(consultation=consultation, state="submitted"):
        key = str(response.imd_decile) if response.imd_decile else "Not known"
        expected.setdefault(key, Counter()).update(_raw_values(response, "single_choice"))
    for label, counter in expected.items():
        assert rows[label][:2] == [counter["7 bases"], counter["15 bases"]]
    assert rows["1"] == [1, 2, 0]  # one online and one paper response chose 15 bases


def test_flagged_responses_can_be_left_out_but_are_counted_by_default(
    consultation: Consultation,
    mixed_responses: list[Response],
    settings: Any,
    respond: Callable[..., Response],
) -> None:
    settings.CONSULT_RATE_LIMIT_COUNT = 1
    respond(consultation, source_address="198.51.100.0")  # second from the first's source
    counted = selectors.analysis_build(consultation=consultation)
    left_out = selectors.analysis_build(consultation=consultation, exclude_flagged=True)
    assert counted.total == 8
    assert counted.flagged == 1
    assert left_out.total == 7


def test_theme_counts_count_each_response_once_per_code(
    consultation: Consultation, mixed_responses: list[Response], planner: User
) -> None:
    code = services.code_create(
        consultation=consultation, theme="Travel", name="Buses", keywords="bus", user=planner
    )
    answer = Answer.objects.get(question__kind=QuestionKind.FREE_TEXT)
    assert selectors.suggested_codes(answer, [code]) == [code]
    services.answer_code_add(answer=answer, code=code, user=planner)
    services.answer_code_add(answer=answer, code=code, user=planner)  # twice is still once
    assert selectors.suggested_codes(answer, [code]) == []
    analysis = selectors.analysis_build(consultation=consultation)
    assert dict(analysis.theme_tables[0].rows) == {"Travel: Buses": 1}


def test_analysis_reads_a_fixed_number_of_queries(
    consultation: Consultation,
    mixed_responses: list[Response],
    respond: Callable[..., Response],
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(6):
        selectors.analysis_build(consultation=consultation)
    for _ in range(5):
        respond(consultation, text="More to say about the buses here.", used=["Health visitor"])
    with django_assert_num_queries(6):
        selectors.analysis_build(consultation=consultation)


def test_csv_export_has_no_postcodes_or_equality_and_neutralises_formulas(
    consultation: Consultation, respond: Callable[..., Response], consult_places: dict[str, Any]
) -> None:
    respond(
        consultation,
        postcode="NR30 1NE",
        text='=HYPERLINK("http://example.com")',
        equality={"age_band": "25_34"},
    )
    content = export_csv(consultation)
    rows = list(csv.reader(io.StringIO(content)))
    header, row = rows[0], rows[1]
    assert "NR30" not in content
    assert not any("age" in column.lower() for column in header)
    record = dict(zip(header, row, strict=True))
    assert record["District"] == "Great Yarmouth"
    assert record["Area code (LSOA 2011)"] == "E01099001"
    assert record["IMD decile of area (1 = most deprived 10%)"] == "1"
    assert record["How would the proposals affect you?"].startswith("'=HYPERLINK")
    assert safe_cell("+1") == "'+1"
    assert safe_cell("plain") == "plain"


def test_excel_export_opens_with_responses_and_counts(
    client: Client, consultation: Consultation, mixed_responses: list[Response], manager: User
) -> None:
    client.force_login(manager)
    download = client.get(f"/staff/consultations/{consultation.slug}/export.xlsx")
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(download.content))
    assert workbook.sheetnames == ["Responses", "Counts"]
    assert workbook["Responses"].max_row == 1 + len(mixed_responses)
    counts = [row for row in workbook["Counts"].iter_rows(values_only=True) if row and row[0]]
    assert ("Paper", 3) in counts
    assert ("Online", 4) in counts


def test_analysis_and_report_pages_show_tables_for_charts(
    client: Client, consultation: Consultation, mixed_responses: list[Response], planner: User
) -> None:
    client.force_login(planner)
    page = client.get(f"/staff/consultations/{consultation.slug}/?by=imd_decile")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="by-district"' in html
    assert 'data-testid="table-by-district"' in html
    assert "<script>" not in html.replace("<script type", "").replace("<script src", "")
    data = client.get(f"/staff/consultations/{consultation.slug}/charts.json").json()
    by_channel = next(chart for chart in data["charts"] if chart["id"] == "by-channel")
    assert dict(zip(by_channel["labels"], by_channel["values"], strict=True)) == {
        "Online": 4,
        "Paper": 3,
    }
    report = client.get(f"/staff/consultations/{consultation.slug}/report").content.decode()
    assert "Answers by deprivation of the respondent’s area" in report
    assert "NR30" not in report
    assert "NR14" not in report
