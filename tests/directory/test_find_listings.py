"""Listings a parent can act on, on /find and the service page: the peer-led and family-base
tags, the peer-led filter, the radius searched kept from search to filter, distances in
good English, filters folded behind "Show filters", descriptions in paragraphs with links,
and addresses that do not repeat the venue's name."""

import re

import pytest
from django.test import Client

from familyreach.directory import services
from familyreach.directory.models import Address
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db

# The postcode of issue 17: 0.5 miles from Great Yarmouth Library, 2.5 from Gorleston's.
NR30_1AA = "/find?postcode=NR30+1AA"


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    # The charity's baby group is run by local parents.
    services.service_mark_run_by_local_parents(service=directory_world.baby_group)
    return directory_world


def _names(html: str) -> list[str]:
    results = html.split('data-testid="results"', 1)
    if len(results) == 1:
        return []
    listing = results[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="govuk-link" href="/services/[^"]+">([^<]+)</a>', listing)


def _cards(html: str) -> dict[str, str]:
    """Each result's HTML by its name."""
    listing = html.split('data-testid="results"', 1)[1].split("</ul>", 1)[0]
    cards = {}
    for item in listing.split("<li")[1:]:
        name = re.search(r'href="/services/[^"]+">([^<]+)</a>', item)
        assert name is not None
        cards[name.group(1)] = item
    return cards


def _radius_a_browser_submits(html: str) -> str:
    """The distance list's value a browser sends: the selected option, else the first."""
    select = html.split('id="id_radius"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="(\d+)"( selected)?', select)
    chosen = [value for value, selected in options if selected]
    return chosen[0] if chosen else options[0][0]


def test_a_filter_applied_after_a_search_from_the_front_door_keeps_its_radius(
    client: Client, world: DirectoryWorld
) -> None:
    """Issue 17: the front door sends only the postcode; the page searched 5 miles but its
    distance list showed 1 mile, so "Baby groups" then searched 1 mile and found nothing."""
    first = client.get(NR30_1AA).content.decode()
    assert "within 5 miles of NR30 1AA" in first
    radius = _radius_a_browser_submits(first)
    assert radius == "5"
    filtered = client.get(f"{NR30_1AA}&radius={radius}&category=baby-groups").content.decode()
    assert "1 result within 5 miles of NR30 1AA" in filtered
    assert _names(filtered) == ["Baby group in Gorleston"]
    # And the filtered page offers the same radius again.
    assert _radius_a_browser_submits(filtered) == "5"


def test_a_chosen_radius_is_kept(client: Client, world: DirectoryWorld) -> None:
    html = client.get(f"{NR30_1AA}&radius=20").content.decode()
    assert _radius_a_browser_submits(html) == "20"


def test_one_mile_is_a_mile(client: Client, world: DirectoryWorld) -> None:
    html = client.get(f"{NR30_1AA}&radius=1&category=baby-groups").content.decode()
    assert "0 results within 1 mile of NR30 1AA" in html
    assert "1 miles" not in html
    advice = html.split('data-testid="no-results"', 1)[1]
    assert "matches within 1 mile." in advice
    assert "search within 2 miles" in advice


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ("run_by_local_parents=on", ["Baby group in Gorleston"]),
        ("run_by_local_parents=on&category=baby-groups", ["Baby group in Gorleston"]),
        ("run_by_local_parents=on&day=MO", []),
        ("run_by_local_parents=on&free=on", []),
        ("run_by_local_parents=on&family_bases=on", []),
        ("category=baby-groups&day=WE", ["Baby group in Gorleston"]),
    ],
)
def test_the_peer_led_filter_works_with_the_others(
    client: Client, world: DirectoryWorld, filters: str, expected: list[str]
) -> None:
    html = client.get(f"{NR30_1AA}&radius=5&{filters}").content.decode()
    assert _names(html) == expected


