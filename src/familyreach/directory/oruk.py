"""Our model as Open Referral UK 3.0 JSON (the shapes of ORUK's compiled schemas).

Empty optional values are left out rather than sent as null or "": the schemas type most
fields as plain strings or numbers, and an empty `url` would not be a URI.

What consumers need besides the schemas (DfE's Family Hubs importer reads ages into a byte and
lists only services with a web address and an email; see docs/directory.md and
`feed_quality`): ages are whole years, every service carries the web address, email and contact
`feed_quality` resolves for it, and no person's own email (an assurer's) is published.
"""

import math
from datetime import UTC, date, datetime, time
from typing import Any

from django.conf import settings

from familyreach.directory import feed_quality
from familyreach.directory.models import (
    Accessibility,
    Address,
    Contact,
    CostOption,
    Funding,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

VERSION = "HSDS-UK-3.0"
PROFILE = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"


_AS_THEY_ARE = {str, int, float, bool}


def _value(value: Any) -> Any:
    # Most values are text or numbers, sent as they are: answered first, as every field of
    # every record passes here (an API page of 500 services is some 15,000 calls).
    if value is None or type(value) in _AS_THEY_ARE:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if hasattr(value, "hex") and not isinstance(value, str | bytes | int | float):
        return str(value)  # UUID
    return value


def _clean(record: dict[str, Any], *, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        key: _value(value)
        for key, value in record.items()
        if key in keep or (value is not None and value != "")
    }


def taxonomy_term(term: TaxonomyTerm) -> dict[str, Any]:
    return _clean(
        {
            "id": term.pk,
            "name": term.name,
            "description": term.description,
            "parent_id": term.parent_id,
            # ORUK: "which taxonomy is in use. If possible, provide a URI."
            "taxonomy": term.taxonomy.uri or term.taxonomy.name,
            "taxonomy_id": term.taxonomy_id,
            "term_uri": term.term_uri,
            "term": term.code,
            # HSDS 3.0 names the code `code`, and DfE's importer (fh-services
            # FamilyHubs.SharedKernel.OpenReferral TaxonomyTerm) requires it: a term without it
            # fails to deserialise, and the whole service with it.
            "code": term.code,
        },
        keep=("description",),
    )


def taxonomy(tax: Taxonomy, *, with_terms: bool = False) -> dict[str, Any]:
    record = _clean(
        {
            "id": tax.pk,
            "name": tax.name,
            "description": tax.description,
            "uri": tax.uri,
            "version": tax.version,
        },
        keep=("description",),
    )
    if with_terms:
        record["taxonomy_terms"] = [taxonomy_term(term) for term in tax.terms.all()]
    return record


def attribute(row: ServiceAttribute) -> dict[str, Any]:
    return {
        "id": str(row.pk),
        "link_id": str(row.service_id),
        "link_type": "service",
        # HSDS 3.0: the kind of record linked; DfE's importer requires it.
        "link_entity": "service",
        "taxonomy_term_id": str(row.taxonomy_term_id),
        "taxonomy_term": taxonomy_term(row.taxonomy_term),
    }


def organization_basic(organization: Organization) -> dict[str, Any]:
    return _clean(
        {
            "id": organization.pk,
            "name": organization.name,
            "description": organization.description,
            "email": organization.email
            or (settings.COUNCIL_CONTACT_EMAIL if organization.is_council else ""),
            "website": organization.website
            or (settings.COUNCIL_CONTACT_URL if organization.is_council else ""),
            "logo": organization.logo,
            "uri": organization.uri,
            "parent_organization_id": organization.parent_organization_id,
        },
        keep=("description",),
    )


def organization_full(organization: Organization) -> dict[str, Any]:
    record = organization_basic(organization)
    record["services"] = [service_basic(s) for s in organization.services.all()]
    return record


def whole_years(age: float | None) -> int | None:
    """An age as whole years, rounded down (0.5, six months, is 0): consumers type ages as
    integers (DfE's importer as a byte), and 0.0 is not one to .NET's JSON reader. Rounding down
    keeps everyone the listing is for: a child of 1 year 9 months is "1" in whole years."""
    return None if age is None else math.floor(age)


def services_basic(services: list[Service]) -> list[dict[str, Any]]:
    """`service_basic` of each, their organisations' records built once each: a page of
    services from one provider (the council's, typically) repeats the same organisation."""
    organizations: dict[Any, dict[str, Any]] = {}
    records = []
    for service in services:
        record = service_basic(service, with_organization=False)
        organization = organizations.get(service.organization_id)
        if organization is None:
            organization = organizations[service.organization_id] = organization_basic(
                service.organization
            )
        record["organization"] = organization
        records.append(record)
    return records


def service_basic(service: Service, *, with_organization: bool = True) -> dict[str, Any]:
    record = _clean(
        {
            "id": service.pk,
            "organization_id": service.organization_id,
            "name": service.name,
            "description": service.description,
            "url": feed_quality.service_web_address(service),
            "email": feed_quality.service_email(service),
            "status": service.status,
            "fees": service.fees_description,
            "accreditations": service.accreditations,
            "minimum_age": whole_years(service.minimum_age),
            "maximum_age": whole_years(service.maximum_age),
            # When a person last checked it. Not `assurer_email`: that is a member of staff's
            # own address, personal data that stays with us.
            "assured_date": service.assured_date,
            "alert": service.alert,
            "last_modified": service.modified_at,
        }
    )
    if with_organization:
        record["organization"] = organization_basic(service.organization)
    return record


def schedule(row: Schedule) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "service_id": row.service_id,
            "service_at_location_id": row.service_at_location_id,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "dtstart": row.dtstart,
            "until": row.until,
            "freq": row.freq,
            "interval": row.interval,
            "byday": row.byday,
            "bymonthday": row.bymonthday,
            "description": row.description,
            "opens_at": row.opens_at,
            "closes_at": row.closes_at,
            "schedule_link": row.schedule_link,
            "attending_type": row.attending_type,
            "notes": row.notes,
        }
    )


