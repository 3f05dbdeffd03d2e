"""Import and export Open Referral UK 3.0 data.

An import reads one JSON document, a folder of them, or a URL (following the pages of an HSDS
list), validates every record against the ORUK 3.0 schemas and our own rules, and then writes
everything in one transaction — or nothing, with a report that names each problem.

Accepted documents: a service, a service at location, an organisation, a taxonomy or a taxonomy
term; an HSDS page of any of these; an API root (`version`, `openapi_url`: checked, not stored);
and our export (`{"services": [...], "organizations": [...], "taxonomies": [...]}`).
"""

import json
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.utils.text import slugify
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from familyreach.accounts.models import User
from familyreach.directory import oruk
from familyreach.directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)
from familyreach.directory.selectors import service_full_prefetches
from familyreach.directory.taxonomy import NAMESPACE

SCHEMA_DIR = Path(__file__).parent / "oruk" / "schema"
SCHEMAS = {
    "service": "service.json",
    "service_at_location": "service_at_location.json",
    "organization": "organization.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
    # Items of an HSDS page are checked as the ORUK validator checks them: with the list schemas.
    "service_list": "service_list.json",
    "service_at_location_list": "service_at_location_list.json",
    "organization_list": "organization_list.json",
}
MAX_PAGES = 1000
URL_TIMEOUT_SECONDS = 30


class ImportRefused(Exception):
    def __init__(self, report: "ImportReport") -> None:
        super().__init__(f"Import refused: {len(report.errors)} problems")
        self.report = report


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def text(self) -> str:
        lines = []
        if self.errors:
            lines.append(f"Refused: {len(self.errors)} problems, nothing was imported.")
            lines += [f"  error: {error}" for error in self.errors]
        else:
            counted = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items()))
            lines.append(f"Imported {counted or 'nothing'}.")
        lines += [f"  warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


# --- Reading ------------------------------------------------------------------------------


def read_source(source: str) -> list[tuple[str, Any]]:
    """(name, parsed JSON) for a file, every *.json in a folder, or a URL (all its pages)."""
    if source.startswith(("http://", "https://")):
        return _read_url(source)
    path = Path(source)
    if path.is_dir():
        return [(file.name, _read_file(file)) for file in sorted(path.glob("*.json"))]
    return [(path.name, _read_file(path))]


def _read_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportRefused(ImportReport(errors=[f"{path}: no such file"])) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ImportRefused(
            ImportReport(errors=[f"{path.name}: not valid JSON ({error})"])
        ) from None


def _fetch(url: str) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (http/https checked by the caller)
    try:
        with urllib.request.urlopen(request, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as error:
        raise ImportRefused(ImportReport(errors=[f"{url}: could not be read ({error})"])) from None


def _read_url(url: str) -> list[tuple[str, Any]]:
    documents = [(url, _fetch(url))]
    first = documents[0][1]
    if isinstance(first, dict) and "contents" in first:
        total_pages = int(first.get("total_pages") or 1)
        parts = urllib.parse.urlsplit(url)
        query = dict(urllib.parse.parse_qsl(parts.query))
        for number in range(2, min(total_pages, MAX_PAGES) + 1):
            query["page"] = str(number)
            page_url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))
            documents.append((page_url, _fetch(page_url)))
    return documents


# --- Validating ---------------------------------------------------------------------------

format_checker = FormatChecker()


@format_checker.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urllib.parse.urlparse(value)
    return bool(parsed.scheme and (parsed.netloc or parsed.scheme in ("mailto", "tel", "urn")))


@format_checker.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return "T" in value


@cache
def _validator(kind: str) -> Draft202012Validator:
    resources = [
        (
            path.name,
            Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012),
        )
        for path in SCHEMA_DIR.glob("*.json")
    ]
    schema = json.loads((SCHEMA_DIR / SCHEMAS[kind]).read_text())
    return Draft202012Validator(
        schema, registry=Registry().with_resources(resources), format_checker=format_checker
    )


