"""HTTP caching (core/public_cache.py): anonymous public pages say any cache may keep them,
with an ETag and a Last-Modified that conditional GETs are answered from (304), from a kept
page and from a fresh render; everything personal says no-store. And public pages need no CSP
nonce: their one inline script is allowed by its hash."""

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import govuk_frontend_jinja
import pytest
from django.conf import settings
from django.test import Client, override_settings

from familyreach.accounts.models import User
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("norfolk")]

FIND = "/find?postcode=NR30+1NE&radius=5"
SERVICES_NEAR = "/openreferral/services?postcode=NR30%201NE&proximity=10000"


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    return directory_world


@pytest.fixture
def page_cache_on() -> Any:
    with override_settings(FAMILYREACH_PUBLIC_CACHE_SECONDS=60):
        yield


def _kept(response: Any) -> bool:
    return response.get("X-Familyreach-Cache") == "hit"


def _vary(response: Any) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.mark.usefixtures("page_cache_on")
@pytest.mark.parametrize("address", [FIND, SERVICES_NEAR])
def test_an_anonymous_public_page_may_be_kept_by_any_cache(
    world: DirectoryWorld, address: str
) -> None:
    response = Client().get(address)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60, s-maxage=60"
    assert {"cookie", "accept-encoding"} <= _vary(response)
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])  # strong, over the body
    assert response["ETag"] == f'"{hashlib.md5(response.content).hexdigest()}"'  # noqa: S324
    assert "GMT" in response["Last-Modified"]
    assert not response.cookies


