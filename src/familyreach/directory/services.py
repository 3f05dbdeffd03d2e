"""Writes to the directory: one function per state change, atomic, validated and audited
(auditlog records every registered model's change with its actor).

Hooks for other domains (stable signatures):
- `service_upsert(*, source, source_reference, ...)`: idempotent upsert of a service with its
  categories, delivery methods, location, schedules and cost, keyed on an external reference
  (delivery publishes its sessions with `source="delivery.session"`).
- `location_upsert_from_venue(venue, *, is_family_base=None)`: a directory location for a venue.
- `publish_adopted_network(*, bases, outreach_venues)`: planning's adopted scenario.
- `signals.support_request_accepted`: families turns accepted requests into family records.
"""

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.core.audit import acting_as
from familyreach.directory import caches, taxonomy, taxonomy_seed
from familyreach.directory.models import (
    Accessibility,
    Address,
    AdviceArticle,
    ChangeStatus,
    Contact,
    ContactMethod,
    CostOption,
    Frequency,
    Language,
    ListingChange,
    ListingStatus,
    Location,
    LocationType,
    Organization,
    Phone,
    RequestStatus,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    SupportRequest,
    Taxonomy,
    TaxonomyTerm,
)
from familyreach.directory.signals import support_request_accepted
from familyreach.geo.models import Venue, VenueKind
from familyreach.outbox import notify

COUNCIL_SOURCE = "familyreach.council"
VENUE_SOURCE = "geo.venue"
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@transaction.atomic
def taxonomy_ensure() -> None:
    """Create or refresh our taxonomies, DfE's categories and every service's DfE terms
    (idempotent; stable UUIDs and URIs). The demo and new installations run it; migration
    0003 runs the same code on databases that existed before the DfE mapping."""
    taxonomy_seed.taxonomies_write(
        taxonomy_model=Taxonomy, term_model=TaxonomyTerm, uri_base=settings.TAXONOMY_URI_BASE
    )
    added, removed = taxonomy_seed.dfe_attributes_write(
        attribute_model=ServiceAttribute, term_model=TaxonomyTerm
    )
    if added or removed:
        caches.public_pages_changed()  # bulk writes send no signals


@transaction.atomic
def taxonomy_uris_fill(*, taxonomy_code: str) -> None:
    """URIs under our base for a taxonomy of our own kept elsewhere (community's "Who runs it"),
    where it has none."""
    taxonomy_seed.own_uris_fill(
        taxonomy_model=Taxonomy,
        term_model=TaxonomyTerm,
        uri_base=settings.TAXONOMY_URI_BASE,
        codes=[taxonomy_code],
    )


@transaction.atomic
def run_by_local_parents_term_ensure() -> TaxonomyTerm:
    """The peer-led mark's term (idempotent; the same ids in every installation)."""
    tax, _ = Taxonomy.objects.get_or_create(
        id=uuid.uuid5(taxonomy.PROVIDER_NAMESPACE, taxonomy.PROVIDER_TAXONOMY),
        defaults={
            "code": taxonomy.PROVIDER_TAXONOMY,
            "name": "Who runs it",
            "description": "Who runs a service, where that helps families choose.",
            "version": "1",
        },
    )
    term, _ = TaxonomyTerm.objects.get_or_create(
        id=uuid.uuid5(
            taxonomy.PROVIDER_NAMESPACE,
            f"{taxonomy.PROVIDER_TAXONOMY}/{taxonomy.RUN_BY_LOCAL_PARENTS_CODE}",
        ),
        defaults={
            "taxonomy": tax,
            "code": taxonomy.RUN_BY_LOCAL_PARENTS_CODE,
            "name": taxonomy.RUN_BY_LOCAL_PARENTS,
            "description": "A group set up and run by local parents and carers, approved by "
            "the council (named leads, a safeguarding lead, insurance and policies checked).",
        },
    )
    if not tax.uri or not term.term_uri:
        # Our own terms are published with URIs under the deployment's base, like the
        # directory's (docs/decisions/0006-taxonomy-mapping-to-dfe.md).
        taxonomy_uris_fill(taxonomy_code=taxonomy.PROVIDER_TAXONOMY)
        term.refresh_from_db()
    return term


