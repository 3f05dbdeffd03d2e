"""axe-core over every HTML page of the service, in Chromium: each app's browser tests check
the journeys they own; this sweep makes sure no page is missed, including ones added later.

Staff pages come from the URL conf (every pattern under /staff/, as the authorisation matrix
walks it) and are opened signed in as an administrator, in the matrix's world of records so that
every page has something to show. Public pages are every pattern outside /staff/ that answers
HTML. Pages that are not HTML (CSV, GeoJSON, JSON, Excel, the ORUK API) have no page to check
and are counted separately; Django's own admin is not GOV.UK-styled and is out of scope (it is
for the council's IT team). The test fails on any serious or critical axe finding, and if fewer
pages were checked than the service has, so a broken walk cannot pass by checking nothing.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from playwright.sync_api import Page

from familyreach.consult.models import Consultation
from familyreach.delivery.models import Occurrence
from familyreach.directory import services as directory_services
from familyreach.directory.models import AdviceArticle, Service
from tests.web.test_authorisation_matrix import (
    PARAMETER_ALIASES,
    World,
    _expected_for,
    _path,
    _walk,
    staff_urls,
)
from tests.web.test_authorisation_matrix import (
    world as matrix_world,  # noqa: F401  (the matrix's world of records, as a fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Public pages reached only with a token or after a form (a consultation response being resumed,
# the "sent" page): their own app's browser tests open them in their journeys.
# A booking's confirmation link (from the email or text after the form), cancel page and
# calendar file are reached by links in messages: tests/journeys/test_parent_booking.py follows
# them and checks the confirm, "check your email" and cancel pages with axe.
PUBLIC_SKIPPED = {
    "consult:resume",
    # The response's question pages, "Check your answers" and the return-link page: the
    # journey in tests/journeys/test_consultation_response.py runs axe on each as it goes.
    "consult:respond",
    "consult:check",
    "consult:save",
    "web:healthz",
    "consult:option-map",  # the map is GeoJSON
    "delivery:book-confirm",
    "delivery:book-cancel",
    "delivery:book-calendar",
}


@pytest.fixture
def role() -> str:
    return "superuser"


def _is_html(client: Client, path: str) -> bool:
    """Whether the page is HTML; a page that does not answer 200 fails the sweep."""
    response = client.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return bool(response["Content-Type"].startswith("text/html"))


def _public_values(world: World, next_occurrence: Occurrence) -> dict[str, Any]:
    service = Service.objects.filter(status="active").order_by("name").first()
    article = AdviceArticle.objects.filter(status="published").first() or (
        directory_services.advice_article_save(
            user=world.users["manager"],
            article=None,
            slug="sweep-article",
            title="Getting ready for nursery",
            summary="What to expect in the first weeks.",
            body="## Before the first day\n\nVisit together, and [find a session](/find).",
            topic="feeding",
            status="published",
            review_by=timezone.localdate() + timedelta(days=365),
        )
    )
    consultation = Consultation.objects.order_by("pk").first()
    assert service is not None
    assert consultation is not None
    values = {
        "service_id": service.pk,
        "occurrence_id": next_occurrence.pk,
        "slug": consultation.slug,
    }
    return values | {"article_slug": article.slug}


def _visit(page: Page, url: str, axe: Callable[..., Any]) -> list[str]:
    page.goto(url)
    return [f"{url}: {violation['id']} {violation['nodes']}" for violation in axe(page)]


def test_every_staff_page_passes_axe(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    sign_in: Callable[..., None],
    matrix_world: World,  # noqa: F811
) -> None:
    world = matrix_world
    user = world.users["superuser"]
    assert user is not None
    client = Client()
    client.force_login(user)
    sign_in(page, user)
    findings: list[str] = []
    checked = not_html = 0
    for url in staff_urls():
        expected = _expected_for(url)
        if url.name.startswith("admin:") or url.name == "accounts:logout" or expected is None:
            continue
        method, table = expected
        if method != "get" or table["superuser"][0] != 200:
            continue
        kwargs = {
            name: world.own[PARAMETER_ALIASES.get((url.name, name), name)]
            for name in url.parameters
        }
        path = _path(url.route, kwargs)
        if not _is_html(client, path):
            not_html += 1
            continue
        findings += _visit(page, f"{live_server.url}{path}", axe)
        checked += 1
    assert findings == []
    # Every app's staff pages were reached (76 HTML pages and 11 downloads in November 2026).
    assert checked >= 70, (checked, not_html)


def test_every_public_page_passes_axe(
    page: Page,
    live_server: Any,
    axe: Callable[..., Any],
    matrix_world: World,  # noqa: F811
    next_occurrence: Occurrence,
) -> None:
    values = _public_values(matrix_world, next_occurrence)
    client = Client()
    findings: list[str] = []
    checked: list[str] = []
    for url in _walk(get_resolver().url_patterns):
        if url.route.startswith(("staff", "openreferral")) or url.name in PUBLIC_SKIPPED:
            continue
        if url.name == "directory:advice-article":
            kwargs = {"slug": values["article_slug"]}
        else:
            kwargs = {name: values[name] for name in url.parameters}
        path = _path(url.route, kwargs)
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue  # a page for a later stage (a closed consultation's results), or a download
        findings += _visit(page, f"{live_server.url}{path}", axe)
        checked.append(url.name)
    assert findings == []
    for essential in (
        "web:home",
        "directory:find",
        "directory:service",
        "directory:advice",
        "directory:request-support",
        "directory:advice-article",
        "delivery:book-list",
        "delivery:book",
        "consult:detail",
    ):
        assert essential in checked
