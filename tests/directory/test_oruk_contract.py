"""Contract: every ORUK endpoint, every list's first, middle and last page and every item's
/{id}, validated against the ORUK 3.0 schemas (as the ORUK validator does)."""

from typing import Any

import pytest
from django.test import Client

from tests.directory import oruk_schemas
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def test_root_names_version_profile_and_openapi(client: Client) -> None:
    body = _get(client, "/openreferral/")
    assert body["version"] == "HSDS-UK-3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"] == "http://testserver/openreferral/openapi.json"
    openapi = _get(client, "/openreferral/openapi.json")
    assert openapi["openapi"].startswith("3.")
    assert openapi["servers"] == [{"url": "http://testserver/openreferral"}]
    for path in (
        "/services",
        "/services/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
        "/organizations",
        "/organizations/{id}",
    ):
        assert path in openapi["paths"], path


@pytest.mark.parametrize("endpoint", sorted(oruk_schemas.ENDPOINT_SCHEMAS))
def test_every_page_and_item_matches_the_oruk_schemas(
    client: Client, directory_world: DirectoryWorld, endpoint: str
) -> None:
    list_schema, item_schema = oruk_schemas.ENDPOINT_SCHEMAS[endpoint]
    total_items = _get(client, f"/openreferral/{endpoint}?per_page=500")["total_items"]
    assert total_items >= 2, "the test world should need several pages"
    # Small pages, so that first, middle and last are different pages where there are 3+.
    per_page = max(1, total_items // 3)
    first = _get(client, f"/openreferral/{endpoint}?per_page={per_page}")
    total_pages = first["total_pages"]
    assert total_pages == -(-total_items // per_page) >= 2
    seen_ids: list[str] = []
    for page_number in sorted({1, (total_pages + 1) // 2, total_pages}):
        page = _get(client, f"/openreferral/{endpoint}?per_page={per_page}&page={page_number}")
        assert oruk_schemas.page_errors(page) == []
        assert page["page_number"] == page_number
        assert page["first_page"] is (page_number == 1)
        assert page["last_page"] is (page_number == total_pages)
        assert page["size"] == len(page["contents"]) > 0
        assert page["empty"] is False
        for item in page["contents"]:
            assert oruk_schemas.errors(list_schema, item) == [], item
            seen_ids.append(item["id"])
            detail = _get(client, f"/openreferral/{endpoint}/{item['id']}")
            assert detail["id"] == item["id"]
            assert oruk_schemas.errors(item_schema, detail) == [], detail
    assert len(seen_ids) == len(set(seen_ids)), "pages overlap"


def test_the_validator_catches_a_broken_record(
    directory_world: DirectoryWorld, client: Client
) -> None:
    # The contract tests are only as good as the checker: a wrong status, a bad email and a
    # missing name must each be reported.
    record = _get(client, f"/openreferral/services/{directory_world.stay_and_play.pk}")
    broken = {**record, "status": "open", "email": "not-an-email", "url": "example/path"}
    del broken["name"]
    problems = " ".join(oruk_schemas.errors("compiled/service.json", broken))
    assert "'name' is a required property" in problems
    assert "'open' is not one of" in problems
    assert "is not a 'email'" in problems
    assert "is not a 'uri'" in problems


def test_full_service_carries_its_nested_records(
    client: Client, directory_world: DirectoryWorld
) -> None:
    body = _get(client, f"/openreferral/services/{directory_world.feeding.pk}")
    assert body["name"] == "Breastfeeding and infant feeding drop-in"
    assert body["organization"]["name"] == directory_world.council.name
    assert [s["byday"] for s in body["schedules"]] == ["TH"]
    assert body["schedules"][0]["opens_at"] == "10:00:00"
    assert {lang["name"] for lang in body["languages"]} == {"English", "Polish"}
    location = body["service_at_locations"][0]["location"]
    assert location["name"] == "Great Yarmouth Family Base"
    assert location["addresses"][0]["postal_code"] == "NR30 2TE"
    assert {a["taxonomy_term"]["term"] for a in body["attributes"]} == {
        "infant-feeding",
        "in-person",
        "34",  # DfE's "Infant feeding support (including breastfeeding)", mapped from ours
    }
    baby = _get(client, f"/openreferral/services/{directory_world.baby_group.pk}")
    assert baby["cost_options"][0]["amount"] == 2.0


def test_defunct_listings_are_not_published(
    client: Client, directory_world: DirectoryWorld
) -> None:
    response = client.get(f"/openreferral/services/{directory_world.defunct.pk}")
    assert response.status_code == 404
    names = {s["name"] for s in _get(client, "/openreferral/services?per_page=100")["contents"]}
    assert directory_world.defunct.name not in names
    assert directory_world.closed_for_repairs.name in names