@transaction.atomic
def service_mark_run_by_local_parents(*, service: Service) -> None:
    """Attach the peer-led mark to a listing (idempotent)."""
    ServiceAttribute.objects.get_or_create(
        service=service, taxonomy_term=run_by_local_parents_term_ensure()
    )


@transaction.atomic
def council_organization_ensure() -> Organization:
    organization, _ = Organization.objects.update_or_create(
        source=COUNCIL_SOURCE,
        source_reference="council",
        defaults={
            "name": settings.COUNCIL_NAME,
            "description": f"{settings.COUNCIL_NAME}'s early childhood and family service.",
            "is_council": True,
        },
    )
    return organization


@transaction.atomic
def organization_upsert(
    *,
    source: str,
    source_reference: str,
    name: str,
    description: str,
    email: str = "",
    website: str = "",
    is_council: bool = False,
    user: User | None = None,
) -> Organization:
    organization = Organization.objects.filter(
        source=source, source_reference=source_reference
    ).first() or Organization(source=source, source_reference=source_reference, created_by=user)
    organization.name = name
    organization.description = description
    organization.email = email
    organization.website = website
    organization.is_council = is_council
    organization.modified_by = user
    organization.full_clean()
    organization.save()
    return organization


def venue_address_lines(venue: Venue) -> tuple[str, str, str]:
    """(street, locality, town) of a venue, for an ORUK address.

    Venue addresses are free text: "street, locality, town/county" (libraries: "Bridewell Lane,
    Acle, Norfolk" with the town "Acle"). The venue's name is never repeated as its street; a
    venue whose data has no street (GIAS schools) is addressed by its building name, as post
    is, and its town is the venue's post town, then the text's last line, then its district."""
    parts = [part.strip() for part in venue.address.replace("\n", ",").split(",") if part.strip()]
    compact_postcode = venue.postcode.replace(" ", "").upper()
    county = (venue.district.council_name if venue.district_id else "") or ""  # type: ignore[union-attr]
    parts = [
        part
        for part in parts
        if part.upper().replace(" ", "") != compact_postcode
        and part != venue.name
        and part.lower() not in ("norfolk", county.lower())
    ]
    town = venue.town or (parts[-1] if len(parts) >= 2 else "")
    if not town and venue.district_id:
        town = venue.district.name  # type: ignore[union-attr]
    street = parts[0] if parts and parts[0] != town else venue.name
    locality = next((part for part in parts[1:] if part != town), "")
    return street, locality, town


@transaction.atomic
def location_upsert_from_venue(
    venue: Venue, *, is_family_base: bool | None = None, user: User | None = None
) -> Location:
    """The directory location for a venue (one per venue; idempotent)."""
    location = Location.objects.filter(source=VENUE_SOURCE, source_reference=str(venue.pk)).first()
    if location is None:
        location = Location(source=VENUE_SOURCE, source_reference=str(venue.pk), created_by=user)
    location.venue = venue
    location.name = venue.name
    location.location_type = LocationType.PHYSICAL
    location.latitude = venue.latitude
    location.longitude = venue.longitude
    location.external_identifier = venue.source_reference
    location.external_identifier_type = venue.source
    if is_family_base is None:
        is_family_base = location.is_family_base or venue.kind == VenueKind.FAMILY_BASE
    location.is_family_base = is_family_base
    location.modified_by = user
    location.full_clean()
    location.save()
    street, locality, town = venue_address_lines(venue)
    address = location.addresses.first() or Address(location=location)
    address.address_1 = street[:200]
    address.address_2 = locality[:200]
    address.city = town[:100] or "Unknown"
    address.state_province = (
        venue.district.council_name if venue.district_id else ""  # type: ignore[union-attr]
    ) or "England"
    address.postal_code = venue.postcode or ""
    address.country = "GB"
    address.full_clean()
    address.save()
    if venue.accessibility:
        access = location.accessibility.first() or Accessibility(location=location)
        access.description = venue.accessibility
        access.save()
    return location


