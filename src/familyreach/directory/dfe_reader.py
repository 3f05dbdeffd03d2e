"""Read an ORUK service record as DfE's Family Hubs importer does, to know it would take it.

DfE's "Find support for your family" / "Connect families to support" service imports council
feeds with its open-referral-function: it reads /services (the first page), then each
/services/{id}, and deserialises every record with .NET's System.Text.Json into the entities of
`FamilyHubs.SharedKernel.OpenReferral` (DFE-Digital/fh-services,
src/shared/shared-kernel/src/fh-shared-kernel.shared-kernel/OpenReferral/Entities). A record
that does not deserialise is logged and dropped. These dataclasses mirror those entities,
field by field where we publish the field, with .NET's rules:

- `required` members (C# 11) must be present, or the whole record is refused;
- a Guid must be a string in a GUID format; byte/short must be JSON integers in range
  (`0.0` is refused: .NET reads integers only from integer tokens);
- a member with DfE's StringToNullableTypeConverter also takes a string ("" is null);
- a string member refuses a number, and a list member anything but an array.

`read_service(record)` returns the typed Service or raises `Unreadable` saying what failed.
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class Unreadable(ValueError):
    """DfE's importer would refuse the record; the message says where and why."""


# --- .NET's readers, one per member type --------------------------------------------------


