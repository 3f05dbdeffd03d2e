"""The response as GOV.UK question pages: one topic per page, validation page by page, back
links, "Check your answers" with Change links, save and come back later (a return link that
works, expires, is spent, and tells a wrong guess nothing), and drafts never counted."""

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.consult import journey, selectors, services
from familyreach.consult.exports import export_rows
from familyreach.consult.models import (
    Consultation,
    EqualityMonitoring,
    QuestionKind,
    Response,
    ResponseState,
)
from familyreach.outbox.models import OutboundMessage
from tests.fixtures.consult import respond_online

pytestmark = pytest.mark.django_db

PRIVATE_TEXT = "Our bus to the base takes an hour each way."


def _all_answers(consultation: Consultation, **overrides: Any) -> dict[str, Any]:
    questions = {q.kind: q for q in consultation.questions.all()}
    data: dict[str, Any] = {
        "respondent_type": "parent",
        "postcode": "NR30 1NE",
        questions[QuestionKind.SINGLE_CHOICE].field_name: "7 bases",
        questions[QuestionKind.AGREE_SCALE].field_name: "agree",
        questions[QuestionKind.MULTIPLE_CHOICE].field_name: ["Library sessions"],
        questions[QuestionKind.FREE_TEXT].field_name: PRIVATE_TEXT,
        "consent_to_publish": "yes",
        "equality_age_band": "25_34",
    }
    data.update(overrides)
    return data


def _url(consultation: Consultation, page: str = "") -> str:
    base = f"/consultations/{consultation.slug}/"
    return f"{base}respond/{page}" if page else base


def test_one_page_per_topic_then_publishing_and_equality(consultation: Consultation) -> None:
    pages = journey.journey_pages(selectors.questions_for(consultation))
    assert [page.slug for page in pages] == ["about-you", "your-views", "publishing", "equality"]
    assert [q.text for q in pages[0].questions] == [
        "Are you responding as…",
        "What is your postcode?",
    ]
    assert len(pages[1].questions) == 4
    assert pages[2].has_consent
    assert not pages[2].questions


def test_a_section_named_like_a_fixed_page_gets_its_own_address(
    consultation: Consultation,
) -> None:
    services.question_create(
        consultation=consultation,
        kind=QuestionKind.FREE_TEXT,
        text="Anything else?",
        section="Save",
        position=9,
    )
    slugs = [page.slug for page in journey.journey_pages(selectors.questions_for(consultation))]
    assert len(set(slugs)) == len(slugs)
    assert "save" not in slugs


def test_start_page_leads_into_the_first_page_and_each_page_links_back(
    client: Client, consultation: Consultation
) -> None:
    start = client.get(_url(consultation)).content.decode()
    assert f'href="{_url(consultation, "about-you")}"' in start
    assert "govuk-button--start" in start
    first = client.get(_url(consultation, "about-you")).content.decode()
    assert 'name="respondent_type"' in first
    # Only this topic's questions: not the next page's, nor the consents or equality.
    assert "Which option do you prefer?" not in first
    assert "consent_to_publish" not in first
    assert "equality_age_band" not in first
    assert f'<a href="{_url(consultation)}" class="govuk-back-link"' in first
    second = client.get(_url(consultation, "your-views")).content.decode()
    assert f'<a href="{_url(consultation, "about-you")}" class="govuk-back-link"' in second
    assert "Remind me of the options" in second  # the options, a click away on their page
    assert client.get(_url(consultation, "no-such-page")).status_code == 404


