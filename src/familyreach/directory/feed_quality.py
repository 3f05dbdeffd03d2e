"""What makes a listing usable by the services that read our Open Referral UK feed.

One place for the rules: the contract test (tests/directory/test_feed_consumer.py), the staff
"Listing quality" page and the 50,000-service benchmark all call `record_problems` on the
record our API publishes, so staff see exactly what a consumer would refuse.

The rules are the DfE Family Hubs team's usability rules for ORUK feeds (its fh-or-tester: a
UUID id, status active, a name, a description, a valid `url`, an organisation with id and name,
an `email`) plus ours: a family can get in touch (a contact with an email or a phone), a place
to go has a postcode, a service without a place says which area it serves, and a person
checked the listing within the assurance period (six months by default).

Also here: where a service's published web address, email and phone come from when it has
none of its own (its organisation's, then for council services the council's public contact
details from settings), so the feed and the rules agree on them.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from familyreach.directory import dfe_reader
from familyreach.directory.models import ListingStatus, Service

# A namespace for the ids of records we publish on a service's behalf (its fallback contact),
# so the same service always publishes the same contact id.
PUBLISHED_CONTACT_NAMESPACE = uuid.UUID("5f0c2a54-7d1e-4b8e-9f3a-2c6d8e1b4a70")

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- What a service publishes when it has no contact details of its own ---------------------


def service_web_address(service: Service) -> str:
    """Its own web page, its organisation's, the council's contact page for a council
    service, and for anyone else the listing's own public page on this directory (it says
    what, where, when and how to get in touch: a page a family can act on)."""
    organization = service.organization
    if service.url:
        return service.url
    if organization.website:
        return organization.website
    if organization.is_council:
        return str(settings.COUNCIL_CONTACT_URL)
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/services/{service.pk}"


def service_email(service: Service) -> str:
    organization = service.organization
    if service.email:
        return service.email
    if organization.email:
        return organization.email
    return str(settings.COUNCIL_CONTACT_EMAIL) if organization.is_council else ""


def service_phone(service: Service) -> str:
    """The phone number published for a service without a contact of its own: only the
    council's public number (a group's phone is published only as the group gave it)."""
    return str(settings.COUNCIL_CONTACT_PHONE) if service.organization.is_council else ""


def fallback_contact_id(service: Service) -> uuid.UUID:
    return uuid.uuid5(PUBLISHED_CONTACT_NAMESPACE, f"contact/{service.pk}")


def fallback_phone_id(service: Service) -> uuid.UUID:
    return uuid.uuid5(PUBLISHED_CONTACT_NAMESPACE, f"phone/{service.pk}")


# --- The rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a consumer would refuse (or a family could not use) a listing. `weight`
    orders the staff page: a listing nobody can contact comes before one missing a web page."""

    text: str
    weight: int


UNREADABLE = Problem("The national Family Hubs service cannot read it", 10)
NOT_A_UUID = Problem("Its identifier is not a UUID", 10)
NOT_ACTIVE = Problem("Not active", 10)
NO_NAME = Problem("No name", 10)
NO_DESCRIPTION = Problem("No description", 5)
NO_WEB_ADDRESS = Problem("No web address", 5)
NO_ORGANISATION = Problem("No organisation with a name", 10)
NO_EMAIL = Problem("No email address", 5)
NO_WAY_TO_GET_IN_TOUCH = Problem("No way to get in touch", 8)
NO_POSTCODE = Problem("No postcode", 6)
NO_PLACE_OR_AREA = Problem("No place or area served", 6)
NEVER_CHECKED = Problem("Never checked", 4)
NOT_CHECKED = Problem("Not checked for 6 months", 3)


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def is_web_address(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and "." in parts.netloc


def is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(EMAIL_PATTERN.match(value))


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _checked_problem(assured: Any, *, today: date) -> Problem | None:
    if not _text(assured):
        return NEVER_CHECKED
    try:
        when = date.fromisoformat(str(assured)[:10])
    except ValueError:
        return NEVER_CHECKED
    if when < today - timedelta(days=settings.DIRECTORY_ASSURANCE_DAYS):
        return NOT_CHECKED
    return None


def _contact_problem(record: Mapping[str, Any]) -> Problem | None:
    for contact in record.get("contacts") or []:
        if is_email(contact.get("email")) or any(
            _text(phone.get("number")) for phone in contact.get("phones") or []
        ):
            return None
    return NO_WAY_TO_GET_IN_TOUCH


def _place_problems(record: Mapping[str, Any]) -> list[Problem]:
    locations = [
        row.get("location") or {}
        for row in record.get("service_at_locations") or []
        if (row.get("location") or {}).get("location_type", "physical") == "physical"
    ]
    if not locations:
        return [] if record.get("service_areas") else [NO_PLACE_OR_AREA]
    for location in locations:
        addresses = location.get("addresses") or []
        if not addresses or not all(_text(a.get("postal_code")) for a in addresses):
            return [NO_POSTCODE]
    return []


def record_problems(record: Mapping[str, Any], *, today: date) -> list[Problem]:
    """The problems of one service as published at /openreferral/services/{id} (ORUK 3.0
    JSON), most serious first; empty when a consumer can take it whole."""
    problems: list[Problem] = []
    try:
        dfe_reader.read_service(record)
    except dfe_reader.Unreadable:
        problems.append(UNREADABLE)
    if not _is_uuid(record.get("id")):
        problems.append(NOT_A_UUID)
    if record.get("status") != ListingStatus.ACTIVE:
        problems.append(NOT_ACTIVE)
    if not _text(record.get("name")):
        problems.append(NO_NAME)
    if not _text(record.get("description")):
        problems.append(NO_DESCRIPTION)
    if not is_web_address(record.get("url")):
        problems.append(NO_WEB_ADDRESS)
    organization = record.get("organization") or {}
    if not _is_uuid(organization.get("id")) or not _text(organization.get("name")):
        problems.append(NO_ORGANISATION)
    if not is_email(record.get("email")):
        problems.append(NO_EMAIL)
    contact = _contact_problem(record)
    if contact is not None:
        problems.append(contact)
    problems += _place_problems(record)
    checked = _checked_problem(record.get("assured_date"), today=today)
    if checked is not None:
        problems.append(checked)
    return sorted(problems, key=lambda problem: -problem.weight)


@dataclass(frozen=True)
class ListingQuality:
    service_id: str
    name: str
    organization: str
    problems: Sequence[Problem]

    @property
    def weight(self) -> int:
        return sum(problem.weight for problem in self.problems)


def failing_listings(records: Sequence[Mapping[str, Any]], *, today: date) -> list[ListingQuality]:
    """The records with at least one problem, worst first (heaviest problems, then name)."""
    failing = [
        ListingQuality(
            service_id=str(record.get("id")),
            name=str(record.get("name") or ""),
            organization=str((record.get("organization") or {}).get("name") or ""),
            problems=problems,
        )
        for record in records
        if (problems := record_problems(record, today=today))
    ]
    return sorted(failing, key=lambda listing: (-listing.weight, listing.name.lower()))
