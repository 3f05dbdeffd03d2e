"""Validate JSON against the ORUK 3.0 schemas copied in tests/directory/oruk/ (see SOURCES.md),
with formats checked as the ORUK validator does (uuid, email, uri, date-time)."""

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "oruk"

# (list item schema, single item schema) per endpoint.
ENDPOINT_SCHEMAS = {
    "services": ("compiled/service_list.json", "compiled/service.json"),
    "service_at_locations": (
        "compiled/service_at_location_list.json",
        "compiled/service_at_location.json",
    ),
    "taxonomies": ("taxonomy.json", "taxonomy.json"),
    "taxonomy_terms": ("taxonomy_term.json", "taxonomy_term.json"),
    "organizations": ("compiled/organization_list.json", "compiled/organization.json"),
}

PAGE_SCHEMA = {
    "type": "object",
    "required": [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ],
    "properties": {
        "total_items": {"type": "integer", "minimum": 0},
        "total_pages": {"type": "integer", "minimum": 0},
        "page_number": {"type": "integer", "minimum": 1},
        "size": {"type": "integer", "minimum": 0},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array"},
    },
}

format_checker = FormatChecker()


@format_checker.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urlparse(value)
    return bool(parsed.scheme and (parsed.netloc or parsed.scheme in ("mailto", "tel", "urn")))


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value


@cache
def _registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.rglob("*.json"):
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((path.name, resource))
        resources.append((str(path.relative_to(SCHEMA_DIR)), resource))
    return Registry().with_resources(resources)


@cache
def validator(schema_name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    return Draft202012Validator(schema, registry=_registry(), format_checker=format_checker)


def errors(schema_name: str, instance: Any) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator(schema_name).iter_errors(instance)
    ]


def page_errors(instance: Any) -> list[str]:
    return [error.message for error in Draft202012Validator(PAGE_SCHEMA).iter_errors(instance)]
