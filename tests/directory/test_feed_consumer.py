"""A consumer's test: our ORUK feed read as DfE's Family Hubs importer reads it.

Its open-referral-function (DFE-Digital/fh-services) reads /services, then each
/services/{id}, and deserialises each record into its typed entities (mirrored in
`directory.dfe_reader`); the DfE team grades feeds with the fh-or-tester rules, and we add ours
(`directory.feed_quality`). Every service of the demo must pass, or this test fails naming it.
"""

import json
import re
from collections.abc import Iterator
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.directory import dfe_reader, feed_quality
from familyreach.directory.models import ListingStatus, Service
from familyreach.web.demo import demo_steps
from tests.directory import oruk_schemas
from tests.fixtures.directory_feed import build_feed_directory, judge, read_feed_paging
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db

# The `make demo` steps that publish listings or hold the people whose details must never
# appear in the feed (planning, insight and the consultation add neither).
FEED_STEPS = ("accounts", "directory", "delivery", "families", "community")


def _demo(norfolk: NorfolkWorld, settings: Any) -> None:
    settings.DEMO_MODE = True
    chosen = [
        (description, step)
        for description, step in demo_steps()
        if step.__module__.split(".")[1] in FEED_STEPS
    ]
    assert len(chosen) >= 6, [d for d, _ in chosen]
    for _description, step in chosen:
        step(StringIO())


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return json.loads(response.content)


def read_feed_as_dfe_does(client: Client) -> list[dict[str, Any]]:
    """/services (first page, no parameters, as the importer asks), then each /services/{id}.
    The first page must hold every service: the importer reads no other."""
    first = _get(client, "/openreferral/services")
    assert first["total_items"] == len(first["contents"]), "a consumer of page 1 loses services"
    return [_get(client, f"/openreferral/services/{row['id']}") for row in first["contents"]]


def _every_page(client: Client, endpoint: str, per_page: int) -> list[dict[str, Any]]:
    """Page through a list as a consumer that follows paging does."""
    rows: list[dict[str, Any]] = []
    page_number = 1
    while True:
        page = _get(client, f"/openreferral/{endpoint}?per_page={per_page}&page={page_number}")
        rows += page["contents"]
        if page["last_page"]:
            return rows
        page_number += 1


def test_every_demo_service_is_usable_by_dfes_importer_and_our_rules(
    norfolk: NorfolkWorld, client: Client, settings: Any
) -> None:
    _demo(norfolk, settings)
    published = Service.objects.filter(status=ListingStatus.ACTIVE).count()
    assert published >= 100, "the demo publishes its sessions, groups and services"

    records = read_feed_as_dfe_does(client)
    assert len(records) == published
    # Paging through small pages finds the same services.
    paged = _every_page(client, "services", per_page=7)
    assert sorted(r["id"] for r in paged) == sorted(r["id"] for r in records)

    today = timezone.localdate()
    failures = {}
    for record in records:
        typed = dfe_reader.read_service(record)  # raises, naming the field, if DfE would refuse
        assert isinstance(typed.or_id, UUID)
        assert typed.minimum_age is None or isinstance(typed.minimum_age, int)
        assert oruk_schemas.errors("compiled/service.json", record) == [], record["id"]
        problems = feed_quality.record_problems(record, today=today)
        if problems:
            failures[record["name"]] = [problem.text for problem in problems]
    assert failures == {}, f"{len(failures)}/{len(records)} services fail: {failures}"

    # What the rules promise, seen in the records themselves.
    remote = [r for r in records if not r["service_at_locations"]]
    assert remote
    assert all(r["service_areas"] for r in remote)
    addresses = [
        address
        for record in records
        for row in record["service_at_locations"]
        for address in row["location"]["addresses"]
    ]
    assert addresses
    assert all(a["postal_code"] for a in addresses)
    assert all(a["city"] not in ("Norfolk", "Unknown") for a in addresses)
    # The venue's name is not repeated as its street where the data gives a street.
    libraries = [
        row["location"]
        for record in records
        for row in record["service_at_locations"]
        if row["location"]["name"].endswith("Library")
    ]
    assert libraries
    assert all(loc["addresses"][0]["address_1"] != loc["name"] for loc in libraries)
    # Checked dates are recorded ones, not today on every service.
    assert len({r["assured_date"] for r in records}) > 10
    _check_item_schemas_named_by_our_openapi(client)
    print(f"\ndemo: {len(records)}/{len(records)} services pass DfE's typed reading and the rules")


