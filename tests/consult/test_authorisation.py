"""Who may see each staff consultation page: managers and planners only (403 for other staff,
the sign-in page for anyone signed out). Public pages need no sign-in."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.consult import services
from familyreach.consult.models import (
    Answer,
    Consultation,
    FlagKind,
    QuestionKind,
    Response,
    ResponseFlag,
)

pytestmark = pytest.mark.django_db

STAFF_GET_URLS = (
    "consult:staff-analysis",
    "consult:staff-chart-data",
    "consult:staff-report",
    "consult:staff-export-csv",
    "consult:staff-export-xlsx",
    "consult:staff-paper",
    "consult:staff-coding",
    "consult:staff-quotes",
    "consult:staff-moderation",
    "consult:staff-flags",
    "consult:staff-decision",
)
STAFF_POST_URLS = (
    "consult:staff-paper",
    "consult:staff-coding",
    "consult:staff-tag",
    "consult:staff-quotes",
    "consult:staff-moderation",
    "consult:staff-flags",
    "consult:staff-decision",
)
ALLOWED = {Role.MANAGER, Role.PLANNER}


def _all_urls(consultation: Consultation) -> list[tuple[str, str]]:
    urls = [("GET", reverse("consult:staff-list"))]
    urls += [("GET", reverse(name, args=[consultation.slug])) for name in STAFF_GET_URLS]
    urls += [("POST", reverse(name, args=[consultation.slug])) for name in STAFF_POST_URLS]
    return urls


def _posts_naming_real_records(
    consultation: Consultation, respond: Callable[..., Response], analyst: User
) -> dict[str, tuple[dict[str, Any], int]]:
    """For each staff POST: a form naming records that exist (an empty one would be refused
    with 404 whoever sent it, hiding a wrong refusal), and the status an analyst gets."""
    response = respond(
        consultation, text="The bus to the centre is too dear", consent_to_publish=True
    )
    answer = Answer.objects.get(response=response, question__kind=QuestionKind.FREE_TEXT)
    code = services.code_create(
        consultation=consultation, theme="Travel", name="Cost", keywords="bus", user=analyst
    )
    flag = ResponseFlag.objects.create(response=response, kind=FlagKind.RATE)
    return {
        # A form with nothing filled in is shown again, with its errors.
        "consult:staff-paper": ({}, 200),
        "consult:staff-coding": ({}, 200),
        "consult:staff-decision": ({}, 200),
        "consult:staff-tag": ({"answer": answer.pk, "code": code.pk}, 302),
        "consult:staff-quotes": ({"answer": answer.pk, "text": "too dear"}, 302),
        "consult:staff-moderation": ({"response": response.pk, "decision": "publish"}, 302),
        "consult:staff-flags": ({"flag": flag.pk}, 302),
    }


def test_the_matrix_covers_every_staff_url() -> None:
    from familyreach.consult.urls import urlpatterns

    staff_names = {
        f"consult:{pattern.name}"
        for pattern in urlpatterns
        if str(pattern.pattern).startswith("staff/")
    }
    assert staff_names == {"consult:staff-list", *STAFF_GET_URLS, *STAFF_POST_URLS}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_the_expected_status_on_every_staff_url(
    role: Role,
    consultation: Consultation,
    respond: Callable[..., Response],
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    user = make_user(role)
    client = signed_in(user)
    posts = _posts_naming_real_records(consultation, respond, user)
    assert set(posts) == set(STAFF_POST_URLS)
    for name in ("consult:staff-list", *STAFF_GET_URLS):
        args = [] if name == "consult:staff-list" else [consultation.slug]
        status = client.get(reverse(name, args=args)).status_code
        assert status == (200 if role in ALLOWED else 403), (role, name, status)
    for name, (data, allowed_status) in posts.items():
        status = client.post(reverse(name, args=[consultation.slug]), data).status_code
        assert status == (allowed_status if role in ALLOWED else 403), (role, name, status)


def test_signed_out_visitors_are_sent_to_sign_in(consultation: Consultation) -> None:
    client = Client()
    for method, url in _all_urls(consultation):
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/staff/sign-in"), url


def test_superuser_may_analyse(consultation: Consultation, make_user: Callable[..., User]) -> None:
    client = Client()
    client.force_login(make_user(None, is_superuser=True, is_staff=True))
    assert (
        client.get(reverse("consult:staff-analysis", args=[consultation.slug])).status_code == 200
    )


def test_unknown_consultation_is_404_for_analysts_and_403_for_others(
    manager: User, family_worker: User
) -> None:
    client = Client()
    client.force_login(manager)
    assert client.get("/staff/consultations/nope/").status_code == 404
    client.force_login(family_worker)
    assert client.get("/staff/consultations/nope/").status_code == 403


def test_public_pages_need_no_sign_in(consultation: Consultation) -> None:
    client = Client()
    for name in ("consult:detail", "consult:published"):
        assert client.get(reverse(name, args=[consultation.slug])).status_code == 200
    assert client.get(reverse("consult:list")).status_code == 200


def test_staff_navigation_shows_analysis_to_managers_and_planners_only(
    planner: User, family_worker: User
) -> None:
    client = Client()
    client.force_login(planner)
    assert 'href="/staff/consultations/"' in client.get("/staff/").content.decode()
    client.force_login(family_worker)
    assert 'href="/staff/consultations/"' not in client.get("/staff/").content.decode()


def test_consultations_are_in_the_public_navigation(consultation: Consultation) -> None:
    assert 'href="/consultations/"' in Client().get("/").content.decode()


def test_a_superuser_can_set_up_a_consultation_in_the_admin(
    consultation: Consultation, make_user: Callable[..., User]
) -> None:
    client = Client()
    client.force_login(make_user(None, is_superuser=True, is_staff=True))
    page = client.get(f"/staff/django-admin/consult/consultation/{consultation.pk}/change/")
    assert page.status_code == 200
    assert "Which option do you prefer?" in page.content.decode()


@pytest.mark.parametrize("value", ["abc", "²", "9" * 30, ""])
@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("consult:staff-tag", "answer"),
        ("consult:staff-tag", "code"),
        ("consult:staff-quotes", "answer"),
        ("consult:staff-moderation", "response"),
        ("consult:staff-flags", "flag"),
    ],
)
def test_a_malformed_id_in_a_post_is_not_found(
    consultation: Consultation, manager: User, name: str, field: str, value: str
) -> None:
    client = Client()
    client.force_login(manager)
    response = client.post(reverse(name, args=[consultation.slug]), {field: value})
    assert response.status_code == 404, (name, field, value, response.status_code)
