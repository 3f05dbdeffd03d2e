"""Who may see each staff consultation page: managers and planners only (403 for other staff,
the sign-in page for anyone signed out). Public pages need no sign-in."""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.consult.models import Consultation

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
    role: Role, consultation: Consultation, make_user: Callable[..., User]
) -> None:
    client = Client()
    client.force_login(make_user(role))
    for method, url in _all_urls(consultation):
        response = client.get(url) if method == "GET" else client.post(url, {})
        if role in ALLOWED:
            assert response.status_code in (200, 302, 400, 404), (role, method, url)
            if method == "GET":
                assert response.status_code == 200, (role, url)
        else:
            assert response.status_code == 403, (role, method, url, response.status_code)


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
