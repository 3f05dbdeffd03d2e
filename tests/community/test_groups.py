"""Community groups: registration, the council's checks, publishing to the directory and the
ORUK API with the "run by local parents" mark, attendance counts and start-up help."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from familyreach.community import publishing
from familyreach.community.models import GroupStatus, HelpStatus
from familyreach.community.services import groups as group_services
from familyreach.directory.models import ListingStatus, Service

pytestmark = pytest.mark.django_db


def test_a_group_cannot_be_approved_without_the_checks(
    make_group: Callable[..., Any], coordinator: Any
) -> None:
    group = make_group(
        insurance_url="",
        policy_url="",
        leaders=[{"name": "Sol", "email": "sol@example.org", "is_safeguarding_lead": False}],
    )
    assert group.status == GroupStatus.SUBMITTED
    with pytest.raises(ValidationError) as refused:
        group_services.group_approve(group=group, user=coordinator)
    assert refused.value.messages == [
        "No named safeguarding lead",
        "No public liability insurance (upload or link)",
        "No safeguarding policy (upload or link)",
    ]
    group.refresh_from_db()
    assert group.status == GroupStatus.SUBMITTED
    assert not Service.objects.exists()


def test_only_coordinators_approve(make_group: Callable[..., Any], group_admin: Any) -> None:
    group = make_group()
    with pytest.raises(PermissionDenied):
        group_services.group_approve(group=group, user=group_admin)


def test_approved_group_sessions_appear_in_the_directory_and_oruk_api(
    make_group: Callable[..., Any], coordinator: Any, client: Client
) -> None:
    group = make_group(approve_by=coordinator)
    service = Service.objects.get(source=publishing.SOURCE)
    assert service.name == "Gorleston Tots and Tea"
    assert service.description.startswith("Run by local parents.")
    assert service.status == ListingStatus.ACTIVE

    response = client.get(f"/openreferral/services/{service.pk}")
    assert response.status_code == 200, response.content
    data = response.json()
    marks = [a["taxonomy_term"]["name"] for a in data["attributes"]]
    assert "Run by local parents" in marks
    assert "Peer support" in marks
    assert "Stay and play" in marks
    schedules = {(s["byday"], s["opens_at"][:5], s.get("interval")) for s in data["schedules"]}
    assert schedules == {("TU", "09:30", 1), ("TH", "13:00", 2)}
    listed = client.get("/openreferral/services?per_page=100").json()["contents"]
    assert [item["name"] for item in listed] == ["Gorleston Tots and Tea"]

    # The public service page shows the mark and the times.
    page = client.get(f"/services/{service.pk}").content.decode()
    assert "Run by local parents" in page
    assert "Gorleston Tots and Tea" in page

    # Publishing again (e.g. after an edit) replaces rather than duplicates.
    publishing.group_publish(group=group, user=coordinator)
    assert Service.objects.filter(source=publishing.SOURCE).count() == 1

    group_services.group_reject(group=group, user=coordinator, notes="Insurance lapsed")
    group.refresh_from_db()
    service.refresh_from_db()
    assert group.status == GroupStatus.SUSPENDED
    assert service.status == ListingStatus.INACTIVE


def test_attendance_is_counts_only_and_only_for_the_groups_admins(
    make_group: Callable[..., Any], group_admin: Any, make_user: Callable[..., Any]
) -> None:
    from familyreach.accounts.roles import Role

    group = make_group()
    group.admins.add(group_admin)
    yesterday = timezone.localdate() - timedelta(days=1)
    group_services.group_attendance_record(
        group=group, met_on=yesterday, children=12, adults=9, user=group_admin
    )
    # Recording the same day again corrects the count rather than adding to it.
    group_services.group_attendance_record(
        group=group, met_on=yesterday, children=13, adults=9, user=group_admin
    )
    assert list(group.attendance_counts.values_list("children", "adults")) == [(13, 9)]
    other_admin = make_user(Role.COMMUNITY_GROUP_ADMIN)
    with pytest.raises(PermissionDenied):
        group_services.group_attendance_record(
            group=group, met_on=yesterday, children=1, adults=1, user=other_admin
        )
    with pytest.raises(ValidationError):
        group_services.group_attendance_record(
            group=group,
            met_on=timezone.localdate() + timedelta(days=1),
            children=1,
            adults=1,
            user=group_admin,
        )


def test_start_up_help_is_requested_and_tracked(
    make_group: Callable[..., Any], group_admin: Any, coordinator: Any
) -> None:
    group = make_group()
    group.admins.add(group_admin)
    with pytest.raises(ValidationError, match="how much"):
        group_services.startup_help_request(
            group=group, kind="grant", purpose="Toys", amount_requested=None, user=group_admin
        )
    grant = group_services.startup_help_request(
        group=group,
        kind="grant",
        purpose="Toys and mats",
        amount_requested=Decimal("250.00"),
        user=group_admin,
    )
    with pytest.raises(PermissionDenied):
        group_services.startup_help_decide(help_request=grant, status="approved", user=group_admin)
    group_services.startup_help_decide(
        help_request=grant,
        status=HelpStatus.APPROVED,
        amount_awarded=Decimal("200"),
        user=coordinator,
    )
    grant.refresh_from_db()
    assert (grant.status, grant.amount_awarded, grant.decided_by) == (
        "approved",
        Decimal("200.00"),
        coordinator,
    )