def _kind(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    if "service" in record and "location" in record:
        return "service_at_location"
    if "status" in record:
        return "service"
    if "taxonomy_terms" in record or ("version" in record and "openapi_url" not in record):
        return "taxonomy"
    if {"term", "taxonomy", "taxonomy_id", "parent_id", "term_uri"} & set(record):
        return "taxonomy_term"
    if "name" in record or "description" in record:
        return "organization"
    return None


@dataclass
class Collected:
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    taxonomies: dict[str, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, dict[str, Any]] = field(default_factory=dict)


def _check(kind: str, record: dict[str, Any], where: str, report: ImportReport) -> bool:
    problems = [
        f"{where}{'/' if error.absolute_path else ''}{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in _validator(kind).iter_errors(record)
    ]
    report.errors.extend(problems)
    return not problems


def _collect_record(
    record: Any, where: str, collected: Collected, report: ImportReport, *, listed: bool = False
) -> None:
    kind = _kind(record)
    if kind is None:
        report.errors.append(f"{where}: not an ORUK 3.0 record (service, organisation, taxonomy…)")
        return
    schema = f"{kind}_list" if listed and f"{kind}_list" in SCHEMAS else kind
    if not _check(schema, record, where, report):
        return
    if kind == "service_at_location":
        service = dict(record["service"])
        service.setdefault("service_at_locations", [])
        service["service_at_locations"] = [
            *service["service_at_locations"],
            {"id": record["id"], "location": record["location"]},
        ]
        _collect_service(service, where, collected, report, listed=listed)
    elif kind == "service":
        _collect_service(record, where, collected, report, listed=listed)
    elif kind == "organization":
        # Where a feed holds an organisation twice, the full record wins over a list item.
        existing = collected.organizations.get(record["id"], {})
        collected.organizations[record["id"]] = (
            {**record, **existing} if listed else {**existing, **record}
        )
        for index, service in enumerate(record.get("services") or []):
            _collect_record(
                {**service, "organization_id": record["id"]},
                f"{where}/services/{index}",
                collected,
                report,
            )
    elif kind == "taxonomy":
        collected.taxonomies[record["id"]] = record
        # The order of a taxonomy's terms is kept (it is the order pages show them in).
        for position, term in enumerate(record.get("taxonomy_terms") or []):
            collected.terms[term["id"]] = {
                **term,
                "taxonomy_id": term.get("taxonomy_id") or record["id"],
                "_position": position,
            }
    else:
        collected.terms[record["id"]] = record


def _collect_service(
    record: dict[str, Any],
    where: str,
    collected: Collected,
    report: ImportReport,
    *,
    listed: bool = False,
) -> None:
    minimum, maximum = record.get("minimum_age"), record.get("maximum_age")
    if minimum is not None and maximum is not None and minimum > maximum:
        report.errors.append(f"{where}: minimum_age {minimum} is more than maximum_age {maximum}")
        return
    if record.get("organization"):
        nested = record["organization"]
        collected.organizations[nested["id"]] = {
            **collected.organizations.get(nested["id"], {}),
            **nested,
        }
    existing = collected.services.get(record["id"])
    if existing:
        # The same service seen in a list and in full: the full record wins.
        merged = {**record, **existing} if listed else {**existing, **record}
        merged["service_at_locations"] = _unique_by_id(
            (existing.get("service_at_locations") or [])
            + (record.get("service_at_locations") or [])
        )
        record = merged
    collected.services[record["id"]] = record
    for attribute in record.get("attributes") or []:
        term = attribute.get("taxonomy_term")
        if term:
            collected.terms.setdefault(term["id"], term)


def _unique_by_id(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({item["id"]: item for item in items}.values())


def collect(documents: list[tuple[str, Any]], report: ImportReport) -> Collected:
    collected = Collected()
    for name, document in documents:
        if isinstance(document, dict) and "openapi_url" in document:
            for key in ("profile", "openapi_url"):
                if key in document and not _is_uri(document[key]):
                    report.errors.append(f"{name}/{key}: {document[key]!r} is not a 'uri'")
            continue
        if isinstance(document, dict) and "contents" in document:
            if not isinstance(document["contents"], list):
                report.errors.append(f"{name}/contents: must be a list")
                continue
            records = [(f"{name}/contents/{i}", r) for i, r in enumerate(document["contents"])]
        elif isinstance(document, dict) and {"services", "organizations", "taxonomies"} & set(
            document
        ):
            records = [
                (f"{name}/{key}/{i}", record)
                for key in ("organizations", "taxonomies", "services")
                for i, record in enumerate(document.get(key) or [])
            ]
        elif isinstance(document, list):
            records = [(f"{name}/{i}", record) for i, record in enumerate(document)]
        else:
            records = [(name, document)]
        listed = isinstance(document, dict) and "contents" in document
        for where, record in records:
            _collect_record(record, where, collected, report, listed=listed)
    return collected


# --- Writing ------------------------------------------------------------------------------


def _date(value: Any) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _time(value: Any) -> time | None:
    if not value:
        return None
    return time.fromisoformat(value.replace("Z", "")[:8]) if ":" in value else None


def _save(instance: models.Model, where: str, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise _RowProblem(f"{where}: {'; '.join(error.messages)}") from None
    instance.save()


class _RowProblem(Exception):
    pass


def _replace_owned(model: type[models.Model], *, exclude_pks: set[str], **owner: Any) -> None:
    model._default_manager.filter(**owner).exclude(pk__in=exclude_pks).delete()


class _Writer:
    def __init__(self, *, source: str, report: ImportReport, user: User | None) -> None:
        self.source = source
        self.report = report
        self.user = user
        self._orphans: Organization | None = None

    def organization(self, record: dict[str, Any]) -> Organization:
        existing = Organization.objects.filter(pk=record["id"]).first()
        if existing is not None and existing.source != self.source:
            raise _RowProblem(
                f"organization {record['id']}: already held here from another source ({existing.source or 'entered here'})"
            )
        organization = existing or Organization(
            pk=record["id"], source=self.source, source_reference=record["id"], created_by=self.user
        )
        organization.name = record["name"]
        organization.description = record.get("description") or ""
        organization.email = record.get("email") or ""
        organization.website = record.get("website") or ""
        organization.logo = record.get("logo") or ""
        organization.uri = record.get("uri") or ""
        organization.modified_by = self.user
        _save(organization, f"organization {record['id']}", exclude=["parent_organization"])
        return organization

    def orphans(self) -> Organization:
        if self._orphans is None:
            reference = "organisation-unknown"
            self._orphans, _ = Organization.objects.get_or_create(
                source=self.source,
                source_reference=reference,
                defaults={
                    "name": f"Imported from {self.source}",
                    "description": "Services imported without an organisation.",
                },
            )
        return self._orphans

    def taxonomy(
        self, taxonomy_id: str, name: str, description: str = "", uri: str = "", version: str = ""
    ) -> Taxonomy:
        taxonomy = Taxonomy.objects.filter(pk=taxonomy_id).first() or Taxonomy(
            pk=taxonomy_id, code=f"{slugify(name)[:38] or 'imported'}-{taxonomy_id[:8]}"
        )
        taxonomy.name = name
        taxonomy.description = description or taxonomy.description or name
        taxonomy.uri = uri or taxonomy.uri
        taxonomy.version = version or taxonomy.version
        _save(taxonomy, f"taxonomy {taxonomy_id}")
        return taxonomy

    def term(self, record: dict[str, Any]) -> TaxonomyTerm:
        taxonomy_id = record.get("taxonomy_id") or str(
            uuid.uuid5(NAMESPACE, f"imported-taxonomy:{record.get('taxonomy') or self.source}")
        )
        taxonomy = Taxonomy.objects.filter(pk=taxonomy_id).first() or self.taxonomy(
            taxonomy_id, record.get("taxonomy") or f"Imported from {self.source}"
        )
        term = TaxonomyTerm.objects.filter(pk=record["id"]).first()
        if term is None:
            code = slugify(record.get("term") or record["name"])[:60] or "term"
            if TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=code).exists():
                code = f"{code}-{record['id'][:8]}"
            term = TaxonomyTerm(pk=record["id"], code=code)
        term.taxonomy = taxonomy
        term.name = record["name"]
        term.description = record.get("description") or ""
        term.term_uri = record.get("term_uri") or ""
        term.position = record.get("_position", term.position or 0)
        _save(term, f"taxonomy_term {record['id']}", exclude=["parent", "description"])
        return term

    def service(self, record: dict[str, Any], organizations: dict[str, Organization]) -> Service:
        where = f"service {record['id']}"
        existing = Service.objects.filter(pk=record["id"]).first()
        if existing is not None and existing.source != self.source:
            raise _RowProblem(
                f"{where}: already held here from another source ({existing.source or 'entered here'})"
            )
        organization_id = record.get("organization_id") or (record.get("organization") or {}).get(
            "id"
        )
        organization = (
            organizations.get(organization_id or "")
            or Organization.objects.filter(pk=organization_id).first()
            if organization_id
            else None
        )
        if organization is None:
            self.report.warnings.append(
                f"{where}: no organisation given; filed under 'Imported from {self.source}'"
            )
            organization = self.orphans()
        service = existing or Service(
            pk=record["id"], source=self.source, source_reference=record["id"], created_by=self.user
        )
        service.organization = organization
        service.name = record["name"]
        service.description = record.get("description") or ""
        service.url = record.get("url") or ""
        service.email = record.get("email") or ""
        service.status = record["status"]
        service.fees_description = record.get("fees") or ""
        service.accreditations = record.get("accreditations") or ""
        service.minimum_age = record.get("minimum_age")
        service.maximum_age = record.get("maximum_age")
        service.assured_date = _date(record.get("assured_date"))
        service.assurer_email = record.get("assurer_email") or ""
        service.alert = record.get("alert") or ""
        service.modified_by = self.user
        _save(service, where)
        self._service_parts(service, record)
        return service

    def _service_parts(self, service: Service, record: dict[str, Any]) -> None:
        where = f"service {record['id']}"
        keep: set[str] = set()
        for item in record.get("service_at_locations") or []:
            location = self.location(item["location"], where)
            sal = ServiceAtLocation.objects.filter(pk=item["id"]).first() or ServiceAtLocation(
                pk=item["id"]
            )
            sal.service, sal.location = service, location
            _save(sal, f"{where} service_at_location {item['id']}", exclude=["service", "location"])
            keep.add(item["id"])
        _replace_owned(ServiceAtLocation, exclude_pks=keep, service=service)

        Schedule.objects.filter(service=service).delete()
        for item in record.get("schedules") or []:
            schedule = Schedule(
                pk=item["id"],
                service=service,
                service_at_location_id=item.get("service_at_location_id")
                if item.get("service_at_location_id") in keep
                else None,
                valid_from=_date(item.get("valid_from")),
                valid_to=_date(item.get("valid_to")),
                dtstart=_date(item.get("dtstart")),
                until=_date(item.get("until")),
                freq=item.get("freq") or "",
                interval=item.get("interval"),
                byday=item.get("byday") or "",
                bymonthday=item.get("bymonthday") or "",
                opens_at=_time(item.get("opens_at")),
                closes_at=_time(item.get("closes_at")),
                description=item.get("description") or "",
                schedule_link=item.get("schedule_link") or "",
                attending_type=(item.get("attending_type") or "")[:100],
                notes=item.get("notes") or "",
            )
            _save(
                schedule,
                f"{where} schedule {item['id']}",
                exclude=["service", "service_at_location"],
            )
        service.cost_options.all().delete()
        for item in record.get("cost_options") or []:
            amount = item.get("amount")
            _save(
                CostOption(
                    pk=item["id"],
                    service=service,
                    valid_from=_date(item.get("valid_from")),
                    valid_to=_date(item.get("valid_to")),
                    option=item.get("option") or "",
                    amount=Decimal(str(amount)) if amount is not None else None,
                    amount_description=item.get("amount_description") or "",
                ),
                f"{where} cost_option {item['id']}",
                exclude=["service"],
            )
        service.languages.all().delete()
        for item in record.get("languages") or []:
            if not item.get("name"):
                self.report.warnings.append(f"{where} language {item['id']}: no name; left out")
                continue
            _save(
                Language(
                    pk=item["id"],
                    service=service,
                    name=item["name"],
                    code=item.get("code") or "",
                    note=item.get("note") or "",
                ),
                f"{where} language",
                exclude=["service"],
            )
        service.service_areas.all().delete()
        for item in record.get("service_areas") or []:
            _save(
                ServiceArea(
                    pk=item["id"],
                    service=service,
                    name=(item.get("name") or item.get("service_area") or "")[:200],
                    description=item.get("description") or "",
                    extent=item.get("extent") or "",
                    extent_type=item.get("extent_type") or "",
                    uri=item.get("uri") or "",
                ),
                f"{where} service_area {item['id']}",
                exclude=["service"],
            )
        service.funding.all().delete()
        for item in record.get("funding") or []:
            _save(
                Funding(pk=item["id"], service=service, source=item.get("source") or ""),
                f"{where} funding",
                exclude=["service", "source"],
            )
        service.contacts.all().delete()
        service.phones.all().delete()
        for item in record.get("contacts") or []:
            contact = Contact(
                pk=item["id"],
                service=service,
                name=item.get("name") or "",
                title=item.get("title") or "",
                department=item.get("department") or "",
                email=item.get("email") or "",
            )
            _save(contact, f"{where} contact {item['id']}", exclude=["service", "organization"])
            for phone in item.get("phones") or []:
                _save(
                    Phone(
                        pk=phone["id"],
                        service=service,
                        contact=contact,
                        number=phone.get("number") or "",
                        extension=phone.get("extension") or "",
                        type=phone.get("type") or "",
                        description=phone.get("description") or "",
                    ),
                    f"{where} phone",
                    exclude=["service", "contact", "location"],
                )
        ServiceAttribute.objects.filter(service=service).delete()
        for item in record.get("attributes") or []:
            term_id = item.get("taxonomy_term_id") or (item.get("taxonomy_term") or {}).get("id")
            if not term_id or not TaxonomyTerm.objects.filter(pk=term_id).exists():
                self.report.warnings.append(
                    f"{where} attribute {item['id']}: unknown taxonomy term; left out"
                )
                continue
            ServiceAttribute.objects.create(
                pk=item["id"], service=service, taxonomy_term_id=term_id
            )

    def location(self, record: dict[str, Any], where: str) -> Location:
        location = Location.objects.filter(pk=record["id"]).first()
        if location is not None and location.source not in (self.source, ""):
            # A location we hold from elsewhere (a venue): link to it, do not overwrite it.
            return location
        location = location or Location(
            pk=record["id"], source=self.source, source_reference=record["id"], created_by=self.user
        )
        location.location_type = record.get("location_type") or "physical"
        location.name = (record.get("name") or "")[:200]
        location.description = record.get("description") or ""
        latitude, longitude = record.get("latitude"), record.get("longitude")
        if (
            latitude is not None
            and longitude is not None
            and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
        ):
            self.report.warnings.append(
                f"{where} location {record['id']}: position {latitude}, {longitude} is not on Earth; left out"
            )
            latitude = longitude = None
        location.latitude, location.longitude = latitude, longitude
        location.external_identifier = record.get("external_identifier") or ""
        location.external_identifier_type = record.get("external_identifier_type") or ""
        location.modified_by = self.user
        _save(location, f"{where} location {record['id']}", exclude=["venue"])
        location.addresses.all().delete()
        for item in record.get("addresses") or []:
            _save(
                Address(
                    pk=item["id"],
                    location=location,
                    attention=item.get("attention") or "",
                    address_1=item["address_1"],
                    address_2=item.get("address_2") or "",
                    city=item["city"],
                    region=item.get("region") or "",
                    state_province=item["state_province"],
                    postal_code=item["postal_code"],
                    country=item["country"],
                    address_type=item["address_type"],
                ),
                f"{where} address {item['id']}",
                exclude=["location"],
            )
        location.accessibility.all().delete()
        for item in record.get("accessibility") or []:
            _save(
                Accessibility(
                    pk=item["id"],
                    location=location,
                    description=item.get("description") or item.get("accessibility") or "",
                    details=item.get("details") or "",
                    url=item.get("url") or "",
                ),
                f"{where} accessibility",
                exclude=["location"],
            )
        return location


def import_documents(
    documents: list[tuple[str, Any]], *, source: str, user: User | None = None
) -> ImportReport:
    """Validate, then write everything or nothing. Raises `ImportRefused` with the report."""
    report = ImportReport()
    collected = collect(documents, report)
    if report.errors:
        raise ImportRefused(report)
    writer = _Writer(source=source, report=report, user=user)
    try:
        with transaction.atomic():
            for taxonomy_id, record in collected.taxonomies.items():
                writer.taxonomy(
                    taxonomy_id,
                    record["name"],
                    record.get("description") or "",
                    record.get("uri") or "",
                    record.get("version") or "",
                )
                report.counts["taxonomies"] += 1
            for record in collected.terms.values():
                writer.term(record)
                report.counts["taxonomy terms"] += 1
            # Parents once every term is written, so a child may come before its parent.
            for record in collected.terms.values():
                parent = record.get("parent_id")
                if parent and TaxonomyTerm.objects.filter(pk=parent).exists():
                    TaxonomyTerm.objects.filter(pk=record["id"]).update(parent_id=parent)
                elif parent:
                    report.warnings.append(
                        f"taxonomy_term {record['id']}: parent {parent} is not in the feed; left out"
                    )
            organizations = {}
            for organization_id, record in collected.organizations.items():
                organizations[organization_id] = writer.organization(record)
                report.counts["organisations"] += 1
            for record in collected.organizations.values():
                parent = record.get("parent_organization_id")
                if parent and Organization.objects.filter(pk=parent).exists():
                    Organization.objects.filter(pk=record["id"]).update(
                        parent_organization_id=parent
                    )
                elif parent:
                    report.warnings.append(
                        f"organization {record['id']}: parent {parent} is not in the feed; left out"
                    )
            for record in collected.services.values():
                writer.service(record, organizations)
                report.counts["services"] += 1
    except (_RowProblem, IntegrityError) as problem:
        report.errors.append(str(problem))
        report.counts.clear()
        raise ImportRefused(report) from None
    return report


def import_source(
    source: str, *, user: User | None = None, name: str | None = None
) -> ImportReport:
    documents = read_source(source)
    return import_documents(documents, source=f"oruk:{name or source}"[:100], user=user)


# --- Export -------------------------------------------------------------------------------


def export_feed() -> dict[str, Any]:
    """Every organisation, taxonomy and service we hold, in ORUK 3.0 shapes (our import reads it)."""
    services = (
        Service.objects.select_related("organization")
        .prefetch_related(*service_full_prefetches())
        .order_by("name", "id")
    )
    taxonomies = Taxonomy.objects.prefetch_related(
        Prefetch(
            "terms",
            queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by(
                "position", "name", "pk"
            ),
        )
    ).order_by("name", "pk")
    return {
        "version": oruk.VERSION,
        "profile": oruk.PROFILE,
        "exported_at": datetime.now(tz=UTC).isoformat().replace("+00:00", "Z"),
        "organizations": [
            oruk.organization_basic(o) for o in Organization.objects.order_by("name", "id")
        ],
        "taxonomies": [oruk.taxonomy(t, with_terms=True) for t in taxonomies],
        "services": [oruk.service_full(s) for s in services],
    }
