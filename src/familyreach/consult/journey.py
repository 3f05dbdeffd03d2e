"""The response as a journey of GOV.UK question pages: one page per topic (the questions'
section), then a page for permission to publish, one for the optional equality questions,
"Check your answers" and the confirmation.

Pages are worked out from the questions each time (nothing about them is stored), so a
consultation set up in the admin gets its pages without any further work. Pure functions over
questions and a draft's data: the views ask here which page comes next and what a page holds.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.text import slugify

from familyreach.consult.equality import EQUALITY_FIELDS
from familyreach.consult.models import ConsultationOption, Question, QuestionKind, Response
from familyreach.consult.services import ResponseData

PUBLISHING = "publishing"
EQUALITY = "equality"
# Addresses of the journey's fixed pages: a section named like one of them gets another slug.
RESERVED_SLUGS = frozenset({PUBLISHING, EQUALITY, "check-your-answers", "save", "start"})


@dataclass(frozen=True)
class QuestionPage:
    slug: str
    title: str
    kind: str = "questions"  # or PUBLISHING or EQUALITY
    questions: tuple[Question, ...] = field(default=())

    @property
    def has_consent(self) -> bool:
        return self.kind == PUBLISHING

    @property
    def has_equality(self) -> bool:
        return self.kind == EQUALITY


def journey_pages(questions: Iterable[Question]) -> list[QuestionPage]:
    """The question pages in order: neighbouring questions of one section share a page."""
    groups: list[tuple[str, list[Question]]] = []
    for question in questions:
        if groups and groups[-1][0] == question.section:
            groups[-1][1].append(question)
        else:
            groups.append((question.section, [question]))
    pages: list[QuestionPage] = []
    used: set[str] = set(RESERVED_SLUGS)
    for number, (section, members) in enumerate(groups, start=1):
        base = slugify(section)[:60] or f"part-{number}"
        slug = base if base not in used else f"{base}-{number}"
        used.add(slug)
        pages.append(QuestionPage(slug=slug, title=section, questions=tuple(members)))
    pages.append(QuestionPage(slug=PUBLISHING, title="Publishing your response", kind=PUBLISHING))
    pages.append(QuestionPage(slug=EQUALITY, title="Equality monitoring (optional)", kind=EQUALITY))
    return pages


def page_find(pages: list[QuestionPage], slug: str) -> QuestionPage | None:
    return next((page for page in pages if page.slug == slug), None)


def page_after(pages: list[QuestionPage], page: QuestionPage) -> QuestionPage | None:
    index = pages.index(page)
    return pages[index + 1] if index + 1 < len(pages) else None


def page_before(pages: list[QuestionPage], page: QuestionPage) -> QuestionPage | None:
    index = pages.index(page)
    return pages[index - 1] if index > 0 else None


def page_for_field(pages: list[QuestionPage], name: str) -> QuestionPage | None:
    """The page that asks the form field `name` (as ResponseForm names its fields)."""
    for page in pages:
        if page.has_consent and name.startswith("consent_to_"):
            return page
        if page.has_equality and name.startswith("equality_"):
            return page
        for question in page.questions:
            if field_name(question) == name:
                return page
    return None


def field_name(question: Question) -> str:
    if question.kind == QuestionKind.POSTCODE:
        return "postcode"
    if question.kind == QuestionKind.RESPONDENT_TYPE:
        return "respondent_type"
    return question.field_name


def data_merge(*, saved: ResponseData, page: QuestionPage, given: ResponseData) -> ResponseData:
    """The draft's answers with this page's replaced by what was just given on it (an answer
    cleared on the page is cleared in the draft); other pages' answers are kept as they were."""
    merged = replace(saved, answers=dict(saved.answers), equality=dict(saved.equality))
    for question in page.questions:
        if question.kind == QuestionKind.POSTCODE:
            merged.postcode = given.postcode
        elif question.kind == QuestionKind.RESPONDENT_TYPE:
            merged.respondent_type = given.respondent_type
        elif question.pk in given.answers:
            merged.answers[question.pk] = given.answers[question.pk]
        else:
            merged.answers.pop(question.pk, None)
    if page.has_consent:
        merged.consent_to_publish = given.consent_to_publish
        merged.consent_to_quote = given.consent_to_quote
    if page.has_equality:
        merged.equality = {key: given.equality.get(key, "") for key in EQUALITY_FIELDS}
    return merged


def form_data(data: ResponseData, questions: Iterable[Question]) -> dict[str, Any]:
    """A draft's answers as a ResponseForm's data, so the whole response can be validated
    again (with every required answer) before it is sent."""
    values: dict[str, Any] = {
        "postcode": data.postcode,
        "respondent_type": data.respondent_type,
    }
    if data.consent_to_publish:
        values["consent_to_publish"] = "yes"
    if data.consent_to_quote:
        values["consent_to_quote"] = "yes"
    for question in questions:
        if question.pk in data.answers:
            values[question.field_name] = data.answers[question.pk]
    for key in EQUALITY_FIELDS:
        if data.equality.get(key):
            values[f"equality_{key}"] = data.equality[key]
    return values


def draft_data(response: Response) -> ResponseData:
    """What a draft holds so far, as the services take it. Equality answers are never on a
    draft (they are kept apart, see EqualityMonitoring): the caller adds them from the session."""
    answers: dict[int, str | list[str]] = {}
    for answer in response.answers.all():
        if answer.choices:
            answers[answer.question_id] = [str(value) for value in answer.choices]
        elif answer.text:
            answers[answer.question_id] = answer.text
        elif answer.choice:
            answers[answer.question_id] = answer.choice
    return ResponseData(
        answers=answers,
        respondent_type=response.respondent_type,
        postcode=response.postcode,
        consent_to_publish=response.consent_to_publish,
        consent_to_quote=response.consent_to_quote,
    )


def answer_labels(question: Question, data: ResponseData) -> list[str]:
    """A question's answer as the respondent saw it (labels, not stored values); empty when
    not answered."""
    if question.kind == QuestionKind.POSTCODE:
        return [data.postcode] if data.postcode else []
    labels = dict(question.choice_pairs())
    if question.kind == QuestionKind.RESPONDENT_TYPE:
        return (
            [labels.get(data.respondent_type, data.respondent_type)] if data.respondent_type else []
        )
    value = data.answers.get(question.pk)
    if not value:
        return []
    values = value if isinstance(value, list) else [value]
    if question.kind == QuestionKind.FREE_TEXT:
        return [str(text) for text in values]
    return [labels.get(str(item), str(item)) for item in values]


def options_asked_about(
    page: QuestionPage, options: list[ConsultationOption]
) -> list[ConsultationOption]:
    """The consultation's options when this page asks about them (a question tied to an option,
    or answers naming them), so the page can remind the respondent what they are."""
    titles = {option.title for option in options}
    for question in page.questions:
        if question.option_id or titles & {str(choice) for choice in question.choices}:
            return options
    return []
