"""The authorisation matrix: every staff URL × every role × own/other record → expected status.

The URL list is not written by hand: the test walks the whole URL conf and takes every pattern
under /staff/ from every installed app, so a new page cannot be missed. Each one must have an
entry in EXPECTED (its own app's or, for other apps, an entry here kept up to date) or the test
fails, naming it.

"Own" records are related to the user: the family on the family worker's caseload, booked on
the session they run (which the volunteer helps at), in the manager's district; the volunteer's
own peer support match; the group admin's own community group, its room booking and the
organisation whose listings they edit; a safeguarding concern the user raised; a request for
support from the manager's district. "Other" records belong to another worker's session and
family in another district, another volunteer, group or organisation. Where an app has no
per-record relationship (planning scenarios, consultations, reach figures are county-wide),
own and other are two records that every permitted role sees alike.

Beyond the status of each row's own method, the same world is checked for:
- every method: the other of GET and POST, and PUT and DELETE, on every URL. A role refused
  one method is refused every method (or gets 405); an allowed role never gets a 500, and PUT
  or DELETE either get 405 or are answered as the GET (never acted on);
- content: every page a role is allowed (and every page answered after a refusal) is read for
  the names and postcodes of families and requests the role may not see (a Norwich family on
  nobody's caseload, the other worker's family, a Norwich request for support);
- bodies naming other records' ids: booking the other family on one's own session, merging it
  into one's own record, linking it to one's own request for support, referring it, ticking it
  on one's own register; and URLs pairing one's own family with another family's consent or
  case. None of these may change anything.

It runs as production does: two-factor authentication required (each role signs in through
the real password and authenticator-code pages) and the public page cache on.
tests/web/test_authorisation_mutations.py removes one permission check at a time and checks
that this matrix then fails.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.commissioning.models import Contract, QuarterlyReturn, ReturnMeasure
from familyreach.community.models import HelpKind
from familyreach.community.services import groups as group_services
from familyreach.community.services import matches as match_services
from familyreach.community.services import rooms as room_services
from familyreach.community.services import safeguarding as safeguarding_services
from familyreach.community.services import supporters as supporter_services
from familyreach.delivery.models import Attendance, Booking, Occurrence, SchoolHoliday, Session
from familyreach.delivery.services import (
    SessionDetails,
    booking_create,
    session_create,
    visit_schedule,
)
from familyreach.directory import services as directory_services
from familyreach.directory.models import Service, SupportRequest
from familyreach.families.models import Family
from familyreach.families.services import ConsentDetails, case_open, consent_record
from familyreach.geo.models import Area, District, Postcode, Venue, VenueKind
from familyreach.insight.services import reach_snapshot_refresh
from familyreach.outbox import notify
from familyreach.outcomes.models import OutcomeGoal
from familyreach.outcomes.services import plan_action_add, plan_start
from familyreach.planning.services import scenario_create, scenario_run_enqueue
from familyreach.referrals.models import Referral
from familyreach.referrals.services import referral_create
from tests.conftest import STAFF_PASSWORD
from tests.fixtures.community import group_fields, stay_and_play_book, supporter_make_ready
from tests.fixtures.consult import consultation_build
from tests.fixtures.directory import DirectoryWorld, support_request_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _as_in_production() -> Any:
    """Two-factor authentication required of every signed-in account, and the public page
    cache on (the test settings turn both off for other tests)."""
    with override_settings(REQUIRE_TWO_FACTOR=True, FAMILYREACH_PUBLIC_CACHE_SECONDS=60):
        yield


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
    "provider_manager",
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
SESSION_RUNNERS = access(superuser=200, manager=OWN_ONLY, family_worker=OWN_ONLY)
PLANNERS = access(superuser=200, manager=200, planner=200)
PLANNERS_POST = access(superuser=REDIRECT, manager=REDIRECT, planner=REDIRECT)
AREA_VIEWERS = access(superuser=200, manager=200, planner=200)
SUPPORT_TRIAGE = access(superuser=200, manager=200, family_worker=200)
COUNCIL_EDITORS = access(superuser=200, manager=200)
LISTING_EDITORS = access(superuser=200, manager=200, community_group_admin=200)
COORDINATORS = access(superuser=200, manager=200, volunteer_coordinator=200)
PEER_SUPPORT_BY_DISTRICT = access(superuser=200, manager=(200, 404), volunteer_coordinator=200)
COORDINATORS_POST = access(superuser=REDIRECT, manager=REDIRECT, volunteer_coordinator=REDIRECT)
COMMUNITY_PEOPLE = access(
    superuser=200,
    manager=200,
    volunteer_coordinator=200,
    volunteer=200,
    community_group_admin=200,
)
ROOM_USERS = access(
    superuser=200, manager=200, volunteer_coordinator=200, community_group_admin=200
)
REFERRAL_USERS = access(
    superuser=200, manager=200, family_worker=200, outreach_worker=200, community_group_admin=200
)
CONTRACT_READERS = access(superuser=200, manager=200, planner=200, provider_manager=200)
CONTRACT_READERS_OWN = access(superuser=200, manager=200, planner=200, provider_manager=(200, 404))
COMMISSIONERS_POST = access(superuser=REDIRECT, planner=REDIRECT, provider_manager=(403, 404))
BOOKING_POST = access(
    superuser=REDIRECT,
    manager=REDIRECT,
    volunteer_coordinator=REDIRECT,
    community_group_admin=(REDIRECT, 404),
)

# Offline working needs a district as family records do: the matrix's outreach worker has none.
OFFLINE_ROLES_200 = {"superuser": 200, "manager": 200, "family_worker": 200}
OFFLINE_WORKERS = access(**OFFLINE_ROLES_200)
# Volunteers (and coordinators) who lead or help at sessions keep a read-only copy of who is
# coming, first names only, as online (delivery:helpers): the app, the key and the download;
# they have no walk-ins to check and nothing to send. A volunteer's copy holds only the
# sessions they help at (the coordinator here helps at none, so theirs is empty).
OFFLINE_HELPERS_200 = {"volunteer": 200, "volunteer_coordinator": 200}
OFFLINE_COPY_HOLDERS = {**OFFLINE_ROLES_200, **OFFLINE_HELPERS_200}

EXPECTED: dict[str, tuple[str, Expected]] = {
    # accounts (foundation)
    "accounts:login": ("get", access(anonymous=200, default=REDIRECT)),
    "accounts:logout": ("post", access(anonymous=REDIRECT, default=REDIRECT)),
    "accounts:signed-out": ("get", access(anonymous=200, default=200)),
    "accounts:two-factor": ("get", EVERY_SIGNED_IN),
    # web: /staff/ is the manager's today page, the worker's week (delivery) or the plain start
    # page
    "web:staff-home": ("get", EVERY_SIGNED_IN),
    # operations: the scheduled jobs, for service managers (and the administrator)
    "operations:jobs": ("get", COUNCIL_EDITORS),
    "operations:run-now": ("post", access(superuser=REDIRECT, manager=REDIRECT)),
    # The audit trail names families county-wide: for the administrator and managers of
    # every district, not the matrix's Great Yarmouth manager.
    "operations:audit": ("get", access(superuser=200)),
    # families
    "families:list": ("get", FAMILY_LISTS),
    "families:register": ("get", FAMILY_LISTS),
    "families:caseload": ("get", FAMILY_LISTS),
    # Requests for support taken on from the families pages: the same people as the
    # directory's request pages (managers for their district, family workers).
    "families:requests": ("get", SUPPORT_TRIAGE),
    "families:request": (
        "get",
        access(superuser=200, manager=(200, 404), family_worker=(200, 404)),
    ),
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
    "delivery:occurrence-cancel": ("get", SESSION_RUNNERS),
    "delivery:helpers": ("get", access(volunteer=OWN_ONLY)),
    "delivery:register": ("get", SESSION_RUNNERS),
    "delivery:walk-in": ("get", SESSION_RUNNERS),
    "delivery:register-close": ("get", SESSION_RUNNERS),
    # Reopening an open register redirects back to it with a message (nothing to undo).
    "delivery:register-reopen": (
        "post",
        access(superuser=REDIRECT, manager=(REDIRECT, 403), family_worker=(REDIRECT, 403)),
    ),
    "delivery:register-print": ("get", SESSION_RUNNERS),
    "delivery:register-csv": ("get", SESSION_RUNNERS),
    "delivery:booking-cancel": ("post", FAMILY_RECORD_POST),
    "delivery:family-book": ("get", FAMILY_RECORD),
    "delivery:visit-new": ("get", FAMILY_RECORD),
    "delivery:visit": ("get", FAMILY_RECORD),
    "delivery:bases": ("get", SESSION_PLANNERS),
    # School holidays apply county-wide: managers (any district) and admins.
    "delivery:school-holidays": ("get", access(superuser=200, manager=200)),
    "delivery:school-holiday-remove": ("post", access(superuser=REDIRECT, manager=REDIRECT)),
    # geo: the areas page checks the planner and manager roles only (so not a bare superuser)
    "geo:areas": ("get", AREA_VIEWERS),
    "geo:areas-geojson": ("get", AREA_VIEWERS),
    # planning: county-wide scenarios, so own and other alike
    "planning:list": ("get", PLANNERS),
    "planning:create": ("get", PLANNERS),
    "planning:compare": ("get", PLANNERS),
    # Nothing chosen to compare: the JSON says so with a 400.
    "planning:compare-data": ("get", access(superuser=400, manager=400, planner=400)),
    "planning:detail": ("get", PLANNERS),
    "planning:edit": ("get", PLANNERS),
    "planning:run": ("post", PLANNERS_POST),
    # An empty what-if (no change) scores the scenario's own sites on its page.
    "planning:what-if": ("post", PLANNERS),
    "planning:adopt": ("post", PLANNERS_POST),
    "planning:report": ("get", PLANNERS),
    "planning:geojson": ("get", PLANNERS),
    # No sites in the query string: the map of a what-if with every site removed.
    "planning:what-if-geojson": ("get", PLANNERS),
    "planning:areas-csv": ("get", PLANNERS),
    "planning:sites-csv": ("get", PLANNERS),
    # insight: reach figures (counts, no personal data) for managers and planners, county-wide
    "insight:dashboard": ("get", PLANNERS),
    "insight:district": ("get", PLANNERS),
    "insight:area": ("get", PLANNERS),
    "insight:data": ("get", PLANNERS),
    "insight:export-csv": ("get", PLANNERS),
    "insight:export-xlsx": ("get", PLANNERS),
    "insight:refresh": ("post", PLANNERS_POST),
    "insight:plan-outreach": ("post", PLANNERS_POST),
    "insight:plan-effect": ("get", PLANNERS),
    "insight:money": ("get", PLANNERS),
    # consult: analysts (managers and planners); consultations are county-wide
    "consult:staff-list": ("get", PLANNERS),
    "consult:staff-analysis": ("get", PLANNERS),
    "consult:staff-chart-data": ("get", PLANNERS),
    "consult:staff-report": ("get", PLANNERS),
    "consult:staff-export-csv": ("get", PLANNERS),
    "consult:staff-export-xlsx": ("get", PLANNERS),
    "consult:staff-paper": ("get", PLANNERS),
    "consult:staff-coding": ("get", PLANNERS),
    # An empty POST names no answer to tag: 404 for analysts, 403 for everyone else.
    "consult:staff-tag": ("post", access(superuser=404, manager=404, planner=404)),
    "consult:staff-quotes": ("get", PLANNERS),
    "consult:staff-moderation": ("get", PLANNERS),
    "consult:staff-flags": ("get", PLANNERS),
    "consult:staff-decision": ("get", PLANNERS),
    # directory: requests for support (personal data) for managers and family workers, each
    # for their own district (no district: none); listings for council editors, and for a
    # community group admin only their own organisation's
    "directory:staff-requests": ("get", SUPPORT_TRIAGE),
    "directory:staff-request": (
        "get",
        access(superuser=200, manager=(200, 404), family_worker=(200, 404)),
    ),
    "directory:staff-listings": ("get", LISTING_EDITORS),
    # Listing quality: council editors see every listing's, a group admin their own's.
    "directory:staff-listing-quality": ("get", LISTING_EDITORS),
    # Without ?organization= there is nothing to add a listing to: 404 for editors.
    "directory:staff-service-new": (
        "get",
        access(superuser=404, manager=404, community_group_admin=404),
    ),
    "directory:staff-service-edit": (
        "get",
        access(superuser=200, manager=200, community_group_admin=OWN_ONLY),
    ),
    "directory:staff-service-assure": (
        "post",
        access(superuser=REDIRECT, manager=REDIRECT, community_group_admin=(REDIRECT, 403)),
    ),
    "directory:staff-changes": ("get", COUNCIL_EDITORS),
    # An empty POST is an incomplete rejection ("say why"): sent back to the queue. The view
    # lets a group admin that far too, but deciding (approve or reject with a reason) is
    # refused by the service with 403 for anyone but council staff.
    "directory:staff-change-decide": (
        "post",
        access(superuser=REDIRECT, manager=REDIRECT, community_group_admin=REDIRECT),
    ),
    "directory:staff-advice": ("get", COUNCIL_EDITORS),
    "directory:staff-advice-new": ("get", COUNCIL_EDITORS),
    "directory:staff-advice-edit": ("get", COUNCIL_EDITORS),
    # community: coordinators (and managers) run peer support; a volunteer sees only their own
    # matches (first name, contact route, needs) and concerns they raised; a group admin sees
    # only their own groups and bookings
    "community:home": ("get", COMMUNITY_PEOPLE),
    "community:volunteers": ("get", COORDINATORS),
    "community:volunteer-new": ("get", COORDINATORS),
    "community:volunteer": ("get", COORDINATORS),
    "community:expiries": ("get", COORDINATORS),
    "community:requests": ("get", COORDINATORS),
    "community:request-new": ("get", COORDINATORS),
    # A service manager runs peer support for their own district (the other request is a
    # Norwich family's); volunteer coordinators run the county's one scheme.
    "community:request": ("get", PEER_SUPPORT_BY_DISTRICT),
    "community:refer-family": ("get", FAMILY_RECORD),
    "community:matches": ("get", COORDINATORS),
    "community:match": ("get", PEER_SUPPORT_BY_DISTRICT),
    "community:my-matches": ("get", access(volunteer=200)),
    "community:concerns": ("get", COORDINATORS),
    "community:concern-raise": ("get", COMMUNITY_PEOPLE),
    "community:concern": (
        "get",
        access(
            superuser=200,
            manager=200,
            volunteer_coordinator=200,
            volunteer=OWN_ONLY,
            community_group_admin=OWN_ONLY,
        ),
    ),
    "community:groups": ("get", ROOM_USERS),
    "community:group": (
        "get",
        access(
            superuser=200, manager=200, volunteer_coordinator=200, community_group_admin=(200, 404)
        ),
    ),
    "community:help-decide": ("post", COORDINATORS_POST),
    "community:rooms": ("get", ROOM_USERS),
    "community:room": ("get", ROOM_USERS),
    # An empty decision or use count is sent back to the rooms page with an error. Deciding is
    # for coordinators only (refused before the form is read); a group admin may record the use
    # of their own group's bookings only.
    "community:booking-decide": (
        "post",
        access(superuser=REDIRECT, manager=REDIRECT, volunteer_coordinator=REDIRECT),
    ),
    "community:booking-use": ("post", BOOKING_POST),
    # outbox: messages that have not gone carry family data (addresses, what was said): service
    # managers only. Coordinators are warned of unsent safeguarding messages by reference only.
    "outbox:list": ("get", COUNCIL_EDITORS),
    "outbox:retry": ("post", access(superuser=REDIRECT, manager=REDIRECT)),
    # referrals: staff who work with families make them and read their own; managers answer
    # for the council's services, group admins for the organisations whose listings they keep.
    # Someone else's referral is not found (404); no one refers to an organisation they
    # answer for themselves (403).
    "referrals:inbox": ("get", REFERRAL_USERS),
    "referrals:sent": ("get", REFERRAL_USERS),
    "referrals:new": (
        "get",
        access(
            superuser=200,
            manager=(200, 403),
            family_worker=200,
            outreach_worker=200,
            community_group_admin=(403, 200),
        ),
    ),
    "referrals:detail": (
        "get",
        access(
            superuser=200,
            manager=(200, 404),
            family_worker=(200, 404),
            outreach_worker=(200, 404),
            community_group_admin=(200, 404),
        ),
    ),
    # offline outreach (issue 21): the app, its list of walk-ins to check and its JSON API are
    # for those who run sessions and visit families (with a district), and, read only, for
    # volunteers who lead or help at sessions; the service worker is a script with no data,
    # fetched by the browser signed in or not.
    "offline:app": ("get", access(**OFFLINE_COPY_HOLDERS)),
    "offline:walk-ins": ("get", OFFLINE_WORKERS),
    "offline:service-worker": ("get", access(anonymous=200, default=200)),
    # The API answers 401 (not a redirect) to nobody signed in: the device keeps its copy.
    "offline-api:key": ("get", access(anonymous=401, **OFFLINE_COPY_HOLDERS)),
    "offline-api:download": ("get", access(anonymous=401, **OFFLINE_COPY_HOLDERS)),
    # An empty POST has no list of changes: 400 for those allowed.
    "offline-api:sync": (
        "post",
        access(anonymous=401, superuser=400, manager=400, family_worker=400),
    ),
    # outcomes: a family's plan is part of its record (the same people as the family page)
    "outcomes:plan": ("get", FAMILY_RECORD),
    "outcomes:plan-start": ("get", FAMILY_RECORD),
    "outcomes:action-add": ("get", FAMILY_RECORD),
    "outcomes:action-done": ("post", FAMILY_RECORD_POST),
    "outcomes:review-add": ("get", FAMILY_RECORD),
    # The outcome scales are the council's configuration: service managers only.
    "outcomes:scales": ("get", COUNCIL_EDITORS),
    "outcomes:scale-new": ("get", COUNCIL_EDITORS),
    "outcomes:scale-edit": ("get", COUNCIL_EDITORS),
    "outcomes:scale-retire": ("post", access(superuser=REDIRECT, manager=REDIRECT)),
    "outcomes:scale-reinstate": ("post", access(superuser=REDIRECT, manager=REDIRECT)),
    # commissioning: the council's managers and commissioners (planners) read every contract
    # and return; a provider's manager only its own (another's is not found); the provider
    # prepares and submits, the commissioner reviews and signs off.
    "commissioning:contracts": ("get", CONTRACT_READERS),
    "commissioning:contract": ("get", CONTRACT_READERS_OWN),
    "commissioning:return-draft": (
        "post",
        access(superuser=REDIRECT, planner=REDIRECT, provider_manager=(REDIRECT, 404)),
    ),
    "commissioning:return": ("get", CONTRACT_READERS_OWN),
    "commissioning:return-csv": ("get", CONTRACT_READERS_OWN),
    "commissioning:return-xlsx": ("get", CONTRACT_READERS_OWN),
    "commissioning:return-ods": ("get", CONTRACT_READERS_OWN),
    "commissioning:return-pdf": ("get", CONTRACT_READERS_OWN),
    "commissioning:return-edit": ("get", access(superuser=200, provider_manager=(200, 404))),
    "commissioning:return-submit": (
        "post",
        access(superuser=REDIRECT, provider_manager=(REDIRECT, 404)),
    ),
    "commissioning:measure-review": ("post", COMMISSIONERS_POST),
    "commissioning:return-send-back": ("post", COMMISSIONERS_POST),
    "commissioning:return-sign-off": ("post", COMMISSIONERS_POST),
    # The consistent offer: county-wide figures for the council's staff who see reach; a
    # provider's manager is refused (docs/commissioning.md, "A consistent offer").
    "commissioning:offer": ("get", PLANNERS),
    "commissioning:offer-csv": ("get", PLANNERS),
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
    # Words that must appear on no page this role is shown: the names and postcode of
    # families and requests for support it may not see.
    forbidden: tuple[str, ...] = ()


# A Norwich family on no one's caseload, booked nowhere: only a superuser may ever see it.
STRANGER = {"carer": "Quentin", "last_name": "Marchbanks", "child": "Ottoline"}
# The request for support from Norwich (the other district): the same people may see it.
NORWICH_REQUEST_NAME = "Imogen Thistlewood"
NOT_FOR_ANYONE_BUT_A_SUPERUSER = (
    "Marchbanks",
    "Ottoline",
    "Thistlewood",
    "Nora Jones",  # the other worker's family, in Norwich
    "NR2 4AB",  # both Norwich families' postcode
)
# The family worker's own family (Great Yarmouth): its full name is for those who open family
# records (the volunteer helping at its session sees first names only).
OWN_FAMILY_FULL_NAME = "Amy Smith"
SEES_OWN_FAMILY = frozenset({"superuser", "manager", "family_worker"})
# The other peer-support request (a Norwich family's): for volunteer coordinators, who run the
# county's scheme, not for the Great Yarmouth manager.
NORWICH_PEER_POSTCODE = "NR3 1AB"
NORWICH_PEER_REQUEST = "Parent of Olu"


def forbidden_words(role: str) -> tuple[str, ...]:
    if role == "superuser":
        return ()
    if role == "manager":
        return (*NOT_FOR_ANYONE_BUT_A_SUPERUSER, NORWICH_PEER_REQUEST)
    if role in SEES_OWN_FAMILY:
        return NOT_FOR_ANYONE_BUT_A_SUPERUSER
    return (*NOT_FOR_ANYONE_BUT_A_SUPERUSER, OWN_FAMILY_FULL_NAME)


Values = dict[str, Any]


def _ready_supporter(
    first_name: str, *, account: User | None, coordinator: User, home_postcode: str = "NR30 1NE"
) -> Any:
    """A peer supporter whose references, DBS check and training are complete and in date
    (`make_supporter` in tests/fixtures/community.py needs its own geography)."""
    today = timezone.localdate()
    supporter = supporter_services.supporter_apply(
        first_name=first_name,
        last_name="Tester",
        contact_route="Through the coordinator, 01603 000000",
        home_postcode=home_postcode,
        applied_on=today - timedelta(days=200),
        account=account,
        user=coordinator,
        languages=["English"],
        experiences=["twins"],
        availability=["mon_am", "wed_am"],
    )
    return supporter_make_ready(supporter, coordinator=coordinator, on=today)


def _community(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Own: the volunteer's own supporter record and match, the group admin's group (its help
    request and room booking), a concern the signed-in person raised. Other: someone else's."""
    coordinator = users["volunteer_coordinator"]
    group_admin = users["community_group_admin"]
    assert coordinator is not None
    assert group_admin is not None
    today = timezone.localdate()

    def matched(first_name: str, account: User | None, postcode: str) -> tuple[Any, Any, Any]:
        supporter = _ready_supporter(
            first_name, account=account, coordinator=coordinator, home_postcode=postcode
        )
        request = match_services.request_create(
            first_name=f"Parent of {first_name}",
            contact_route="Text 07700 900123",
            postcode=postcode,
            stated_needs="Twins, very tired",
            experiences_wanted=["twins"],
            availability=["mon_am"],
            user=coordinator,
        )
        match = match_services.match_propose(
            request=request, supporter=supporter, user=coordinator, on=today
        )
        match_services.match_introduce(match=match, on=today, user=coordinator)
        return supporter, request, match

    own_supporter, own_request, own_match = matched("Vic", users["volunteer"], "NR30 1NE")
    # The other request is a Norwich family's: outside the Great Yarmouth manager's district.
    norwich = District.objects.get(code="E07000148")
    Postcode.objects.create(
        postcode=NORWICH_PEER_POSTCODE,
        compact=NORWICH_PEER_POSTCODE.replace(" ", ""),
        outward=NORWICH_PEER_POSTCODE.split()[0],
        latitude=52.632,
        longitude=1.298,
        district=norwich,
        area=Area.objects.filter(district=norwich).first(),
    )
    other_supporter, other_request, other_match = matched("Olu", None, NORWICH_PEER_POSTCODE)

    def group(name: str, admin: User | None) -> tuple[Any, Any]:
        registered = group_services.group_register(
            **group_fields(name=name, venue_postcode="NR30 1NE")
        )
        group_services.group_approve(group=registered, user=coordinator)
        if admin is not None:
            registered.admins.add(admin)
        help_request = group_services.startup_help_request(
            group=registered,
            kind=HelpKind.FREE_ROOM,
            purpose="A room for our first term",
            amount_requested=None,
            user=admin or coordinator,
        )
        return registered, help_request

    own_group, own_help = group("Gorleston Tots and Tea", group_admin)
    other_group, other_help = group("Someone else's group", None)
    centre = Venue.objects.create(
        name="Matrix Former Children's Centre",
        kind=VenueKind.CHILDRENS_CENTRE,
        postcode="NR30 1NE",
        latitude=52.6075,
        longitude=1.7290,
        district=world.district,
        status="closed",
    )

    def room_and_booking(name: str, booked_for: Any, days: int) -> tuple[Any, Any]:
        room = room_services.room_create(
            venue=centre,
            name=name,
            capacity=20,
            rules="Leave the room as you found it.",
            hourly_cost=Decimal("12.50"),
            user=None,
        )
        start = timezone.now().replace(microsecond=0) + timedelta(days=days)
        booking = stay_and_play_book(room=room, group=booked_for, starts_at=start, user=coordinator)
        return room, booking

    own_room, own_booking = room_and_booking("Garden room", own_group, 3)
    other_room, other_booking = room_and_booking("Hall", other_group, 4)
    # A concern the signed-in person raised themselves (when they may raise one), and one
    # raised by somebody else.
    signed_in = users[role]
    own_raiser = (
        signed_in
        if signed_in is not None and signed_in.has_perm("community.raise_concern")
        else users["volunteer"]
    )
    other_raiser = users["manager"] if own_raiser != users["manager"] else coordinator
    assert own_raiser is not None
    assert other_raiser is not None

    def concern(raiser: User) -> Any:
        return safeguarding_services.concern_raise(
            user=raiser, urgency="worried", about="A toddler", what_happened="Left alone"
        )

    def values(supporter: Any, request: Any, match: Any, **more: Any) -> Values:
        return {
            "supporter_id": supporter.pk,
            "request_id": request.pk,
            "match_id": match.pk,
            **{name: value.pk for name, value in more.items()},
        }

    return (
        values(
            own_supporter,
            own_request,
            own_match,
            concern_id=concern(own_raiser),
            group_id=own_group,
            help_id=own_help,
            room_id=own_room,
            room_booking_id=own_booking,
        ),
        values(
            other_supporter,
            other_request,
            other_match,
            concern_id=concern(other_raiser),
            group_id=other_group,
            help_id=other_help,
            room_id=other_room,
            room_booking_id=other_booking,
        ),
    )


