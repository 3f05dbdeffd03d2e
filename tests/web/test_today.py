"""The manager's landing page: what needs them today, each item linking to where it is dealt
with; the reach figure is the dashboard's own (not worked out again)."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services as directory_services
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.operations.models import JobRun, Outcome
from tests.fixtures.directory import DirectoryWorld, support_request_make
from tests.fixtures.insight import ReachWorld

pytestmark = pytest.mark.django_db


def _section(html: str, key: str) -> str:
    match = re.search(rf'data-testid="today-{key}">(.*?)</section>', html, re.S)
    assert match, key
    return match.group(1)


def test_a_manager_lands_on_today_not_an_empty_week(
    manager: User, signed_in: Callable[[User], Client]
) -> None:
    html = signed_in(manager).get("/staff/").content.decode()
    assert "Today, " in html
    assert "Nothing booked" not in html
    for key, href in (
        ("requests", "/staff/families/requests/"),
        ("approvals", "/staff/directory/changes/"),
        ("checks", "/staff/community/expiries/"),
        ("jobs", "/staff/operations/"),
        ("reach", "/staff/insight/"),
    ):
        assert f'href="{href}"' in _section(html, key), key
    # Their week is one click away.
    week = signed_in(manager).get("/staff/", {"week": timezone.localdate().isoformat()})
    assert "My week from" in week.content.decode()


def test_workers_keep_their_week(family_worker: User, signed_in: Callable[[User], Client]) -> None:
    html = signed_in(family_worker).get("/staff/").content.decode()
    assert "My week from" in html
    assert "Today, " not in html


def test_requests_approvals_and_failed_jobs_are_counted(
    manager: User,
    directory_world: DirectoryWorld,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN)
    directory_world.charity.editors.add(admin)
    directory_services.service_edit(
        user=admin,
        organization=directory_world.charity,
        service=directory_world.baby_group,
        changes={"name": "Baby club"},
    )
    support_request_make(name="Grace Wilson", contact_method="phone", phone="07700 900123")
    now = timezone.now()
    JobRun.objects.create(
        job="families-apply-retention",
        slot=now,
        started_at=now,
        finished_at=now,
        outcome=Outcome.FAILED,
    )
    html = signed_in(manager).get("/staff/").content.decode()
    assert "1 new request for support" in _section(html, "requests")
    approvals = _section(html, "approvals")
    assert "1 change to directory listings" in approvals
    assert "Baby group in Gorleston (Home-Start Great Yarmouth (test))" in approvals
    jobs = _section(html, "jobs")
    assert "1 scheduled job whose latest run failed" in jobs
    assert "families-apply-retention" in jobs
    assert "3 things need you today" in html


def test_expiring_volunteer_checks(
    manager: User, make_supporter: Callable[..., Any], signed_in: Callable[[User], Client]
) -> None:
    today = timezone.localdate()
    make_supporter("Amira", on=today, dbs_recheck_due_on=today + timedelta(days=10))
    make_supporter("Bea", on=today)  # in date for years: not listed
    checks = _section(signed_in(manager).get("/staff/").content.decode(), "checks")
    assert "Amira: Enhanced DBS check recheck" in checks
    assert "Bea" not in checks


def test_reach_against_target_is_the_dashboards_figure(
    manager: User, reach_world: ReachWorld, settings: Any, signed_in: Callable[[User], Client]
) -> None:
    settings.FAMILYREACH_REACH_TARGET_PERCENT = 99
    html = signed_in(manager).get("/staff/").content.decode()
    assert "No reach figures have been worked out yet" in _section(html, "reach")
    reach_snapshot_refresh(as_of=reach_world.as_of)
    client = signed_in(manager)
    reach = _section(client.get("/staff/").content.decode(), "reach")
    figure = re.search(r'data-testid="today-reach-figure">([^<]+)<', reach)
    assert figure
    dashboard = client.get("/staff/insight/").content.decode()
    seen = re.search(r'data-figure="seen-reach">([^<]+)<', dashboard)
    assert seen
    assert figure.group(1).strip() == seen.group(1).strip()
    assert "target of <strong>99 %</strong>" in reach
    assert "Below target" in reach


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VOLUNTEER, Role.COMMUNITY_GROUP_ADMIN])
def test_other_roles_do_not_get_the_managers_page(
    make_user: Callable[..., User], role: Role, signed_in: Callable[[User], Client]
) -> None:
    html = signed_in(make_user(role)).get("/staff/").content.decode()
    assert "Today, " not in html
