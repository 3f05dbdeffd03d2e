"""The public page cache (core/public_cache.py) on /find and the Open Referral API: a kept
page is the same page, without a CSP nonce, is only ever given to anonymous visitors, and is
forgotten as soon as the directory changes."""

from typing import Any

import pytest
from django.test import Client, override_settings

from familyreach.accounts.models import User
from familyreach.directory.models import Service
from familyreach.directory.search_columns import services_venue_flags_refresh
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("norfolk"),
]

FIND = "/find?postcode=NR30+1NE&radius=5"
SERVICES_NEAR = "/openreferral/services?postcode=NR30%201NE&proximity=10000"


@pytest.fixture(autouse=True)
def _page_cache_on() -> Any:
    with override_settings(FAMILYREACH_PUBLIC_CACHE_SECONDS=60):
        yield


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    return directory_world


def _kept(response: Any) -> bool:
    return response.get("X-Familyreach-Cache") == "hit"


def test_a_repeated_search_is_kept_byte_for_byte_without_a_nonce(world: DirectoryWorld) -> None:
    first = Client().get(FIND)
    second = Client().get(FIND)
    assert not _kept(first)
    assert _kept(second)
    # Public pages carry no CSP nonce (a shared cache would hand the same one to everyone), so
    # a kept page is the very page first sent, and its CSP header is the one first sent.
    assert "nonce" not in first.content.decode()
    assert "nonce-" not in first["Content-Security-Policy"]
    assert second.content == first.content
    assert world.stay_and_play.name in second.content.decode()
    # The headers the page was first sent with (added by the middleware a hit never reaches).
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Content-Type", "ETag"):
        assert second[header] == first[header]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_the_query_string_is_part_of_the_key(world: DirectoryWorld) -> None:
    Client().get(FIND)
    assert not _kept(Client().get(FIND + "&radius=1"))
    assert not _kept(Client().get("/find?radius=5&postcode=NR30+1NE"))  # links keep the order
    assert _kept(Client().get(FIND))


def test_a_change_to_a_listing_is_on_the_next_page(world: DirectoryWorld) -> None:
    visitor = Client()
    assert world.stay_and_play.name in visitor.get(FIND).content.decode()
    assert _kept(visitor.get(FIND))

    world.stay_and_play.name = "Saturday Splash"
    world.stay_and_play.save()
    response = visitor.get(FIND)
    assert not _kept(response)
    assert "Saturday Splash" in response.content.decode()

    # Deleting a row (a queryset delete sends post_delete per row) is a change too.
    visitor.get(FIND)
    assert world.stay_and_play.schedules.all().delete()[0] > 0
    assert not _kept(visitor.get(FIND))


def test_a_bulk_load_that_sends_no_signals_is_a_change_too(world: DirectoryWorld) -> None:
    visitor = Client()
    visitor.get(SERVICES_NEAR)
    assert _kept(visitor.get(SERVICES_NEAR))
    Service.objects.filter(pk=world.parenting_online.pk).update(name="Renamed in bulk")
    services_venue_flags_refresh()  # what bulk loads call afterwards
    assert not _kept(visitor.get(SERVICES_NEAR))


def test_a_page_built_before_the_commit_is_forgotten_at_the_commit(
    world: DirectoryWorld, django_capture_on_commit_callbacks: Any
) -> None:
    visitor = Client()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        world.stay_and_play.name = "Renamed in a transaction"
        world.stay_and_play.save()
        visitor.get(FIND)  # as another request might, while the write is not yet committed
        assert _kept(visitor.get(FIND))
    assert callbacks  # the commit changes the generation again
    assert not _kept(visitor.get(FIND))


def test_signed_in_staff_get_fresh_pages_and_their_pages_are_not_kept(
    world: DirectoryWorld, manager: User
) -> None:
    staff = Client()
    staff.force_login(manager)
    for _ in range(2):
        response = staff.get(FIND)
        assert not _kept(response)
        assert "Sign out" in response.content.decode()
    anonymous = Client().get(FIND)
    assert not _kept(anonymous)  # the staff pages were never stored
    assert "Sign out" not in anonymous.content.decode()


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(world: DirectoryWorld) -> None:
    Client().get(FIND)
    visitor = Client()
    visitor.cookies["messages"] = "anything"
    assert not _kept(visitor.get(FIND))


def test_errors_are_not_kept_and_the_api_keeps_cors(world: DirectoryWorld) -> None:
    for _ in range(2):
        bad = Client().get("/openreferral/services?page=abc")
        assert bad.status_code == 400
        assert not _kept(bad)
    Client().get(SERVICES_NEAR)
    kept = Client().get(SERVICES_NEAR)
    assert _kept(kept)
    assert kept["Access-Control-Allow-Origin"] == "*"
    assert kept["Content-Type"] == "application/json"
    assert kept.json()["total_items"] >= 1


def test_pages_are_kept_for_the_day_they_were_made(
    world: DirectoryWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from familyreach.core import public_cache

    Client().get(FIND)
    assert _kept(Client().get(FIND))
    monkeypatch.setattr(public_cache.timezone, "localdate", lambda: date(2031, 1, 1))
    assert not _kept(Client().get(FIND))  # "next on Tuesday" would be wrong tomorrow


def test_only_pages_marked_public_page_are_kept(world: DirectoryWorld) -> None:
    for path in ("/advice", f"/services/{world.stay_and_play.pk}", "/"):
        Client().get(path)
        assert not _kept(Client().get(path)), path


@override_settings(FAMILYREACH_PUBLIC_CACHE_SECONDS=0)
def test_nothing_is_kept_when_the_setting_is_zero(world: DirectoryWorld) -> None:
    Client().get(FIND)
    assert not _kept(Client().get(FIND))


def test_listing_cards_are_kept_across_searches_and_follow_changes(
    world: DirectoryWorld, django_assert_num_queries: Any
) -> None:
    visitor = Client()
    visitor.get(FIND)  # builds the cards of the listings near Great Yarmouth
    # A search not seen before (a page miss) finds its rows' cards kept, and the district's
    # no-venue list: the candidates, without the cards' four queries (rows, addresses,
    # schedules, costs) or the no-venue list's. Which cards have dates to book ("Book a
    # place") is asked only when a card is a session the booking pages published: none is.
    with django_assert_num_queries(1):
        response = visitor.get(FIND + "&radius=10")
    assert not _kept(response)
    assert world.stay_and_play.name in response.content.decode()

    assert world.parenting_online.name in response.content.decode()

    world.stay_and_play.name = "Saturday Splash"
    world.stay_and_play.save()
    world.parenting_online.status = "inactive"
    world.parenting_online.save()
    html = visitor.get(FIND + "&radius=20").content.decode()
    assert "Saturday Splash" in html
    assert world.baby_group.name in html
    # The kept no-venue list followed the change too.
    assert world.parenting_online.name not in html