@transaction.atomic
def publish_adopted_network(
    *, bases: Iterable[Venue], outreach_venues: Iterable[Venue], user: User | None = None
) -> list[Location]:
    """Planning's hook: an adopted scenario's bases and outreach venues become locations.

    Bases are marked as family bases (the /find "family bases" filter); a venue that is no
    longer a base in the adopted network loses the mark."""
    base_list = list(bases)
    base_ids = {venue.pk for venue in base_list}
    locations = [location_upsert_from_venue(v, is_family_base=True, user=user) for v in base_list]
    for venue in outreach_venues:
        if venue.pk not in base_ids:
            locations.append(location_upsert_from_venue(venue, is_family_base=False, user=user))
    Location.objects.filter(source=VENUE_SOURCE, is_family_base=True).exclude(
        venue_id__in=base_ids
    ).update(is_family_base=False)
    return locations


@dataclass(frozen=True)
class ScheduleSpec:
    """A recurrence (freq WEEKLY/MONTHLY with byday) or a one-off event (freq "", dtstart)."""

    opens_at: time | None
    closes_at: time | None
    freq: str = "WEEKLY"
    byday: str = ""
    bymonthday: str = ""
    interval: int = 1
    dtstart: date | None = None
    until: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    description: str = ""
    attending_type: str = ""


@dataclass(frozen=True)
class ServiceAreaSpec:
    """Where a service without a place (online, by phone, at home, outreach) is offered: a
    county or district, named and identified by its ONS code's statistics.data.gov.uk URI."""

    name: str
    description: str = ""
    uri: str = ""


def ons_area_uri(code: str) -> str:
    return f"http://statistics.data.gov.uk/id/statistical-geography/{code}"


@dataclass(frozen=True)
class ContactSpec:
    name: str = ""
    email: str = ""
    phone: str = ""


def _terms(taxonomy_code: str, codes: Sequence[str]) -> list[TaxonomyTerm]:
    terms = list(TaxonomyTerm.objects.filter(taxonomy__code=taxonomy_code, code__in=codes))
    missing = set(codes) - {term.code for term in terms}
    if missing:
        raise ValidationError(f"Unknown {taxonomy_code} terms: {', '.join(sorted(missing))}")
    return terms


def _set_terms(service: Service, taxonomy_code: str, codes: Sequence[str]) -> None:
    wanted = _terms(taxonomy_code, codes)
    if taxonomy_code == taxonomy.CATEGORY_TAXONOMY:
        # DfE's categories follow ours (taxonomy.CATEGORY_TO_DFE), so a consumer that files
        # services under DfE's categories can file this one without a mapping of its own.
        _set_terms(service, taxonomy.DFE_TAXONOMY, taxonomy.dfe_codes_for(codes))
    current = ServiceAttribute.objects.filter(
        service=service, taxonomy_term__taxonomy__code=taxonomy_code
    )
    current.exclude(taxonomy_term__in=wanted).delete()
    have = set(current.values_list("taxonomy_term_id", flat=True))
    ServiceAttribute.objects.bulk_create(
        [ServiceAttribute(service=service, taxonomy_term=t) for t in wanted if t.pk not in have]
    )


