"""The authorisation matrix: every staff URL × every role × own/other record → expected status.

The URL list is not written by hand: the test walks the whole URL conf and takes every pattern
under /staff/ from every installed app, so a new page cannot be missed. Each one must have an
entry in EXPECTED (its own app's or, for other apps, an entry here kept up to date) or the test
fails, naming it.

"Own" records are related to the user: the family on the family worker's caseload, booked on
the session they run (which the volunteer helps at), in the manager's district. "Other" records
belong to another worker's session and family in another district.
"""

import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.delivery.models import Occurrence, Session
from familyreach.delivery.services import (
    SessionDetails,
    booking_create,
    session_create,
    visit_schedule,
)
from familyreach.families.models import Family
from familyreach.families.services import ConsentDetails, case_open, consent_record
from familyreach.geo.models import Area, Venue, VenueKind

pytestmark = pytest.mark.django_db

LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin-login"  # Django admin's own redirect to its sign-in page
REDIRECT = "redirect"  # a redirect somewhere other than a sign-in page (a POST that worked)

ROLES = (
    "anonymous",
    "superuser",
    "manager",
    "family_worker",
    "outreach_worker",
    "volunteer",
    "volunteer_coordinator",
    "planner",
    "community_group_admin",
)

Expected = dict[str, tuple[Any, Any]]


def access(*, anonymous: Any = LOGIN, default: Any = 403, **roles: Any) -> Expected:
    """Expected (own, other) per role; a single value means the same for own and other."""
    table: Expected = {}
    for role in ROLES:
        value = anonymous if role == "anonymous" else roles.get(role, default)
        table[role] = value if isinstance(value, tuple) else (value, value)
    return table


OWN_ONLY = (200, 403)
# One family's record (read, or a form to change it): the family worker whose caseload or
# session it is, the manager of its district, and no one else.
FAMILY_RECORD = access(superuser=200, manager=OWN_ONLY, family_worker=OWN_ONLY)
FAMILY_RECORD_POST = access(
    superuser=REDIRECT, manager=(REDIRECT, 403), family_worker=(REDIRECT, 403)
)
FAMILY_LISTS = access(superuser=200, manager=200, family_worker=200, outreach_worker=200)
EVERY_SIGNED_IN = access(default=200)
SESSION_PLANNERS = access(superuser=200, manager=200, family_worker=200, outreach_worker=200)
# Directory POSTs naming a record that does not exist: 404 for editors (community group admins
# reach the lookup before the directory checks their organisation), 403 for everyone else.
DIRECTORY_POST = access(superuser=404, manager=404, community_group_admin=404)
SESSION_RUNNERS = access(superuser=200, manager=OWN_ONLY, family_worker=OWN_ONLY)

