"""The Open Referral UK 3.0 API: public, no key, CORS open, JSON, HSDS Page for every list.

Query parameters combine as AND. A page beyond the end is an empty page; a malformed
parameter is a 400 with {"detail": message, "parameter": name}.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from familyreach.directory import caches, oruk, params, selectors
from familyreach.directory.models import (
    Organization,
    Service,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from familyreach.geo.selectors import LookupProblem, Place

# ORUK 3.0 sets neither a default nor a maximum for per_page. DfE's Family Hubs importer reads
# the first page of /services only, with no per_page: so the default page is the largest we
# serve, and a directory of up to 500 services reaches it whole.
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = MAX_PER_PAGE
# ORUK gives no default for `proximity`; without one we search within 10 miles of a postcode.
DEFAULT_PROXIMITY_METRES = 16093
MAX_PROXIMITY_METRES = 200_000
OPENAPI_FILE = Path(__file__).parent / "oruk" / "openapi-oruk-3.0.json"


class OpenReferralView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    # drf-spectacular documents our own APIs; this one is described by ORUK's OpenAPI file.
    schema = None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # PostgreSQL refuses text holding NUL; say so here rather than fail in the database.
        for name, values in request.query_params.lists():
            if any("\x00" in value for value in values) or "\x00" in name:
                raise params.BadParameter(name, f"{name} must not contain NUL characters")
            if name in params.NOT_EMPTY and any(value == "" for value in values):
                # The OpenAPI gives these a format or a list of values, which "" is not.
                raise params.BadParameter(name, f"{name} must not be empty: leave it out instead")

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, params.BadParameter):
            return Response({"detail": exc.message, "parameter": exc.name}, status=400)
        if isinstance(exc, Http404):
            return Response({"detail": "Not found."}, status=404)
        return super().handle_exception(exc)

    def paging(self, request: Request) -> tuple[int, int]:
        query = request.query_params
        page_number = params.positive_int("page", query["page"]) if query.get("page") else 1
        per_page = (
            params.positive_int("per_page", query["per_page"], maximum=MAX_PER_PAGE)
            if query.get("per_page")
            else DEFAULT_PER_PAGE
        )
        return page_number, per_page

    def paged(self, request: Request, queryset: QuerySet[Any], present: Any) -> Response:
        page_number, per_page = self.paging(request)
        total = queryset.count()
        start = (page_number - 1) * per_page
        rows = list(queryset[start : start + per_page]) if start < total else []
        return Response(
            oruk.page(
                contents=[present(row) for row in rows],
                total_items=total,
                page_number=page_number,
                per_page=per_page,
            )
        )


def _object_or_404(queryset: QuerySet[Any], raw_id: str) -> Any:
    try:
        return queryset.get(pk=UUID(raw_id))
    except (ValueError, queryset.model.DoesNotExist) as error:
        raise Http404 from error


class ApiRootView(OpenReferralView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": oruk.VERSION,
                "profile": oruk.PROFILE,
                "openapi_url": request.build_absolute_uri("/openreferral/openapi.json"),
            }
        )


@cache
def _oruk_openapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_FILE.read_text())
    paths = document["paths"]
    services_get = paths["/services"]["get"]
    services_get["parameters"] += [
        {"$ref": "#/components/parameters/postcode"},
        {"$ref": "#/components/parameters/proximity"},
    ]
    # HSDS 3.0 defines these for both lists; the profile has them among its components only.
    for list_path in ("/services", "/service_at_locations"):
        paths[list_path]["get"]["parameters"] += [
            {"$ref": "#/components/parameters/modified_after"},
            {"$ref": "#/components/parameters/organization_id"},
        ]
    organization_item = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/organization.json"
    organization_list = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/organization_list.json"
    paths["/organizations"] = {
        "get": {
            "summary": "Paginated list of organizations",
            "operationId": "organizations",
            "tags": ["Optional"],
            "parameters": [
                {"$ref": "#/components/parameters/page"},
                {"$ref": "#/components/parameters/per_page"},
            ],
            "responses": {
                "200": {
                    "description": "A page of organizations",
                    "content": {
                        "application/json": {
                            "schema": {
                                "allOf": [{"$ref": "#/components/schemas/Page"}],
                                "properties": {
                                    "contents": {
                                        "type": "array",
                                        "items": {"$ref": organization_list},
                                    }
                                },
                            }
                        }
                    },
                }
            },
        }
    }
    paths["/organizations/{id}"] = {
        "get": {
            "summary": "Full information on one organization",
            "operationId": "getOrganizationById",
            "tags": ["Optional"],
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "The organization",
                    "content": {"application/json": {"schema": {"$ref": organization_item}}},
                },
                "404": {"description": "No such organization"},
            },
        }
    }
    _correct_service_at_location(document)
    _mark_optional(document)
    _document_constraints(document)
    _document_errors(document)
    return document


SERVICE_AT_LOCATION_SCHEMA = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/compiled/service_at_location.json"
# What an ORUK 3.0 feed must serve; the rest may be left out, so they carry the tag "Optional"
# (as the openreferraluk.org copy of this file does) and validators need not fail a feed on them.
REQUIRED_PATHS = ("/", "/services", "/services/{id}")


def _correct_service_at_location(document: dict[str, Any]) -> None:
    """The profile's file points /service_at_locations/{id} at the service schema (a copying
    mistake): a validator reading our openapi_url would fail every service_at_location."""
    operation = document["paths"]["/service_at_locations/{id}"]["get"]
    content = operation["responses"]["200"]["content"]["application/json"]
    content["schema"] = {"$ref": SERVICE_AT_LOCATION_SCHEMA}


def _mark_optional(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        if path not in REQUIRED_PATHS:
            tags = item["get"].setdefault("tags", [])
            if "Optional" not in tags:
                tags.append("Optional")


# What this server accepts, stated in the schema so clients (and schemathesis) know: the
# profile gives most parameters a bare type, and a few invalid ones ("time", "datetime").
UUID_SCHEMA = {"type": "string", "format": "uuid"}
CLOCK_TIME_SCHEMA = {"type": "string", "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}
AGE_SCHEMA = {"type": "number", "minimum": 0, "maximum": 150}
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    "minimum_age": AGE_SCHEMA,
    "maximum_age": AGE_SCHEMA,
    "start_time": CLOCK_TIME_SCHEMA,
    "end_time": CLOCK_TIME_SCHEMA,
    "day": {"type": "string", "enum": list(params.DAY_CODES)},
    "taxonomy_term_id": UUID_SCHEMA,
    "taxonomy_id": UUID_SCHEMA,
    "organization_id": UUID_SCHEMA,
    "proximity": {"type": "number", "minimum": 0, "maximum": MAX_PROXIMITY_METRES},
    "modified_after": {"type": "string", "format": "date-time"},
}


def _document_constraints(document: dict[str, Any]) -> None:
    for name, schema in PARAMETER_SCHEMAS.items():
        document["components"]["parameters"][name]["schema"] = copy.deepcopy(schema)


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}, "parameter": {"type": "string"}},
}


def _document_errors(document: dict[str, Any]) -> None:
    """Add the answers this server gives besides 200: 400 with a message for a malformed
    parameter on every operation, 404 for an unknown id."""
    for path, item in document["paths"].items():
        operation = item["get"]
        responses = operation.setdefault("responses", {})
        problem = {"application/json": {"schema": PROBLEM_SCHEMA}}
        responses.setdefault(
            "400", {"description": "A parameter is malformed (the message says which and why)"}
        )
        responses["400"]["content"] = problem
        if "{id}" in path:
            responses.setdefault("404", {"description": "No such item"})
            responses["404"]["content"] = problem


class OpenApiView(OpenReferralView):
    def get(self, request: Request) -> Response:
        document = copy.deepcopy(_oruk_openapi())
        document["servers"] = [{"url": request.build_absolute_uri("/openreferral")}]
        document["info"]["x-adapted-by"] = (
            "familyreach: ORUK 3.0 profile OpenAPI (CC BY-SA 4.0, Open Referral / Open "
            "Referral UK) with this server, /organizations and postcode/proximity on /services"
        )
        return Response(document)


# --- Services -------------------------------------------------------------------------------


def _filtered_services(request: Request) -> tuple[QuerySet[Service], Any]:
    """The services matching every given parameter, and the place when a postcode was given."""
    query = request.query_params
    services = selectors.services_published()
    if query.get("search"):
        services = selectors.filter_search(services, query["search"])
    if query.get("taxonomy_term_id"):
        services = selectors.filter_term(
            services, params.uuid("taxonomy_term_id", query["taxonomy_term_id"])
        )
    if query.get("taxonomy_id"):
        services = selectors.filter_taxonomy(
            services, params.uuid("taxonomy_id", query["taxonomy_id"])
        )
    # ORUK: minimum_age "at least" the value; maximum_age "equal to or below" the value.
    if query.get("minimum_age"):
        minimum = params.non_negative_number("minimum_age", query["minimum_age"], maximum=150)
        services = services.filter(minimum_age__gte=minimum)
    if query.get("maximum_age"):
        maximum = params.non_negative_number("maximum_age", query["maximum_age"], maximum=150)
        services = services.filter(maximum_age__lte=maximum)
    # Defined by HSDS 3.0 for /services and /service_at_locations (the ORUK 3.0 profile's
    # OpenAPI leaves them out): what changed since a client's last harvest, and one provider.
    if query.get("modified_after"):
        services = services.filter(
            modified_at__gte=params.date_time("modified_after", query["modified_after"])
        )
    if query.get("organization_id"):
        services = services.filter(
            organization_id=params.uuid("organization_id", query["organization_id"])
        )
    wanted = selectors.ScheduleFilter(
        day=params.day("day", query["day"]) if query.get("day") else None,
        starts_at_or_after=params.clock_time("start_time", query["start_time"])
        if query.get("start_time")
        else None,
        ends_at_or_before=params.clock_time("end_time", query["end_time"])
        if query.get("end_time")
        else None,
    )
    services = selectors.filter_schedule(services, wanted)
    place = None
    if query.get("proximity") and not query.get("postcode"):
        raise params.BadParameter("proximity", "proximity needs a postcode to measure from")
    if query.get("postcode"):
        place = _place(query["postcode"])
    return services, place


def _place(raw: str) -> Place:
    try:
        return caches.place_lookup_cached(raw)
    except LookupProblem as problem:
        raise params.BadParameter("postcode", problem.message) from None


def _proximity_km(request: Request) -> float:
    raw = request.query_params.get("proximity")
    metres = (
        params.non_negative_number("proximity", raw, maximum=MAX_PROXIMITY_METRES)
        if raw
        else DEFAULT_PROXIMITY_METRES
    )
    return metres / 1000


# Query parameters that do not change which services match (paging, and the place and
# distance, which the compiled candidates query takes as its box).
NOT_FILTERS = {"page", "per_page", "postcode", "proximity"}


def _filters_key(request: Request) -> tuple[Any, ...]:
    """What the services of `_filtered_services` depend on, to compile their distance search
    once per process (selectors.services_at_locations_near): the filtering parameters as
    given, and today's date (the visibility window)."""
    query = request.query_params
    return (
        "oruk",
        timezone.localdate(),
        tuple(
            sorted((name, tuple(query.getlist(name))) for name in query if name not in NOT_FILTERS)
        ),
    )


