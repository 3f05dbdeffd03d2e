"""Moderation, publication with personal details removed, quotes and the decision summary."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.consult import services
from familyreach.consult.models import (
    Answer,
    Consultation,
    ConsultationStatus,
    Moderation,
    QuestionKind,
    Quote,
    Response,
)

pytestmark = pytest.mark.django_db

PERSONAL = "My name is Jo Bloggs, NR30 1NE, jo@example.org, 07700 900123. The bus is too slow."


def test_moderation_removes_personal_data_from_the_public_view(
    client: Client,
    consultation: Consultation,
    respond: Callable[..., Response],
    manager: User,
    consult_places: dict[str, Any],
) -> None:
    response = respond(consultation, postcode="NR30 1NE", text=PERSONAL, consent_to_publish=True)
    public_url = f"/consultations/{consultation.slug}/responses"
    assert response.reference not in client.get(public_url).content.decode()  # not yet moderated

    client.force_login(manager)
    queue = client.get(f"/staff/consultations/{consultation.slug}/moderation").content.decode()
    assert "The bus is too slow." in queue
    client.post(
        f"/staff/consultations/{consultation.slug}/moderation",
        {"response": response.pk, "decision": "publish"},
    )
    response.refresh_from_db()
    assert response.moderation == Moderation.PUBLISHED
    assert response.moderated_by == manager
    client.logout()

    html = client.get(public_url).content.decode()
    assert response.reference in html
    assert "The bus is too slow." in html
    for personal in ("Jo Bloggs", "NR30", "jo@example.org", "07700", "Great Yarmouth", "E01099001"):
        assert personal not in html
    # The original is kept for analysis; only the public copy is redacted.
    answer = Answer.objects.get(response=response, question__kind=QuestionKind.FREE_TEXT)
    assert answer.text == PERSONAL
    assert "[removed]" in answer.published_text


def test_no_consent_means_never_published(
    consultation: Consultation, respond: Callable[..., Response], manager: User, client: Client
) -> None:
    response = respond(consultation, text="Private view about the centres")
    assert response.moderation == Moderation.NOT_FOR_PUBLICATION
    with pytest.raises(ValidationError, match="did not agree"):
        services.response_moderate(response=response, user=manager, publish=True)
    html = client.get(f"/consultations/{consultation.slug}/responses").content.decode()
    assert "Private view" not in html


def test_rejected_responses_stay_unpublished(
    consultation: Consultation, respond: Callable[..., Response], manager: User, client: Client
) -> None:
    response = respond(consultation, text="Something offensive", consent_to_publish=True)
    services.response_moderate(response=response, user=manager, publish=False)
    html = client.get(f"/consultations/{consultation.slug}/responses").content.decode()
    assert "Something offensive" not in html
    assert response.reference not in html


def test_quotes_need_consent_are_redacted_and_word_for_word(
    consultation: Consultation, respond: Callable[..., Response], planner: User
) -> None:
    willing = respond(consultation, text=PERSONAL, consent_to_publish=True, consent_to_quote=True)
    unwilling = respond(consultation, text="Do not quote me on the buses.", consent_to_publish=True)
    willing_answer = willing.answers.get(question__kind=QuestionKind.FREE_TEXT)
    quote = services.quote_create(answer=willing_answer, text="", user=planner)
    assert "Jo Bloggs" not in quote.text
    assert "NR30" not in quote.text
    assert quote.text.endswith("The bus is too slow.")
    with pytest.raises(ValidationError, match="word for word"):
        services.quote_create(answer=willing_answer, text="The bus is great", user=planner)
    with pytest.raises(ValidationError, match="did not agree to be quoted"):
        services.quote_create(
            answer=unwilling.answers.get(question__kind=QuestionKind.FREE_TEXT),
            text="",
            user=planner,
        )
    assert Quote.objects.count() == 1


def test_we_asked_you_said_we_did_after_the_decision(
    client: Client,
    closed_consultation: Consultation,
    planner: User,
) -> None:
    url = f"/consultations/{closed_consultation.slug}/we-asked-you-said-we-did"
    assert client.get(url).status_code == 404
    client.force_login(planner)
    refused = client.post(
        f"/staff/consultations/{closed_consultation.slug}/decision",
        {"you_said": "", "decision": ""},
    )
    assert refused.status_code == 400
    assert "Enter what was decided" in refused.content.decode()
    client.post(
        f"/staff/consultations/{closed_consultation.slug}/decision",
        {"you_said": "Most people worried about **travel**.", "decision": "We kept 15 bases."},
    )
    closed_consultation.refresh_from_db()
    assert closed_consultation.status == ConsultationStatus.DECIDED
    html = client.get(url).content.decode()
    assert "We asked, you said, we did" in html
    assert "<strong>travel</strong>" in html
    assert "We kept 15 bases." in html


def test_decision_cannot_be_recorded_while_open(consultation: Consultation, planner: User) -> None:
    with pytest.raises(ValidationError, match="after the consultation closes"):
        services.consultation_record_decision(
            consultation=consultation, you_said="x", decision="y", user=planner
        )
    consultation.closes_at = timezone.now() - timedelta(seconds=1)
    consultation.save()
    decided = services.consultation_record_decision(
        consultation=consultation, you_said="x", decision="y", user=planner
    )
    assert decided.status == ConsultationStatus.DECIDED
    # After the decision not even paper responses are accepted.
    with pytest.raises(services.ConsultationNotOpen):
        services.response_submit(
            consultation=consultation,
            data=services.ResponseData(respondent_type="parent"),
            entered_by=planner,
            received_on=timezone.localdate(),
        )


def test_coding_page_suggests_and_applies_codes(
    client: Client, consultation: Consultation, respond: Callable[..., Response], planner: User
) -> None:
    response = respond(consultation, text="The bus to the base takes an hour.")
    client.force_login(planner)
    url = f"/staff/consultations/{consultation.slug}/coding"
    invalid = client.post(url, {"theme": "", "name": ""})
    assert invalid.status_code == 400
    assert "Enter a theme" in invalid.content.decode()
    client.post(url, {"theme": "Travel", "name": "Buses", "keywords": "bus, transport"})
    html = client.get(url).content.decode()
    assert "Apply “Buses”" in html
    answer = response.answers.get(question__kind=QuestionKind.FREE_TEXT)
    code = consultation.codes.get()
    tagged = client.post(
        f"/staff/consultations/{consultation.slug}/coding/tag",
        {"answer": answer.pk, "code": code.pk, "next": "https://evil.example/"},
    )
    assert tagged["Location"] == url  # never redirected off our staff pages
    assert answer.codings.get().code == code
    assert "Apply “Buses”" not in client.get(url).content.decode()


def test_flags_can_be_cleared_and_remain_counted(
    client: Client,
    consultation: Consultation,
    respond: Callable[..., Response],
    manager: User,
    settings: Any,
) -> None:
    settings.CONSULT_RATE_LIMIT_COUNT = 1
    respond(consultation, source_address="203.0.113.1")
    flagged = respond(consultation, source_address="203.0.113.1")
    client.force_login(manager)
    page = client.get(f"/staff/consultations/{consultation.slug}/flags").content.decode()
    assert flagged.reference in page
    flag = flagged.flags.get()
    client.post(f"/staff/consultations/{consultation.slug}/flags", {"flag": flag.pk})
    flag.refresh_from_db()
    assert flag.cleared
    assert flag.cleared_by == manager
    assert Response.objects.filter(state="submitted").count() == 2
