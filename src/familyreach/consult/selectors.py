"""Reads for consultations: public pages, and the counts and tables of the analysis.

The analysis counts submitted responses only (drafts are not responses), online and paper
together. Flagged responses are counted unless the analyst chooses to leave them out: flags
mark responses to look at, they are not a verdict.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from familyreach.consult.equality import EQUALITY_QUESTIONS
from familyreach.consult.models import (
    Answer,
    AnswerCode,
    Channel,
    Code,
    Consultation,
    ConsultationOption,
    ConsultationStatus,
    EqualityMonitoring,
    FlagKind,
    Moderation,
    Question,
    QuestionKind,
    Quote,
    RespondentType,
    Response,
    ResponseFlag,
    ResponseState,
)
from familyreach.planning.models import ScenarioRun
from familyreach.planning.outputs import measure_rows
from familyreach.planning.selectors import latest_finished_runs, run_sites

ANALYSE_PERMISSION = "consult.analyse_consultation"
NOT_KNOWN = "Not known"
NOT_ANSWERED = "Not answered"
# Equality counts smaller than this are shown as "fewer than 5" so nobody can be singled out.
EQUALITY_SMALL_NUMBER = 5

DIMENSIONS = {
    "district": "District",
    "imd_decile": "Deprivation of the area (IMD decile, 1 = most deprived 10%)",
    "respondent_type": "Respondent type",
    "channel": "Channel (online or paper)",
}


def consultation_list_public() -> QuerySet[Consultation]:
    return Consultation.objects.filter(
        status__in=[ConsultationStatus.PUBLISHED, ConsultationStatus.DECIDED]
    ).order_by("-opens_at")


def consultation_get_public(*, slug: str) -> Consultation:
    consultation = consultation_list_public().filter(slug=slug).prefetch_related("options").first()
    if consultation is None:
        raise Http404("No such consultation")
    return consultation


@dataclass
class OptionResults:
    """What the public sees of an option's planning scenario: its latest finished run's
    headline measures, its bases and outreach venues, and a map (GeoJSON) of the same."""

    option: ConsultationOption
    run: ScenarioRun | None
    measures: list[dict[str, Any]] = field(default_factory=list)
    sites: list[dict[str, Any]] = field(default_factory=list)

    @property
    def caveats(self) -> str:
        return self.option.scenario.caveats if self.option.scenario else ""


def option_results(*, consultation: Consultation) -> list[OptionResults]:
    options = list(consultation.options.select_related("scenario").order_by("position", "id"))
    scenarios = [option.scenario for option in options if option.scenario is not None]
    runs = latest_finished_runs(scenarios) if scenarios else {}
    results = []
    for option in options:
        run = runs.get(option.scenario_id) if option.scenario_id else None
        results.append(
            OptionResults(
                option=option,
                run=run,
                measures=measure_rows(run) if run else [],
                sites=run_sites(run) if run else [],
            )
        )
    return results


def option_run_for_public(*, consultation: Consultation, option_id: int) -> ScenarioRun:
    option = consultation.options.select_related("scenario").filter(pk=option_id).first()
    if option is None or option.scenario is None:
        raise Http404("No map for this option")
    run = latest_finished_runs([option.scenario]).get(option.scenario.pk)
    if run is None:
        raise Http404("No map for this option yet")
    return run


def consultation_get_for_analyst(*, user: Any, slug: str) -> Consultation:
    """Fetch-and-authorise: managers and planners (the analyse permission) only."""
    if not user.is_authenticated or not user.has_perm(ANALYSE_PERMISSION):
        raise PermissionDenied
    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None:
        raise Http404("No such consultation")
    return consultation


def consultation_list_for_analyst(*, user: Any) -> QuerySet[Consultation]:
    if not user.is_authenticated or not user.has_perm(ANALYSE_PERMISSION):
        raise PermissionDenied
    return Consultation.objects.annotate(
        submitted_count=Count("responses", filter=_submitted_filter())
    ).order_by("-opens_at")


def _submitted_filter() -> Q:
    return Q(responses__state=ResponseState.SUBMITTED)


def draft_for_session(*, consultation: Consultation, response_id: int) -> Response | None:
    """The unsent response a respondent's session points at; None once it has been sent (or
    deleted), so a session can never reopen a submitted response."""
    return (
        Response.objects.filter(
            pk=response_id, consultation=consultation, state=ResponseState.DRAFT
        )
        .prefetch_related("answers")
        .first()
    )


def questions_for(consultation: Consultation) -> list[Question]:
    return list(consultation.questions.select_related("option").order_by("position", "id"))


@dataclass
class ResponseRow:
    """A submitted response as the analysis reads it: plain values, no model instances, so
    thousands of responses are counted quickly. `answers` maps question id to the values
    chosen; `texts` question id to free text; `flags` the uncleared flag kinds."""

    pk: int
    reference: str
    channel: str
    respondent_type: str
    district_name: str
    area_code: str
    imd_decile: int | None
    submitted_at: Any
    received_on: Any
    consent_to_publish: bool
    consent_to_quote: bool
    is_simulated: bool
    answers: dict[int, list[str]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def respondent_type_label(self) -> str:
        return str(RespondentType(self.respondent_type).label) if self.respondent_type else ""


def responses_for_analysis(
    *, consultation: Consultation, exclude_flagged: bool = False
) -> list[ResponseRow]:
    submitted = Response.objects.filter(consultation=consultation, state=ResponseState.SUBMITTED)
    rows: dict[int, ResponseRow] = {}
    for values in submitted.order_by("submitted_at", "id").values_list(
        "pk",
        "reference",
        "channel",
        "respondent_type",
        "district__name",
        "area__code",
        "imd_decile",
        "submitted_at",
        "received_on",
        "consent_to_publish",
        "consent_to_quote",
        "is_simulated",
    ):
        row = ResponseRow(*values)
        row.district_name = row.district_name or ""
        row.area_code = row.area_code or ""
        rows[row.pk] = row
    for response_id, question_id, choice, choices, text in Answer.objects.filter(
        response__in=submitted
    ).values_list("response_id", "question_id", "choice", "choices", "text"):
        owner = rows.get(response_id)
        if owner is None:
            continue
        chosen = [str(value) for value in choices] if choices else ([choice] if choice else [])
        if chosen:
            owner.answers[question_id] = chosen
        if text:
            owner.texts[question_id] = text
    for response_id, kind in ResponseFlag.objects.filter(
        response__in=submitted, cleared=False
    ).values_list("response_id", "kind"):
        if response_id in rows:
            rows[response_id].flags.append(str(FlagKind(kind).label))
    result = list(rows.values())
    if exclude_flagged:
        result = [row for row in result if not row.flags]
    return result


def dimension_value(response: ResponseRow, dimension: str) -> str:
    if dimension == "district":
        return response.district_name or NOT_KNOWN
    if dimension == "imd_decile":
        return str(response.imd_decile) if response.imd_decile else NOT_KNOWN
    if dimension == "respondent_type":
        return response.respondent_type_label or NOT_KNOWN
    if dimension == "channel":
        return response.channel_label
    raise ValueError(f"Unknown dimension {dimension}")


def _dimension_order(dimension: str, values: Iterable[str]) -> list[str]:
    present = set(values)
    if dimension == "imd_decile":
        ordered = [str(decile) for decile in range(1, 11) if str(decile) in present]
    elif dimension == "respondent_type":
        ordered = [label for _value, label in RespondentType.choices if label in present]
    elif dimension == "channel":
        ordered = [label for _value, label in Channel.choices]
    else:
        ordered = sorted(value for value in present if value != NOT_KNOWN)
    if NOT_KNOWN in present:
        ordered.append(NOT_KNOWN)
    return ordered


@dataclass
class CountTable:
    """A table of counts, also drawn as a chart. `rows` are (label, count)."""

    key: str
    title: str
    rows: list[tuple[str, int]]
    total: int
    note: str = ""

    def percent(self, count: int) -> str:
        return f"{100 * count / self.total:.0f}%" if self.total else "–"


@dataclass
class CrossTable:
    title: str
    dimension_title: str
    columns: list[str]
    rows: list[tuple[str, list[int], int]]  # (dimension value, counts per column, row total)


@dataclass
class Analysis:
    consultation: Consultation
    total: int
    online: int
    paper: int
    flagged: int
    simulated: int
    respondent_tables: list[CountTable] = field(default_factory=list)
    question_tables: list[tuple[Question, CountTable]] = field(default_factory=list)
    theme_tables: list[CountTable] = field(default_factory=list)

    def chart_data(self) -> list[dict[str, Any]]:
        tables = self.respondent_tables + [table for _q, table in self.question_tables]
        return [
            {
                "id": table.key,
                "title": table.title,
                "labels": [label for label, _count in table.rows],
                "values": [count for _label, count in table.rows],
            }
            for table in tables + self.theme_tables
        ]


def dimension_table(responses: list[ResponseRow], dimension: str) -> CountTable:
    counts = Counter(dimension_value(response, dimension) for response in responses)
    order = _dimension_order(dimension, counts)
    return CountTable(
        key=f"by-{dimension.replace('_', '-')}",
        title=f"Responses by {DIMENSIONS[dimension].lower()}",
        rows=[(label, counts.get(label, 0)) for label in order],
        total=len(responses),
    )


def question_table(question: Question, responses: list[ResponseRow]) -> CountTable:
    """Counts of each answer. For multiple choice a respondent counts once per answer chosen,
    and percentages are of respondents, so they can add up to more than 100%."""
    counts: Counter[str] = Counter()
    not_answered = 0
    for response in responses:
        values = response.answers.get(question.pk, [])
        if not values:
            not_answered += 1
        counts.update(values)
    rows = [(label, counts.get(value, 0)) for value, label in question.choice_pairs()]
    rows.append((NOT_ANSWERED, not_answered))
    note = (
        "Respondents could choose more than one answer; percentages are of all respondents."
        if question.kind == QuestionKind.MULTIPLE_CHOICE
        else ""
    )
    return CountTable(
        key=f"question-{question.pk}",
        title=question.text,
        rows=rows,
        total=len(responses),
        note=note,
    )


def question_cross_table(
    question: Question, responses: list[ResponseRow], dimension: str
) -> CrossTable:
    pairs = question.choice_pairs()
    columns = [label for _value, label in pairs] + [NOT_ANSWERED]
    index = {value: position for position, (value, _label) in enumerate(pairs)}
    by_value: dict[str, list[int]] = {}
    totals: Counter[str] = Counter()
    for response in responses:
        row_label = dimension_value(response, dimension)
        row = by_value.setdefault(row_label, [0] * len(columns))
        totals[row_label] += 1
        values = response.answers.get(question.pk, [])
        if not values:
            row[-1] += 1
        for value in values:
            if value in index:
                row[index[value]] += 1
    return CrossTable(
        title=question.text,
        dimension_title=DIMENSIONS[dimension],
        columns=columns,
        rows=[
            (label, by_value[label], totals[label])
            for label in _dimension_order(dimension, by_value)
        ],
    )


def theme_table(consultation: Consultation, responses: list[ResponseRow]) -> CountTable | None:
    """How many responses mention each code (a response counts once per code)."""
    response_ids = {response.pk for response in responses}
    codings = AnswerCode.objects.filter(code__consultation=consultation).values_list(
        "code__theme", "code__name", "answer__response_id"
    )
    seen: dict[str, set[int]] = {}
    for theme, name, response_id in codings:
        if response_id in response_ids:
            seen.setdefault(f"{theme}: {name}", set()).add(response_id)
    if not seen:
        return None
    rows = sorted(((label, len(ids)) for label, ids in seen.items()), key=lambda row: -row[1])
    return CountTable(
        key="themes",
        title="Free-text answers by theme and code (responses mentioning each)",
        rows=rows,
        total=len(responses),
        note="A response can mention several codes.",
    )


def analysis_build(
    *,
    consultation: Consultation,
    exclude_flagged: bool = False,
    responses: list[ResponseRow] | None = None,
) -> Analysis:
    """Counts for the analysis page, report and exports. Pass `responses` (from
    `responses_for_analysis`) when the caller needs them too, to read them once."""
    if responses is None:
        responses = responses_for_analysis(
            consultation=consultation, exclude_flagged=exclude_flagged
        )
    all_flagged = (
        Response.objects.filter(
            consultation=consultation, state=ResponseState.SUBMITTED, flags__cleared=False
        )
        .distinct()
        .count()
    )
    analysis = Analysis(
        consultation=consultation,
        total=len(responses),
        online=sum(1 for response in responses if response.channel == Channel.ONLINE),
        paper=sum(1 for response in responses if response.channel == Channel.PAPER),
        flagged=all_flagged,
        simulated=sum(1 for response in responses if response.is_simulated),
    )
    analysis.respondent_tables = [dimension_table(responses, dimension) for dimension in DIMENSIONS]
    analysis.question_tables = [
        (question, question_table(question, responses))
        for question in questions_for(consultation)
        if question.is_counted
    ]
    themes = theme_table(consultation, responses)
    if themes is not None:
        analysis.theme_tables = [themes]
    return analysis


def equality_tables(*, consultation: Consultation) -> list[CountTable]:
    """Equality monitoring, counted only, with small numbers suppressed."""
    tables = []
    returns = EqualityMonitoring.objects.filter(consultation=consultation)
    total = returns.count()
    for key, text, choices in EQUALITY_QUESTIONS:
        counts = dict(
            returns.values_list(key).annotate(count=Count("pk")).values_list(key, "count")
        )
        rows = [(label, counts.get(value, 0)) for value, label in choices]
        rows.append((NOT_ANSWERED, counts.get("", 0)))
        tables.append(CountTable(key=f"equality-{key}", title=text, rows=rows, total=total))
    return tables


def free_text_answers(
    *, consultation: Consultation, question: Question, uncoded_only: bool = False
) -> QuerySet[Answer]:
    answers = (
        Answer.objects.filter(
            question=question,
            response__consultation=consultation,
            response__state=ResponseState.SUBMITTED,
        )
        .exclude(text="")
        .select_related("response", "response__district")
        .prefetch_related(
            Prefetch("codings", queryset=AnswerCode.objects.select_related("code")),
            "quotes",
        )
        .order_by("response__submitted_at", "pk")
    )
    if uncoded_only:
        answers = answers.filter(codings__isnull=True)
    return answers


def suggested_codes(answer: Answer, codes: list[Code]) -> list[Code]:
    """Codes whose keywords appear in the answer and that are not applied yet."""
    text = answer.text.lower()
    applied = {coding.code_id for coding in answer.codings.all()}
    return [
        code
        for code in codes
        if code.pk not in applied and any(keyword in text for keyword in code.keyword_list())
    ]


def published_responses(*, consultation: Consultation) -> QuerySet[Response]:
    """Public view of moderated responses: personal details were removed at moderation and
    the template shows only `published_text`, never `text`, postcode or area."""
    return (
        Response.objects.filter(
            consultation=consultation,
            state=ResponseState.SUBMITTED,
            moderation=Moderation.PUBLISHED,
            consent_to_publish=True,
        )
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__position", "question_id"
                ),
            )
        )
        .order_by("submitted_at", "pk")
    )


def moderation_queue(*, consultation: Consultation) -> QuerySet[Response]:
    return (
        Response.objects.filter(
            consultation=consultation,
            state=ResponseState.SUBMITTED,
            moderation=Moderation.PENDING,
        )
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("flags", queryset=ResponseFlag.objects.filter(cleared=False)),
        )
        .order_by("submitted_at", "pk")
    )


def flagged_responses(*, consultation: Consultation) -> QuerySet[Response]:
    return (
        Response.objects.filter(
            consultation=consultation, state=ResponseState.SUBMITTED, flags__cleared=False
        )
        .distinct()
        .prefetch_related(Prefetch("flags", queryset=ResponseFlag.objects.filter(cleared=False)))
        .order_by("submitted_at", "pk")
    )


def quotes_for(*, consultation: Consultation, public_only: bool = False) -> QuerySet[Quote]:
    quotes = Quote.objects.filter(consultation=consultation).select_related(
        "answer__question", "answer__response"
    )
    if public_only:
        quotes = quotes.filter(is_public=True, answer__response__consent_to_quote=True)
    return quotes