def _directory(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Own: a listing of the charity the group admin edits (and their pending change to it), a
    request for support from the manager's district. Other: the council's listing, a request
    from another district."""
    manager = users["manager"]
    group_admin = users["community_group_admin"]
    assert manager is not None
    assert group_admin is not None
    world.charity.editors.add(group_admin)
    charity_service = Service.objects.filter(organization=world.charity).first()
    assert charity_service is not None
    change = directory_services.service_edit(
        user=group_admin,
        organization=world.charity,
        service=charity_service,
        changes={"description": "Now on Tuesdays too."},
    )
    article = directory_services.advice_article_save(
        user=manager,
        article=None,
        slug="matrix-article",
        title="An article",
        summary="A summary.",
        body="The body.",
        topic="feeding",
        status="draft",
        review_by=timezone.localdate() + timedelta(days=365),
    )

    def support_request(district_code: str, name: str) -> Any:
        return support_request_make(
            name=name, district_id=District.objects.get(code=district_code).pk, children_ages=[2]
        )

    shared = {"change_id": change.pk, "article_id": article.pk}
    return (
        {
            "service_id": charity_service.pk,
            "request_id_support": support_request("E07000145", "Alex Example").pk,
            **shared,
        },
        {
            "service_id": world.stay_and_play.pk,
            "request_id_support": support_request("E07000148", NORWICH_REQUEST_NAME).pk,
            **shared,
        },
    )


def _consult(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Consultations are county-wide: no one owns one, so own and other are two of them."""
    return (
        {"slug": consultation_build(slug="matrix-open").slug},
        {"slug": consultation_build(slug="matrix-closed", open_now=False).slug},
    )


def _planning(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Scenarios are county-wide: own and other are two scenarios, each with a finished run."""
    planner = users["planner"]
    Area.objects.filter(under_fives__isnull=True).update(
        under_fives=100.0, under_fives_is_estimate=True, population_0_15=300
    )

    def scenario(name: str) -> int:
        created = scenario_create(
            user=planner,
            fields={
                "name": name,
                "candidate_kinds": ["library"],
                "outreach_kinds": [],
                "thresholds": [15, 30],
                "number_of_bases": 1,
            },
        )
        scenario_run_enqueue(scenario=created, user=planner)
        created.refresh_from_db()
        assert created.latest_finished_run is not None, created.status
        return created.pk

    return {"scenario_id": scenario("Matrix own")}, {"scenario_id": scenario("Matrix other")}


def _outbox(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Messages are the service's, not anyone's: own and other are two stored messages."""

    def message(to: str) -> int:
        return notify.send_email(to=to, subject="Matrix", body="A message.").pk

    return {"message_id": message("own@example.org")}, {"message_id": message("other@example.org")}


def _insight(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Drill-down by district and area: the manager's own district (Great Yarmouth) and
    another (Norwich)."""
    yarmouth_area = Area.objects.filter(district__code="E07000145").order_by("code").first()
    norwich_area = Area.objects.filter(district__code="E07000148").order_by("code").first()
    assert yarmouth_area is not None
    assert norwich_area is not None
    # Figures worked out, so the dashboards and exports show them rather than "none yet".
    reach_snapshot_refresh(user=None)
    return (
        {"code": "E07000145", "area_code": yarmouth_area.code},
        {"code": "E07000148", "area_code": norwich_area.code},
    )


def _commissioning(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Own: the contract the matrix's provider manager is named on, and its draft return.
    Other: another provider's contract and return (its manager is someone else)."""

    def contract_and_return(name: str, manager: User | None) -> dict[str, int]:
        provider = directory_services.organization_upsert(
            source="test", source_reference=f"matrix-{name}", name=name, description="A provider."
        )
        contract = Contract.objects.create(
            name=f"{name} contract",
            provider=provider,
            starts_on=date(2025, 4, 1),
            ends_on=date(2028, 3, 31),
            annual_value=Decimal("1000000"),
        )
        if manager is not None:
            contract.provider_managers.add(manager)
        quarterly_return = QuarterlyReturn.objects.create(
            contract=contract,
            quarter_start=date(2025, 4, 1),
            quarter_end=date(2025, 6, 30),
            figures_as_of=date(2025, 6, 30),
        )
        ReturnMeasure.objects.create(
            quarterly_return=quarterly_return,
            code="seen_reach",
            title="Seen reach",
            definition="Families seen ÷ under-fives",
            value=0.5,
            text="50.0 %",
            target=0.6,
            target_text="60.0 %",
            tolerance=0.05,
            rating="red",
        )
        return {"contract_id": contract.pk, "return_id": quarterly_return.pk}

    other_manager = User.objects.create(username="petra-other-provider")
    other_manager.groups.add(Group.objects.get_or_create(name=Role.PROVIDER_MANAGER.value)[0])
    return (
        contract_and_return("Matrix provider", users["provider_manager"]),
        contract_and_return("Other provider", other_manager),
    )


def _referrals(*, users: dict[str, User | None], role: str, world: DirectoryWorld) -> Any:
    """Own: for the manager, a referral to the council's service they answer for; for the
    outreach worker, one they made; for everyone else one the family worker made to the charity
    whose listings the group admin keeps. Other: made by another worker to an organisation
    someone else answers for; for the manager, to the council's service about a Norwich family
    (referrals are scoped by district as family records are)."""
    group = Group.objects.get_or_create(name=Role.FAMILY_WORKER.value)[0]
    other_worker = User.objects.create(username="rita-other-referrer")
    other_worker.groups.add(group)
    other_admin = User.objects.create(username="oona-other-group-admin")
    other_admin.groups.add(Group.objects.get_or_create(name=Role.COMMUNITY_GROUP_ADMIN.value)[0])
    other_organization = directory_services.organization_upsert(
        source="test",
        source_reference="matrix-other-charity",
        name="Matrix other charity",
        description="Someone else's organisation.",
    )
    other_organization.editors.add(other_admin)
    other_service = directory_services.service_upsert(
        source="test",
        source_reference="matrix-other-charity-service",
        organization=other_organization,
        name="Matrix other drop-in",
    )
    charity_service = Service.objects.filter(organization=world.charity).first()

    def referral(referrer: User | None, service: Any, **fields: Any) -> Any:
        return referral_create(
            user=referrer,
            service=service,
            family_consent=True,
            name=fields.pop("name", "Alex Example"),
            contact_method="text",
            phone="07700 900982",
            reason="Would like support with routines.",
            **fields,
        ).pk

    if role == "manager":
        own = referral(users["family_worker"], world.stay_and_play)
        # Other: to the council's service the manager answers for, but about a Norwich family
        # (outside their district): not found, and not in their inbox.
        other = referral(other_worker, world.stay_and_play, name="Nora Jones", postcode="NR2 4AB")
        return {"referral_id": own}, {"referral_id": other}
    if role == "outreach_worker":
        own = referral(users["outreach_worker"], charity_service)
    else:
        own = referral(users["family_worker"], charity_service)
    return {"referral_id": own}, {"referral_id": referral(other_worker, other_service)}


@pytest.fixture
def world(
    role: str,
    make_user: Callable[..., User],
    family_worker: User,
    session_volunteer: User,
    yarmouth_family: Family,
    norwich_family: Family,
    next_occurrence: Occurrence,
    norwich_area: Area,
    directory_world: DirectoryWorld,
    register_family: Callable[..., Family],
    outcome_goals: list[OutcomeGoal],
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
        "provider_manager": make_user(Role.PROVIDER_MANAGER),
    }
    norwich_venue = Venue.objects.create(
        name="Norwich Millennium Library",
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
        plan = plan_start(
            user=worker,
            family=family,
            family_words="Calmer bedtimes",
            goals=outcome_goals[:1],
        )
        action = plan_action_add(
            user=worker, plan=plan, description="Try a routine", owner="Mum", due_on=tomorrow
        )
        return {
            "family_id": family.pk,
            "action_id": action.pk,
            "case_id": case.pk,
            "consent_id": consent.pk,
            "booking_id": booking.pk,
            "visit_id": visit.pk,
            "session_id": occurrence.session_id,
            "day": occurrence.date.isoformat(),
        }

    own = related(yarmouth_family, family_worker, next_occurrence)
    # A second family on the family worker's caseload (in the manager's district), for URLs
    # pairing one family with another's consent or case; and a closed (archived) one.
    second = register_family("Selina", last_name="Second", child="Sol", postcode="NR30 1NE")
    second_related = related(second, family_worker, next_occurrence)
    own["second_family_id"] = second.pk
    own["second_consent_id"] = second_related["consent_id"]
    own["second_case_id"] = second_related["case_id"]
    closed = register_family("Clara", last_name="Closed", child="Cai", postcode="NR30 1NE")
    case_open(user=family_worker, family=closed, worker=family_worker)
    Family.objects.filter(pk=closed.pk).update(
        archived_at=timezone.now(), archive_reason="Moved away"
    )
    own["closed_family_id"] = closed.pk
    other = related(norwich_family, other_worker, other_occurrence)
    # County-wide holidays, not anyone's record: two, because removing one works only once.
    for values, year in ((own, 2031), (other, 2032)):
        values["holiday_id"] = SchoolHoliday.objects.create(
            name=f"Half term {year}", start_date=date(year, 2, 17), end_date=date(year, 2, 21)
        ).pk
    own["family_id"] = yarmouth_family.pk
    # Outcome scales are the council's, no one's record: one for each column of the matrix.
    for values, code in ((own, "matrix-scale-own"), (other, "matrix-scale-other")):
        values["goal_id"] = OutcomeGoal.objects.create(code=code, title=code).pk
    # Scheduled jobs are the service's, no one's record: two cheap ones to run now.
    own["job_name"], other["job_name"] = "heartbeat", "planning-recover-stuck"
    # _referrals after _directory: the group admin keeps the charity's listings by then.
    for builder in (
        _community,
        _directory,
        _consult,
        _planning,
        _insight,
        _outbox,
        _referrals,
        _commissioning,
    ):
        own_values, other_values = builder(users=users, role=role, world=directory_world)
        own.update(own_values)
        other.update(other_values)
    register_family(
        STRANGER["carer"],
        last_name=STRANGER["last_name"],
        child=STRANGER["child"],
        postcode="NR2 4AB",
    )
    return World(users=users, own=own, other=other, forbidden=forbidden_words(role))


# Where two apps use one parameter name for different records, the World key to use instead.
PARAMETER_ALIASES = {
    ("insight:area", "code"): "area_code",
    ("directory:staff-request", "request_id"): "request_id_support",
    ("families:request", "request_id"): "request_id_support",
    # A community room booking, not a session booking (delivery's `booking_id`).
    ("community:booking-decide", "booking_id"): "room_booking_id",
    ("community:booking-use", "booking_id"): "room_booking_id",
    ("operations:run-now", "name"): "job_name",
}

ADMIN_PARAMETERS = {"app_label": "auth", "object_id": "1", "content_type_id": "1", "url": "x"}


def _expected_for(url: StaffUrl) -> tuple[str, Expected] | None:
    if url.name in ADMIN_SPECIAL:
        return ("get", ADMIN_SPECIAL[url.name])
    if url.name.startswith("admin:"):
        return ("get", ADMIN)
    return EXPECTED.get(url.name)


def _path(route: str, kwargs: dict[str, Any]) -> str:
    """The URL for a route with its parameters filled in: regular-expression routes (the ORUK
    API's) first, whose `(?P<name>...)` the converter pattern would otherwise match inside."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "").replace("/?", "/").replace("\\", "")


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
    checked, problems = matrix_problems(role, world)
    assert checked > 50
    assert problems == [], "\n".join(problems)


# --- Running the matrix ---------------------------------------------------------------------

# What a refusal looks like: sent to sign in, forbidden, or not found (a record the role may
# not know exists). A method a view does not take (405) refuses too.
REFUSED = frozenset({LOGIN, ADMIN_LOGIN, 403, 404})


def sign_in_with_two_factor(user: User, *, address: str = "198.51.100.7") -> Client:
    """A client signed in as `user` through the real pages: password, then (two-factor being
    required) the authenticator code of a confirmed device."""
    client = Client(REMOTE_ADDR=address)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Matrix phone", confirmed=True)
    # A code may be used once per 30 seconds; signing in again (after the sign-out row) is as
    # if the next 30 seconds had come.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    signed_in = client.post(
        "/staff/sign-in", {"username": user.username, "password": STAFF_PASSWORD}
    )
    assert signed_in.status_code == 302, f"{user.username} could not sign in"
    # Two-factor authentication is required: nothing is open before the code is given.
    assert client.get("/staff/")["Location"].startswith("/staff/two-factor")
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    verified = client.post("/staff/two-factor", {"token": code, "next": "/staff/"})
    assert verified.status_code == 302, f"{user.username}'s code was refused"
    return client


# The cell being checked (see Visitor.begin), for tests/web/test_authorisation_mutations.py.
CURRENT = {"cell": ""}


class Visitor:
    """One role's browser: signs in (again, after signing out) when first needed; each request
    runs in a transaction rolled back after, so a POST that works (a cancelled booking) does
    not change what the next request sees."""

    def __init__(self, user: User | None, *, only: set[str] | None = None) -> None:
        self.user = user
        self._client: Client | None = None
        self.only = only

    def begin(self, cell: str) -> bool:
        """Start one cell (a URL and relation, under one check): False when this run leaves it
        out. The cell's name is kept where a mutation run's recorder can read it."""
        CURRENT["cell"] = cell
        return self.only is None or cell in self.only

    @property
    def client(self) -> Client:
        if self._client is None:
            if self.user is None:
                self._client = Client(REMOTE_ADDR="198.51.100.7")
            else:
                self._client = sign_in_with_two_factor(self.user)
        return self._client

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        inspect: Callable[[], Any] | None = None,
    ) -> tuple[Any, str, Any]:
        """(outcome, body text, what `inspect` found before the rollback)."""
        client = self.client
        with transaction.atomic():
            if method in ("get", "post"):
                response = getattr(client, method)(path, data or {})
            else:
                response = getattr(client, method)(path)
            found = inspect() if inspect is not None else None
            transaction.set_rollback(True)
        return _outcome(response), _body(response), found

    def signed_out(self) -> None:
        self._client = None


def _body(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode(errors="replace")


def _leaks(body: str, world: World) -> list[str]:
    return [word for word in world.forbidden if word in body]


def _url_values(url: StaffUrl, values: dict[str, Any]) -> dict[str, Any]:
    if url.name.startswith("admin:"):
        return {name: ADMIN_PARAMETERS.get(name, "1") for name in url.parameters}
    return {name: values[PARAMETER_ALIASES.get((url.name, name), name)] for name in url.parameters}


def _cells(
    role: str, world: World, urls: list[StaffUrl]
) -> Iterator[tuple[StaffUrl, str, str, Any]]:
    """(url, own or other, path, expected outcome of the row's method) for every cell."""
    for url in urls:
        _method, table = _expected_for(url)  # type: ignore[misc]
        for relation, values in (("own", world.own), ("other", world.other)):
            expected = table[role][0 if relation == "own" else 1]
            if expected is None:
                continue
            if relation == "other" and (url.name.startswith("admin:") or not url.parameters):
                continue  # the same request as "own": nothing in the URL names a record
            yield url, relation, _path(url.route, _url_values(url, values)), expected


def _status_and_content(
    role: str, world: World, visitor: Visitor, urls: list[StaffUrl]
) -> Iterator[str | None]:
    """The row's own method: the status expected, and no forbidden word in what is shown."""
    for url, relation, path, expected in _cells(role, world, urls):
        if not visitor.begin(f"status {url.name or url.route} {relation}"):
            continue
        method = _expected_for(url)[0]  # type: ignore[index]
        actual, body, _ = visitor.request(method, path)
        if url.name == "accounts:logout":
            visitor.signed_out()  # signed out: the next request signs in again
        if actual != expected:
            yield f"{method.upper()} {path} ({relation}): {actual}, expected {expected}"
        elif leaked := _leaks(body, world):
            yield f"{method.upper()} {path} ({relation}) shows {leaked}"
        else:
            yield None


# Signing out, and Django's own admin pages, have their own rules for methods.
METHODS_LEFT_ALONE = ("accounts:logout", "admin:")
# Pages where reading is for more people than deciding: a POST (even an empty one) from these
# roles, on their own record, is refused though the GET is allowed. A family worker reads the
# referral they made but does not answer it; a volunteer or group admin reads the concern they
# raised but does not decide on it.
POST_REFUSED_THOUGH_GET_ALLOWED: dict[str, frozenset[str]] = {
    "referrals:detail": frozenset({"family_worker", "outreach_worker"}),
    "community:concern": frozenset({"volunteer", "community_group_admin"}),
}


def _every_method(
    role: str, world: World, visitor: Visitor, urls: list[StaffUrl]
) -> Iterator[str | None]:
    """The methods the row does not use: refused alike where the row is refused; never a
    500; PUT and DELETE answered with 405 or as the GET is (never acted on)."""
    for url, relation, path, expected in _cells(role, world, urls):
        if url.name.startswith(METHODS_LEFT_ALONE):
            continue
        if not visitor.begin(f"methods {url.name} {relation}"):
            continue
        row_method = _expected_for(url)[0]  # type: ignore[index]
        get_outcome = expected if row_method == "get" else None
        methods = ["post"] if row_method == "get" else ["get"]
        if relation == "own":
            methods += ["put", "delete"]
        for method in methods:
            actual, body, _ = visitor.request(method, path)
            if method == "get":
                get_outcome = actual
            where = f"{method.upper()} {path} ({relation}): {actual}"
            if expected in REFUSED and actual not in REFUSED | {405}:
                yield f"{where}, but {row_method.upper()} is refused ({expected})"
            elif (
                method == "post"
                and role in POST_REFUSED_THOUGH_GET_ALLOWED.get(url.name, ())
                and actual not in REFUSED
            ):
                yield f"{where}: reading is allowed, deciding is not"
            elif isinstance(actual, int) and actual >= 500:
                yield f"{where}"
            elif method in ("put", "delete") and actual not in REFUSED | {405, get_outcome}:
                yield f"{where}: neither 405 nor the GET's answer ({get_outcome})"
            elif leaked := _leaks(body, world):
                yield f"{where} shows {leaked}"
            else:
                yield None


@dataclass(frozen=True)
class NamingAnother:
    """A request to a URL of one's own record whose body (or second id) names the other
    family's record, and what it would have changed had it worked."""

    name: str
    method: str
    url_values: Callable[[World], dict[str, Any]]
    body: Callable[[World], dict[str, Any]]
    changed: Callable[[World], bool]


def _own(*names: str) -> Callable[[World], dict[str, Any]]:
    return lambda world: {name: world.own[name] for name in names}


def _referred(world: World) -> bool:
    return Referral.objects.filter(family_id=world.other["family_id"]).exists()


NAMING_ANOTHER = (
    # Booking the other worker's family (another district) on one's own session.
    NamingAnother(
        "delivery:occurrence",
        "post",
        _own("session_id", "day"),
        lambda world: {"family": world.other["family_id"]},
        lambda world: Booking.objects.filter(
            occurrence__session_id=world.own["session_id"], family_id=world.other["family_id"]
        ).exists(),
    ),
    # Ticking the other family present on one's own register.
    NamingAnother(
        "delivery:register",
        "post",
        _own("session_id", "day"),
        lambda world: {
            f"present-{world.other['family_id']}": "on",
            f"adults-{world.other['family_id']}": "1",
        },
        lambda world: Attendance.objects.filter(family_id=world.other["family_id"]).exists(),
    ),
    # Merging the other family's record into one's own (and so reading and archiving it).
    NamingAnother(
        "families:merge",
        "post",
        _own("family_id"),
        lambda world: {"duplicate": world.other["family_id"]},
        lambda world: Family.objects.filter(
            pk=world.other["family_id"], merged_into__isnull=False
        ).exists(),
    ),
    # Taking on one's own district's request for support by linking it to the other family.
    NamingAnother(
        "families:request",
        "post",
        lambda world: {"request_id": world.own["request_id_support"]},
        lambda world: {"action": "link", "family": world.other["family_id"]},
        lambda world: SupportRequest.objects.filter(
            family_record_id=world.other["family_id"]
        ).exists(),
    ),
    # Referring the other family (by its record number) to a service one may refer to.
    NamingAnother(
        "referrals:new",
        "post",
        _own("service_id"),
        lambda world: {
            "family_consent": "yes",
            "family_record": world.other["family_id"],
            "name": "A parent",
            "contact_method": "phone",
            "phone": "07700 900983",
            "reason": "Would like support with sleep.",
        },
        _referred,
    ),
    # One's own family with the other family's consent or case in the same URL.
    NamingAnother(
        "families:consent-withdraw",
        "post",
        lambda world: {
            "family_id": world.own["family_id"],
            "consent_id": world.other["consent_id"],
        },
        lambda world: {"note": "Asked us to stop"},
        lambda world: (
            Family.objects.get(pk=world.other["family_id"])
            .consents.filter(withdrawn_at__isnull=False)
            .exists()
        ),
    ),
    NamingAnother(
        "families:case-edit",
        "post",
        lambda world: {"family_id": world.own["family_id"], "case_id": world.other["case_id"]},
        lambda world: {"next_action": "Moved", "close": "on"},
        lambda world: (
            Family.objects.get(pk=world.other["family_id"])
            .cases.filter(closed_on__isnull=False)
            .exists()
        ),
    ),
)


NAMING_ANOTHER += (
    # One's own family with the consent or case of a second family the role may also see
    # (same caseload, same district): still refused, so a URL cannot act on one record while
    # showing another.
    NamingAnother(
        "families:consent-withdraw",
        "post",
        lambda world: {
            "family_id": world.own["family_id"],
            "consent_id": world.own["second_consent_id"],
        },
        lambda world: {"note": "Asked us to stop"},
        lambda world: (
            Family.objects.get(pk=world.own["second_family_id"])
            .consents.filter(withdrawn_at__isnull=False)
            .exists()
        ),
    ),
    NamingAnother(
        "families:case-edit",
        "post",
        lambda world: {"family_id": world.own["family_id"], "case_id": world.own["second_case_id"]},
        lambda world: {"next_action": "Moved", "close": "on"},
        lambda world: (
            Family.objects.get(pk=world.own["second_family_id"])
            .cases.filter(closed_on__isnull=False)
            .exists()
        ),
    ),
)


def _naming_another(
    role: str, world: World, visitor: Visitor, urls: list[StaffUrl]
) -> Iterator[str | None]:
    if role == "superuser":
        return  # a superuser may book, merge and refer any family: nothing to refuse
    routes = {url.name: url for url in urls}
    for check in NAMING_ANOTHER:
        url = routes.get(check.name)
        if url is None or not visitor.begin(f"naming {check.name}"):
            continue
        path = _path(url.route, check.url_values(world))
        actual, body, changed = visitor.request(
            check.method, path, check.body(world), inspect=partial(check.changed, world)
        )
        if changed:
            yield f"{check.method.upper()} {path} naming the other family: it worked ({actual})"
        elif isinstance(actual, int) and actual >= 500:
            yield f"{check.method.upper()} {path} naming the other family: {actual}"
        elif leaked := _leaks(body, world):
            yield f"{check.method.upper()} {path} naming the other family shows {leaked}"
        else:
            yield None


@dataclass(frozen=True)
class RefusedBody:
    """A request a role's page lets through to the form, whose body asks for something the
    role may not do (deciding where it may only read, an action that does not exist): it must
    be refused (signed out, 403 or 404), for each role named."""

    name: str
    method: str
    url_values: Callable[[World], dict[str, Any]]
    body: dict[str, Any]
    refused_for: frozenset[str]


def _in_a_week() -> str:
    return (timezone.localdate() + timedelta(days=7)).isoformat()


GROUP_PEOPLE = frozenset({"superuser", "manager", "volunteer_coordinator", "community_group_admin"})
REFUSED_BODIES = (
    # A group admin reaches the decision on their own listing change, but only council staff
    # approve or reject (the service refuses).
    RefusedBody(
        "directory:staff-change-decide",
        "post",
        _own("change_id"),
        {"decision": "approve"},
        frozenset({"community_group_admin"}),
    ),
    RefusedBody(
        "directory:staff-change-decide",
        "post",
        _own("change_id"),
        {"decision": "reject", "reason": "Not what we offer"},
        frozenset({"community_group_admin"}),
    ),
    # A group admin opens their own group's page but does not approve or reject groups.
    RefusedBody(
        "community:group",
        "post",
        _own("group_id"),
        {"action": "approve"},
        frozenset({"community_group_admin"}),
    ),
    RefusedBody(
        "community:group",
        "post",
        _own("group_id"),
        {"action": "reject", "review-notes": "Not a group for under-fives"},
        frozenset({"community_group_admin"}),
    ),
    # An action no form offers.
    RefusedBody("community:group", "post", _own("group_id"), {"action": "delete"}, GROUP_PEOPLE),
    # A group admin books rooms for their own groups only: not for no group at all.
    RefusedBody(
        "community:room",
        "post",
        _own("room_id"),
        {
            "booking-organisation_name": "Anyone at all",
            "booking-purpose": "A party",
            "booking-day": _in_a_week(),
            "booking-starts_at": "10:00",
            "booking-ends_at": "11:00",
            "booking-benefits_under_fives": "on",
        },
        frozenset({"community_group_admin"}),
    ),
    # A closed (archived) record is read, never changed, even by those who may see it.
    RefusedBody(
        "families:edit",
        "get",
        lambda world: {"family_id": world.own["closed_family_id"]},
        {},
        frozenset({"superuser", "manager", "family_worker"}),
    ),
)


def _refused_bodies(
    role: str, world: World, visitor: Visitor, urls: list[StaffUrl]
) -> Iterator[str | None]:
    routes = {url.name: url for url in urls}
    for number, check in enumerate(REFUSED_BODIES):
        url = routes.get(check.name)
        if url is None or role not in check.refused_for:
            continue
        if not visitor.begin(f"body {check.name} {number}"):
            continue
        path = _path(url.route, check.url_values(world))
        actual, body, _ = visitor.request(check.method, path, check.body)
        where = f"{check.method.upper()} {path} with {check.body}: {actual}"
        if actual not in REFUSED:
            yield f"{where}, expected a refusal"
        elif leaked := _leaks(body, world):
            yield f"{where} shows {leaked}"
        else:
            yield None


# Ids that name no record, by the route's converter.
MISSING = {"int": "987654321", "uuid": "00000000-0000-4000-8000-000000000000"}


def _missing_value(route: str, parameter: str) -> str | None:
    found = re.search(rf"<(\w+):{parameter}>", route)
    converter = found.group(1) if found else "str"
    return MISSING.get(converter, "no-such-record" if parameter.endswith("_id") else None)


def _missing_records(
    role: str, world: World, visitor: Visitor, urls: list[StaffUrl]
) -> Iterator[str | None]:
    """Each id in a URL the role may open, replaced by one naming no record: not found (404),
    never a 500, never answered as if found, and not a 403 (which would mean the lookup's own
    check is gone and a later check stands in for it), unless the URL names two records."""
    for url, relation, _path_own, expected in _cells(role, world, urls):
        if relation != "own" or expected in REFUSED or url.name.startswith("admin:"):
            continue
        method = _expected_for(url)[0]  # type: ignore[index]
        values = _url_values(url, world.own)
        ids = [p for p in url.parameters if _missing_value(url.route, p) is not None]
        # Where a URL names two records (a family and its consent), the other record is found
        # first and the pair refused as not belonging together (403).
        answers = {404} if len(ids) == 1 else {403, 404}
        for parameter in ids:
            if not visitor.begin(f"missing {url.name} {parameter}"):
                continue
            missing = _missing_value(url.route, parameter)
            path = _path(url.route, {**values, parameter: missing})
            actual, _body, _ = visitor.request(method, path)
            if actual not in answers:
                yield f"{method.upper()} {path} (no such record): {actual}, expected 404"
            else:
                yield None


CHECKS = (_status_and_content, _every_method, _naming_another, _refused_bodies, _missing_records)


def matrix_problems(
    role: str, world: World, *, stop_at_first: bool = False, only: set[str] | None = None
) -> tuple[int, list[str]]:
    """Every check of the matrix for one role: (requests checked, problems found). A mutation
    run checks `only` the cells named, and stops at the first problem."""
    urls = staff_urls()
    visitor = Visitor(world.users[role], only=only)
    checked = 0
    problems: list[str] = []
    for check in CHECKS:
        for problem in check(role, world, visitor, urls):
            checked += 1
            if problem is not None:
                problems.append(problem)
                if stop_at_first:
                    return checked, problems
    return checked, problems


@pytest.mark.parametrize("role", ["volunteer"])
def test_a_volunteer_sees_only_their_own_match_and_only_what_they_need(
    role: str, world: World
) -> None:
    """Status codes alone would not catch a page that shows too much: the volunteer's page
    names the family they support (first name, how to get in touch, needs) and no one else."""
    user = world.users[role]
    assert user is not None
    client = sign_in_with_two_factor(user)
    page = client.get(reverse("community:my-matches")).content.decode()
    assert "Parent of Vic" in page
    assert "Twins, very tired" in page
    assert "Parent of Olu" not in page  # the other volunteer's family