def service_area(row: ServiceArea) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "service_id": row.service_id,
            "name": row.name,
            "description": row.description,
            "extent": row.extent,
            "extent_type": row.extent_type,
            "uri": row.uri,
        }
    )


def language(row: Language) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "service_id": row.service_id,
            "name": row.name,
            "code": row.code,
            "note": row.note,
        }
    )


def funding(row: Funding) -> dict[str, Any]:
    return _clean({"id": row.pk, "service_id": row.service_id, "source": row.source})


def cost_option(row: CostOption) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "service_id": row.service_id,
            "valid_from": row.valid_from,
            "valid_to": row.valid_to,
            "option": row.option,
            "amount": float(row.amount) if row.amount is not None else None,
            "amount_description": row.amount_description,
        }
    )


def contact(row: Contact) -> dict[str, Any]:
    record = _clean(
        {
            "id": row.pk,
            "service_id": row.service_id,
            "organization_id": row.organization_id,
            "name": row.name,
            "title": row.title,
            "department": row.department,
            "email": row.email,
        }
    )
    phones = [
        _clean(
            {
                "id": phone.pk,
                "contact_id": row.pk,
                "number": phone.number,
                "extension": phone.extension,
                "type": phone.type,
                "description": phone.description,
            }
        )
        for phone in row.phones.all()
    ]
    if phones:
        record["phones"] = phones
    return record


def _fallback_contacts(service: Service) -> list[dict[str, Any]]:
    """For a service without a contact of its own: one built from the details `feed_quality`
    resolves (its organisation's, or the council's public ones), with stable ids."""
    email = feed_quality.service_email(service)
    number = feed_quality.service_phone(service)
    if not email and not number:
        return []
    record = _clean(
        {
            "id": feed_quality.fallback_contact_id(service),
            "service_id": service.pk,
            "name": service.organization.name,
            "email": email,
        }
    )
    if number:
        record["phones"] = [
            {
                "id": str(feed_quality.fallback_phone_id(service)),
                "contact_id": record["id"],
                "number": number,
            }
        ]
    return [record]


def address(row: Address) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "location_id": row.location_id,
            "attention": row.attention,
            "address_1": row.address_1,
            "address_2": row.address_2,
            "city": row.city,
            "region": row.region,
            "state_province": row.state_province,
            "postal_code": row.postal_code,
            "country": row.country,
            "address_type": row.address_type,
        },
        keep=("address_1", "city", "state_province", "postal_code", "country", "address_type"),
    )


def accessibility(row: Accessibility) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "location_id": row.location_id,
            "description": row.description,
            "details": row.details,
            "url": row.url,
        }
    )


def location_basic(row: Location) -> dict[str, Any]:
    return _clean(
        {
            "id": row.pk,
            "location_type": row.location_type,
            "name": row.name,
            "description": row.description,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "external_identifier": row.external_identifier,
            "external_identifier_type": row.external_identifier_type,
        }
    )


def location_full(row: Location) -> dict[str, Any]:
    record = location_basic(row)
    record["addresses"] = [address(a) for a in row.addresses.all()]
    record["accessibility"] = [accessibility(a) for a in row.accessibility.all()]
    return record


def service_at_location_basic(row: ServiceAtLocation) -> dict[str, Any]:
    return {
        "id": str(row.pk),
        "service_id": str(row.service_id),
        "location_id": str(row.location_id),
        "location": location_basic(row.location),
        "service": service_basic(row.service),
    }


def _service_details(service: Service) -> dict[str, Any]:
    return {
        "schedules": [schedule(s) for s in service.schedules.all()],
        "service_areas": [service_area(a) for a in service.service_areas.all()],
        "languages": [language(lang) for lang in service.languages.all()],
        "funding": [funding(f) for f in service.funding.all()],
        "cost_options": [cost_option(c) for c in service.cost_options.all()],
        "contacts": [contact(c) for c in service.contacts.all()] or _fallback_contacts(service),
        "attributes": [attribute(a) for a in service.attributes.all()],
    }


def service_full(service: Service) -> dict[str, Any]:
    record = service_basic(service)
    record.update(_service_details(service))
    record["service_at_locations"] = [
        {
            "id": str(sal.pk),
            "service_id": str(sal.service_id),
            "location_id": str(sal.location_id),
            "location": location_full(sal.location),
        }
        for sal in service.service_at_locations.all()
    ]
    return record


def service_at_location_full(row: ServiceAtLocation) -> dict[str, Any]:
    service = service_basic(row.service)
    service.update(_service_details(row.service))
    return {
        "id": str(row.pk),
        "service_id": str(row.service_id),
        "location_id": str(row.location_id),
        "location": location_full(row.location),
        "service": service,
    }


def page(
    *, contents: list[dict[str, Any]], total_items: int, page_number: int, per_page: int
) -> dict[str, Any]:
    """The HSDS Page object. A page beyond the end is empty, not an error."""
    total_pages = -(-total_items // per_page)
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,  # an empty result's only page is its last
        "empty": not contents,
        "contents": contents,
    }
