"""Writes for consultations: responses (drafts, submission, paper entry), moderation, flags,
codes, quotes and the decision. One function per state change; each is atomic and audited
through django-auditlog (the models are registered in `audit.py`)."""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from familyreach.consult.equality import EQUALITY_FIELDS
from familyreach.consult.geography import postcode_place
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
    Response,
    ResponseFlag,
    ResponseState,
)
from familyreach.consult.redaction import redact_personal_details
from familyreach.outbox.notify import send_email

# Letters and digits that cannot be mistaken for each other when read out or handwritten.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# Free text shorter than this ("No", "Agree") is too common to suggest copying.
SAME_TEXT_MINIMUM_LENGTH = 20


class ConsultationNotOpen(Exception):
    """The consultation is not taking responses (not yet open, closed, or not published)."""

    def __init__(self, consultation: Consultation, message: str) -> None:
        super().__init__(message)
        self.consultation = consultation
        self.message = message


@dataclass
class ResponseData:
    """What a respondent gave, already validated by the form."""

    answers: dict[int, str | list[str]] = field(default_factory=dict)
    respondent_type: str = ""
    postcode: str = ""
    consent_to_publish: bool = False
    consent_to_quote: bool = False
    equality: dict[str, str] = field(default_factory=dict)


def _rate_limit() -> tuple[int, timedelta]:
    count = int(getattr(settings, "CONSULT_RATE_LIMIT_COUNT", 5))
    minutes = int(getattr(settings, "CONSULT_RATE_LIMIT_MINUTES", 60))
    return count, timedelta(minutes=minutes)


def reference_generate() -> str:
    """A reference like FR-7K3M-Q9: short enough to read over the phone, unique."""
    for _attempt in range(20):
        letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        reference = f"FR-{letters[:4]}-{letters[4:]}"
        if not Response.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not find a free response reference")  # 30^6: practically never


def source_hash(*, consultation: Consultation, address: str) -> str:
    """A keyed hash of the sender's address, so bulk submissions can be spotted without
    keeping anyone's IP address. Keyed per consultation, so hashes do not link across them."""
    if not address:
        return ""
    key = settings.SECRET_KEY.encode()
    message = f"{consultation.pk}:{address}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _london(moment: datetime.datetime) -> str:
    """'14 November 2026 at 5:30pm', in Europe/London, GOV.UK style."""
    text = timezone.localtime(moment).strftime("%-d %B %Y at %-I:%M%p")
    return text.replace("AM", "am").replace("PM", "pm")


def consultation_check_open(*, consultation: Consultation, at: Any = None) -> None:
    """Raise ConsultationNotOpen, with a message for the public, unless it takes responses now."""
    moment = at or timezone.now()
    if consultation.status == ConsultationStatus.DRAFT:
        raise ConsultationNotOpen(consultation, "This consultation is not taking responses.")
    if moment >= consultation.closes_at:
        closed = _london(consultation.closes_at)
        raise ConsultationNotOpen(
            consultation,
            f"This consultation closed on {closed}. We can no longer accept responses.",
        )
    if moment < consultation.opens_at:
        opens = _london(consultation.opens_at)
        raise ConsultationNotOpen(
            consultation, f"This consultation is not open yet. It opens on {opens}."
        )
    if consultation.status != ConsultationStatus.PUBLISHED:
        raise ConsultationNotOpen(consultation, "This consultation is not taking responses.")


def _write_answers(*, response: Response, consultation: Consultation, data: ResponseData) -> None:
    questions = {question.pk: question for question in consultation.questions.all()}
    response.answers.all().delete()
    answers = []
    for question_id, value in data.answers.items():
        question = questions.get(question_id)
        if question is None or value in ("", [], None):
            continue
        answer = Answer(response=response, question=question)
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            answer.choices = list(value) if isinstance(value, list) else [value]
        elif question.kind == QuestionKind.FREE_TEXT:
            answer.text = str(value).strip()
        else:
            answer.choice = str(value)
        answer.full_clean(exclude=["response"])
        answers.append(answer)
    Answer.objects.bulk_create(answers)


def _apply_data(*, response: Response, data: ResponseData) -> None:
    response.respondent_type = data.respondent_type
    response.consent_to_publish = data.consent_to_publish
    # Quoting is a kind of publishing: without consent to publish there is no quoting either.
    response.consent_to_quote = data.consent_to_quote and data.consent_to_publish
    if data.postcode:
        placement = postcode_place(data.postcode)
        response.postcode = placement.postcode
        response.district = placement.district
        response.area = placement.area
        response.imd_decile = placement.imd_decile
    else:
        response.postcode = ""
        response.district = None
        response.area = None
        response.imd_decile = None