def test_each_page_is_checked_on_its_own_with_a_focused_error_summary(
    client: Client, consultation: Consultation
) -> None:
    refused = client.post(_url(consultation, "about-you"), {"postcode": "NR30 1NE"})
    html = refused.content.decode()
    assert refused.status_code == 400
    summary = re.search(r"<div class=\"govuk-error-summary\"[^>]*>", html)
    assert summary is not None
    assert 'data-module="govuk-error-summary"' in summary.group(0)
    assert 'tabindex="-1"' in summary.group(0)
    assert "autofocus" in summary.group(0)
    assert html.index("govuk-error-summary") < html.index("<h1")  # at the top of the page
    assert 'href="#respondent_type"' in html
    assert 'value="NR30 1NE"' in html
    assert "Select an answer to: Which option do you prefer?" not in html  # next page's
    assert not Response.objects.exists()

    moved_on = client.post(_url(consultation, "about-you"), _all_answers(consultation))
    assert moved_on.status_code == 302
    assert moved_on["Location"] == _url(consultation, "your-views")
    draft = Response.objects.get()
    assert draft.state == ResponseState.DRAFT
    assert draft.respondent_type == "parent"
    assert draft.postcode == "NR30 1NE"
    assert not draft.answers.exists()  # the next page's answers were not taken from this one


def test_answers_are_kept_between_pages_and_shown_with_change_links(
    client: Client, consultation: Consultation, consult_places: dict[str, Any]
) -> None:
    data = _all_answers(consultation)
    for page in ("about-you", "your-views", "publishing", "equality"):
        assert client.post(_url(consultation, page), data)["Location"].startswith("/")
    check = client.get(_url(consultation, "check-your-answers"))
    html = check.content.decode()
    assert check.status_code == 200
    for shown in (
        "A parent or carer",
        "NR30 1NE",
        "7 bases",
        "Agree",
        "Library sessions",
        PRIVATE_TEXT,
        "25 to 34",
    ):
        assert shown in html, shown
    change = _url(consultation, "your-views") + "?return=check"
    assert f'href="{change}#' in html
    assert 'Change<span class="govuk-visually-hidden"> Which option do you prefer?</span>' in html
    # Going back into a page from "Check your answers" returns there, not to the next page.
    page = client.get(change).content.decode()
    assert 'name="return" value="check"' in page
    assert f'href="{_url(consultation, "check-your-answers")}"' in page  # the back link
    assert 'value="7 bases" checked' in page
    questions = {q.kind: q for q in consultation.questions.all()}
    changed = client.post(
        change,
        {**data, questions[QuestionKind.SINGLE_CHOICE].field_name: "15 bases", "return": "check"},
    )
    assert changed["Location"] == _url(consultation, "check-your-answers")
    assert "15 bases" in client.get(changed["Location"]).content.decode()

    sent = client.post(_url(consultation, "check-your-answers"))
    assert sent.status_code == 302
    response = Response.objects.get()
    assert response.state == ResponseState.SUBMITTED
    assert response.district is not None
    assert response.district.name == "Great Yarmouth"
    preferred = response.answers.get(question=questions[QuestionKind.SINGLE_CHOICE])
    assert preferred.choice == "15 bases"
    # Equality answers went to their own table, and never onto the response.
    assert EqualityMonitoring.objects.get().age_band == "25_34"
    assert response.reference in client.get(sent["Location"]).content.decode()
    # The session no longer points at anything: a new visit starts a new response.
    assert client.get(_url(consultation, "check-your-answers")).status_code == 302


def test_sending_checks_every_page_again_and_names_the_one_missed(
    client: Client, consultation: Consultation
) -> None:
    data = _all_answers(consultation)
    client.post(_url(consultation, "about-you"), data)
    # Straight to the end without answering "Your views" (its required question).
    refused = client.post(_url(consultation, "check-your-answers"))
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Select an answer to: Which option do you prefer?" in html
    assert f'href="{_url(consultation, "your-views")}?return=check#q' in html
    assert Response.objects.get().state == ResponseState.DRAFT


def test_a_page_left_on_one_device_is_kept_when_the_session_returns(
    client: Client, consultation: Consultation
) -> None:
    data = _all_answers(consultation)
    client.post(_url(consultation, "about-you"), data)
    again = client.get(_url(consultation, "about-you")).content.decode()
    assert 'value="parent" checked' in again
    assert "Continue your response" in client.get(_url(consultation)).content.decode()
    # Another browser (no session) sees an empty form.
    other = Client().get(_url(consultation, "about-you")).content.decode()
    assert 'value="parent" checked' not in other