EXPECTED: dict[str, tuple[str, Expected]] = {
    # accounts (foundation)
    "accounts:login": ("get", access(anonymous=200, default=REDIRECT)),
    "accounts:logout": ("post", access(anonymous=REDIRECT, default=REDIRECT)),
    "accounts:signed-out": ("get", access(anonymous=200, default=200)),
    "accounts:two-factor": ("get", EVERY_SIGNED_IN),
    # web: /staff/ is the worker's week (delivery) or the plain start page
    "web:staff-home": ("get", EVERY_SIGNED_IN),
    # families
    "families:list": ("get", FAMILY_LISTS),
    "families:register": ("get", FAMILY_LISTS),
    "families:caseload": ("get", FAMILY_LISTS),
    "families:detail": ("get", FAMILY_RECORD),
    "families:edit": ("get", FAMILY_RECORD),
    "families:child-add": ("get", FAMILY_RECORD),
    "families:carer-add": ("get", FAMILY_RECORD),
    "families:consent-add": ("get", FAMILY_RECORD),
    "families:consent-withdraw": ("get", FAMILY_RECORD),
    "families:case-take-on": ("post", FAMILY_RECORD_POST),
    "families:case-edit": ("get", FAMILY_RECORD),
    "families:merge": ("get", FAMILY_RECORD),
    "families:duplicate-dismiss": ("post", FAMILY_RECORD_POST),
    "families:export": ("get", FAMILY_RECORD),
    "families:export-json": ("get", FAMILY_RECORD),
    "families:erase": ("get", access(superuser=200, manager=OWN_ONLY)),
    # delivery
    "delivery:sessions": (
        "get",
        access(
            superuser=200,
            manager=200,
            family_worker=200,
            outreach_worker=200,
            volunteer=200,
            volunteer_coordinator=200,
        ),
    ),
    "delivery:session-new": ("get", SESSION_PLANNERS),
    "delivery:session": (
        "get",
        access(
            superuser=200, manager=200, family_worker=200, outreach_worker=200, volunteer=OWN_ONLY
        ),
    ),
    "delivery:session-edit": ("get", SESSION_RUNNERS),
    "delivery:session-exception-add": (
        "post",
        access(superuser=REDIRECT, manager=(REDIRECT, 403), family_worker=(REDIRECT, 403)),
    ),
    "delivery:occurrence": ("get", SESSION_RUNNERS),
    "delivery:helpers": ("get", access(volunteer=OWN_ONLY)),
    "delivery:register": ("get", SESSION_RUNNERS),
    "delivery:walk-in": ("get", SESSION_RUNNERS),
    "delivery:booking-cancel": ("post", FAMILY_RECORD_POST),
    "delivery:family-book": ("get", FAMILY_RECORD),
    "delivery:visit-new": ("get", FAMILY_RECORD),
    "delivery:visit": ("get", FAMILY_RECORD),
    "delivery:bases": ("get", SESSION_PLANNERS),
    # geo (issue 3): planners and managers only (geo checks roles; a superuser with no role
    # is refused too).
    "geo:areas": ("get", access(manager=200, planner=200)),
    "geo:areas-geojson": ("get", access(manager=200, planner=200)),
    # directory (issue 6), kept here so the matrix covers every staff URL. Its records are not
    # in this world: the ids match nothing, so roles allowed in get 404, others 403.
    "directory:staff-requests": ("get", access(superuser=200, manager=200, family_worker=200)),
    "directory:staff-request": ("get", access(superuser=404, manager=404, family_worker=404)),
    "directory:staff-listings": (
        "get",
        access(superuser=200, manager=200, community_group_admin=200),
    ),
    # No organisation exists in this world for the listing to belong to: 404 for editors.
    "directory:staff-service-new": (
        "get",
        access(superuser=404, manager=404, community_group_admin=404),
    ),
    "directory:staff-service-edit": (
        "get",
        access(superuser=404, manager=404, community_group_admin=404),
    ),
    "directory:staff-service-assure": ("post", DIRECTORY_POST),
    "directory:staff-changes": ("get", access(superuser=200, manager=200)),
    "directory:staff-change-decide": ("post", DIRECTORY_POST),
    "directory:staff-advice": ("get", access(superuser=200, manager=200)),
    "directory:staff-advice-new": ("get", access(superuser=200, manager=200)),
    "directory:staff-advice-edit": ("get", access(superuser=404, manager=404)),
}
# Django's admin (superusers only): everyone else is sent to the admin's sign-in page. For a
# superuser the index is checked; its other pages are Django's own.
ADMIN = access(anonymous=ADMIN_LOGIN, default=ADMIN_LOGIN, superuser=None)
ADMIN_SPECIAL = {
    "admin:index": access(anonymous=ADMIN_LOGIN, default=ADMIN_LOGIN, superuser=200),
    # The admin's sign-in page shows its form to anyone not yet signed in as admin staff.
    "admin:login": access(anonymous=200, default=200, superuser=REDIRECT),
    # Signing out takes a POST: a GET is refused (405), or sent to sign in when not admin staff.
    "admin:logout": access(anonymous=REDIRECT, default=REDIRECT, superuser=405),
}


@dataclass(frozen=True)
class StaffUrl:
    route: str
    name: str
    parameters: tuple[str, ...]


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[StaffUrl]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
            parameters = tuple(pattern.pattern.regex.groupindex)
            yield StaffUrl(route=route.lstrip("^"), name=name, parameters=parameters)


def staff_urls() -> list[StaffUrl]:
    return [u for u in _walk(get_resolver().url_patterns) if u.route.startswith("staff")]


@dataclass
class World:
    users: dict[str, User | None]
    own: dict[str, Any]
    other: dict[str, Any]


