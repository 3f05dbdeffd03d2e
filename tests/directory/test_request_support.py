"""Requests for support: the public form, triage New → Opened → Accepted / Declined, messages
to the family through the notify outbox, district-limited access and audited reads."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.test import Client

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import selectors, services
from familyreach.directory.models import RequestStatus, SupportRequest
from familyreach.directory.signals import support_request_accepted
from familyreach.geo.models import District
from tests.factories.geo import DistrictFactory
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db

VALID = {
    "requester": "family",
    "name": "Sam Example",
    "postcode": "nr30 1ne",
    "children_ages": "0, 3",
    "help_with": ["infant-feeding", "parenting"],
    "details": "Struggling with feeding.",
    "contact_method": "email",
    "email": "sam@example.org",
    "phone": "",
    "best_times": "Mornings",
    "family_consent": "on",
}


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    forget_stored_messages()
    yield
    forget_stored_messages()


def test_a_family_asks_for_help_and_is_sent_a_reference(client: Client, yarmouth: District) -> None:
    response = client.post("/request-support", VALID)
    assert response.status_code == 302
    assert response["Location"] == "/request-support/sent"
    request = SupportRequest.objects.get()
    assert request.postcode == "NR30 1NE"
    assert request.children_ages == [0, 3]
    assert request.help_with == ["infant-feeding", "parenting"]
    assert request.status == RequestStatus.NEW
    page = client.get("/request-support/sent").content.decode()
    assert request.reference in page
    assert [m.to for m in stored_messages()] == ["sam@example.org"]
    assert request.reference in stored_messages()[0].subject


def test_the_confirmation_page_needs_the_session(client: Client) -> None:
    response = client.get("/request-support/sent")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the parent or carer&#39;s name"),
        ({"postcode": "NR30"}, "Enter a real postcode, like NR30 1NE"),
        ({"children_ages": "", "expecting_baby": ""}, "Enter the children&#39;s ages, or tick"),
        ({"children_ages": "two"}, "Enter children&#39;s ages as numbers"),
        ({"help_with": []}, "Select at least one thing you would like help with"),
        ({"email": ""}, "Enter an email address so we can contact you"),
        ({"contact_method": "text", "phone": "123"}, "Enter a UK phone number"),
        ({"family_consent": ""}, "Confirm the family agrees"),
        ({"requester": "professional"}, "Enter your work email address"),
    ],
)
def test_bad_input_gets_an_error_summary_and_keeps_what_was_typed(
    client: Client, changes: dict[str, Any], message: str
) -> None:
    data = {**VALID, **changes}
    data = {key: value for key, value in data.items() if value != ""}
    response = client.post("/request-support", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert message in html
    assert "Struggling with feeding." in html
    assert SupportRequest.objects.count() == 0
    assert stored_messages() == []


def test_a_professional_can_ask_for_a_family_with_consent(client: Client) -> None:
    data = {
        **VALID,
        "requester": "professional",
        "professional_name": "Pat Health Visitor",
        "professional_organisation": "NHS",
        "professional_email": "pat@nhs.example.org",
    }
    assert client.post("/request-support", data).status_code == 302
    request = SupportRequest.objects.get()
    assert request.professional_email == "pat@nhs.example.org"
    assert request.family_consent is True


def _request(district: District | None, **fields: Any) -> SupportRequest:
    return services.support_request_create(
        requester="family",
        name="Alex Example",
        postcode="NR30 1NE",
        district_id=district.pk if district else None,
        children_ages=[2],
        expecting_baby=False,
        help_with=["parenting"],
        details="",
        contact_method=fields.get("contact_method", "text"),
        email="",
        phone="07700 900982",
        best_times="",
        family_consent=True,
    )


def test_triage_open_accept_tells_the_family_and_fires_the_hook(
    client: Client, yarmouth: District, make_user: Callable[..., User]
) -> None:
    worker = make_user(Role.FAMILY_WORKER, district_code="E07000145")
    request = _request(yarmouth)
    received: list[Any] = []

    def on_accept(sender: Any, support_request: SupportRequest, user: User, **kwargs: Any) -> None:
        received.append((support_request.pk, user.pk))

    support_request_accepted.connect(on_accept)
    try:
        client.force_login(worker)
        listing = client.get("/staff/requests/").content.decode()
        assert request.reference in listing
        page = client.get(f"/staff/requests/{request.pk}").content.decode()
        assert "Alex Example" in page
        request.refresh_from_db()
        assert request.status == RequestStatus.OPENED
        assert request.opened_by == worker
        response = client.post(f"/staff/requests/{request.pk}", {"decision": "accept"})
        assert response.status_code == 302
    finally:
        support_request_accepted.disconnect(on_accept)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert request.decided_by == worker
    assert received == [(request.pk, worker.pk)]
    texts = [m for m in stored_messages() if m.channel == "text"]
    assert [m.to for m in texts] == ["07700 900982", "07700 900982"]
    assert "We can help" in texts[-1].body


def test_decline_needs_a_reason_which_the_family_is_told(
    client: Client, yarmouth: District, manager: User
) -> None:
    request = _request(yarmouth)
    client.force_login(manager)
    response = client.post(
        f"/staff/requests/{request.pk}", {"decision": "decline", "decline_reason": ""}
    )
    assert "Enter the reason the request is declined" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.OPENED
    client.post(
        f"/staff/requests/{request.pk}",
        {"decision": "decline", "decline_reason": "We do not cover this area; try Suffolk."},
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED
    assert "try Suffolk" in stored_messages()[-1].body
    # A decided request cannot be decided again.
    with pytest.raises(Exception, match="already been declined"):
        services.support_request_accept(support_request=request, user=manager)


def test_only_managers_and_family_workers_of_the_district_see_requests(
    client: Client, yarmouth: District, make_user: Callable[..., User]
) -> None:
    norwich = DistrictFactory(code="E07000148")
    in_yarmouth = _request(yarmouth)
    in_norwich = _request(norwich)
    yarmouth_worker = make_user(Role.FAMILY_WORKER, district_code="E07000145")
    county_manager = make_user(Role.MANAGER, all_districts=True)
    planner = make_user(Role.PLANNER)
    group_admin = make_user(Role.COMMUNITY_GROUP_ADMIN)

    assert set(selectors.support_requests_for_user(user=yarmouth_worker)) == {in_yarmouth}
    assert set(selectors.support_requests_for_user(user=county_manager)) == {
        in_yarmouth,
        in_norwich,
    }
    for outsider in (planner, group_admin):
        with pytest.raises(PermissionDenied):
            selectors.support_requests_for_user(user=outsider)

    client.force_login(yarmouth_worker)
    assert client.get(f"/staff/requests/{in_norwich.pk}").status_code == 404
    client.logout()
    client.force_login(planner)
    assert client.get(f"/staff/requests/{in_yarmouth.pk}").status_code == 403
    assert client.get("/staff/requests/").status_code == 403
    client.logout()
    assert client.get("/staff/requests/").status_code == 302  # sign in first


def test_reading_a_request_is_audited(client: Client, yarmouth: District, manager: User) -> None:
    request = _request(yarmouth)
    client.force_login(manager)
    client.get(f"/staff/requests/{request.pk}")
    reads = LogEntry.objects.filter(object_pk=str(request.pk), action=LogEntry.Action.ACCESS)
    assert reads.count() == 1
    assert reads.get().actor == manager
    changes = LogEntry.objects.filter(object_pk=str(request.pk), action=LogEntry.Action.UPDATE)
    assert changes.get().actor == manager  # opened


def test_query_count_of_the_triage_list_is_fixed(
    client: Client, yarmouth: District, manager: User, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        _request(yarmouth)
    client.force_login(manager)
    client.get("/staff/requests/")
    # Five, plus one for a manager: are any safeguarding messages unsent (the staff warning)?
    with django_assert_num_queries(6):
        response = client.get("/staff/requests/")
    assert response.content.decode().count("/staff/requests/") >= 3


def test_one_address_can_send_the_form_only_so_often(client: Client, yarmouth: District) -> None:
    from django.conf import settings

    REQUEST_SUPPORT_LIMIT = settings.FAMILYREACH_RATE_LIMITS["request-support"][0]
    for _ in range(REQUEST_SUPPORT_LIMIT):
        assert client.post("/request-support", VALID).status_code == 302
    refused = client.post("/request-support", VALID)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "govuk-error-summary" in html
    assert "too many times" in html
    assert 'value="Sam Example"' in html  # what was typed is kept
    assert SupportRequest.objects.count() == REQUEST_SUPPORT_LIMIT

    # Another address is not affected.
    other = client.post("/request-support", VALID, REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 302
    assert SupportRequest.objects.count() == REQUEST_SUPPORT_LIMIT + 1
