"""The ORUK API's query parameters (combined as AND), paging, errors and query counts."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from familyreach.directory import taxonomy
from familyreach.directory.models import Service
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


def _names(client: Client, query: str, endpoint: str = "services") -> set[str]:
    response = client.get(f"/openreferral/{endpoint}?per_page=100&{query}")
    assert response.status_code == 200, response.content
    contents = response.json()["contents"]
    if endpoint == "service_at_locations":
        return {item["service"]["name"] for item in contents}
    return {item["name"] for item in contents}


def test_search_matches_name_or_description(
    client: Client, directory_world: DirectoryWorld
) -> None:
    assert _names(client, "search=feeding") == {"Breastfeeding and infant feeding drop-in"}
    assert _names(client, "search=video+call") == {"Parenting course online"}


def test_taxonomy_filters(client: Client, directory_world: DirectoryWorld) -> None:
    stay_and_play = taxonomy.term_uuid(taxonomy.CATEGORY_TAXONOMY, "stay-and-play")
    assert _names(client, f"taxonomy_term_id={stay_and_play}") == {
        "Stay and play at Great Yarmouth Library",
        "Stay and play in Norwich",
        "Toddler music (closed for repairs)",
    }
    online = taxonomy.term_uuid(taxonomy.DELIVERY_TAXONOMY, "online")
    assert _names(client, f"taxonomy_term_id={online}") == {"Parenting course online"}
    delivery = taxonomy.taxonomy_uuid(taxonomy.DELIVERY_TAXONOMY)
    assert len(_names(client, f"taxonomy_id={delivery}")) == 6


def test_ages_follow_the_oruk_definitions(client: Client, directory_world: DirectoryWorld) -> None:
    # minimum_age: services whose minimum age is at least the value.
    assert _names(client, "minimum_age=1") == {"Toddler music (closed for repairs)"}
    # maximum_age: services whose maximum age is at most the value.
    assert _names(client, "maximum_age=1") == {"Baby group in Gorleston"}


def test_day_and_times_apply_to_the_same_schedule(
    client: Client, directory_world: DirectoryWorld
) -> None:
    assert _names(client, "day=TU") == {"Parenting course online"}
    assert _names(client, "day=monday") == {"Stay and play at Great Yarmouth Library"}
    assert _names(client, "start_time=13:00") == {
        "Baby group in Gorleston",
        "Parenting course online",
    }
    assert _names(client, "end_time=12:00") == {
        "Stay and play at Great Yarmouth Library",
        "Breastfeeding and infant feeding drop-in",
        "Stay and play in Norwich",
    }
    assert _names(client, "day=WE&start_time=13:00") == {"Baby group in Gorleston"}
    assert _names(client, "day=MO&start_time=13:00") == set()


def test_parameters_combine_as_and(client: Client, directory_world: DirectoryWorld) -> None:
    stay_and_play = taxonomy.term_uuid(taxonomy.CATEGORY_TAXONOMY, "stay-and-play")
    assert _names(client, f"taxonomy_term_id={stay_and_play}&day=FR") == {
        "Stay and play in Norwich"
    }
    assert _names(client, f"taxonomy_term_id={stay_and_play}&search=yarmouth") == {
        "Stay and play at Great Yarmouth Library"
    }
    assert _names(
        client, f"taxonomy_term_id={stay_and_play}&day=FR", endpoint="service_at_locations"
    ) == {"Stay and play in Norwich"}


def test_a_page_beyond_the_end_is_an_empty_page(
    client: Client, directory_world: DirectoryWorld
) -> None:
    response = client.get("/openreferral/services?page=99&per_page=10")
    assert response.status_code == 200
    body = response.json()
    assert body["contents"] == []
    assert body["empty"] is True
    assert body["size"] == 0
    assert body["page_number"] == 99
    assert body["total_items"] == 6
    assert body["last_page"] is True


def test_no_results_is_an_empty_first_page(client: Client, directory_world: DirectoryWorld) -> None:
    body = client.get("/openreferral/services?search=zzzznothing").json()
    assert body == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("page=abc", "page", "whole number"),
        ("page=0", "page", "1 or more"),
        ("per_page=0", "per_page", "1 or more"),
        ("per_page=100000", "per_page", "500 or less"),
        ("taxonomy_term_id=stay-and-play", "taxonomy_term_id", "UUID"),
        ("taxonomy_id=1", "taxonomy_id", "UUID"),
        ("minimum_age=old", "minimum_age", "number"),
        ("maximum_age=-1", "maximum_age", "0 or more"),
        ("day=funday", "day", "must be a day"),
        ("start_time=25:00", "start_time", "HH:MM"),
        ("end_time=noon", "end_time", "HH:MM"),
        ("proximity=1000", "proximity", "needs a postcode"),
        ("day=&taxonomy_term_id=", "day", "must not be empty"),  # found by schemathesis
        ("page=", "page", "must not be empty"),
    ],
)
def test_malformed_parameters_are_a_400_with_a_message(
    client: Client, directory_world: DirectoryWorld, query: str, parameter: str, says: str
) -> None:
    for endpoint in ("services", "service_at_locations"):
        response = client.get(f"/openreferral/{endpoint}?{query}")
        assert response.status_code == 400, (endpoint, query)
        body: dict[str, Any] = response.json()
        assert body["parameter"] == parameter
        assert says in body["detail"]
        assert response["Access-Control-Allow-Origin"] == "*"


def test_unknown_ids_are_404(client: Client, directory_world: DirectoryWorld) -> None:
    for endpoint in (
        "services",
        "service_at_locations",
        "taxonomies",
        "taxonomy_terms",
        "organizations",
    ):
        assert client.get(f"/openreferral/{endpoint}/not-a-uuid").status_code == 404
        missing = client.get(f"/openreferral/{endpoint}/00000000-0000-4000-8000-000000000000")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "Not found."}


def test_the_api_needs_no_sign_in_and_refuses_writes(
    client: Client, directory_world: DirectoryWorld
) -> None:
    assert client.post("/openreferral/services", {}).status_code == 405


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/openreferral/", 0),
        ("/openreferral/services", 2),
        ("/openreferral/services?search=play&day=MO&minimum_age=0&taxonomy_id={category}", 2),
        ("/openreferral/services/{service}", 12),
        ("/openreferral/service_at_locations", 2),
        ("/openreferral/service_at_locations/{service_at_location}", 11),
        ("/openreferral/taxonomies", 2),
        ("/openreferral/taxonomies/{category}", 2),
        ("/openreferral/taxonomy_terms", 2),
        ("/openreferral/taxonomy_terms/{term}", 1),
        ("/openreferral/organizations", 2),
        ("/openreferral/organizations/{organization}", 2),
    ],
)
def test_query_counts_are_fixed(
    client: Client,
    directory_world: DirectoryWorld,
    django_assert_num_queries: Any,
    url: str,
    queries: int,
) -> None:
    url = url.format(
        category=taxonomy.taxonomy_uuid(taxonomy.CATEGORY_TAXONOMY),
        service=directory_world.stay_and_play.pk,
        service_at_location=directory_world.stay_and_play.service_at_locations.get().pk,
        term=taxonomy.term_uuid(taxonomy.CATEGORY_TAXONOMY, "parenting"),
        organization=directory_world.council.pk,
    )
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200


@pytest.fixture
def near_yarmouth(norfolk: Any, directory_world: DirectoryWorld) -> DirectoryWorld:
    """The directory world plus the real Norfolk postcodes (norfolk first: it makes districts)."""
    return directory_world


def _ordered_names(client: Client, query: str, endpoint: str = "services") -> list[str]:
    response = client.get(f"/openreferral/{endpoint}?{query}")
    assert response.status_code == 200, response.content
    contents = response.json()["contents"]
    if endpoint == "service_at_locations":
        return [item["service"]["name"] for item in contents]
    return [item["name"] for item in contents]


def test_postcode_and_proximity_sort_by_distance(
    client: Client, near_yarmouth: DirectoryWorld
) -> None:
    # NR30 1NE: the library is about 0.5 km away, the family base 1 km, Gorleston 3.9 km.
    # Two services at the library: same distance, so in name order.
    assert _ordered_names(client, "postcode=NR30+1NE&proximity=2000") == [
        "Stay and play at Great Yarmouth Library",
        "Toddler music (closed for repairs)",
        "Breastfeeding and infant feeding drop-in",
    ]
    assert (
        _ordered_names(client, "postcode=nr301ne&proximity=5000")[-1] == "Baby group in Gorleston"
    )
    # Without proximity: 10 miles, so Norwich (about 29 km) is still out.
    assert "Stay and play in Norwich" not in _ordered_names(client, "postcode=NR30+1NE")
    assert _ordered_names(client, "postcode=NR30+1NE&proximity=2000&day=TH") == [
        "Breastfeeding and infant feeding drop-in"
    ]
    assert (
        _ordered_names(client, "postcode=NR30+1NE&proximity=5000", endpoint="service_at_locations")[
            0
        ]
        == "Stay and play at Great Yarmouth Library"
    )


def test_postcode_paging_and_a_page_beyond_the_end(
    client: Client, near_yarmouth: DirectoryWorld
) -> None:
    body = client.get(
        "/openreferral/services?postcode=NR30+1NE&proximity=5000&per_page=2&page=2"
    ).json()
    assert body["total_items"] == 4
    assert body["total_pages"] == 2
    assert [item["name"] for item in body["contents"]] == [
        "Breastfeeding and infant feeding drop-in",
        "Baby group in Gorleston",
    ]
    beyond = client.get("/openreferral/services?postcode=NR30+1NE&page=9").json()
    assert beyond["contents"] == []
    assert beyond["empty"] is True


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("postcode=NR30+1N", "Enter a real postcode"),
        ("postcode=ZZ99+9ZZ", "We could not find"),
        ("postcode=NR30+1NE&proximity=far", "proximity must be a number"),
        ("postcode=NR30+1NE&proximity=999999", "proximity must be 200000 or less"),
    ],
)
def test_bad_postcodes_are_a_400(
    client: Client, near_yarmouth: DirectoryWorld, query: str, says: str
) -> None:
    response = client.get(f"/openreferral/services?{query}")
    assert response.status_code == 400
    assert says in response.json()["detail"]


def test_postcode_search_query_count_is_fixed(
    client: Client, near_yarmouth: DirectoryWorld, django_assert_num_queries: Any
) -> None:
    # The first search looks the postcode up (then cached), finds candidates, reads services.
    with django_assert_num_queries(3):
        client.get("/openreferral/services?postcode=NR30+1NE&proximity=1000")
    for proximity, results in ((2000, 3), (5000, 4)):
        with django_assert_num_queries(2):
            response = client.get(f"/openreferral/services?postcode=NR30+1NE&proximity={proximity}")
        assert response.json()["total_items"] == results


@pytest.mark.parametrize(
    "path",
    [
        "/openreferral",
        "/openreferral/services/",
        "/openreferral/service_at_locations/",
        "/openreferral/taxonomies/",
        "/openreferral/taxonomy_terms/",
        "/openreferral/organizations/",
    ],
)
def test_paths_work_with_or_without_a_trailing_slash(
    client: Client, directory_world: DirectoryWorld, path: str
) -> None:
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    with_slash, without = client.get(path), client.get(other)
    assert with_slash.status_code == without.status_code == 200
    assert with_slash.json() == without.json()


def test_an_item_path_works_with_a_trailing_slash(
    client: Client, directory_world: DirectoryWorld
) -> None:
    service_id = directory_world.stay_and_play.pk
    response = client.get(f"/openreferral/services/{service_id}/")
    assert response.status_code == 200
    assert response.json()["name"] == directory_world.stay_and_play.name


def test_organization_id_limits_services_to_one_provider(
    client: Client, directory_world: DirectoryWorld
) -> None:
    charity = directory_world.charity.pk
    assert _names(client, f"organization_id={charity}") == {"Baby group in Gorleston"}
    both = _names(client, f"organization_id={charity}", endpoint="service_at_locations")
    assert both == {"Baby group in Gorleston"}


def test_modified_after_gives_what_changed_since(
    client: Client, directory_world: DirectoryWorld
) -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    Service.objects.exclude(pk=directory_world.feeding.pk).update(modified_at=long_ago)
    since = (long_ago + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _names(client, f"modified_after={since}") == {directory_world.feeding.name}
    assert directory_world.baby_group.name in _names(client, "modified_after=2019-12-31")
    # An offset PostgreSQL would refuse (beyond ±15:59) is valid ISO 8601: read in UTC.
    assert directory_world.baby_group.name in _names(
        client, "modified_after=2019-12-31T12:32:21%2B20:21"
    )


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("modified_after=yesterday", "modified_after"),
        ("organization_id=42", "organization_id"),
        ("page=0", "page"),
        ("per_page=501", "per_page"),
        ("search=nul%00byte", "search"),
    ],
)
def test_malformed_parameters_are_a_400_naming_the_parameter(
    client: Client, directory_world: DirectoryWorld, query: str, parameter: str
) -> None:
    response = client.get(f"/openreferral/services?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert parameter in response.json()["detail"]


def test_the_published_openapi_states_the_parameters_and_errors(client: Client) -> None:
    document = client.get("/openreferral/openapi.json").json()
    services = document["paths"]["/services"]["get"]
    names = {p["$ref"].rsplit("/", 1)[1] for p in services["parameters"] if "$ref" in p}
    assert {"modified_after", "organization_id", "postcode", "proximity"} <= names
    assert "400" in services["responses"]
    assert "404" in document["paths"]["/services/{id}"]["get"]["responses"]
    per_page = document["components"]["parameters"]["per_page"]["schema"]
    assert (per_page["minimum"], per_page["maximum"]) == (1, 500)
