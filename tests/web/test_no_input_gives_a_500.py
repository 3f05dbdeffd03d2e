"""No input gives a 500: generated values posted to every form and every parameterised URL.

Issue 18's quality bar: "0 responses of 500 in the property-based run (at least 20,000
generated requests)". Hypothesis draws, for each request, one route of the whole URL conf (every
app's, public and staff), a value for each of its URL parameters (a real record's id most of
the time, so the view goes deep; otherwise a huge number, Unicode digits, a NUL or a long
string), and a query string or form body. Field names come from the forms the page itself
shows (scraped from its HTML, so a new field is fuzzed as soon as it exists) plus names views
commonly read. Values are the kinds that broke pages before: Unicode digits ("²" passes
`str.isdigit()`; `int()` refuses it), numbers wider than a bigint, NULs (PostgreSQL refuses
them in text), strings of thousands of characters, dates out of range, empty values.

Each request runs in a transaction rolled back after it (as in the authorisation matrix), so
what one request changes does not hide what the next one would find, and the rate limits'
cache is emptied before each so that forms are reached rather than refused with 429.

`make test` runs a few hundred requests per role on SQLite and again on PostgreSQL (`make
test-postgres`); `make fuzz` runs 20,000 or more (FAMILYREACH_FUZZ_EXAMPLES per role).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from familyreach.consult.models import ConsultationOption
from familyreach.delivery import references
from familyreach.delivery.models import Booking, Occurrence
from familyreach.directory.models import AdviceArticle
from tests.web.test_authorisation_matrix import (
    PARAMETER_ALIASES,
    StaffUrl,
    World,
    _path,
    _walk,
)
from tests.web.test_authorisation_matrix import (
    world as matrix_world,  # noqa: F401  (the matrix's world of records, as a fixture)
)

pytestmark = pytest.mark.django_db

EXAMPLES_PER_ROLE = int(os.environ.get("FAMILYREACH_FUZZ_EXAMPLES", "120"))

# Roles whose pages between them reach every view: the superuser sees every staff page; the
# others see their own views of the same records (a volunteer's match, a group's listings).
FUZZ_ROLES = ("anonymous", "superuser", "family_worker", "volunteer", "community_group_admin")

# Names views read from the query string or body without a form on the page naming them.
COMMON_NAMES = (
    "q",
    "page",
    "sort",
    "postcode",
    "age",
    "radius",
    "distance",
    "category",
    "district",
    "date",
    "day",
    "from",
    "to",
    "status",
    "next",
    "organization",
    "service",
    "session",
    "family",
    "child",
    "id",
    "format",
    "per_page",
    "year",
    "month",
)

NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1.5",
        "²",
        "١٢",
        "𝟗",
        "9" * 20,
        "9" * 400,
        "-" + "9" * 30,
        "1e309",
        "NaN",
        "inf",
        "\x00",
        "a\x00b",
        "x" * 5_000,
        "2026-02-30",
        "0000-00-00",
        "9999-12-31",
        "99999-01-01",
        "25:61",
        "NR30 1AA",
        "nr301aa",
        "ZZ99 9ZZ",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%",
        "../../etc/passwd",
        "true",
        "on",
        "[]",
        "{}",
        "null",
        "é" * 300,
        "\u202e\u200b",
        "\ud7ff",
    ]
)
ANY_TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40), st.integers().map(str))
# URL parameters: a converter's own pattern refuses most strings (a 404 from the resolver), so
# the values that reach a view are digits, slugs and the characters a `str` converter takes.
PARAMETER_TEXT = st.one_of(
    st.sampled_from(["0", "9" * 20, "9" * 40, "²", "x", "a-b", "%00", "2026-02-30", "9999-99-99"]),
    st.from_regex(r"\A[0-9]{1,30}\Z"),
    st.from_regex(r"\A[a-z0-9-]{1,60}\Z"),
)


class _FormFields(HTMLParser):
    """The names of the inputs, selects and text areas on a page, and each select's options."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag in ("input", "textarea", "select") and name and name != "csrfmiddlewaretoken":
            options = self.names.setdefault(name, [])
            if attributes.get("value"):
                options.append(attributes["value"] or "")
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select is not None:
            self.names[self._select].append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@dataclass
class Target:
    path: str
    name: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def _routes() -> list[StaffUrl]:
    """Every route but Django's own admin (not ours to harden) and signing out (which would end
    the session every other request needs)."""
    return [
        url
        for url in _walk(get_resolver().url_patterns)
        if not url.name.startswith("admin:")
        and url.name not in ("accounts:logout",)
        and not url.route.startswith("staff/django-admin")
    ]


