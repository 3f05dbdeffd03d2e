"""/find: search by postcode or place, filters, distances, paging, errors and query counts."""

import re
from typing import Any

import pytest
from django.test import Client

from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db

NEAR_YARMOUTH = "/find?postcode=NR30+1NE"


def _names(html: str) -> list[str]:
    """Result names in page order (the headings of the result list)."""
    results = html.split('data-testid="results"', 1)
    if len(results) == 1:
        return []
    listing = results[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="govuk-link" href="/services/[^"]+">([^<]+)</a>', listing)


@pytest.fixture
def world(norfolk: NorfolkWorld, directory_world: DirectoryWorld) -> DirectoryWorld:
    return directory_world


def test_the_empty_search_page_asks_for_a_postcode(client: Client, world: DirectoryWorld) -> None:
    response = client.get("/find")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Postcode or place" in html
    assert "govuk-error-summary" not in html
    assert _names(html) == []


def test_results_are_sorted_by_distance_with_the_distance_shown(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get(f"{NEAR_YARMOUTH}&radius=5").content.decode()
    assert _names(html) == [
        "Stay and play at Great Yarmouth Library",
        "Breastfeeding and infant feeding drop-in",
        "Baby group in Gorleston",
    ]
    assert "3 results within 5 miles of NR30 1NE" in html
    distances = [float(d) for d in re.findall(r'data-testid="distance">([\d.]+) miles', html)]
    assert distances == sorted(distances)
    assert distances[0] < 0.5 < distances[1] < 1 < 2 < distances[2] < 3
    # Temporarily closed and defunct listings are not offered; Norwich is 18 miles away.
    assert "Toddler music" not in html
    assert "Stay and play in Norwich" not in html
    # The online course covers everywhere, so it is listed apart from the places.
    remote = html.split('data-testid="remote-results"', 1)[1]
    assert "Parenting course online" in remote


def test_radius_narrows_and_widens(client: Client, world: DirectoryWorld) -> None:
    assert len(_names(client.get(f"{NEAR_YARMOUTH}&radius=1").content.decode())) == 2
    assert len(_names(client.get(f"{NEAR_YARMOUTH}&radius=20").content.decode())) == 4
    with_norwich = client.get(f"{NEAR_YARMOUTH}&radius=20").content.decode()
    assert "Stay and play in Norwich" in with_norwich


def test_a_place_name_works_as_well_as_a_postcode(client: Client, world: DirectoryWorld) -> None:
    html = client.get("/find?postcode=Gorleston&radius=1").content.decode()
    assert _names(html)[0] == "Baby group in Gorleston"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ("age=pregnancy", ["Breastfeeding and infant feeding drop-in"]),
        ("age=3", ["Stay and play at Great Yarmouth Library"]),
        ("category=baby-groups", ["Baby group in Gorleston"]),
        (
            "category=baby-groups&category=infant-feeding",
            ["Breastfeeding and infant feeding drop-in", "Baby group in Gorleston"],
        ),
        ("day=WE", ["Baby group in Gorleston"]),
        (
            "day=MO&day=TH",
            ["Stay and play at Great Yarmouth Library", "Breastfeeding and infant feeding drop-in"],
        ),
        ("time_of_day=afternoon", ["Baby group in Gorleston"]),
        (
            "free=on",
            ["Stay and play at Great Yarmouth Library", "Breastfeeding and infant feeding drop-in"],
        ),
        ("language=Polish", ["Breastfeeding and infant feeding drop-in"]),
        ("family_bases=on", ["Breastfeeding and infant feeding drop-in"]),
        ("delivery=in-person&day=WE&free=on", []),
    ],
)
def test_filters_combine(
    client: Client, world: DirectoryWorld, filters: str, expected: list[str]
) -> None:
    html = client.get(f"{NEAR_YARMOUTH}&radius=5&{filters}").content.decode()
    assert _names(html) == expected


