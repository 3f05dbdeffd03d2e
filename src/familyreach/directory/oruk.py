"""Our model as Open Referral UK 3.0 JSON (the shapes of ORUK's compiled schemas).

Empty optional values are left out rather than sent as null or "": the schemas type most
fields as plain strings or numbers, and an empty `url` would not be a URI.
"""

from datetime import UTC, date, datetime, time
from typing import Any

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


def _value(value: Any) -> Any:
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
        "taxonomy_term_id": str(row.taxonomy_term_id),
        "taxonomy_term": taxonomy_term(row.taxonomy_term),
    }


def organization_basic(organization: Organization) -> dict[str, Any]:
    return _clean(
        {
            "id": organization.pk,
            "name": organization.name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
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


def service_basic(service: Service, *, with_organization: bool = True) -> dict[str, Any]:
    record = _clean(
        {
            "id": service.pk,
            "organization_id": service.organization_id,
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees": service.fees_description,
            "accreditations": service.accreditations,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": service.assured_date,
            "assurer_email": service.assurer_email,
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
        "contacts": [contact(c) for c in service.contacts.all()],
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