def _save_and_get_link(
    client: Client, consultation: Consultation, *, email: str = ""
) -> tuple[Any, str]:
    data = _all_answers(consultation)
    client.post(_url(consultation, "about-you"), data)
    saved = client.post(_url(consultation, "your-views"), {**data, "action": "save"})
    assert saved.status_code == 302
    assert saved["Location"] == _url(consultation, "save") + "?page=your-views"
    assert client.get(saved["Location"]).status_code == 200
    page = client.post(_url(consultation, "save"), {"page": "your-views", "email": email})
    html = page.content.decode()
    assert page.status_code == 200
    token = html.split("/resume/")[1].split('"')[0]
    return page, token


def test_save_and_come_back_later_on_another_device(
    client: Client, consultation: Consultation
) -> None:
    page, token = _save_and_get_link(client, consultation)
    assert "Your answers have been saved" in page.content.decode()
    draft = Response.objects.get()
    assert len(token) >= 40
    assert draft.resume_token_hash == services.token_hash(token)  # only the hash is stored
    assert token not in str(Response.objects.values().get())
    assert draft.resume_token_expires_at is not None
    assert timedelta(days=27) < draft.resume_token_expires_at - timezone.now() <= timedelta(28)

    elsewhere = Client()
    back = elsewhere.get(f"/consultations/{consultation.slug}/resume/{token}")
    # Back to the page it was saved on, and the token is out of the address bar.
    assert back.status_code == 302
    assert back["Location"] == _url(consultation, "your-views")
    resumed = elsewhere.get(back["Location"]).content.decode()
    assert PRIVATE_TEXT in resumed
    assert 'value="7 bases" checked' in resumed
    assert respond_online(elsewhere, consultation, _all_answers(consultation)).status_code == 302
    draft.refresh_from_db()
    assert draft.state == ResponseState.SUBMITTED
    assert draft.resume_token_hash == ""
    assert Response.objects.count() == 1
    # Spent once the response is sent.
    spent = Client().get(f"/consultations/{consultation.slug}/resume/{token}")
    assert spent.status_code == 404


def test_a_wrong_replaced_or_expired_link_finds_nothing_and_shows_nothing(
    client: Client, consultation: Consultation
) -> None:
    _page, token = _save_and_get_link(client, consultation)
    base = f"/consultations/{consultation.slug}/resume/"
    for wrong in ("wrong-token", token[:-1], token + "x"):
        page = Client().get(base + wrong)
        html = page.content.decode()
        assert page.status_code == 404
        assert PRIVATE_TEXT not in html
        assert "NR30" not in html
        assert "We could not find your saved answers" in html

    # Saving again gives a new link; the old one stops working.
    _page, newer = _save_and_get_link(client, consultation)
    assert newer != token
    assert Client().get(base + token).status_code == 404
    assert Client().get(base + newer).status_code == 302

    with time_machine.travel(timezone.now() + timedelta(days=28, minutes=1)):
        # The consultation is still open (it closes in 49 days), but the link has expired.
        expired = Client().get(base + newer)
        assert expired.status_code == 404
        assert PRIVATE_TEXT not in expired.content.decode()


def test_the_link_can_be_emailed_and_the_address_is_not_kept(
    client: Client, consultation: Consultation
) -> None:
    page, token = _save_and_get_link(client, consultation, email="pia@example.org")
    assert "We have emailed you the link" in page.content.decode()
    message = OutboundMessage.objects.get()
    assert message.to == "pia@example.org"
    assert f"/consultations/{consultation.slug}/resume/{token}" in message.body
    assert PRIVATE_TEXT not in message.body
    assert "pia@example.org" not in str(Response.objects.values().get())
    refused = client.post(_url(consultation, "save"), {"page": "your-views", "email": "pia@"})
    assert refused.status_code == 400
    assert "Enter an email address in the correct format" in refused.content.decode()
    assert OutboundMessage.objects.count() == 1