@transaction.atomic
def service_upsert(
    *,
    source: str,
    source_reference: str,
    organization: Organization,
    name: str,
    description: str = "",
    status: str = ListingStatus.ACTIVE,
    categories: Sequence[str] = (),
    delivery_methods: Sequence[str] = ("in-person",),
    location: Location | None = None,
    schedules: Sequence[ScheduleSpec] = (),
    minimum_age: float | None = None,
    maximum_age: float | None = None,
    for_pregnancy: bool = False,
    cost: Decimal | None = None,
    cost_description: str = "",
    languages: Sequence[str] = ("English",),
    contact: ContactSpec | None = None,
    service_areas: Sequence[ServiceAreaSpec] = (),
    how_to_book: str = "",
    assured_date: date | None = None,
    visible_from: date | None = None,
    visible_until: date | None = None,
    owner: User | None = None,
    is_simulated: bool = False,
    user: User | None = None,
) -> Service:
    """Create or replace the service keyed on (source, source_reference), idempotently.

    Categories and delivery methods are term codes of our taxonomies. Schedules, cost, languages,
    contact and service areas are replaced by what is given. `cost=None` or 0 means free.
    `assured_date` is when a person last checked it; without one, today (the caller publishes
    what a member of staff has just entered)."""
    service = Service.objects.filter(source=source, source_reference=source_reference).first()
    if service is None:
        service = Service(source=source, source_reference=source_reference, created_by=user)
    service.organization = organization
    service.name = name
    service.description = description
    service.status = status
    service.minimum_age = minimum_age
    service.maximum_age = maximum_age
    service.for_pregnancy = for_pregnancy
    service.how_to_book = how_to_book
    service.fees_description = cost_description if cost else (cost_description or "Free")
    service.assured_date = assured_date or timezone.localdate()
    service.visible_from = visible_from
    service.visible_until = visible_until
    service.owner = owner or service.owner
    service.is_simulated = is_simulated
    service.modified_by = user
    service.full_clean()
    service.save()
    _set_terms(service, taxonomy.CATEGORY_TAXONOMY, categories)
    _set_terms(service, taxonomy.DELIVERY_TAXONOMY, delivery_methods)

    service_at_location = None
    if location is not None:
        service_at_location, _ = ServiceAtLocation.objects.get_or_create(
            service=service, location=location
        )
        service.service_at_locations.exclude(pk=service_at_location.pk).delete()
    else:
        service.service_at_locations.all().delete()

    Schedule.objects.filter(service=service).delete()
    for spec in schedules:
        schedule = Schedule(
            service=service,
            service_at_location=service_at_location,
            freq=spec.freq,
            # A one-off event gets its weekday, so day filters find it too.
            byday=spec.byday
            or (WEEKDAY_CODES[spec.dtstart.weekday()] if spec.dtstart and not spec.freq else ""),
            bymonthday=spec.bymonthday,
            interval=spec.interval if spec.freq else None,
            dtstart=spec.dtstart,
            until=spec.until,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            opens_at=spec.opens_at,
            closes_at=spec.closes_at,
            description=spec.description,
            attending_type=spec.attending_type,
        )
        schedule.full_clean()
        schedule.save()

    service.cost_options.all().delete()
    if cost:
        CostOption.objects.create(
            service=service, option="Per session", amount=cost, amount_description=cost_description
        )
    service.service_areas.all().delete()
    ServiceArea.objects.bulk_create(
        [
            ServiceArea(service=service, name=area.name, description=area.description, uri=area.uri)
            for area in service_areas
        ]
    )
    service.languages.all().delete()
    Language.objects.bulk_create([Language(service=service, name=name) for name in languages])
    service.contacts.all().delete()
    service.phones.all().delete()
    if contact is not None:
        contact_row = Contact.objects.create(
            service=service, name=contact.name, email=contact.email
        )
        if contact.phone:
            Phone.objects.create(service=service, contact=contact_row, number=contact.phone)
    return service


# --- Editing, approval queue and assurance -------------------------------------------------


def user_is_council_editor(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.MANAGER)


def user_can_edit_organization(user: User, organization: Organization) -> bool:
    if user_is_council_editor(user):
        return True
    return (
        user.has_role(Role.COMMUNITY_GROUP_ADMIN)
        and organization.editors.filter(pk=user.pk).exists()
    )


# Where, when and what it costs, as an editor gives them: plain JSON values, so a proposed
# change can wait in the approval queue (ListingChange.changes) exactly as it was sent.
STRUCTURED_FIELDS = ("location_id", "weekly_times", "cost_amount")


@dataclass(frozen=True)
class StructuredChanges:
    location: Location | None
    weekly_times: list[tuple[str, time, time]]
    cost: Decimal | None


