"""Responding online and on paper: validation, save-and-return, the close date, abuse flags."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.consult import services
from familyreach.consult.models import (
    Channel,
    Consultation,
    EqualityMonitoring,
    FlagKind,
    Moderation,
    QuestionKind,
    Response,
    ResponseState,
)
from tests.fixtures.consult import respond_online

pytestmark = pytest.mark.django_db


def _form_data(consultation: Consultation, **overrides: Any) -> dict[str, Any]:
    questions = {q.kind: q for q in consultation.questions.all()}
    data: dict[str, Any] = {
        "respondent_type": "parent",
        "postcode": "nr30 1ne",
        questions[QuestionKind.SINGLE_CHOICE].field_name: "7 bases",
        questions[QuestionKind.AGREE_SCALE].field_name: "agree",
        questions[QuestionKind.MULTIPLE_CHOICE].field_name: ["Library sessions", "Health visitor"],
        questions[QuestionKind.FREE_TEXT].field_name: "The bus to the base takes an hour.",
        "consent_to_publish": "yes",
        "action": "submit",
    }
    data.update(overrides)
    return data


def test_public_list_and_page_show_the_proposal_safely(
    client: Client, consultation: Consultation
) -> None:
    listing = client.get("/consultations/").content.decode()
    assert consultation.title in listing
    html = client.get(f"/consultations/{consultation.slug}/").content.decode()
    assert "<strong>7 bases</strong>" in html
    assert "<script>alert" not in html  # the proposal's Markdown is cleaned by nh3
    assert "15 bases" in html
    assert "Paper copies, easy read, large print" in html
    # The start page: the questions are on pages of their own, reached by "Start now".
    assert f'href="/consultations/{consultation.slug}/respond/about-you"' in html
    assert 'name="respondent_type"' not in html


def test_draft_consultations_are_not_public(client: Client, consultation: Consultation) -> None:
    consultation.status = "draft"
    consultation.save()
    assert client.get(f"/consultations/{consultation.slug}/").status_code == 404
    assert consultation.title not in client.get("/consultations/").content.decode()


def test_online_response_is_placed_by_postcode_and_confirmed_with_a_reference(
    client: Client, consultation: Consultation, consult_places: dict[str, Any]
) -> None:
    page = respond_online(client, consultation, _form_data(consultation))
    assert page.status_code == 302
    response = Response.objects.get()
    assert response.state == ResponseState.SUBMITTED
    assert response.channel == Channel.ONLINE
    assert response.postcode == "NR30 1NE"
    assert response.district is not None
    assert response.district.name == "Great Yarmouth"
    assert response.area is not None
    assert response.area.code == "E01099001"
    assert response.imd_decile == 1
    assert response.moderation == Moderation.PENDING
    assert response.source_hash
    assert "198.51" not in response.source_hash
    assert len(response.reference) == 10
    assert response.reference.startswith("FR-")
    confirmation = client.get(page["Location"]).content.decode()
    assert response.reference in confirmation
    assert "govuk-panel" in confirmation


def test_missing_answers_are_refused_with_an_error_summary_and_nothing_is_lost(
    client: Client, consultation: Consultation
) -> None:
    base = f"/consultations/{consultation.slug}/respond"
    data = _form_data(consultation, respondent_type="", postcode="not a postcode")
    page = client.post(f"{base}/about-you", data)
    html = page.content.decode()
    assert page.status_code == 400
    assert "govuk-error-summary" in html
    assert "Select whether you are responding as a parent or carer" in html
    assert "Enter a full UK postcode" in html
    assert 'href="#respondent_type"' in html
    assert 'value="not a postcode"' in html  # what was typed is kept
    assert "<title>Error:" in html
    assert not Response.objects.exists()
    questions = {q.kind: q for q in consultation.questions.all()}
    data = _form_data(consultation)
    data.pop(questions[QuestionKind.SINGLE_CHOICE].field_name)
    assert client.post(f"{base}/about-you", data).status_code == 302
    page = client.post(f"{base}/your-views", data)
    html = page.content.decode()
    assert page.status_code == 400
    assert "Select an answer to: Which option do you prefer?" in html
    assert "The bus to the base takes an hour." in html  # what was typed is kept
    assert Response.objects.get().state == ResponseState.DRAFT


def test_quoting_needs_consent_to_publish(client: Client, consultation: Consultation) -> None:
    data = _form_data(consultation, consent_to_quote="yes")
    data.pop("consent_to_publish")
    page = client.post(f"/consultations/{consultation.slug}/respond/publishing", data)
    assert page.status_code == 400
    assert "only if you also agree to your response being published" in page.content.decode()


def test_closed_consultation_refuses_responses(
    client: Client, closed_consultation: Consultation, respond: Callable[..., Response]
) -> None:
    page = client.get(f"/consultations/{closed_consultation.slug}/")
    html = page.content.decode()
    assert "This consultation closed on" in html
    assert 'name="respondent_type"' not in html
    assert "Start now" not in html
    posted = client.post(
        f"/consultations/{closed_consultation.slug}/respond/about-you",
        _form_data(closed_consultation),
    )
    assert posted.status_code == 403
    assert "We can no longer accept responses" in posted.content.decode()
    with pytest.raises(services.ConsultationNotOpen):
        respond(closed_consultation)
    assert not Response.objects.exists()


def test_not_yet_open_refuses_and_the_close_is_exact(
    consultation: Consultation, respond: Callable[..., Response]
) -> None:
    with pytest.raises(services.ConsultationNotOpen, match="not open yet"):
        respond(consultation, at=consultation.opens_at - timedelta(seconds=1))
    with pytest.raises(services.ConsultationNotOpen, match="closed"):
        respond(consultation, at=consultation.closes_at)
    accepted = respond(consultation, at=consultation.closes_at - timedelta(seconds=1))
    assert accepted.state == ResponseState.SUBMITTED


def test_a_saved_draft_cannot_be_sent_after_the_close(
    consultation: Consultation, client: Client
) -> None:
    base = f"/consultations/{consultation.slug}/respond"
    assert client.post(f"{base}/about-you", _form_data(consultation)).status_code == 302
    draft = Response.objects.get()
    consultation.closes_at = timezone.now() - timedelta(minutes=1)
    consultation.save()
    page = client.post(f"{base}/check-your-answers")
    assert page.status_code == 403
    assert "We can no longer accept responses" in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == ResponseState.DRAFT


def test_paper_responses_are_marked_and_need_a_received_date_within_the_consultation(
    client: Client, closed_consultation: Consultation, planner: User
) -> None:
    client.force_login(planner)
    url = f"/staff/consultations/{closed_consultation.slug}/paper"
    data = _form_data(closed_consultation)
    missing = client.post(url, data)
    assert missing.status_code == 400
    assert "Enter the date the paper response was received" in missing.content.decode()
    late = timezone.localdate()
    too_late = client.post(
        url,
        {
            **data,
            "received_on_day": late.day,
            "received_on_month": late.month,
            "received_on_year": late.year,
        },
    )
    assert too_late.status_code == 400
    assert "outside the consultation" in too_late.content.decode()
    assert not Response.objects.exists()
    in_time = timezone.localtime(closed_consultation.closes_at - timedelta(days=1)).date()
    saved = client.post(
        url,
        {
            **data,
            "received_on_day": in_time.day,
            "received_on_month": in_time.month,
            "received_on_year": in_time.year,
        },
    )
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.channel == Channel.PAPER
    assert response.entered_by == planner
    assert response.received_on == in_time
    assert response.source_hash == ""


def test_equality_answers_are_stored_apart_with_no_link(
    consultation: Consultation, respond: Callable[..., Response]
) -> None:
    respond(consultation, equality={"age_band": "25_34", "disability": "no"})
    respond(consultation)  # no equality answers: no return at all
    returns = list(EqualityMonitoring.objects.all())
    assert len(returns) == 1
    assert returns[0].age_band == "25_34"
    field_names = {f.name for f in EqualityMonitoring._meta.get_fields()}
    assert not field_names & {"response", "created_at", "submitted_at", "source_hash"}


def test_many_responses_from_one_source_are_flagged_not_refused(
    consultation: Consultation, respond: Callable[..., Response], settings: Any
) -> None:
    settings.CONSULT_RATE_LIMIT_COUNT = 3
    responses = [respond(consultation, source_address="203.0.113.9") for _ in range(5)]
    flagged = [r for r in responses if r.flags.filter(kind=FlagKind.RATE).exists()]
    assert [r.pk for r in flagged] == [r.pk for r in responses[3:]]
    other = respond(consultation, source_address="203.0.113.10")
    assert not other.flags.exists()
    assert Response.objects.filter(state=ResponseState.SUBMITTED).count() == 6


def test_same_text_from_the_same_source_is_flagged(
    consultation: Consultation, respond: Callable[..., Response]
) -> None:
    text = "Save our children's centre, it is a lifeline for local families."
    first = respond(consultation, text=text, source_address="203.0.113.5")
    copy = respond(consultation, text=text.upper() + "  ", source_address="203.0.113.5")
    elsewhere = respond(consultation, text=text, source_address="203.0.113.6")
    assert not first.flags.exists()
    assert copy.flags.get().kind == FlagKind.SAME_TEXT
    assert first.reference in copy.flags.get().detail
    assert not elsewhere.flags.exists()  # a campaign's wording from different people is fine


def test_duplicate_paper_response_is_flagged(
    consultation: Consultation,
    respond: Callable[..., Response],
    planner: User,
    consult_places: dict[str, Any],
) -> None:
    first = respond(consultation, paper_by=planner, postcode="NR30 1NE", text="Keep it open please")
    again = respond(consultation, paper_by=planner, postcode="NR30 1NE", text="Keep it open please")
    different = respond(consultation, paper_by=planner, postcode="NR30 1NE", text="Other view")
    assert not first.flags.exists()
    assert again.flags.get().kind == FlagKind.DUPLICATE_PAPER
    assert not different.flags.exists()


def test_outside_postcode_is_accepted_but_not_placed(
    consultation: Consultation, respond: Callable[..., Response], consult_places: dict[str, Any]
) -> None:
    response = respond(consultation, postcode="ip1 1aa")
    assert response.postcode == "IP1 1AA"
    assert response.district is None
    assert response.imd_decile is None


def test_real_norfolk_postcode_is_placed_in_its_area_and_decile(
    norfolk: Any, respond: Callable[..., Response]
) -> None:
    from familyreach.geo.models import Postcode
    from tests.fixtures.consult import consultation_build

    consultation = consultation_build(slug="norfolk-consultation")
    postcode = Postcode.objects.filter(area=norfolk.most_deprived_area).order_by("compact").first()
    assert postcode is not None
    response = respond(consultation, postcode=postcode.compact.lower())
    assert response.postcode == postcode.postcode
    assert response.district == norfolk.great_yarmouth
    assert response.area == norfolk.most_deprived_area
    assert response.imd_decile == norfolk.most_deprived_area.imd_decile == 1


def test_the_closed_message_gives_the_time_in_london(closed_consultation: Consultation) -> None:
    with pytest.raises(services.ConsultationNotOpen) as refused:
        services.consultation_check_open(consultation=closed_consultation)
    closes = timezone.localtime(closed_consultation.closes_at)
    assert closes.strftime("%-d %B %Y") in refused.value.message  # "14 November", not "november"
    assert refused.value.message.endswith("We can no longer accept responses.")