@transaction.atomic
def response_save_draft(
    *,
    consultation: Consultation,
    data: ResponseData,
    response: Response | None = None,
    at: Any = None,
) -> Response:
    """Save the answers so far as a draft (created on the first save). A draft never counts:
    every figure, list and export reads submitted responses only."""
    now = at or timezone.now()
    consultation_check_open(consultation=consultation, at=now)
    if response is None:
        response = Response(consultation=consultation, reference=reference_generate())
    if response.state != ResponseState.DRAFT:
        raise ValidationError("This response has already been sent.")
    response.saved_at = now
    _apply_data(response=response, data=data)
    response.full_clean()
    response.save()
    _write_answers(response=response, consultation=consultation, data=data)
    return response


def return_link_days() -> int:
    return int(getattr(settings, "CONSULT_RETURN_LINK_DAYS", 28))


def return_link_url(*, response: Response, token: str) -> str:
    """The return link as it is emailed (the public address of the service)."""
    path = reverse("consult:resume", args=[response.consultation.slug, token])
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


@transaction.atomic
def response_return_link_issue(
    *, response: Response, page: str = "", email: str = "", at: Any = None
) -> str:
    """Give a draft a fresh secret return link; returns the token (only its hash is kept).

    The link works until it expires (CONSULT_RETURN_LINK_DAYS), a newer link is issued, or the
    response is sent. With an email address the link is also emailed; the address goes only
    into the outbox message, never onto the response.
    """
    now = at or timezone.now()
    consultation_check_open(consultation=response.consultation, at=now)
    if response.state != ResponseState.DRAFT:
        raise ValidationError("This response has already been sent.")
    token = secrets.token_urlsafe(32)
    response.resume_token_hash = token_hash(token)
    expires_at = min(now + timedelta(days=return_link_days()), response.consultation.closes_at)
    response.resume_token_expires_at = expires_at
    response.resume_page = page
    response.full_clean()
    response.save(update_fields=["resume_token_hash", "resume_token_expires_at", "resume_page"])
    if email:
        consultation = response.consultation
        send_email(
            to=email,
            subject=f"Your saved response to {consultation.title}",
            body=(
                f"You saved your answers to the consultation: {consultation.title}.\n\n"
                "Your response has not been sent yet. To come back to it, use this link:\n"
                f"{return_link_url(response=response, token=token)}\n\n"
                f"The link works until {_london(expires_at)}, or until you save again (which "
                "gives you a new link). Anyone with the link can see your answers, so do not "
                "share it.\n\nIf you did not ask for this email, you can ignore it."
            ),
        )
    return token


def response_get_draft(
    *, consultation: Consultation, token: str, at: Any = None
) -> Response | None:
    """The draft a return link leads to, or None: a wrong, replaced, spent or expired token
    all look the same, so the answer tells a guesser nothing."""
    if not token:
        return None
    return Response.objects.filter(
        consultation=consultation,
        state=ResponseState.DRAFT,
        resume_token_hash=token_hash(token),
        resume_token_expires_at__gt=at or timezone.now(),
    ).first()


@transaction.atomic
def drafts_delete_abandoned(*, at: Any = None) -> int:
    """Delete drafts nobody can come back to: no live return link and no save for longer
    than a session lasts, or their consultation has closed (a draft can no longer be sent)."""
    now = at or timezone.now()
    idle = now - timedelta(seconds=max(int(settings.SESSION_COOKIE_AGE), 24 * 3600))
    no_live_link = Q(resume_token_expires_at__isnull=True) | Q(resume_token_expires_at__lte=now)
    last_saved_before = Q(saved_at__lt=idle) | Q(saved_at__isnull=True, started_at__lt=idle)
    abandoned = Response.objects.filter(state=ResponseState.DRAFT).filter(
        (no_live_link & last_saved_before) | Q(consultation__closes_at__lte=now)
    )
    deleted = 0
    for draft in abandoned.iterator():
        draft.delete()  # one by one: each deletion is audited like any other write
        deleted += 1
    return deleted


def _flag(response: Response, kind: FlagKind, detail: str) -> None:
    ResponseFlag.objects.create(response=response, kind=kind, detail=detail[:300])


def _normalised_text(text: str) -> str:
    return " ".join(text.lower().split())