def _public_values() -> dict[str, Any]:
    """Values for the public routes' parameters, which the matrix (staff routes) has no need of:
    a real occurrence, advice article, consultation option and booking's signed links."""
    booking = Booking.objects.order_by("pk").first()
    article = AdviceArticle.objects.order_by("pk").first()
    option = ConsultationOption.objects.order_by("pk").first()
    return {
        "occurrence_id": Occurrence.objects.order_by("pk").values_list("pk", flat=True).first(),
        "article_slug": article.slug if article else "none",
        "option_id": option.pk if option else 1,
        "cancel_token": references.cancel_token(booking.reference) if booking else "x",
        "calendar_token": references.calendar_token(booking.reference) if booking else "x",
    }


PUBLIC_ALIASES = {
    ("directory:advice-article", "slug"): "article_slug",
    ("delivery:book-cancel", "token"): "cancel_token",
    ("delivery:book-calendar", "token"): "calendar_token",
}


def _targets(world: World, client: Client) -> list[Target]:
    targets = []
    values = {**world.own, **_public_values()}
    for url in _routes():
        kwargs = {}
        for name in url.parameters:
            key = PUBLIC_ALIASES.get((url.name, name)) or PARAMETER_ALIASES.get(
                (url.name, name), name
            )
            kwargs[name] = values.get(key, "1")
        target = Target(path=_path(url.route, kwargs), name=url.name or url.route)
        response = client.get(target.path)
        if response.get("Content-Type", "").startswith("text/html"):
            parser = _FormFields()
            parser.feed(response.content.decode(errors="replace"))
            target.fields = parser.names
        targets.append(target)
    return targets


@st.composite
def _requests(draw: st.DrawFn, targets: list[Target]) -> tuple[str, str, dict[str, str]]:
    target = draw(st.sampled_from(targets))
    path = target.path
    if draw(st.integers(0, 4)) == 0:
        # Replace one path segment that holds a record's id with a generated value.
        segments = path.split("/")
        positions = [i for i, s in enumerate(segments) if s and (s[0].isdigit() or "-" in s)]
        if positions:
            segments[draw(st.sampled_from(positions))] = draw(PARAMETER_TEXT)
            path = "/".join(segments)
    names = list(target.fields) + list(COMMON_NAMES)
    chosen = draw(st.lists(st.sampled_from(names), max_size=8, unique=True))
    data = {}
    for name in chosen:
        options = target.fields.get(name) or []
        if options and draw(st.booleans()):
            data[name] = draw(st.sampled_from(options))  # a value the form itself offers
        else:
            data[name] = draw(ANY_TEXT)
    # Most forms need most of their fields to get past "required": fill the rest with what the
    # form offers, so a generated value in one field meets otherwise plausible ones.
    if draw(st.booleans()):
        for name, options in target.fields.items():
            data.setdefault(name, options[0] if options else "1")
    method = draw(st.sampled_from(["get", "post"])) if target.fields else "get"
    return method, path, data


@pytest.mark.parametrize("role", FUZZ_ROLES)
def test_no_generated_request_gets_a_server_error(role: str, matrix_world: World) -> None:  # noqa: F811
    client = Client(raise_request_exception=False, REMOTE_ADDR="198.51.100.9")
    user = matrix_world.users[role]
    if user is not None:
        client.force_login(user)
    targets = _targets(matrix_world, client)
    assert len(targets) > 150  # the whole URL conf, not a handful of pages
    with_forms = [t for t in targets if t.fields]
    # Public pages have a handful of forms, the superuser's every staff form; a volunteer's and
    # a group's pages a few of their own.
    assert len(with_forms) > {"anonymous": 5, "superuser": 40}.get(role, 3)
    errors: list[str] = []
    sent = 0

    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        deadline=None,
        derandomize=os.environ.get("FAMILYREACH_FUZZ_RANDOM") != "1",
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(request=_requests(targets))
    def send(request: tuple[str, str, dict[str, str]]) -> None:
        nonlocal sent
        method, path, data = request
        caches["default"].clear()  # the rate limits, so the form is reached, not refused
        with transaction.atomic():
            response = client.post(path, data) if method == "post" else client.get(path, data)
            transaction.set_rollback(True)
        sent += 1
        if response.status_code >= 500:
            errors.append(f"{method.upper()} {path} {data!r}: {response.status_code}")
        assert response.status_code < 500, errors[-1]

    send()
    assert sent >= EXAMPLES_PER_ROLE
    assert errors == []