@pytest.fixture
def world(
    make_user: Callable[..., User],
    family_worker: User,
    session_volunteer: User,
    yarmouth_family: Family,
    norwich_family: Family,
    next_occurrence: Occurrence,
    norwich_area: Area,
) -> World:
    other_worker = make_user(Role.FAMILY_WORKER, username="olive-other-worker")
    superuser = make_user(None, username="sam-superuser", is_superuser=True, is_staff=True)
    users: dict[str, User | None] = {
        "anonymous": None,
        "superuser": superuser,
        "manager": make_user(Role.MANAGER, username="gy-manager", district_code="E07000145"),
        "family_worker": family_worker,
        "outreach_worker": make_user(Role.OUTREACH_WORKER),
        "volunteer": session_volunteer,
        "volunteer_coordinator": make_user(Role.VOLUNTEER_COORDINATOR),
        "planner": make_user(Role.PLANNER),
        "community_group_admin": make_user(Role.COMMUNITY_GROUP_ADMIN),
    }
    norwich_venue = Venue.objects.create(
        name="Norwich Millennium Library",
        postcode="NR2 1AW",
        kind=VenueKind.LIBRARY,
        latitude=52.628,
        longitude=1.291,
        district=norwich_area.district,
        area=norwich_area,
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    other_session: Session = session_create(
        user=other_worker,
        details=SessionDetails(
            title="Norwich stay and play",
            category="stay_and_play",
            venue=norwich_venue,
            capacity=10,
            start_date=tomorrow,
            start_time=time(9),
            end_time=time(10),
            recurrence="one_off",
        ),
        staff=[other_worker],
        generate_until=tomorrow,
    )
    other_occurrence = other_session.occurrences.get()

    def related(family: Family, worker: User, occurrence: Occurrence) -> dict[str, Any]:
        case = case_open(user=worker, family=family, worker=worker)
        consent = consent_record(
            user=worker,
            family=family,
            details=ConsentDetails(
                purpose="photographs", lawful_basis="consent", given_by="Parent", method="verbal"
            ),
        )
        booking = booking_create(user=worker, occurrence_id=occurrence.pk, family=family)
        visit = visit_schedule(
            user=worker,
            family=family,
            worker=worker,
            kind="home_visit",
            scheduled_at=timezone.now() + timedelta(days=1),
        )
        return {
            # Other apps' records (directory): an id that matches nothing.
            "request_id": uuid.uuid4(),
            "service_id": uuid.uuid4(),
            "change_id": uuid.uuid4(),
            "article_id": uuid.uuid4(),
            "family_id": family.pk,
            "case_id": case.pk,
            "consent_id": consent.pk,
            "booking_id": booking.pk,
            "visit_id": visit.pk,
            "session_id": occurrence.session_id,
            "day": occurrence.date.isoformat(),
        }

    return World(
        users=users,
        own=related(yarmouth_family, family_worker, next_occurrence),
        other=related(norwich_family, other_worker, other_occurrence),
    )


ADMIN_PARAMETERS = {"app_label": "auth", "object_id": "1", "content_type_id": "1", "url": "x"}


def _expected_for(url: StaffUrl) -> tuple[str, Expected] | None:
    if url.name in ADMIN_SPECIAL:
        return ("get", ADMIN_SPECIAL[url.name])
    if url.name.startswith("admin:"):
        return ("get", ADMIN)
    return EXPECTED.get(url.name)


def _path(route: str, kwargs: dict[str, Any]) -> str:
    """The URL for a route with its parameters filled in (works for unnamed patterns too)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def _outcome(response: Any) -> Any:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/staff/sign-in"):
            return LOGIN
        if location.startswith("/staff/django-admin/login"):
            return ADMIN_LOGIN
        return REDIRECT
    return response.status_code


def test_every_staff_url_is_in_the_matrix() -> None:
    missing = sorted({u.name or u.route for u in staff_urls() if _expected_for(u) is None})
    assert missing == [], f"Add these staff URLs to EXPECTED: {missing}"
    # And the matrix has no stale rows for URLs that no longer exist.
    names = {u.name for u in staff_urls()}
    assert sorted(set(EXPECTED) - names) == []


@pytest.mark.parametrize("role", ROLES)
def test_authorisation_matrix(role: str, world: World) -> None:
    user = world.users[role]
    problems = []
    checked = 0
    client: Client | None = None
    for url in staff_urls():
        found = _expected_for(url)
        if found is None and os.environ.get("MATRIX_PRINT"):
            found = ("get", access(anonymous=-1, default=-1))
        method, table = found  # type: ignore[misc]
        for relation, values in (("own", world.own), ("other", world.other)):
            expected = table[role][0 if relation == "own" else 1]
            if expected is None:
                continue
            if relation == "other" and (url.name.startswith("admin:") or not url.parameters):
                continue  # the same request as "own": nothing in the URL names a record
            if url.name.startswith("admin:"):
                kwargs = {name: ADMIN_PARAMETERS.get(name, "1") for name in url.parameters}
            else:
                kwargs = {name: values[name] for name in url.parameters}
            path = _path(url.route, kwargs)
            if client is None:
                client = Client(REMOTE_ADDR="198.51.100.7")
                if user is not None:
                    client.force_login(user)
            # Each request runs in a transaction rolled back after, so a POST that works (a
            # cancelled booking) does not change what the next cell sees.
            with transaction.atomic():
                response = client.post(path) if method == "post" else client.get(path)
                transaction.set_rollback(True)
            checked += 1
            if url.name == "accounts:logout":
                client = None  # signed out: the next request signs in again
            actual = _outcome(response)
            if actual != expected:
                problems.append(
                    f"{method.upper()} {path} ({relation}): {actual}, expected {expected}"
                )
    assert checked > 50
    if os.environ.get("MATRIX_PRINT"):
        print("\n".join(f"{role} {p}" for p in problems))
    assert problems == []