def _check_abuse(response: Response, *, now: datetime.datetime) -> None:
    """Flag (never delete or refuse) responses that look like bulk or copied submissions."""
    submitted = Response.objects.filter(
        consultation=response.consultation, state=ResponseState.SUBMITTED
    ).exclude(pk=response.pk)
    texts = {
        _normalised_text(answer.text)
        for answer in response.answers.all()
        if len(answer.text.strip()) >= SAME_TEXT_MINIMUM_LENGTH
    }
    if response.channel == Channel.ONLINE and response.source_hash:
        limit, window = _rate_limit()
        same_source = submitted.filter(source_hash=response.source_hash)
        recent = same_source.filter(submitted_at__gte=now - window).count()
        if recent >= limit:
            minutes = int(window.total_seconds() // 60)
            _flag(
                response,
                FlagKind.RATE,
                f"{recent + 1} responses from the same source within {minutes} minutes",
            )
        if texts:
            earlier = Answer.objects.filter(
                response__in=same_source, question__kind=QuestionKind.FREE_TEXT
            ).select_related("response")
            for answer in earlier:
                if _normalised_text(answer.text) in texts:
                    _flag(
                        response,
                        FlagKind.SAME_TEXT,
                        f"Same text as response {answer.response.reference}",
                    )
                    break
    if response.channel == Channel.PAPER and response.postcode:
        mine = _answer_signature(response)
        for other in submitted.filter(channel=Channel.PAPER, postcode=response.postcode):
            if _answer_signature(other) == mine:
                _flag(
                    response,
                    FlagKind.DUPLICATE_PAPER,
                    f"Same postcode and answers as paper response {other.reference}",
                )
                break


def _answer_signature(response: Response) -> tuple[Any, ...]:
    return (
        response.respondent_type,
        tuple(
            sorted(
                (answer.question_id, answer.choice, tuple(answer.choices), answer.text.strip())
                for answer in response.answers.all()
            )
        ),
    )


@transaction.atomic
def response_submit(
    *,
    consultation: Consultation,
    data: ResponseData,
    response: Response | None = None,
    source_address: str = "",
    entered_by: Any = None,
    received_on: datetime.date | None = None,
    is_simulated: bool = False,
    at: Any = None,
) -> Response:
    """Accept a response, online (while open) or on paper (entered by staff, received while open).

    Paper forms posted before the close can arrive and be typed in later: what must fall within
    the consultation is the date the form was received, which the member of staff records.
    """
    now = at or timezone.now()
    channel = Channel.PAPER if entered_by is not None else Channel.ONLINE
    if channel == Channel.ONLINE:
        consultation_check_open(consultation=consultation, at=now)
    else:
        _check_paper_received(consultation=consultation, received_on=received_on, now=now)
    # Lock the consultation row so two submissions cannot race past the checks at the close.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if response is None:
        response = Response(consultation=consultation, reference=reference_generate())
    elif response.state != ResponseState.DRAFT:
        raise ValidationError("This response has already been sent.")
    response.channel = channel
    response.entered_by = entered_by
    response.received_on = received_on
    response.state = ResponseState.SUBMITTED
    response.submitted_at = now
    response.resume_token_hash = ""
    response.resume_token_expires_at = None
    response.resume_page = ""
    response.saved_at = None
    response.source_hash = (
        source_hash(consultation=consultation, address=source_address)
        if channel == Channel.ONLINE
        else ""
    )
    response.is_simulated = is_simulated
    _apply_data(response=response, data=data)
    response.moderation = (
        Moderation.PENDING if response.consent_to_publish else Moderation.NOT_FOR_PUBLICATION
    )
    response.full_clean()
    response.save()
    _write_answers(response=response, consultation=consultation, data=data)
    if any(data.equality.get(key) for key in EQUALITY_FIELDS):
        equality = EqualityMonitoring(
            consultation=consultation,
            is_simulated=is_simulated,
            **{key: data.equality.get(key, "") for key in EQUALITY_FIELDS},
        )
        equality.full_clean()
        equality.save()
    _check_abuse(response, now=now)
    return response


def _check_paper_received(
    *, consultation: Consultation, received_on: datetime.date | None, now: datetime.datetime
) -> None:
    if consultation.status == ConsultationStatus.DRAFT:
        raise ConsultationNotOpen(consultation, "This consultation is not published.")
    if consultation.status == ConsultationStatus.DECIDED:
        raise ConsultationNotOpen(
            consultation, "A decision has been made: no more responses can be added."
        )
    if received_on is None:
        raise ValidationError({"received_on": "Enter the date the paper response was received"})
    first = timezone.localtime(consultation.opens_at).date()
    last = timezone.localtime(consultation.closes_at - timedelta(microseconds=1)).date()
    if received_on > timezone.localtime(now).date():
        raise ValidationError({"received_on": "The date received must be today or in the past"})
    if not first <= received_on <= last:
        raise ConsultationNotOpen(
            consultation,
            f"This paper response was received on {received_on:%-d %B %Y}, outside the "
            f"consultation ({first:%-d %B %Y} to {last:%-d %B %Y}). It cannot be counted.",
        )


@transaction.atomic
def response_moderate(*, response: Response, user: Any, publish: bool) -> Response:
    """Publish a response (personal details removed) or decide not to. Only with consent."""
    if response.state != ResponseState.SUBMITTED:
        raise ValidationError("Only submitted responses can be moderated.")
    if publish and not response.consent_to_publish:
        raise ValidationError("The respondent did not agree to their response being published.")
    for answer in response.answers.filter(question__kind=QuestionKind.FREE_TEXT):
        answer.published_text = redact_personal_details(answer.text) if publish else ""
        answer.save(update_fields=["published_text"])
    response.moderation = Moderation.PUBLISHED if publish else Moderation.REJECTED
    response.moderated_by = user
    response.moderated_at = timezone.now()
    response.full_clean()
    response.save()
    return response


@transaction.atomic
def flag_clear(*, flag: ResponseFlag, user: Any) -> ResponseFlag:
    flag.cleared = True
    flag.cleared_by = user
    flag.full_clean()
    flag.save()
    return flag


@transaction.atomic
def code_create(
    *, consultation: Consultation, theme: str, name: str, keywords: str, user: Any
) -> Code:
    code = Code(
        consultation=consultation,
        theme=theme.strip(),
        name=name.strip(),
        keywords=keywords.strip(),
        created_by=user,
        modified_by=user,
    )
    code.full_clean()
    code.save()
    return code


@transaction.atomic
def answer_code_add(*, answer: Answer, code: Code, user: Any) -> AnswerCode:
    if code.consultation_id != answer.question.consultation_id:
        raise ValidationError("That code belongs to another consultation.")
    try:
        with transaction.atomic():
            coding, _created = AnswerCode.objects.get_or_create(
                answer=answer, code=code, defaults={"created_by": user, "modified_by": user}
            )
    except IntegrityError:  # a colleague tagged the same answer at the same moment
        coding = AnswerCode.objects.get(answer=answer, code=code)
    return coding


@transaction.atomic
def answer_code_remove(*, answer: Answer, code: Code, user: Any) -> None:
    for coding in AnswerCode.objects.filter(answer=answer, code=code):
        coding.delete()


@transaction.atomic
def quote_create(*, answer: Answer, text: str, user: Any, is_public: bool = False) -> Quote:
    """Pull out a quotation. Only from respondents who agreed to be quoted, and redacted."""
    response = answer.response
    if not response.consent_to_quote:
        raise ValidationError("The respondent did not agree to be quoted.")
    excerpt = text.strip() or answer.text
    if _normalised_text(excerpt) not in _normalised_text(answer.text):
        raise ValidationError("A quotation must be taken word for word from the answer.")
    quote = Quote(
        consultation=answer.question.consultation,
        answer=answer,
        text=redact_personal_details(excerpt),
        is_public=is_public,
        created_by=user,
        modified_by=user,
    )
    quote.full_clean()
    quote.save()
    return quote


@transaction.atomic
def consultation_record_decision(
    *, consultation: Consultation, you_said: str, decision: str, user: Any
) -> Consultation:
    if not consultation.has_closed():
        raise ValidationError("A decision can be recorded only after the consultation closes.")
    consultation.you_said = you_said
    consultation.decision = decision
    consultation.status = ConsultationStatus.DECIDED
    consultation.decided_at = timezone.now()
    consultation.modified_by = user
    consultation.full_clean()
    consultation.save()
    return consultation


@transaction.atomic
def consultation_create(
    *,
    title: str,
    slug: str,
    summary: str,
    proposal: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    status: str = ConsultationStatus.PUBLISHED,
    alternative_formats: str = "",
    is_simulated: bool = False,
    user: Any = None,
) -> Consultation:
    consultation = Consultation(
        title=title,
        slug=slug,
        summary=summary,
        proposal=proposal,
        opens_at=opens_at,
        closes_at=closes_at,
        status=status,
        alternative_formats=alternative_formats,
        is_simulated=is_simulated,
        created_by=user,
        modified_by=user,
    )
    consultation.full_clean()
    consultation.save()
    return consultation


@transaction.atomic
def option_create(
    *,
    consultation: Consultation,
    title: str,
    summary: str = "",
    text: str = "",
    position: int = 0,
    scenario: Any = None,
) -> ConsultationOption:
    option = ConsultationOption(
        consultation=consultation,
        title=title,
        summary=summary,
        text=text,
        position=position,
        scenario=scenario,
    )
    option.full_clean()
    option.save()
    return option


@transaction.atomic
def question_create(
    *,
    consultation: Consultation,
    kind: str,
    text: str,
    section: str,
    position: int = 0,
    hint: str = "",
    required: bool = False,
    choices: list[str] | None = None,
    option: ConsultationOption | None = None,
) -> Question:
    question = Question(
        consultation=consultation,
        kind=kind,
        text=text,
        section=section,
        position=position,
        hint=hint,
        required=required,
        choices=choices or [],
        option=option,
    )
    question.full_clean()
    question.save()
    return question
