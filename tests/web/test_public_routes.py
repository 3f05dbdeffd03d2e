"""The public half of the authorisation matrix: every route outside /staff/.

The list is not written by hand: the URL conf is walked, and every public route must be either
declared free of personal data (with the reason) or declared to carry it. Those that carry it
are reached only with a key the family was given (a signed link) or from the visitor's own
session, so here:
- every route with a `token` in its path is asked with a made-up token, a tampered one, and
  every other route's genuine token: each is 404 and shows none of the personal data;
- the pages that read the visitor's session (confirmations) show nothing to another visitor,
  also with the public page cache on (a kept page is never another visitor's);
- none of them may be kept by a shared cache (`Cache-Control: private, no-store`).

Two-factor authentication has no part here (no one signs in); the page cache is on.
"""

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import get_resolver

from familyreach.consult import services as consult_services
from familyreach.consult.models import Consultation, QuestionKind
from familyreach.delivery import references
from familyreach.delivery.models import Booking, BookingStatus, Occurrence
from familyreach.delivery.services import (
    OnlineBookingDetails,
    booking_create,
    booking_hold_create,
)
from familyreach.directory.models import SupportRequest
from familyreach.families.models import Family
from tests.fixtures.consult import consultation_build
from tests.web.test_authorisation_matrix import StaffUrl, _path, _walk

pytestmark = pytest.mark.django_db

# Public routes that show no personal data, and why. A new public route must be added here or
# to WITH_PERSONAL_DATA (and then to the checks below).
WITHOUT_PERSONAL_DATA: dict[str, str] = {
    "web:home": "the front door: links and text",
    "web:healthz": "whether the service and its jobs are running: no records",
    "web:accessibility": "a fixed statement",
    "web:privacy": "a fixed notice",
    "web:data-sources": "the open data the service uses",
    "directory:find": "published listings of services",
    "directory:service": "one published listing",
    "directory:advice": "published articles",
    "directory:advice-article": "one published article",
    "directory:request-support": "a blank form (only what the visitor typed is shown back)",
    "directory:oruk-root": "the API's version and profile",
    "directory:oruk-openapi": "the API's description",
    "directory:oruk-services": "published listings (no staff emails: checked by the API tests)",
    "directory:oruk-service": "one published listing",
    "directory:oruk-service-at-locations": "published listings at their places",
    "directory:oruk-service-at-location": "one published listing at one place",
    "directory:oruk-taxonomies": "the category lists",
    "directory:oruk-taxonomy": "one category list",
    "directory:oruk-taxonomy-terms": "categories",
    "directory:oruk-taxonomy-term": "one category",
    "directory:oruk-organizations": "published organisations",
    "directory:oruk-organization": "one published organisation",
    "delivery:book-list": "sessions with places, and how many",
    "delivery:book": "a session and a blank form (only what the visitor typed is shown back)",
    "delivery:book-check": "'check your email or phone': names the channel only, nothing typed",
    "community:group-register": "a blank form",
    "community:group-registered": "a fixed thank-you page",
    "consult:list": "published consultations",
    "consult:detail": "a proposal and a blank form",
    "consult:option-map": "an option's map: areas and bases, no people",
    "consult:published": "responses their authors agreed to publish, without names",
    "consult:summary": "counts and the decision",
    "insight_public:annual-report": "counts and shares by district, small numbers hidden",
    "insight_public:annual-report-csv": "the annual report's table: counts, small numbers hidden",
}
# Public routes that show personal data, and the key to it.
WITH_PERSONAL_DATA: dict[str, str] = {
    "delivery:booked": "the booking just made (its reference): the visitor's own session",
    "delivery:book-cancel": "a booking, by its cancel link's signed token",
    "delivery:book-calendar": "a booking, by its calendar link's signed token",
    "consult:resume": "a draft response's answers and postcode, by its secret link",
    "consult:respond": "a question page with the visitor's own draft answers: their session",
    "consult:check": "'check your answers': the visitor's own draft, from their session",
    "consult:save": "the visitor's own draft's return link: their session",
    "delivery:book-confirm": "an unconfirmed booking's session and child, by its secret link",
    "consult:confirmation": "the response's reference: the visitor's own session",
    "directory:request-support-sent": "the request's reference: the visitor's own session",
}


def public_urls() -> list[StaffUrl]:
    return [u for u in _walk(get_resolver().url_patterns) if not u.route.startswith("staff")]


def test_every_public_route_is_declared() -> None:
    names = {u.name for u in public_urls()}
    declared = set(WITHOUT_PERSONAL_DATA) | set(WITH_PERSONAL_DATA)
    assert sorted(names - declared) == [], "Declare these public routes (with or without data)"
    assert sorted(declared - names) == [], "These declared routes no longer exist"
    assert not set(WITHOUT_PERSONAL_DATA) & set(WITH_PERSONAL_DATA)


@pytest.fixture(autouse=True)
def _page_cache_on() -> Iterator[None]:
    with override_settings(FAMILYREACH_PUBLIC_CACHE_SECONDS=60):
        yield


DRAFT_WORDS = "Quillon draft about the Gorleston base"
DRAFT_POSTCODE = "NR30 1NE"
HOLD_CHILD = "Quillonetta"