def _string(value: Any, where: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Unreadable(f"{where}: a string is expected, not {type(value).__name__}")


def _required_string(record: Mapping[str, Any], name: str, where: str) -> str:
    if name not in record:
        raise Unreadable(f"{where}.{name}: required and missing")
    value = _string(record[name], f"{where}.{name}")
    if value is None:
        raise Unreadable(f"{where}.{name}: required and null")
    return value


def _guid(value: Any, where: str) -> uuid.UUID:
    if not isinstance(value, str):
        raise Unreadable(f"{where}: a GUID string is expected, not {value!r}")
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise Unreadable(f"{where}: {value!r} is not a GUID") from error


def _nullable_guid(value: Any, where: str) -> uuid.UUID | None:
    # StringToNullableTypeConverter: "" is null.
    return None if value in (None, "") else _guid(value, where)


def _integer(value: Any, where: str, low: int, high: int, *, from_string: bool) -> int | None:
    if value is None:
        return None
    if from_string and isinstance(value, str):
        if value == "":
            return None
        try:
            value = int(value)
        except ValueError as error:
            raise Unreadable(f"{where}: {value!r} is not a whole number") from error
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unreadable(f"{where}: a whole number is expected, not {value!r}")
    if not low <= value <= high:
        raise Unreadable(f"{where}: {value} is out of range {low}..{high}")
    return value


def _byte(value: Any, where: str, *, from_string: bool = False) -> int | None:
    return _integer(value, where, 0, 255, from_string=from_string)


def _short(value: Any, where: str) -> int | None:
    return _integer(value, where, -32768, 32767, from_string=True)


def _decimal(value: Any, where: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Unreadable(f"{where}: a number is expected, not {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise Unreadable(f"{where}: {value!r} is not a number") from error


def _date_time(value: Any, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Unreadable(f"{where}: a date string is expected, not {value!r}")
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - .NET's DateTime
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise Unreadable(f"{where}: {value!r} is not a date") from error


def _list[T](
    record: Mapping[str, Any], name: str, where: str, read: Callable[[Any, str], T]
) -> list[T]:
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unreadable(f"{where}.{name}: an array is expected")
    return [read(item, f"{where}.{name}[{index}]") for index, item in enumerate(value)]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Unreadable(f"{where}: an object is expected")
    return value


def _id(record: Mapping[str, Any], where: str) -> uuid.UUID:
    # BaseHsdsEntity: `[JsonPropertyName("id")] public required Guid OrId`.
    if "id" not in record:
        raise Unreadable(f"{where}.id: required and missing")
    return _guid(record["id"], f"{where}.id")


# --- The entities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxonomyTerm:
    or_id: uuid.UUID
    code: str
    name: str
    description: str
    parent_id: uuid.UUID | None
    taxonomy: str | None
    term_uri: str | None


def _taxonomy_term(value: Any, where: str) -> TaxonomyTerm:
    record = _object(value, where)
    return TaxonomyTerm(
        or_id=_id(record, where),
        code=_required_string(record, "code", where),
        name=_required_string(record, "name", where),
        description=_required_string(record, "description", where),
        parent_id=_nullable_guid(record.get("parent_id"), f"{where}.parent_id"),
        taxonomy=_string(record.get("taxonomy"), f"{where}.taxonomy"),
        term_uri=_string(record.get("term_uri"), f"{where}.term_uri"),
    )


@dataclass(frozen=True)
class Attribute:
    or_id: uuid.UUID
    link_id: uuid.UUID | None
    link_type: str | None
    link_entity: str
    value: str | None
    taxonomy_term: TaxonomyTerm | None


def _attribute(value: Any, where: str) -> Attribute:
    record = _object(value, where)
    term = record.get("taxonomy_term")
    link_id = record.get("link_id")
    return Attribute(
        or_id=_id(record, where),
        # `public Guid? LinkId` without the converter: a GUID string or null.
        link_id=None if link_id is None else _guid(link_id, f"{where}.link_id"),
        link_type=_string(record.get("link_type"), f"{where}.link_type"),
        link_entity=_required_string(record, "link_entity", where),
        value=_string(record.get("value"), f"{where}.value"),
        taxonomy_term=None if term is None else _taxonomy_term(term, f"{where}.taxonomy_term"),
    )


@dataclass(frozen=True)
class Phone:
    or_id: uuid.UUID
    number: str
    extension: int | None
    type: str | None
    description: str | None


def _phone(value: Any, where: str) -> Phone:
    record = _object(value, where)
    return Phone(
        or_id=_id(record, where),
        number=_required_string(record, "number", where),
        extension=_short(record.get("extension"), f"{where}.extension"),
        type=_string(record.get("type"), f"{where}.type"),
        description=_string(record.get("description"), f"{where}.description"),
    )


@dataclass(frozen=True)
class Contact:
    or_id: uuid.UUID
    name: str | None
    title: str | None
    department: str | None
    email: str | None
    phones: list[Phone] = field(default_factory=list)


def _contact(value: Any, where: str) -> Contact:
    record = _object(value, where)
    return Contact(
        or_id=_id(record, where),
        name=_string(record.get("name"), f"{where}.name"),
        title=_string(record.get("title"), f"{where}.title"),
        department=_string(record.get("department"), f"{where}.department"),
        email=_string(record.get("email"), f"{where}.email"),
        phones=_list(record, "phones", where, _phone),
    )


@dataclass(frozen=True)
class Address:
    or_id: uuid.UUID
    address_1: str
    address_2: str | None
    city: str
    state_province: str
    postal_code: str
    country: str
    address_type: str


def _address(value: Any, where: str) -> Address:
    record = _object(value, where)
    return Address(
        or_id=_id(record, where),
        address_1=_required_string(record, "address_1", where),
        address_2=_string(record.get("address_2"), f"{where}.address_2"),
        city=_required_string(record, "city", where),
        state_province=_required_string(record, "state_province", where),
        postal_code=_required_string(record, "postal_code", where),
        country=_required_string(record, "country", where),
        address_type=_required_string(record, "address_type", where),
    )


@dataclass(frozen=True)
class Accessibility:
    or_id: uuid.UUID
    description: str | None
    details: str | None
    url: str | None


def _accessibility(value: Any, where: str) -> Accessibility:
    record = _object(value, where)
    return Accessibility(
        or_id=_id(record, where),
        description=_string(record.get("description"), f"{where}.description"),
        details=_string(record.get("details"), f"{where}.details"),
        url=_string(record.get("url"), f"{where}.url"),
    )


@dataclass(frozen=True)
class Location:
    or_id: uuid.UUID
    location_type: str
    name: str | None
    description: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    external_identifier: str | None
    addresses: list[Address] = field(default_factory=list)
    accessibility: list[Accessibility] = field(default_factory=list)


def _location(value: Any, where: str) -> Location:
    record = _object(value, where)
    return Location(
        or_id=_id(record, where),
        location_type=_required_string(record, "location_type", where),
        name=_string(record.get("name"), f"{where}.name"),
        description=_string(record.get("description"), f"{where}.description"),
        latitude=_decimal(record.get("latitude"), f"{where}.latitude"),
        longitude=_decimal(record.get("longitude"), f"{where}.longitude"),
        external_identifier=_string(
            record.get("external_identifier"), f"{where}.external_identifier"
        ),
        addresses=_list(record, "addresses", where, _address),
        accessibility=_list(record, "accessibility", where, _accessibility),
    )


@dataclass(frozen=True)
class ServiceAtLocation:
    or_id: uuid.UUID
    description: str | None
    location: Location | None


def _service_at_location(value: Any, where: str) -> ServiceAtLocation:
    record = _object(value, where)
    location = record.get("location")
    return ServiceAtLocation(
        or_id=_id(record, where),
        description=_string(record.get("description"), f"{where}.description"),
        location=None if location is None else _location(location, f"{where}.location"),
    )


@dataclass(frozen=True)
class Schedule:
    or_id: uuid.UUID
    valid_from: datetime | None
    valid_to: datetime | None
    dtstart: datetime | None
    until: datetime | None
    freq: str | None
    interval: int | None
    byday: str | None
    bymonthday: str | None
    opens_at: str | None
    closes_at: str | None
    description: str | None


def _time_span(value: Any, where: str) -> str | None:
    # TimeSpan via the converter: "hh:mm" or "hh:mm:ss".
    text = _string(value, where)
    if text:
        parts = text.split(":")
        if not 2 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
            raise Unreadable(f"{where}: {text!r} is not a time of day")
    return text or None


def _schedule(value: Any, where: str) -> Schedule:
    record = _object(value, where)
    return Schedule(
        or_id=_id(record, where),
        valid_from=_date_time(record.get("valid_from"), f"{where}.valid_from"),
        valid_to=_date_time(record.get("valid_to"), f"{where}.valid_to"),
        dtstart=_date_time(record.get("dtstart"), f"{where}.dtstart"),
        until=_date_time(record.get("until"), f"{where}.until"),
        freq=_string(record.get("freq"), f"{where}.freq"),
        interval=_short(record.get("interval"), f"{where}.interval"),
        byday=_string(record.get("byday"), f"{where}.byday"),
        bymonthday=_string(record.get("bymonthday"), f"{where}.bymonthday"),
        opens_at=_time_span(record.get("opens_at"), f"{where}.opens_at"),
        closes_at=_time_span(record.get("closes_at"), f"{where}.closes_at"),
        description=_string(record.get("description"), f"{where}.description"),
    )


@dataclass(frozen=True)
class ServiceArea:
    or_id: uuid.UUID
    name: str | None
    description: str | None
    extent: str | None
    extent_type: str | None
    uri: str | None


def _service_area(value: Any, where: str) -> ServiceArea:
    record = _object(value, where)
    return ServiceArea(
        or_id=_id(record, where),
        name=_string(record.get("name"), f"{where}.name"),
        description=_string(record.get("description"), f"{where}.description"),
        extent=_string(record.get("extent"), f"{where}.extent"),
        extent_type=_string(record.get("extent_type"), f"{where}.extent_type"),
        uri=_string(record.get("uri"), f"{where}.uri"),
    )


@dataclass(frozen=True)
class Language:
    or_id: uuid.UUID
    name: str | None
    code: str | None


def _language(value: Any, where: str) -> Language:
    record = _object(value, where)
    return Language(
        or_id=_id(record, where),
        name=_string(record.get("name"), f"{where}.name"),
        code=_string(record.get("code"), f"{where}.code"),
    )


@dataclass(frozen=True)
class CostOption:
    or_id: uuid.UUID
    option: str | None
    amount: Decimal | None
    amount_description: str | None


def _cost_option(value: Any, where: str) -> CostOption:
    record = _object(value, where)
    return CostOption(
        or_id=_id(record, where),
        option=_string(record.get("option"), f"{where}.option"),
        amount=_decimal(record.get("amount"), f"{where}.amount"),
        amount_description=_string(record.get("amount_description"), f"{where}.amount_description"),
    )


@dataclass(frozen=True)
class Funding:
    or_id: uuid.UUID
    source: str | None


def _funding(value: Any, where: str) -> Funding:
    record = _object(value, where)
    return Funding(or_id=_id(record, where), source=_string(record.get("source"), where))


@dataclass(frozen=True)
class Organization:
    or_id: uuid.UUID
    name: str
    description: str
    email: str | None
    website: str | None
    uri: str | None
    parent_organization_id: uuid.UUID | None


def _organization(value: Any, where: str) -> Organization:
    record = _object(value, where)
    return Organization(
        or_id=_id(record, where),
        name=_required_string(record, "name", where),
        description=_required_string(record, "description", where),
        email=_string(record.get("email"), f"{where}.email"),
        website=_string(record.get("website"), f"{where}.website"),
        uri=_string(record.get("uri"), f"{where}.uri"),
        parent_organization_id=_nullable_guid(
            record.get("parent_organization_id"), f"{where}.parent_organization_id"
        ),
    )


@dataclass(frozen=True)
class Service:
    or_id: uuid.UUID
    organization: Organization | None
    name: str
    description: str | None
    url: str | None
    email: str | None
    status: str
    minimum_age: int | None
    maximum_age: int | None
    assured_date: datetime | None
    assurer_email: str | None
    last_modified: datetime | None
    schedules: list[Schedule] = field(default_factory=list)
    service_areas: list[ServiceArea] = field(default_factory=list)
    service_at_locations: list[ServiceAtLocation] = field(default_factory=list)
    languages: list[Language] = field(default_factory=list)
    funding: list[Funding] = field(default_factory=list)
    cost_options: list[CostOption] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)


def read_service(value: Any) -> Service:
    """The record as DfE's importer would hold it, or `Unreadable`."""
    where = "service"
    record = _object(value, where)
    organization = record.get("organization")
    last_modified = record.get("last_modified")
    return Service(
        or_id=_id(record, where),
        organization=None
        if organization is None
        else _organization(organization, f"{where}.organization"),
        name=_required_string(record, "name", where),
        description=_string(record.get("description"), f"{where}.description"),
        url=_string(record.get("url"), f"{where}.url"),
        email=_string(record.get("email"), f"{where}.email"),
        status=_required_string(record, "status", where),
        # `public byte? MinimumAge` has no converter: a JSON integer 0..255 or null.
        minimum_age=_byte(record.get("minimum_age"), f"{where}.minimum_age"),
        maximum_age=_byte(record.get("maximum_age"), f"{where}.maximum_age"),
        assured_date=_date_time(record.get("assured_date"), f"{where}.assured_date"),
        assurer_email=_string(record.get("assurer_email"), f"{where}.assurer_email"),
        last_modified=None
        if last_modified is None
        else _date_time(last_modified, f"{where}.last_modified"),
        schedules=_list(record, "schedules", where, _schedule),
        service_areas=_list(record, "service_areas", where, _service_area),
        service_at_locations=_list(record, "service_at_locations", where, _service_at_location),
        languages=_list(record, "languages", where, _language),
        funding=_list(record, "funding", where, _funding),
        cost_options=_list(record, "cost_options", where, _cost_option),
        contacts=_list(record, "contacts", where, _contact),
        attributes=_list(record, "attributes", where, _attribute),
    )