def _near(
    request: Request, services: QuerySet[Service], place: Any
) -> list[tuple[UUID, UUID, float]]:
    return selectors.services_at_locations_near(
        services=services,
        latitude=place.latitude,
        longitude=place.longitude,
        radius_km=_proximity_km(request),
        compiled_key=_filters_key(request),
    )


def _service_ids_by_distance(
    request: Request, services: QuerySet[Service], place: Any
) -> list[UUID]:
    nearby = _near(request, services, place)
    seen: dict[UUID, None] = {}
    for _sal_id, service_id, _km in nearby:
        seen.setdefault(service_id, None)
    return list(seen)


class ServiceListView(OpenReferralView):
    def get(self, request: Request) -> Response:
        services, place = _filtered_services(request)
        if place is None:
            queryset = services.select_related("organization").order_by("name", "id")
            return self.paged(request, queryset, oruk.service_basic)
        page_number, per_page = self.paging(request)
        ids = _service_ids_by_distance(request, services, place)
        chosen = ids[(page_number - 1) * per_page : page_number * per_page]
        by_id = Service.objects.select_related("organization").in_bulk(chosen)
        return Response(
            oruk.page(
                contents=oruk.services_basic([by_id[i] for i in chosen]),
                total_items=len(ids),
                page_number=page_number,
                per_page=per_page,
            )
        )