@pytest.fixture
def keys(
    next_occurrence: Occurrence, yarmouth_family: Family, norwich_family: Family
) -> dict[str, Any]:
    """Two families' bookings (own and other) and a draft consultation response, each with
    its genuine link, and the words each link's page may show only to its holder."""
    own = booking_create(user=None, occurrence_id=next_occurrence.pk, family=yarmouth_family)
    other = booking_create(user=None, occurrence_id=next_occurrence.pk, family=norwich_family)
    consultation: Consultation = consultation_build(slug="matrix-public")
    free_text = consultation.questions.get(kind=QuestionKind.FREE_TEXT)
    draft = consult_services.response_save_draft(
        consultation=consultation,
        data=consult_services.ResponseData(
            answers={free_text.pk: DRAFT_WORDS}, respondent_type="parent", postcode=DRAFT_POSTCODE
        ),
    )
    resume = consult_services.response_return_link_issue(response=draft)
    hold = booking_hold_create(
        occurrence_id=next_occurrence.pk,
        details=OnlineBookingDetails(
            carer_first_name="Pia",
            carer_last_name="Quillon",
            email="pia@example.org",
            phone="",
            postcode="NR30 1NE",
            child_first_name=HOLD_CHILD,
            child_date_of_birth=date(2025, 9, 1),
            expected_due_date=None,
            remind_by_email=True,
            remind_by_text=False,
        ),
    )
    return {
        "own": own,
        "other": other,
        "slug": consultation.slug,
        "occurrence_id": next_occurrence.pk,
        "tokens": {
            "delivery:book-cancel": references.cancel_token(own.reference),
            "delivery:book-calendar": references.calendar_token(own.reference),
            "consult:resume": resume,
            "delivery:book-confirm": hold.token,
        },
        # What the genuine link shows; no other key may show any of it.
        "secrets": [own.reference, other.reference, DRAFT_WORDS, HOLD_CHILD],
    }


def _token_routes() -> list[StaffUrl]:
    return [u for u in public_urls() if "token" in u.parameters]


def _tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def test_a_link_opens_only_with_its_own_token(keys: dict[str, Any], client: Client) -> None:
    routes = _token_routes()
    assert {u.name for u in routes} <= set(WITH_PERSONAL_DATA)
    missing = sorted(u.name for u in routes if u.name not in keys["tokens"])
    assert missing == [], f"Give these token routes a genuine token in `keys`: {missing}"
    problems = []
    for url in routes:

        def path(token: str, url: StaffUrl = url) -> str:
            values = {"slug": keys["slug"], "occurrence_id": keys["occurrence_id"], "token": token}
            return _path(url.route, {name: values[name] for name in url.parameters})

        # A consultation's return link puts the draft in the visitor's session and sends them
        # on to its page (so the secret leaves the address bar): followed, as a browser does.
        genuine = client.get(path(keys["tokens"][url.name]), follow=True)
        if genuine.status_code != 200:
            problems.append(f"{url.name}: its own token gave {genuine.status_code}")
        if "no-store" not in genuine.get("Cache-Control", ""):
            problems.append(f"{url.name}: may be kept by a cache ({genuine.get('Cache-Control')})")
        wrong = [
            "not-a-real-link",
            _tampered(keys["tokens"][url.name]),
            *(token for name, token in keys["tokens"].items() if name != url.name),
        ]
        for token in wrong:
            for method in ("get", "post"):
                response = getattr(client, method)(path(token), {"confirm": "yes"}, follow=True)
                body = response.content.decode(errors="replace")
                shown = [secret for secret in keys["secrets"] if secret in body]
                if response.status_code != 404 or shown:
                    problems.append(
                        f"{method.upper()} {url.name} with {token[:24]}…: "
                        f"{response.status_code}, shows {shown}"
                    )
    assert problems == [], "\n".join(problems)
    # Nothing done with a wrong key: both bookings stand.
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert statuses == {BookingStatus.CONFIRMED}


SESSION_PAGES = ("delivery:booked", "consult:confirmation", "directory:request-support-sent")


def test_confirmation_pages_show_nothing_to_another_visitor(
    next_occurrence: Occurrence, yarmouth_area: Any
) -> None:
    """The request-support journey for real: the family sees its reference, a second visitor
    (with the page cache on) is sent back to the form and sees nothing of it, twice."""
    family = Client()
    sent = family.post(
        "/request-support",
        {
            "requester": "family",
            "name": "Sam Quillon",
            "postcode": "nr30 1ne",
            "children_ages": "0, 3",
            "help_with": ["parenting"],
            "details": "",
            "contact_method": "email",
            "email": "sam@example.org",
            "phone": "",
            "best_times": "",
            "family_consent": "on",
        },
    )
    assert sent.status_code == 302
    page = family.get(sent["Location"])
    reference = SupportRequest.objects.get(name="Sam Quillon").reference
    assert reference in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    stranger = Client()
    values = {"occurrence_id": next_occurrence.pk, "slug": consultation_build(slug="c").slug}
    for url in public_urls():
        if url.name not in SESSION_PAGES:
            continue
        path = _path(url.route, {name: values[name] for name in url.parameters})
        for _attempt in range(2):  # the second would be the kept copy, were one kept
            response = stranger.get(path)
            assert response.status_code == 302, (url.name, response.status_code)
            assert reference not in response.content.decode()
            assert "Sam Quillon" not in response.content.decode()
