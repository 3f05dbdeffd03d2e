"""schemathesis against the published OpenAPI (/openreferral/openapi.json), in process.

For every operation schemathesis generates query parameters and path ids from the document
(valid and invalid ones), calls our WSGI application and checks each answer: no server
error, a status code the document lists, the documented content type, and a body that
validates against the response schema (the ORUK 3.0 schemas). A bounded number of examples
per operation keeps it fast; the contract tests walk every real item separately.

The document's response schemas are ORUK's, referenced by their GitHub address; here they
are read from the copies in the app (src/familyreach/directory/oruk/schema/), not fetched.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from familyreach.config.wsgi import application
from familyreach.directory import api
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

SCHEMA_DIR = Path(__file__).parents[2] / "src/familyreach/directory/oruk/schema"
ORUK_SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"


def _local(reference: str) -> dict[str, Any]:
    name = reference.removeprefix(ORUK_SCHEMA_URL).removeprefix("compiled/")
    return _inlined(json.loads((SCHEMA_DIR / name).read_text()))


def _inlined(node: Any) -> Any:
    """The document with ORUK's schema references replaced by the schemas themselves."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and (
            reference.startswith(ORUK_SCHEMA_URL) or reference.endswith(".json")
        ):
            return _local(reference)
        return {key: _inlined(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(item) for item in node]
    return node


def _published_document() -> dict[str, Any]:
    """What /openreferral/openapi.json serves (the view needs no database)."""
    request = RequestFactory(SERVER_NAME="localhost").get("/openreferral/openapi.json")
    response = api.OpenApiView.as_view()(request)
    assert response.status_code == 200
    document: dict[str, Any] = json.loads(json.dumps(response.data, default=str))
    return document


DOCUMENT = _published_document()
OPERATIONS = sorted(DOCUMENT["paths"])
# Invalid requests can only be made where a query parameter can be invalid (any text is a
# valid `{id}`; it is simply not found).
WITH_PARAMETERS = {
    path
    for path, item in DOCUMENT["paths"].items()
    if any(
        "$ref" in parameter or parameter.get("in") == "query"
        for parameter in item["get"].get("parameters", [])
    )
}


SCHEMA = schemathesis.openapi.from_dict(_inlined(DOCUMENT))
SCHEMA.app = application


@pytest.fixture
def world(
    norfolk: NorfolkWorld, directory_world: DirectoryWorld, settings: Any
) -> Iterator[DirectoryWorld]:
    settings.ALLOWED_HOSTS = ["localhost"]
    # Called as a WSGI application, each request's end would close the database connection
    # (and with it the test's transaction, on PostgreSQL); Django's test client stops that the
    # same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield directory_world
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# A well-formed postcode may still be unknown: that is a 400 saying so (as issue 6 asks), so
# schemathesis's "every schema-valid request is accepted" is replaced there by our own check:
# valid requests are accepted, or refused with a 400 that names the postcode (unknown) or the
# proximity (given without a postcode to measure from).
TAKES_POSTCODE = {"/services", "/service_at_locations"}


@pytest.mark.django_db
def test_the_api_answers_as_its_openapi_says(world: DirectoryWorld) -> None:
    """Every operation, with valid and with invalid parameters (one test, so the Norfolk
    geography is loaded once)."""
    checked = []
    for path in OPERATIONS:
        operation = SCHEMA[path]["GET"]
        excluded = [positive_data_acceptance] if path in TAKES_POSTCODE else []
        modes = [GenerationMode.POSITIVE]
        if path in WITH_PARAMETERS:
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=100,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def answers_as_documented(case: Any) -> None:
                response = case.call_and_validate(excluded_checks=excluded)  # noqa: B023
                if excluded and mode is GenerationMode.POSITIVE and response.status_code != 200:  # noqa: B023
                    # Valid data is refused here only for a well-formed postcode we do not
                    # know, or a proximity with no postcode to measure it from.
                    assert response.status_code == 400, response.text
                    refusal = response.json()
                    assert refusal["parameter"] in ("postcode", "proximity"), response.text
                    if refusal["parameter"] == "proximity":  # an empty postcode is none
                        assert not (case.query or {}).get("postcode"), response.text

            answers_as_documented()
            checked.append((path, mode))
    assert len(checked) == len(OPERATIONS) + len(WITH_PARAMETERS)
    assert len(OPERATIONS) >= 11