def _check_item_schemas_named_by_our_openapi(client: Client) -> None:
    """The schema our openapi.json names for each item path validates what that path serves
    (the profile's own file names the service schema for /service_at_locations/{id})."""
    document = _get(client, "/openreferral/openapi.json")
    for endpoint in ("services", "service_at_locations", "organizations"):
        response = document["paths"][f"/{endpoint}/{{id}}"]["get"]["responses"]["200"]
        reference = response["content"]["application/json"]["schema"]["$ref"]
        schema_file = "compiled/" + reference.rsplit("/", 1)[-1]
        first = _get(client, f"/openreferral/{endpoint}?per_page=5")["contents"]
        for row in first:
            item = _get(client, f"/openreferral/{endpoint}/{row['id']}")
            assert oruk_schemas.errors(schema_file, item) == [], (endpoint, row["id"])
    assert "Optional" not in document["paths"]["/services"]["get"].get("tags", [])
    assert "Optional" in document["paths"]["/taxonomies"]["get"]["tags"]


def test_a_generated_directory_larger_than_a_page_passes_whole() -> None:
    """The same reading and rules over a generated directory of 1,200 services (3 pages of
    500): a consumer that pages loses none. benchmarks/bench_feed_quality.py runs 50,000 on
    PostgreSQL."""
    today = timezone.localdate()
    total = build_feed_directory(1200, today=today, batch=600)
    client = Client()
    failures: dict[str, list[str]] = {}
    seen = 0
    for record in read_feed_paging(client, per_page=500):
        seen += 1
        problems = judge(record, today=today)
        if problems:
            failures[record["name"]] = problems
        # Fractional ages in the database (0.5, 4.5) are whole years in the feed.
        assert record.get("minimum_age") in (None, 0, 1), record.get("minimum_age")
    published = Service.objects.filter(status=ListingStatus.ACTIVE).count()
    assert seen == published >= total == 1200
    assert failures == {}, f"{len(failures)}/{seen} fail: {list(failures.items())[:5]}"


