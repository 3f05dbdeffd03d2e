"""The front door's landing page, the health check and the GOV.UK error pages."""

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_uses_the_govuk_template_with_a_postcode_box(client: Client) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-template' in html
    assert 'href="#main-content"' in html
    assert "Skip to main content" in html
    assert "govuk-phase-banner" in html
    assert "govuk-footer" in html
    assert 'name="postcode"' in html
    assert 'action="/find"' in html
    assert "<title>Find support for your family" in html


@pytest.mark.django_db
def test_home_page_sends_a_content_security_policy_with_a_nonce(client: Client) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


@pytest.mark.django_db
def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    from familyreach.web import views

    class BrokenCursor:
        def __enter__(self) -> "BrokenCursor":
            raise DatabaseError("connection refused")

        def __exit__(self, *args: object) -> None:
            return None

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"


@pytest.mark.django_db
def test_unknown_page_gets_the_govuk_404(client: Client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="govuk-template' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accessibility", "/privacy", "/data-sources"])
def test_service_pages_render(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "govuk-heading-xl" in response.content.decode()


@pytest.mark.django_db
def test_accessibility_statement_names_the_standard(client: Client) -> None:
    html = client.get("/accessibility").content.decode()
    assert "Web Content Accessibility Guidelines version 2.2" in html