class ServiceDetailView(OpenReferralView):
    def get(self, request: Request, service_id: str) -> Response:
        try:
            UUID(service_id)
        except ValueError as error:
            raise Http404 from error
        return Response(oruk.service_full(selectors.service_get_public(service_id=service_id)))


# --- Service at locations -------------------------------------------------------------------


class ServiceAtLocationListView(OpenReferralView):
    def get(self, request: Request) -> Response:
        services, place = _filtered_services(request)
        base = ServiceAtLocation.objects.filter(service__in=services).select_related(
            "service__organization", "location"
        )
        if place is None:
            return self.paged(
                request, base.order_by("service__name", "id"), oruk.service_at_location_basic
            )
        page_number, per_page = self.paging(request)
        nearby = _near(request, services, place)
        chosen = [row[0] for row in nearby[(page_number - 1) * per_page : page_number * per_page]]
        by_id = base.in_bulk(chosen)
        return Response(
            oruk.page(
                contents=[oruk.service_at_location_basic(by_id[i]) for i in chosen],
                total_items=len(nearby),
                page_number=page_number,
                per_page=per_page,
            )
        )


class ServiceAtLocationDetailView(OpenReferralView):
    def get(self, request: Request, item_id: str) -> Response:
        queryset = (
            ServiceAtLocation.objects.filter(service__in=selectors.services_published())
            .select_related("service__organization", "location")
            .prefetch_related(
                "location__addresses",
                "location__accessibility",
                "service__schedules",
                "service__service_areas",
                "service__languages",
                "service__funding",
                "service__cost_options",
                Prefetch("service__contacts", queryset=selectors._contacts_with_phones()),
                Prefetch(
                    "service__attributes",
                    queryset=ServiceAttribute.objects.select_related("taxonomy_term__taxonomy"),
                ),
            )
        )
        return Response(oruk.service_at_location_full(_object_or_404(queryset, item_id)))


