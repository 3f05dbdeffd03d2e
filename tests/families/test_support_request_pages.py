"""Requests for support in the family worker's and the manager's pages: a count of new ones on
the landing page, the family's needs, and taking one on (assign to me, mark contacted, create a
family record or link the one already registered); role-checked and every read audited."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services as directory_services
from familyreach.directory.models import RequestStatus, SupportRequest
from familyreach.families.models import Family
from familyreach.families.services import case_open
from familyreach.families.views import contact_due
from familyreach.geo.models import Area, District
from tests.fixtures.directory import support_request_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def support_request(yarmouth: District) -> SupportRequest:
    directory_services.taxonomy_ensure()  # the categories' names
    return support_request_make(
        name="Grace Wilson",
        district_id=yarmouth.pk,
        children_ages=[1, -1],
        expecting_baby=True,
        help_with=["infant-feeding", "parenting"],
        details="Feeding is hard and I am on my own in the day.",
        contact_method="phone",
        phone="07700 900123",
        best_times="Mornings",
    )


def _reads(instance: Any) -> int:
    return LogEntry.objects.get_for_object(instance).filter(action=LogEntry.Action.ACCESS).count()


def test_the_workers_landing_page_counts_new_requests_and_links_to_them(
    family_worker: User, support_request: SupportRequest, signed_in: Callable[[User], Client]
) -> None:
    html = signed_in(family_worker).get("/staff/").content.decode()
    assert "My week from" in html
    assert "<strong>1</strong> new request for support" in html
    assert 'href="/staff/families/requests/"' in html
    assert 'name="q"' in html  # the family search box


def test_the_list_shows_the_familys_needs_and_audits_each_request(
    family_worker: User, support_request: SupportRequest, signed_in: Callable[[User], Client]
) -> None:
    html = signed_in(family_worker).get("/staff/families/requests/").content.decode()
    assert "Grace Wilson" in html
    assert "Infant feeding, Parenting" in html  # names, not codes
    assert "infant-feeding" not in html
    assert "1 year, expecting a baby" in html
    assert contact_due(support_request).strftime("%-d %B") in html
    assert _reads(support_request) == 1


def test_contact_is_due_five_working_days_after_the_request() -> None:
    friday = SupportRequest(created_at=_noon(date(2026, 12, 4)))
    assert contact_due(friday) == date(2026, 12, 11)  # the next Friday: weekends do not count


def _noon(day: date) -> Any:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/London"))


def test_taking_a_request_on_and_creating_the_family_record(
    family_worker: User,
    support_request: SupportRequest,
    yarmouth_area: Area,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(family_worker)
    page = f"/staff/families/requests/{support_request.pk}"
    html = client.get(page).content.decode()
    assert "Infant feeding, Parenting" in html
    assert "Feeding is hard" in html
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.OPENED  # opened: no longer counted as new

    assert client.post(page, {"action": "assign"}).status_code == 302
    support_request.refresh_from_db()
    assert support_request.assigned_to == family_worker
    assert client.post(page, {"action": "contacted"}).status_code == 302
    support_request.refresh_from_db()
    assert support_request.contacted_by == family_worker
    assert support_request.contacted_at is not None

    response = client.post(page, {"action": "create"})
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.ACCEPTED
    family = Family.objects.get(pk=support_request.family_record_id)
    assert response["Location"] == f"/staff/families/{family.pk}"
    assert family.cases.get().worker == family_worker
    assert "Grace Wilson" not in client.get("/staff/families/requests/").content.decode()


def test_linking_the_family_already_registered_instead_of_a_second_record(
    family_worker: User,
    support_request: SupportRequest,
    register_family: Callable[..., Family],
    yarmouth_area: Area,
    signed_in: Callable[[User], Client],
) -> None:
    grace = register_family("Grace", last_name="Wilson", child="Poppy", phone="07700 900123")
    case_open(user=None, family=grace, worker=family_worker)
    client = signed_in(family_worker)
    page = f"/staff/families/requests/{support_request.pk}"
    html = client.get(page).content.decode()
    assert "Link to this family" in html
    assert _reads(grace) >= 1  # a possible match shown is a read of the family's record
    response = client.post(page, {"action": "link", "family": grace.pk})
    assert response["Location"] == f"/staff/families/{grace.pk}"
    support_request.refresh_from_db()
    assert support_request.family_record_id == grace.pk
    assert support_request.status == RequestStatus.ACCEPTED
    assert Family.objects.count() == 1
    assert support_request.reference in grace.cases.get().next_action


def test_linking_a_family_the_worker_cannot_see_is_refused(
    family_worker: User,
    support_request: SupportRequest,
    norwich_family: Family,
    signed_in: Callable[[User], Client],
) -> None:
    response = signed_in(family_worker).post(
        f"/staff/families/requests/{support_request.pk}",
        {"action": "link", "family": norwich_family.pk},
    )
    assert response.status_code == 403
    support_request.refresh_from_db()
    assert support_request.status != RequestStatus.ACCEPTED


def test_declining_needs_a_reason(
    family_worker: User, support_request: SupportRequest, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(family_worker)
    page = f"/staff/families/requests/{support_request.pk}"
    html = client.post(page, {"action": "decline", "decline_reason": ""}).content.decode()
    assert "Enter the reason the request is declined" in html
    client.post(page, {"action": "decline", "decline_reason": "Lives outside Norfolk"})
    support_request.refresh_from_db()
    assert support_request.status == RequestStatus.DECLINED


@pytest.mark.parametrize(
    "role", [Role.PLANNER, Role.VOLUNTEER, Role.OUTREACH_WORKER, Role.COMMUNITY_GROUP_ADMIN]
)
def test_other_roles_see_no_requests(
    make_user: Callable[..., User],
    support_request: SupportRequest,
    role: Role,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(make_user(role))
    assert client.get("/staff/families/requests/").status_code == 403
    assert client.get(f"/staff/families/requests/{support_request.pk}").status_code == 403
    assert "new request" not in client.get("/staff/").content.decode()
    assert _reads(support_request) == 0


def test_a_manager_sees_only_their_districts_requests(
    make_user: Callable[..., User],
    support_request: SupportRequest,
    signed_in: Callable[[User], Client],
) -> None:
    norwich_manager = make_user(Role.MANAGER, district_code="E07000148")
    client = signed_in(norwich_manager)
    assert "Grace Wilson" not in client.get("/staff/families/requests/").content.decode()
    assert client.get(f"/staff/families/requests/{support_request.pk}").status_code == 404
