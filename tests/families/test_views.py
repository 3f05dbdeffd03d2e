"""Family pages: register (with duplicate check), record, changes, consent, merge, rights."""

import json
from collections.abc import Callable
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client

from familyreach.accounts.models import User
from familyreach.families.models import Family
from familyreach.families.services import case_open
from familyreach.geo.models import Area

pytestmark = pytest.mark.django_db


REGISTRATION = {
    "carer_first_name": "Amy",
    "carer_last_name": "Smith",
    "phone": "07700 900123",
    "postcode": "nr30 1ne",
    "child_first_name": "Ben",
    "child_date_of_birth-day": "1",
    "child_date_of_birth-month": "3",
    "child_date_of_birth-year": "2025",
    "consent_keep_record": "on",
    "consent_text": "on",
    "consent_method": "verbal",
    "target_groups": ["lone_parent"],
}


def test_worker_registers_a_family_and_takes_it_on(
    family_worker: User, yarmouth_area: Area, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(family_worker)
    assert client.get("/staff/families/register").status_code == 200
    response = client.post("/staff/families/register", REGISTRATION)
    family = Family.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/families/{family.pk}"
    assert family.area == yarmouth_area
    assert family.lone_parent
    assert {c.purpose for c in family.consents.all()} == {"keep_record", "contact_by_text"}
    assert family.cases.get().worker == family_worker
    page = client.get(f"/staff/families/{family.pk}").content.decode()
    assert "Amy Smith" in page
    assert "IDACI decile 1" in page


def test_registration_errors_are_explained(
    family_worker: User, yarmouth_area: Area, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(family_worker)
    response = client.post(
        "/staff/families/register",
        {
            **REGISTRATION,
            "postcode": "nowhere",
            "child_date_of_birth-day": "31",
            "child_date_of_birth-month": "2",
            "consent_keep_record": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a real postcode" in html
    assert "must be a real date" in html
    assert "Confirm you have told the family" in html
    assert Family.objects.count() == 0


def test_registration_warns_of_a_duplicate_then_registers_when_confirmed(
    family_worker: User,
    yarmouth_area: Area,
    register_family: Callable[..., Family],
    signed_in: Callable[[User], Client],
) -> None:
    existing = register_family("Amy", child="Benjamin")
    case_open(user=None, family=existing, worker=family_worker)
    client = signed_in(family_worker)
    response = client.post("/staff/families/register", REGISTRATION)
    assert response.status_code == 200
    assert "may already be registered" in response.content.decode()
    assert f"/staff/families/{existing.pk}" in response.content.decode()
    assert Family.objects.count() == 1
    response = client.post(
        "/staff/families/register", {**REGISTRATION, "confirmed_not_duplicate": "on"}
    )
    assert response.status_code == 302
    assert Family.objects.count() == 2
    assert not Family.objects.latest("id").needs_duplicate_review


def test_family_pages_render_and_change_things(
    family_worker: User,
    yarmouth_family: Family,
    norwich_area: Area,
    signed_in: Callable[[User], Client],
) -> None:
    case = case_open(user=None, family=yarmouth_family, worker=family_worker)
    client = signed_in(family_worker)
    base = f"/staff/families/{yarmouth_family.pk}"
    for path in (
        "",
        "/edit",
        "/children/new",
        "/carers/new",
        "/consents/new",
        "/merge",
        "/export",
        f"/cases/{case.pk}",
        "/visits/new",
        "/book",
    ):
        assert client.get(base + path).status_code == 200, path
    assert client.get("/staff/families/").status_code == 200
    assert client.get("/staff/families/caseload").status_code == 200
    assert client.get("/staff/families/?q=Amy").content.decode().count(base) >= 1
    response = client.post(
        base + "/edit",
        {"postcode": "NR2 4AB", "address": "2 Road", "target_groups": ["young_parent"]},
    )
    assert response.status_code == 302
    yarmouth_family.refresh_from_db()
    assert yarmouth_family.area == norwich_area
    response = client.post(
        base + "/children/new",
        {
            "first_name": "",
            "expected_due_date-day": "1",
            "expected_due_date-month": "6",
            "expected_due_date-year": "2027",
        },
    )
    assert response.status_code == 302
    assert yarmouth_family.children.filter(expected_due_date=date(2027, 6, 1)).exists()
    response = client.post(
        base + "/consents/new",
        {
            "purpose": "photographs",
            "lawful_basis": "consent",
            "given_by": "Amy",
            "method": "written",
        },
    )
    assert response.status_code == 302
    consent = yarmouth_family.consents.get(purpose="photographs")
    response = client.post(f"{base}/consents/{consent.pk}/withdraw", {"note": "Changed mind"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    response = client.post(f"{base}/cases/{case.pk}", {"next_action": "Ring about nursery"})
    case.refresh_from_db()
    assert case.next_action == "Ring about nursery"


def test_export_json_holds_every_linked_record(
    family_worker: User, yarmouth_family: Family, signed_in: Callable[[User], Client]
) -> None:
    case_open(user=None, family=yarmouth_family, worker=family_worker)
    response = signed_in(family_worker).get(f"/staff/families/{yarmouth_family.pk}/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["family_record_number"] == yarmouth_family.pk
    sections = {section["title"]: section["records"] for section in data["sections"]}
    assert sections["Parents and carers"][0]["First name"] == "Amy"
    assert sections["Children"][0]["First name"] == "Ben"
    assert len(sections["Support from our family workers"]) == 1


def test_opening_a_family_is_audited_with_who_and_from_where(
    family_worker: User, yarmouth_family: Family, signed_in: Callable[[User], Client]
) -> None:
    case_open(user=None, family=yarmouth_family, worker=family_worker)
    client = signed_in(family_worker)
    client.get(f"/staff/families/{yarmouth_family.pk}", REMOTE_ADDR="203.0.113.9")
    entry = (
        LogEntry.objects.get_for_object(yarmouth_family)
        .filter(action=LogEntry.Action.ACCESS)
        .latest("timestamp")
    )
    assert entry.actor == family_worker
    assert entry.remote_addr == "203.0.113.9"