def _structured(fields: dict[str, Any]) -> StructuredChanges | None:
    """Check and read the structured fields (all three or none); raises ValidationError
    naming the problem."""
    present = [name for name in STRUCTURED_FIELDS if name in fields]
    if not present:
        return None
    if len(present) != len(STRUCTURED_FIELDS):
        raise ValidationError("Give the place, the weekly times and the price together")
    location = None
    if fields["location_id"]:
        location = Location.objects.filter(pk=fields["location_id"]).first()
        if location is None:
            raise ValidationError("That place is not in the directory")
    weekly_times = []
    for row in fields["weekly_times"]:
        day = str(row.get("day", ""))
        if day not in WEEKDAY_CODES:
            raise ValidationError(f"Unknown day: {day}")
        try:
            opens, closes = (
                time.fromisoformat(row["opens_at"]),
                time.fromisoformat(row["closes_at"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError("Times must be like 10:00") from error
        if closes <= opens:
            raise ValidationError("Each session must finish after it starts")
        weekly_times.append((day, opens, closes))
    cost = None
    if fields["cost_amount"] not in ("", None):
        try:
            cost = Decimal(str(fields["cost_amount"]))
        except InvalidOperation as error:
            raise ValidationError("The price must be an amount in pounds, like 2.50") from error
        if cost < 0 or not cost.is_finite():
            raise ValidationError("The price must be an amount in pounds, like 2.50")
    return StructuredChanges(location=location, weekly_times=weekly_times, cost=cost)


def _apply_structured(service: Service, changes: StructuredChanges) -> None:
    """Move the listing to its place, replace its weekly times (one-off dates and monthly
    schedules are kept) and its price."""
    place = None
    if changes.location is not None:
        place, _ = ServiceAtLocation.objects.get_or_create(
            service=service, location=changes.location
        )
        Schedule.objects.filter(service=service).update(service_at_location=place)
        service.service_at_locations.exclude(pk=place.pk).delete()
    else:
        Schedule.objects.filter(service=service).update(service_at_location=None)
        service.service_at_locations.all().delete()
    Schedule.objects.filter(service=service, freq=Frequency.WEEKLY).delete()
    for day, opens, closes in changes.weekly_times:
        schedule = Schedule(
            service=service,
            service_at_location=place,
            freq=Frequency.WEEKLY,
            byday=day,
            interval=1,
            opens_at=opens,
            closes_at=closes,
        )
        schedule.full_clean()
        schedule.save()
    service.cost_options.all().delete()
    if changes.cost:
        CostOption.objects.create(service=service, option="Per session", amount=changes.cost)


def _apply_fields(service: Service, fields: dict[str, Any], user: User) -> Service:
    categories = fields.pop("categories", None)
    delivery_methods = fields.pop("delivery_methods", None)
    structured = _structured(fields)
    for name in STRUCTURED_FIELDS:
        fields.pop(name, None)
    for name, value in fields.items():
        setattr(service, name, value)
    service.modified_by = user
    service.full_clean()
    service.save()
    if categories is not None:
        _set_terms(service, taxonomy.CATEGORY_TAXONOMY, categories)
    if delivery_methods is not None:
        _set_terms(service, taxonomy.DELIVERY_TAXONOMY, delivery_methods)
    if structured is not None:
        _apply_structured(service, structured)
    return service


EDITABLE_FIELDS = (
    "name",
    "description",
    "status",
    "minimum_age",
    "maximum_age",
    "for_pregnancy",
    "fees_description",
    "how_to_book",
    "url",
    "email",
    "alert",
    "categories",
    "delivery_methods",
    *STRUCTURED_FIELDS,
)


@transaction.atomic
def service_edit(
    *, user: User, organization: Organization, service: Service | None, changes: dict[str, Any]
) -> Service | ListingChange:
    """Apply an edit (council staff) or queue it for approval (anyone outside the council).

    Returns the saved service, or the pending `ListingChange`."""
    if not user_can_edit_organization(user, organization):
        raise PermissionDenied("You cannot edit this organisation's listings.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Fields that cannot be edited: {', '.join(sorted(unknown))}")
    if service is not None and service.organization_id != organization.pk:
        raise PermissionDenied("That listing belongs to another organisation.")
    with acting_as(user):
        if user_is_council_editor(user):
            target = service or Service(organization=organization, created_by=user)
            target.assured_date = timezone.localdate()
            return _apply_fields(target, dict(changes), user)
        # Validate now, so a proposal that could never be applied is refused at once.
        probe = Service(organization=organization)
        if service is not None:
            probe = Service.objects.get(pk=service.pk)
        for name, value in changes.items():
            if name not in ("categories", "delivery_methods", *STRUCTURED_FIELDS):
                setattr(probe, name, value)
        _structured(changes)
        probe.full_clean(exclude=["organization"])
        _terms(taxonomy.CATEGORY_TAXONOMY, changes.get("categories", []))
        _terms(taxonomy.DELIVERY_TAXONOMY, changes.get("delivery_methods", []))
        change = ListingChange(
            service=service,
            organization=organization,
            changes=changes,
            created_by=user,
            modified_by=user,
        )
        change.full_clean()
        change.save()
        return change


@transaction.atomic
def listing_change_approve(*, change: ListingChange, user: User) -> Service:
    if not user_is_council_editor(user):
        raise PermissionDenied("Only council staff can approve changes.")
    change = ListingChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise ValidationError("This change has already been decided.")
    with acting_as(user):
        service = change.service or Service(
            organization=change.organization, created_by=change.created_by
        )
        service.assured_date = timezone.localdate()
        service = _apply_fields(service, dict(change.changes), user)
        change.service = service
        change.status = ChangeStatus.APPROVED
        change.decided_at = timezone.now()
        change.decided_by = user
        change.modified_by = user
        change.save()
    _tell_proposer(
        change,
        subject=f"Your change to “{service.name}” is published",
        body=f"Your change to the listing “{service.name}” was approved and is now on the "
        "public directory.",
    )
    return service


def _change_title(change: ListingChange) -> str:
    if change.service is not None:
        return change.service.name
    return str(change.changes.get("name") or "a new listing")


def _tell_proposer(change: ListingChange, *, subject: str, body: str) -> list[notify.Message]:
    """The community group admin who proposed a change hears the outcome (and on a refusal,
    why) by email, and by text too when a mobile number is known for them (another domain
    answers `signals.proposer_mobile_wanted`); their listings page shows the same."""
    from familyreach.directory.signals import proposer_mobile_wanted

    proposer = change.created_by
    if proposer is None:
        return []
    link = f"{settings.PUBLIC_BASE_URL}/staff/directory/"
    reference = f"listing-change-{change.pk}"
    sent = []
    if proposer.email:
        sent.append(
            notify.send_email(
                to=proposer.email,
                subject=subject,
                body=f"{body}\n\nYour listings: {link}",
                reference=reference,
                kind=notify.Kind.DIRECTORY,
            )
        )
    numbers = [
        number
        for _receiver, number in proposer_mobile_wanted.send(sender=User, user=proposer)
        if number
    ]
    if numbers:
        sent.append(
            notify.send_text(
                to=numbers[0],
                body=f"{body} Your listings: {link}",
                reference=reference,
                kind=notify.Kind.DIRECTORY,
            )
        )
    return sent


@transaction.atomic
def listing_change_reject(*, change: ListingChange, user: User, reason: str) -> ListingChange:
    if not user_is_council_editor(user):
        raise PermissionDenied("Only council staff can reject changes.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the change is rejected."})
    change = ListingChange.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeStatus.PENDING:
        raise ValidationError("This change has already been decided.")
    with acting_as(user):
        change.status = ChangeStatus.REJECTED
        change.reason = reason.strip()
        change.decided_at = timezone.now()
        change.decided_by = user
        change.modified_by = user
        change.save()
    title = _change_title(change)
    _tell_proposer(
        change,
        subject=f"Your change to “{title}” was not approved",
        body=f"Your change to the listing “{title}” was not approved, so the listing is "
        f"unchanged. The reason given: {change.reason}",
    )
    return change


@transaction.atomic
def service_assure(*, service: Service, user: User) -> Service:
    """Record that someone checked the listing today."""
    if not user_can_edit_organization(user, service.organization):
        raise PermissionDenied("You cannot check this listing.")
    with acting_as(user):
        service.assured_date = timezone.localdate()
        service.assurer_email = user.email
        service.modified_by = user
        service.save(update_fields=["assured_date", "assurer_email", "modified_by", "modified_at"])
    return service


def unassured_services_remind(*, today: date | None = None) -> list[notify.Message]:
    """Email each owner the listings they own that were not checked within the assurance
    period (default six months). Listings without an owner go to the organisation's email."""
    from familyreach.directory.selectors import services_unassured

    today = today or timezone.localdate()
    by_recipient: dict[str, list[Service]] = {}
    for service in services_unassured(today=today):
        recipient = (service.owner.email if service.owner else "") or service.organization.email
        if recipient:
            by_recipient.setdefault(recipient, []).append(service)
    messages = []
    for recipient, services in sorted(by_recipient.items()):
        lines = "\n".join(
            f"- {s.name} (last checked {s.assured_date or 'never'}): "
            f"{settings.PUBLIC_BASE_URL}/staff/directory/services/{s.pk}/edit"
            for s in services
        )
        messages.append(
            notify.send_email(
                to=recipient,
                subject=f"{len(services)} directory listings need checking",
                body="These listings have not been checked for six months. "
                "Please check each one and confirm or update it:\n" + lines,
                reference="directory-unassured",
                kind=notify.Kind.DIRECTORY,
            )
        )
    return messages


# --- Advice ---------------------------------------------------------------------------------


@transaction.atomic
def advice_article_save(
    *,
    user: User,
    article: AdviceArticle | None,
    slug: str,
    title: str,
    summary: str,
    body: str,
    topic: str,
    status: str,
    review_by: date,
    related_term_codes: Sequence[str] = (),
    owner: User | None = None,
) -> AdviceArticle:
    if not user_is_council_editor(user):
        raise PermissionDenied("Only council staff can edit advice.")
    with acting_as(user):
        article = article or AdviceArticle(created_by=user)
        article.slug = slug
        article.title = title
        article.summary = summary
        article.body = body
        article.topic = topic
        article.status = status
        article.review_by = review_by
        article.owner = owner or article.owner or user
        article.modified_by = user
        article.full_clean()
        article.save()
        article.related_terms.set(_terms(taxonomy.CATEGORY_TAXONOMY, related_term_codes))
    return article


# --- Requests for support -------------------------------------------------------------------


def _new_reference() -> str:
    # Short and readable over the phone: no 0/O or 1/I.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


@transaction.atomic
def support_request_create(
    *,
    requester: str,
    name: str,
    postcode: str,
    children_ages: list[int],
    expecting_baby: bool,
    help_with: list[str],
    details: str,
    contact_method: str,
    email: str,
    phone: str,
    best_times: str,
    family_consent: bool,
    professional_name: str = "",
    professional_organisation: str = "",
    professional_email: str = "",
    district_id: int | None = None,
) -> SupportRequest:
    if not family_consent:
        raise ValidationError("We need the family's consent to hold this request.")
    request = SupportRequest(
        reference=_new_reference(),
        requester=requester,
        name=name,
        postcode=postcode,
        district_id=district_id,
        children_ages=children_ages,
        expecting_baby=expecting_baby,
        help_with=help_with,
        details=details,
        contact_method=contact_method,
        email=email,
        phone=phone,
        best_times=best_times,
        family_consent=family_consent,
        professional_name=professional_name,
        professional_organisation=professional_organisation,
        professional_email=professional_email,
    )
    request.full_clean()
    request.save()
    _tell_family(
        request,
        subject=f"We have your request for support ({request.reference})",
        body=f"Thank you, {request.name}. We have your request for support, reference "
        f"{request.reference}. A family support worker will contact you within 5 working days.",
    )
    return request


def _tell_family(request: SupportRequest, *, subject: str, body: str) -> notify.Message | None:
    return notify.send_the_way_chosen(
        prefers_email=request.contact_method == ContactMethod.EMAIL,
        email=request.email,
        phone=request.phone,
        subject=subject,
        body=body,
        reference=request.reference,
        kind=notify.Kind.SUPPORT_REQUEST,
    )


@transaction.atomic
def support_request_open(*, support_request: SupportRequest, user: User) -> SupportRequest:
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.status != RequestStatus.NEW:
        return locked
    with acting_as(user):
        locked.status = RequestStatus.OPENED
        locked.opened_at = timezone.now()
        locked.opened_by = user
        locked.save(update_fields=["status", "opened_at", "opened_by"])
    return locked


def _may_take_on(user: User) -> None:
    if not (user.is_superuser or user.has_role(Role.MANAGER, Role.FAMILY_WORKER)):
        raise PermissionDenied("You cannot take on requests for support.")


@transaction.atomic
def support_request_assign(*, support_request: SupportRequest, user: User) -> SupportRequest:
    """The user takes the request on ("assign to me"): it is theirs to contact the family."""
    _may_take_on(user)
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.status in (RequestStatus.ACCEPTED, RequestStatus.DECLINED):
        raise ValidationError(
            f"This request has already been {locked.get_status_display().lower()}."
        )
    with acting_as(user):
        now = timezone.now()
        locked.assigned_to = user
        locked.assigned_at = now
        if locked.status == RequestStatus.NEW:
            locked.status = RequestStatus.OPENED
            locked.opened_at = now
            locked.opened_by = user
        locked.save(
            update_fields=["assigned_to", "assigned_at", "status", "opened_at", "opened_by"]
        )
    return locked


@transaction.atomic
def support_request_mark_contacted(
    *, support_request: SupportRequest, user: User
) -> SupportRequest:
    """Record that someone has spoken to (or written to) the family: the form's promise of
    contact within 5 working days is kept. Taking it on too, if no one had."""
    _may_take_on(user)
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.contacted_at is not None:
        return locked
    with acting_as(user):
        now = timezone.now()
        locked.contacted_at = now
        locked.contacted_by = user
        if locked.assigned_to_id is None and locked.status not in (
            RequestStatus.ACCEPTED,
            RequestStatus.DECLINED,
        ):
            locked.assigned_to = user
            locked.assigned_at = now
        if locked.status == RequestStatus.NEW:
            locked.status = RequestStatus.OPENED
            locked.opened_at = now
            locked.opened_by = user
        locked.save()
    return locked


@transaction.atomic
def support_request_accept(
    *, support_request: SupportRequest, user: User, family_id: int | None = None
) -> SupportRequest:
    """Accept: the families app makes a family record of it (or, with `family_id`, links the
    family already registered) and puts it on the user's caseload (`support_request_accepted`)."""
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.status not in (RequestStatus.NEW, RequestStatus.OPENED):
        raise ValidationError(
            f"This request has already been {locked.get_status_display().lower()}."
        )
    with acting_as(user):
        locked.status = RequestStatus.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.opened_at = locked.opened_at or locked.decided_at
        locked.opened_by = locked.opened_by or user
        locked.save()
    _tell_family(
        locked,
        subject=f"Your request for support ({locked.reference})",
        body=f"Hello {locked.name}. We can help. A family support worker will contact you "
        f"by {locked.get_contact_method_display().lower()} soon.",
    )
    support_request_accepted.send(
        sender=SupportRequest, support_request=locked, user=user, family_id=family_id
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def support_request_decline(
    *, support_request: SupportRequest, user: User, reason: str
) -> SupportRequest:
    if not reason.strip():
        raise ValidationError({"decline_reason": "Enter the reason the request is declined."})
    locked = SupportRequest.objects.select_for_update().get(pk=support_request.pk)
    if locked.status not in (RequestStatus.NEW, RequestStatus.OPENED):
        raise ValidationError(
            f"This request has already been {locked.get_status_display().lower()}."
        )
    with acting_as(user):
        locked.status = RequestStatus.DECLINED
        locked.decline_reason = reason.strip()
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.opened_at = locked.opened_at or locked.decided_at
        locked.opened_by = locked.opened_by or user
        locked.save()
    _tell_family(
        locked,
        subject=f"Your request for support ({locked.reference})",
        body=f"Hello {locked.name}. We are not able to help with this request: {locked.decline_reason}",
    )
    return locked
