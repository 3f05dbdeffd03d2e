"""The audit trail: subject-access exports, erasures and bulk exports are their own actions, and
a manager can search every entry by person, record, action and date."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.consult.models import Consultation
from familyreach.families.models import Family
from familyreach.families.selectors import family_export_for_user, family_get_for_user
from familyreach.families.services import case_open, family_anonymise

pytestmark = pytest.mark.django_db


def _named_actions() -> list[tuple[str, str]]:
    return [
        (entry.object_repr, entry.additional_data["action"])
        for entry in LogEntry.objects.filter(additional_data__action__isnull=False).order_by("pk")
    ]


def test_a_subject_access_export_is_recorded_as_its_own_action(
    yarmouth_family: Family, manager: User
) -> None:
    family_get_for_user(user=manager, family_id=yarmouth_family.pk)
    assert _named_actions() == []  # a view is a view
    family_export_for_user(user=manager, family_id=yarmouth_family.pk)
    assert _named_actions() == [(f"Family {yarmouth_family.pk}", "subject-access export")]


def test_an_erasure_is_recorded_with_who_and_why_and_survives_the_scrub(
    yarmouth_family: Family, manager: User
) -> None:
    family_anonymise(user=manager, family=yarmouth_family, reason="Asked to be forgotten")
    entry = LogEntry.objects.get(additional_data__action="erasure")
    assert entry.actor == manager
    assert entry.additional_data["reason"] == "Asked to be forgotten"
    assert entry.object_pk == str(yarmouth_family.pk)


def test_consultation_exports_are_recorded(consultation: Consultation, manager: User) -> None:
    client = Client()
    client.force_login(manager)
    for name in ("consult:staff-export-csv", "consult:staff-export-xlsx"):
        response = client.get(reverse(name, args=[consultation.slug]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
    entries = LogEntry.objects.filter(additional_data__action="bulk export").order_by("pk")
    assert [e.additional_data["what"] for e in entries] == ["responses, CSV", "responses, Excel"]
    assert {e.actor for e in entries} == {manager}


def _page(client: Client, **query: str) -> str:
    """The page's results (the header names the signed-in manager too)."""
    response = client.get(reverse("operations:audit"), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode().split("</form>")[-1]


def test_a_manager_searches_by_person_record_action_and_date(
    yarmouth_family: Family, manager: User, make_user: Callable[..., User]
) -> None:
    worker = make_user(Role.FAMILY_WORKER, username="wendy-worker", district_code="E07000145")
    case_open(user=None, family=yarmouth_family, worker=worker)
    family_get_for_user(user=worker, family_id=yarmouth_family.pk)
    family_export_for_user(user=manager, family_id=yarmouth_family.pk)
    client = Client()
    client.force_login(manager)

    by_worker = _page(client, person="wendy")
    assert "wendy-worker" in by_worker
    assert "dana-manager" not in by_worker

    exports = _page(client, action="exports")
    assert "Subject-access export" in exports
    assert "wendy-worker" not in exports

    record = _page(client, record=f"Family {yarmouth_family.pk}")
    assert "Viewed" in record
    assert "Subject-access export" in record

    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    assert "No entries match." in _page(client, date_from=tomorrow)


def test_a_bad_date_says_what_is_wrong(manager: User) -> None:
    client = Client()
    client.force_login(manager)
    response = client.get(reverse("operations:audit"), {"date_from": "31/02/2026"})
    assert response.status_code == 400
    assert "Enter the start date as a date" in response.content.decode()
    backwards = client.get(
        reverse("operations:audit"), {"date_from": "3/4/2026", "date_to": "1/4/2026"}
    )
    assert "The end date must be the same as or after the start date" in backwards.content.decode()


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.MANAGER])
def test_only_managers_read_the_audit_trail(role: Role, make_user: Callable[..., User]) -> None:
    client = Client()
    client.force_login(make_user(role))
    assert client.get(reverse("operations:audit")).status_code == 403


def test_a_districts_manager_may_not_read_it(make_user: Callable[..., User]) -> None:
    """The trail names families county-wide: a manager of one district neither reads it nor
    is offered it."""
    client = Client()
    client.force_login(make_user(Role.MANAGER, district_code="E07000145"))
    assert client.get(reverse("operations:audit")).status_code == 403
    assert f'href="{reverse("operations:audit")}"' not in client.get("/staff/").content.decode()


def test_managers_reach_it_from_the_navigation(manager: User) -> None:
    client = Client()
    client.force_login(manager)
    assert f'href="{reverse("operations:audit")}"' in client.get("/staff/").content.decode()


def test_only_the_audit_trail_is_marked_as_the_current_section(manager: User) -> None:
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("operations:audit")).content.decode()
    active = re.findall(
        r'govuk-service-navigation__item--active">\s*<a[^>]*>\s*(?:<strong[^>]*>)?([^<]+)', page
    )
    assert [text.strip() for text in active] == ["Audit trail"]
    assert 'type="date"' not in page  # typed dates, GOV.UK style