def test_the_peer_led_filter_leaves_out_council_services_without_a_venue(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get(f"{NR30_1AA}&radius=5&run_by_local_parents=on").content.decode()
    assert 'data-testid="remote-results"' not in html


def test_result_cards_show_the_peer_led_and_family_base_tags(
    client: Client, world: DirectoryWorld
) -> None:
    cards = _cards(client.get(f"{NR30_1AA}&radius=5").content.decode())
    peer_led = '<strong class="govuk-tag govuk-tag--purple govuk-!-margin-right-1">Run by local parents</strong>'
    family_base = (
        '<strong class="govuk-tag govuk-tag--green govuk-!-margin-right-1">Family base</strong>'
    )
    assert peer_led in cards["Baby group in Gorleston"]
    assert family_base not in cards["Baby group in Gorleston"]
    assert family_base in cards["Breastfeeding and infant feeding drop-in"]
    assert peer_led not in cards["Breastfeeding and infant feeding drop-in"]
    assert "govuk-tag--purple" not in cards["Stay and play at Great Yarmouth Library"]


def test_a_card_does_not_repeat_the_venue_name_in_its_address(
    client: Client, world: DirectoryWorld
) -> None:
    # As the GIAS import wrote it: the school's name as the first line of its address.
    Address.objects.filter(location=world.yarmouth_base).update(
        address_1="Great Yarmouth Family Base", city="Great Yarmouth"
    )
    cards = _cards(client.get(f"{NR30_1AA}&radius=5").content.decode())
    where = cards["Breastfeeding and infant feeding drop-in"].split("Where</dt>", 1)[1]
    where = where.split("</dd>", 1)[0]
    assert where.count("Great Yarmouth Family Base") == 1
    assert "Great Yarmouth Family Base, Great Yarmouth, NR30 2TE" in where


def test_filters_fold_behind_show_filters_and_count_what_is_chosen(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get(f"{NR30_1AA}&radius=5").content.decode()
    assert '<details class="app-filters" id="filters">' in html
    assert "Show filters</span>" in html
    assert "chosen)" not in html
    # The results come before the map, so on a phone the first result is near the top.
    assert html.index('data-testid="results"') < html.index('id="find-map"')
    chosen = client.get(
        f"{NR30_1AA}&radius=5&category=baby-groups&day=WE&run_by_local_parents=on"
    ).content.decode()
    assert "(3 chosen)" in chosen
    assert 'value="on" checked' in chosen.split('id="id_run_by_local_parents"', 1)[1][:400]


def test_a_filter_with_an_error_is_shown_open(client: Client, world: DirectoryWorld) -> None:
    html = client.get(f"{NR30_1AA}&age=99").content.decode()
    assert '<details class="app-filters" id="filters" open>' in html
    assert "&lt;details" not in html


def test_the_service_page_shows_the_tags_paragraphs_links_and_a_plain_address(
    client: Client, world: DirectoryWorld
) -> None:
    service = world.baby_group
    service.refresh_from_db()
    service.description = (
        "Run by local parents. Songs, play and a cuppa.\n\n"
        "What to bring: a snack. More at https://example.org/baby-group.\n\n"
        "<b>Not bold</b>"
    )
    service.save()
    Address.objects.filter(location=world.gorleston_library).update(
        address_1="Gorleston Library", city="Gorleston"
    )
    html = client.get(f"/services/{service.pk}").content.decode()
    assert "Run by local parents</strong>" in html.split("<h1", 1)[1].split("<h2", 1)[0]
    description = html.split('data-testid="description">', 1)[1].split("</div>", 1)[0]
    assert description.count('<p class="govuk-body">') == 3
    assert (
        '<a class="govuk-link" href="https://example.org/baby-group" '
        'rel="nofollow noopener noreferrer">https://example.org/baby-group</a>.'
    ) in description
    assert "&lt;b&gt;Not bold&lt;/b&gt;" in description
    where = html.split(">Where</h2>", 1)[1].split("</p>", 1)[0]
    assert where.count("Gorleston Library") == 1
    assert "Gorleston<br>NR31 6SG" in where


def test_a_service_not_run_by_parents_has_no_peer_led_tag(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get(f"/services/{world.feeding.pk}").content.decode()
    assert "Run by local parents" not in html
    assert "Family base</strong>" in html


def test_a_peer_led_service_without_a_venue_is_tagged_and_filtered_too(
    client: Client, world: DirectoryWorld
) -> None:
    services.service_mark_run_by_local_parents(service=world.parenting_online)
    html = client.get(f"{NR30_1AA}&radius=5&run_by_local_parents=on").content.decode()
    remote = html.split('data-testid="remote-results"', 1)[1].split("</ul>", 1)[0]
    assert "Parenting course online" in remote
    assert "Run by local parents</strong>" in remote