# --- Taxonomies and organisations -----------------------------------------------------------


class TaxonomyListView(OpenReferralView):
    def get(self, request: Request) -> Response:
        return self.paged(request, selectors.taxonomies_all(), oruk.taxonomy)


class TaxonomyDetailView(OpenReferralView):
    def get(self, request: Request, item_id: str) -> Response:
        queryset = Taxonomy.objects.prefetch_related(
            Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy"))
        )
        return Response(oruk.taxonomy(_object_or_404(queryset, item_id), with_terms=True))


class TaxonomyTermListView(OpenReferralView):
    def get(self, request: Request) -> Response:
        terms = selectors.taxonomy_terms_all()
        if request.query_params.get("taxonomy_id"):
            terms = terms.filter(
                taxonomy_id=params.uuid("taxonomy_id", request.query_params["taxonomy_id"])
            )
        return self.paged(request, terms, oruk.taxonomy_term)


class TaxonomyTermDetailView(OpenReferralView):
    def get(self, request: Request, item_id: str) -> Response:
        term = _object_or_404(TaxonomyTerm.objects.select_related("taxonomy"), item_id)
        return Response(oruk.taxonomy_term(term))


class OrganizationListView(OpenReferralView):
    def get(self, request: Request) -> Response:
        return self.paged(request, selectors.organizations_all(), oruk.organization_basic)


class OrganizationDetailView(OpenReferralView):
    def get(self, request: Request, item_id: str) -> Response:
        queryset = Organization.objects.prefetch_related(
            Prefetch(
                "services",
                queryset=selectors.services_published()
                .select_related("organization")
                .order_by("name"),
            )
        )
        return Response(oruk.organization_full(_object_or_404(queryset, item_id)))