def test_the_rules_fail_a_listing_with_no_way_in_and_dfe_refuses_fractional_ages() -> None:
    today = date(2026, 6, 1)
    record: dict[str, Any] = {
        "id": "not-a-uuid",
        "name": "A group",
        "status": "active",
        "description": "",
        "organization": {
            "id": "a8a2b9f6-3c67-4f0e-9a61-0e2f0d6f9c11",
            "name": "A group",
            "description": "",
        },
        "assured_date": "2025-01-01",
        "minimum_age": 0.0,
        "service_at_locations": [
            {
                "id": "b0b0b9f6-3c67-4f0e-9a61-0e2f0d6f9c11",
                "location": {
                    "id": "c0c0b9f6-3c67-4f0e-9a61-0e2f0d6f9c11",
                    "location_type": "physical",
                    "addresses": [
                        {
                            "id": "d0d0b9f6-3c67-4f0e-9a61-0e2f0d6f9c11",
                            "address_1": "Church Street",
                            "city": "Holt",
                            "state_province": "Norfolk",
                            "postal_code": "",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }
    texts = [p.text for p in feed_quality.record_problems(record, today=today)]
    assert texts == [
        "The national Family Hubs service cannot read it",
        "Its identifier is not a UUID",
        "No way to get in touch",
        "No postcode",
        "No description",
        "No web address",
        "No email address",
        "Not checked for 6 months",
    ]
    with pytest.raises(dfe_reader.Unreadable, match=r"service\.id"):
        dfe_reader.read_service(record)
    record["id"] = "e0e0b9f6-3c67-4f0e-9a61-0e2f0d6f9c11"
    with pytest.raises(dfe_reader.Unreadable, match="minimum_age: a whole number"):
        dfe_reader.read_service(record)


# --- No personal data anywhere in the API ------------------------------------------------


def _api_urls(client: Client) -> Iterator[str]:
    """Every page of every list, and every item by id, of every ORUK endpoint."""
    yield "/openreferral/"
    yield "/openreferral/openapi.json"
    for endpoint in (
        "services",
        "service_at_locations",
        "organizations",
        "taxonomies",
        "taxonomy_terms",
    ):
        first = _get(client, f"/openreferral/{endpoint}?per_page=500")
        for page_number in range(1, first["total_pages"] + 1):
            url = f"/openreferral/{endpoint}?per_page=500&page={page_number}"
            yield url
            for row in _get(client, url)["contents"]:
                yield f"/openreferral/{endpoint}/{row['id']}"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def personal_contact_details() -> tuple[set[str], set[str]]:
    """Every email and phone number of a member of staff or of a family, a carer, a person
    asking for support, a volunteer or a group leader, wherever the database holds one:
    every text column named like email or phone outside the directory's public tables."""
    from django.apps import apps

    emails: set[str] = set()
    phones: set[str] = set()
    # The listings' own contact details, published on purpose: the directory's public tables,
    # and the contact a community group gives for its listing (its leaders' are personal).
    public = {"directory.Organization", "directory.Service", "directory.Contact"}
    public |= {"directory.Phone"}
    public_fields = {("community.CommunityGroup", "contact_email")}
    public_fields |= {("community.CommunityGroup", "contact_phone")}
    for model in apps.get_models():
        if model._meta.label in public or model._meta.app_label.startswith("django"):
            continue
        for field in model._meta.concrete_fields:
            name = field.name.lower()
            if field.get_internal_type() not in ("CharField", "EmailField", "TextField"):
                continue
            if (model._meta.label, field.name) in public_fields:
                continue
            if "email" in name:
                values = model._default_manager.exclude(**{field.name: ""})
                emails |= {v.lower() for v in values.values_list(field.name, flat=True) if v}
            elif "phone" in name or "mobile" in name:
                values = model._default_manager.exclude(**{field.name: ""})
                phones |= {
                    _digits(v)
                    for v in values.values_list(field.name, flat=True)
                    if v and len(_digits(v)) >= 9
                }
    emails |= {e.lower() for e in User.objects.exclude(email="").values_list("email", flat=True)}
    return emails, phones


def test_no_staff_or_family_email_or_phone_appears_in_any_api_response(
    norfolk: NorfolkWorld, client: Client, settings: Any
) -> None:
    _demo(norfolk, settings)
    # A member of staff checks a listing: their email is recorded, never published.
    checker = User.objects.filter(is_demo_account=True).order_by("username").first()
    assert checker is not None
    if not checker.email:
        checker.email = f"{checker.username}@staff.example.org"
        checker.save(update_fields=["email"])
    service = Service.objects.filter(status=ListingStatus.ACTIVE).first()
    assert service is not None
    service.assurer_email = checker.email
    service.save(update_fields=["assurer_email"])

    # The demo's simulated carers and staff hold few contact details: give every one of them
    # some (simulated), so the search below looks for hundreds of real-looking ones.
    from familyreach.families.models import Carer

    for number, user in enumerate(User.objects.filter(email="")):
        user.email = f"staff{number}@staff.example.org"
        user.save(update_fields=["email"])
    carers = list(Carer.objects.all()[:500])
    for number, carer in enumerate(carers):
        carer.email = carer.email or f"carer{number}@family.example.org"
        carer.phone = carer.phone or f"07700 9{number:05d}"
    Carer.objects.bulk_update(carers, ["email", "phone"])

    emails, phones = personal_contact_details()
    assert len(emails) > 20, len(emails)
    assert len(phones) > 20, len(phones)
    # A leader who gave their own address as the group's would be caught here.
    searched = 0
    for url in _api_urls(client):
        body = client.get(url).content.decode().lower()
        searched += 1
        found_emails = [email for email in emails if email in body]
        assert found_emails == [], (url, found_emails[:5])
        body_digits = {_digits(number) for number in re.findall(r"[\d +()-]{9,}", body)}
        found_phones = phones & body_digits
        assert not found_phones, (url, sorted(found_phones)[:5])
    assert searched > 200
    print(f"\nsearched {searched} API responses for {len(emails)} emails, {len(phones)} phones")


def test_the_feed_documentation_names_the_rules() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "directory.md").read_text()
    for problem in (feed_quality.NO_WAY_TO_GET_IN_TOUCH, feed_quality.NO_POSTCODE):
        assert problem.text in doc


def test_a_venues_address_lines_never_repeat_its_name_as_the_street() -> None:
    from familyreach.directory.services import venue_address_lines
    from familyreach.geo.models import Venue, VenueKind

    library = Venue(
        name="Acle Library",
        kind=VenueKind.LIBRARY,
        address="Bridewell Lane, Acle, Norfolk",
        town="Acle",
        postcode="NR13 3RA",
    )
    assert venue_address_lines(library) == ("Bridewell Lane", "", "Acle")
    # GIAS gives a school no street: it is addressed by its name, in its post town.
    school = Venue(
        name="Angel Road Infant School", kind=VenueKind.SCHOOL, town="Norwich", postcode="NR3 3HR"
    )
    assert venue_address_lines(school) == ("Angel Road Infant School", "", "Norwich")
    hall = Venue(
        name="Village Hall", kind=VenueKind.OTHER, address="Village Hall, The Street, Holt"
    )
    assert venue_address_lines(hall) == ("The Street", "", "Holt")