def test_drafts_count_nowhere_until_sent(
    client: Client, consultation: Consultation, consult_places: dict[str, Any], planner: User
) -> None:
    assert respond_online(client, consultation, _all_answers(consultation)).status_code == 302
    other = Client()
    other.post(_url(consultation, "about-you"), _all_answers(consultation))
    other.post(_url(consultation, "your-views"), _all_answers(consultation, consent_to_publish=""))
    assert Response.objects.count() == 2
    assert Response.objects.filter(state=ResponseState.DRAFT).count() == 1

    analysis = selectors.analysis_build(consultation=consultation)
    assert analysis.total == 1
    assert len(selectors.responses_for_analysis(consultation=consultation)) == 1
    _header, rows = export_rows(consultation)
    assert len(rows) == 1
    assert selectors.moderation_queue(consultation=consultation).count() == 1
    listed = selectors.consultation_list_for_analyst(user=planner).get(pk=consultation.pk)
    assert listed.submitted_count == 1  # type: ignore[attr-defined]
    assert (
        selectors.free_text_answers(
            consultation=consultation,
            question=consultation.questions.get(kind=QuestionKind.FREE_TEXT),
        ).count()
        == 1
    )


def test_abandoned_drafts_are_deleted_and_sent_responses_kept(
    client: Client, consultation: Consultation
) -> None:
    assert respond_online(client, consultation, _all_answers(consultation)).status_code == 302
    Client().post(_url(consultation, "about-you"), _all_answers(consultation))  # no link
    _save_and_get_link(Client(), consultation)  # a link for 28 days
    assert services.drafts_delete_abandoned() == 0  # both could still be finished

    in_two_days = timezone.now() + timedelta(days=2)
    assert services.drafts_delete_abandoned(at=in_two_days) == 1  # its session has ended
    assert Response.objects.filter(state=ResponseState.DRAFT).count() == 1
    in_a_month = timezone.now() + timedelta(days=29)
    assert services.drafts_delete_abandoned(at=in_a_month) == 1  # its link has expired
    assert list(Response.objects.values_list("state", flat=True)) == [ResponseState.SUBMITTED]


def test_the_old_one_page_form_address_leads_to_the_start_page(
    client: Client, consultation: Consultation
) -> None:
    old_form_post = client.post(_url(consultation), _all_answers(consultation, action="submit"))
    assert old_form_post.status_code == 303
    assert old_form_post["Location"] == _url(consultation)
    assert not Response.objects.exists()
    # The old form of a resumed draft posted to its return link: the link is followed instead.
    _page, token = _save_and_get_link(client, consultation)
    resume_url = f"/consultations/{consultation.slug}/resume/{token}"
    old_resumed_post = Client().post(resume_url, _all_answers(consultation, action="submit"))
    assert old_resumed_post.status_code == 303
    assert old_resumed_post["Location"] == resume_url
    assert Response.objects.get().state == ResponseState.DRAFT


def test_asking_for_return_links_is_rate_limited(
    client: Client, consultation: Consultation, settings: Any
) -> None:
    settings.FAMILYREACH_RATE_LIMITS = {
        **settings.FAMILYREACH_RATE_LIMITS,
        "consult-return-link": (1, 3600),
    }
    _save_and_get_link(client, consultation, email="pia@example.org")
    again = client.post(
        _url(consultation, "save"), {"page": "your-views", "email": "someone@example.org"}
    )
    assert again.status_code == 429
    assert OutboundMessage.objects.count() == 1


def test_a_return_link_after_the_close_says_the_consultation_has_closed(
    client: Client, consultation: Consultation
) -> None:
    _page, token = _save_and_get_link(client, consultation)
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()
    page = Client().get(f"/consultations/{consultation.slug}/resume/{token}")
    html = page.content.decode()
    assert "This consultation closed on" in html
    assert PRIVATE_TEXT not in html
    assert "Start now" not in html