@pytest.mark.usefixtures("page_cache_on")
def test_a_kept_page_answers_if_none_match_and_if_modified_since_with_304(
    world: DirectoryWorld, django_assert_num_queries: Any
) -> None:
    first = Client().get(FIND)
    with django_assert_num_queries(0):  # answered from the kept page, without building it
        again = Client().get(FIND, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert {"cookie", "accept-encoding"} <= _vary(again)

    with django_assert_num_queries(0):
        since = Client().get(FIND, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304

    # Another copy (any other ETag) gets the whole page.
    other = Client().get(FIND, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
    assert other.status_code == 200
    assert other.content == first.content


@pytest.mark.usefixtures("page_cache_on")
def test_a_kept_page_says_its_age_so_a_cache_in_front_keeps_it_no_longer(
    world: DirectoryWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from familyreach.core import public_cache

    Client().get(FIND)
    built = public_cache.time.time()
    monkeypatch.setattr(public_cache.time, "time", lambda: built + 42)
    kept = Client().get(FIND)
    assert _kept(kept)
    assert 42 <= int(kept["Age"]) <= 43
    # A 304 says it too: a cache revalidating its copy takes the Age from the 304.
    revalidated = Client().get(FIND, headers={"If-None-Match": kept["ETag"]})
    assert revalidated.status_code == 304
    assert 42 <= int(revalidated["Age"]) <= 43


def test_a_fresh_render_of_the_same_data_has_the_same_etag_and_answers_304(
    world: DirectoryWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from familyreach.core import public_cache

    # The page cache is off (test settings): every request builds the page, as it does in
    # another process or after the kept copy expired.
    first = Client().get(SERVICES_NEAR)
    assert first["Cache-Control"] == "public, no-cache"  # may be kept, but ask first
    second = Client().get(FIND)
    again = Client().get(FIND)
    assert not _kept(again)
    assert again["ETag"] == second["ETag"]  # no nonce: the same bytes each time
    conditional = Client().get(FIND, headers={"If-None-Match": second["ETag"]})
    assert conditional.status_code == 304
    assert not _kept(conditional)

    # A fresh render (a second later) is newer than any copy: If-Modified-Since alone gets the
    # page (the ETag is the exact validator; core/public_cache.py says why Last-Modified is the
    # build time).
    later = public_cache.time.time() + 2
    monkeypatch.setattr(public_cache.time, "time", lambda: later)
    by_date = Client().get(FIND, headers={"If-Modified-Since": second["Last-Modified"]})
    assert by_date.status_code == 200


@pytest.mark.usefixtures("page_cache_on")
def test_a_change_to_the_directory_changes_the_etag(world: DirectoryWorld) -> None:
    before = Client().get(FIND)
    world.stay_and_play.name = "Saturday Splash"
    world.stay_and_play.save()
    after = Client().get(FIND, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert "Saturday Splash" in after.content.decode()
    assert after["ETag"] != before["ETag"]


@pytest.mark.usefixtures("page_cache_on")
def test_a_signed_in_visitor_gets_an_uncacheable_page(world: DirectoryWorld, manager: User) -> None:
    anonymous = Client().get(FIND)
    staff = Client()
    staff.force_login(manager)
    for _ in range(2):
        response = staff.get(FIND, headers={"If-None-Match": anonymous["ETag"]})
        assert response.status_code == 200
        assert "Sign out" in response.content.decode()
        assert response["Cache-Control"] == "private, no-store"
        assert not response.has_header("ETag")
        assert "cookie" in _vary(response)


@pytest.mark.usefixtures("page_cache_on")
def test_a_visitor_with_a_message_waiting_gets_an_uncacheable_page(world: DirectoryWorld) -> None:
    Client().get(FIND)
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    response = visitor.get(FIND)
    assert not _kept(response)
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "address", ["/staff/", "/staff/directory/", "/staff/requests/", "/healthz"]
)
def test_staff_pages_are_never_stored(world: DirectoryWorld, manager: User, address: str) -> None:
    staff = Client()
    staff.force_login(manager)
    first = staff.get(address)
    assert first.status_code == 200, address
    assert "no-store" in first["Cache-Control"]
    assert "public" not in first["Cache-Control"]
    assert not first.has_header("ETag")


@pytest.mark.parametrize("address", ["/request-support", "/staff/sign-in", "/staff/"])
def test_other_anonymous_pages_are_not_stored(world: DirectoryWorld, address: str) -> None:
    # Forms carry a CSRF token; the sign-in redirect and the rest are not marked public.
    response = Client().get(address)
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_api_errors_are_not_stored(world: DirectoryWorld) -> None:
    response = Client().get("/openreferral/services?page=abc")
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"
    assert response["Access-Control-Allow-Origin"] == "*"


# --- No nonce on public pages: GOV.UK's inline script is allowed by its hash ----------------


def _inline_scripts(html: str) -> list[str]:
    """Executable inline scripts (a JSON data block is not run, so CSP does not apply)."""
    scripts = re.findall(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", html, re.S)
    return [
        body
        for attributes, body in scripts
        if "src=" not in attributes and "json" not in attributes
    ]


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def test_the_govuk_inline_script_hash_matches_the_installed_template() -> None:
    template = (
        Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
    ).read_text()
    scripts = [
        re.sub(r"^.*?%\}>", "", body, flags=re.S)  # the {% if cspNonce %} attribute, if any
        for body in re.findall(r"<script\b(.*?)</script>", template, re.S)
    ]
    assert [_csp_hash(script) for script in scripts] == [settings.GOVUK_INLINE_SCRIPT_HASH]


@pytest.mark.parametrize("address", [FIND, "/find"])
def test_public_pages_carry_no_nonce_and_their_inline_script_is_allowed_by_hash(
    world: DirectoryWorld, address: str
) -> None:
    response = Client().get(address)
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "nonce" not in html
    assert "'nonce-" not in policy
    scripts = _inline_scripts(html)
    assert scripts  # GOV.UK's "js-enabled" line
    script_src = re.search(r"script-src ([^;]+)", policy)
    assert script_src is not None
    for script in scripts:
        assert _csp_hash(script) in script_src.group(1).split()


def test_staff_pages_keep_their_nonce(world: DirectoryWorld, manager: User) -> None:
    staff = Client()
    staff.force_login(manager)
    response = staff.get("/staff/directory/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in response.content.decode()
