"""What keeps /find fast stays correct: the denormalised `has_venue` column follows the
service's locations, and the cached postcode lookups, language choices and filter column
never show stale or someone else's choices."""

import re
from typing import Any

import pytest
from django.test import Client

from familyreach.directory import caches
from familyreach.directory.models import Language, Location, Service, ServiceAtLocation
from familyreach.directory.search_columns import services_venue_flags_refresh
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db


def _has_venue(service: Service) -> bool:
    return Service.objects.values_list("has_venue", flat=True).get(pk=service.pk)


def test_has_venue_follows_the_service_at_locations(directory_world: DirectoryWorld) -> None:
    world = directory_world
    assert _has_venue(world.stay_and_play) is True
    assert _has_venue(world.parenting_online) is False

    ServiceAtLocation.objects.create(service=world.parenting_online, location=world.yarmouth_base)
    assert _has_venue(world.parenting_online) is True

    # A queryset delete, as service_upsert does when a listing loses its venue.
    world.parenting_online.service_at_locations.all().delete()
    assert _has_venue(world.parenting_online) is False


def test_has_venue_is_cleared_when_the_location_itself_is_deleted(
    directory_world: DirectoryWorld,
) -> None:
    world = directory_world
    Location.objects.filter(pk=world.norwich_hall.pk).delete()  # cascades to the link
    assert _has_venue(world.norwich_stay_and_play) is False
    assert _has_venue(world.stay_and_play) is True


def test_bulk_loads_are_put_right_by_the_refresh(directory_world: DirectoryWorld) -> None:
    world = directory_world
    ServiceAtLocation.objects.bulk_create(  # bulk_create sends no signals
        [ServiceAtLocation(service=world.parenting_online, location=world.norwich_hall)]
    )
    Service.objects.filter(pk=world.stay_and_play.pk).update(has_venue=False)
    assert _has_venue(world.parenting_online) is False

    assert services_venue_flags_refresh() == 2
    assert _has_venue(world.parenting_online) is True
    assert _has_venue(world.stay_and_play) is True
    assert services_venue_flags_refresh() == 0


def test_a_cached_place_is_the_same_place_and_keeps_what_was_typed(
    norfolk: NorfolkWorld, django_assert_num_queries: Any
) -> None:
    first = caches.place_lookup_cached("nr30 1ne")
    with django_assert_num_queries(0):
        again = caches.place_lookup_cached("  NR30   1NE ")
    assert (again.label, again.latitude, again.longitude) == (
        first.label,
        first.latitude,
        first.longitude,
    )
    assert again.district is not None
    assert first.district is not None
    assert again.district.code == first.district.code
    assert again.query == "  NR30   1NE "
    assert first.query == "nr30 1ne"


def _language_options(html: str) -> list[str]:
    select = html.split('name="language"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_a_language_added_to_a_listing_shows_at_once_in_the_filter(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    html = client.get("/find?postcode=NR30+1NE").content.decode()
    assert _language_options(html) == ["", "English", "Polish"]

    Language.objects.create(service=directory_world.baby_group, name="Lithuanian")
    html = client.get("/find?postcode=NR30+1NE").content.decode()
    assert _language_options(html) == ["", "English", "Lithuanian", "Polish"]


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="checkbox" value="([^"]+)" checked', html)


def test_the_cached_filter_column_shows_each_search_its_own_choices(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    first = client.get("/find?postcode=NR30+1NE&category=stay-and-play&day=MO").content.decode()
    second = client.get("/find?postcode=NR2+1TN&category=baby-groups").content.decode()
    again = client.get("/find?postcode=NR2+1TN&day=MO&category=stay-and-play").content.decode()

    assert _checked(first, "category") == ["stay-and-play"]
    assert _checked(first, "day") == ["MO"]
    assert _checked(second, "category") == ["baby-groups"]
    assert _checked(second, "day") == []
    assert _checked(again, "category") == ["stay-and-play"]
    assert _checked(again, "day") == ["MO"]


def test_a_filter_error_is_shown_in_the_filter_column(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    client.get("/find?postcode=NR30+1NE")  # fills the cache for "no filters chosen"
    html = client.get("/find?postcode=NR30+1NE&age=ninety").content.decode()
    assert "govuk-error-summary" in html
    column = html.split("Filter results", 1)[1].split("Apply filters", 1)[0]
    assert "govuk-error-message" in column
    assert "Select a valid choice" in column