def test_delivery_online_lists_only_services_without_a_venue(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get(f"{NEAR_YARMOUTH}&radius=5&delivery=online").content.decode()
    assert _names(html) == []
    assert "Parenting course online" in html.split('data-testid="remote-results"', 1)[1]


def test_no_results_suggests_a_wider_radius_and_the_nearest_places(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get("/find?postcode=NR30+1NE&radius=2&day=FR").content.decode()
    advice = html.split('data-testid="no-results"', 1)[1]
    assert "search within 5 miles" in advice
    assert "radius=5" in advice
    # The Friday session in Norwich is the nearest match, named with its town and distance.
    assert "Stay and play in Norwich" in advice
    assert "Norwich Community Hall" in advice


def test_paging_uses_govuk_pagination(
    client: Client, world: DirectoryWorld, monkeypatch: Any
) -> None:
    monkeypatch.setattr("familyreach.directory.views.RESULTS_PER_PAGE", 2)
    first = client.get(f"{NEAR_YARMOUTH}&radius=5").content.decode()
    assert _names(first) == [
        "Stay and play at Great Yarmouth Library",
        "Breastfeeding and infant feeding drop-in",
    ]
    assert "govuk-pagination" in first
    second = client.get(f"{NEAR_YARMOUTH}&radius=5&page=2").content.decode()
    assert _names(second) == ["Baby group in Gorleston"]
    assert "3 results" in second


def test_an_invalid_postcode_shows_the_govuk_error_summary(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get("/find?postcode=NR30+1N").content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a real postcode, like NR30 1NE" in html
    assert 'href="#id_postcode"' in html
    assert "<title>Error:" in html


def test_an_unknown_place_gets_a_suggestion(client: Client, world: DirectoryWorld) -> None:
    html = client.get("/find?postcode=Atlantis").content.decode()
    assert "govuk-error-summary" in html
    assert "We could not find Atlantis" in html
    assert 'data-testid="suggestion"' in html
    assert "Try a postcode" in html


def test_an_empty_postcode_is_an_error(client: Client, world: DirectoryWorld) -> None:
    html = client.get("/find?postcode=").content.decode()
    assert "Enter a postcode or the name of a town or village" in html


def test_a_bad_page_number_is_an_error_not_a_crash(client: Client, world: DirectoryWorld) -> None:
    response = client.get(f"{NEAR_YARMOUTH}&page=banana")
    assert response.status_code == 200
    assert "Page must be a number from 1 to 1000" in response.content.decode()


def test_a_page_beyond_the_end_shows_the_no_results_advice(
    client: Client, world: DirectoryWorld
) -> None:
    html = client.get(f"{NEAR_YARMOUTH}&radius=5&page=40").content.decode()
    assert _names(html) == []
    assert "3 results within 5 miles" in html


def test_the_map_data_matches_the_list(client: Client, world: DirectoryWorld) -> None:
    html = client.get(f"{NEAR_YARMOUTH}&radius=5").content.decode()
    data = html.split('id="find-map-data">', 1)[1].split("</script>", 1)[0]
    assert data.count('"name"') == 3
    # Strict CSP: the one inline script is GOV.UK Frontend's "js-enabled" line, allowed by its
    # hash (tests/core/test_http_caching.py checks it), and nothing carries a nonce.
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(inline) == 1
    assert "js-enabled" in inline[0]
    assert "nonce" not in html


def test_query_count_is_fixed_whatever_the_number_of_results(
    client: Client, world: DirectoryWorld, django_assert_num_queries: Any
) -> None:
    filters = "category=stay-and-play&category=infant-feeding&category=baby-groups"
    # The first search also reads the language choices and the postcode (then cached):
    # candidates, result rows, addresses, schedules, costs, the no-venue list, plus those two.
    # Which results have dates to book ("Book a place") is asked only when a result is a
    # session the booking pages published: none is here.
    with django_assert_num_queries(8):
        client.get(f"{NEAR_YARMOUTH}&radius=1&{filters}")
    for radius, results in ((1, 2), (5, 3)):
        with django_assert_num_queries(6):
            response = client.get(f"{NEAR_YARMOUTH}&radius={radius}&{filters}")
        assert len(_names(response.content.decode())) == results


@pytest.mark.parametrize(
    ("typed", "radius", "suggestion"),
    [
        ("NR30 1NE", "5", None),
        ("", "20", None),
        ("<b>\"Ayl\" & 'sham'</b>", "1", None),
        ("Aylshm", "5", "Did you mean Aylsham"),
    ],
)
def test_the_kept_search_row_is_the_row_its_macros_render(
    rf: Any, typed: str, radius: str, suggestion: str | None
) -> None:
    """The search row is rendered once per distance and the typed text put in afterwards
    (views._search_html): the page must come out exactly as the GOV.UK macros render it,
    the text escaped the same way."""
    from django.template.loader import render_to_string

    from familyreach.directory import forms, views

    request = rf.get("/find", {"postcode": typed, "radius": radius})
    form = forms.FindForm(request.GET, languages=[])
    form.is_valid()
    for _ in range(2):  # rendered, then kept
        kept = views._search_html(request, form, suggestion=suggestion)
        assert kept == render_to_string(
            "directory/_find_search.html", {"form": form, "suggestion": suggestion}, request
        )
    assert "stand-in" not in kept
    assert f'<option value="{radius}" selected>' in kept


def test_the_bookable_source_is_the_one_delivery_publishes() -> None:
    from familyreach.delivery.publishing import SOURCE
    from familyreach.directory.selectors import BOOKABLE_SOURCE

    assert BOOKABLE_SOURCE == SOURCE
