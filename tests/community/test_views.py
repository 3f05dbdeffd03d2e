"""The community pages: every page renders for the people it is for, forms say what is wrong,
and the authorisation matrix of URLs × roles holds."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import transaction
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community.models import CommunityGroup, Concern, Match, RoomBooking
from familyreach.community.services import groups as group_services
from tests.fixtures.community import COMMUNITY_TODAY, GROUP_REGISTRATION
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db


def _urls(community_world: dict[str, Any]) -> dict[str, str]:
    base = "/staff/community/"
    return {
        "home": base,
        "volunteers": f"{base}volunteers/",
        "volunteer-new": f"{base}volunteers/new",
        "volunteer": f"{base}volunteers/{community_world['supporter'].pk}/",
        "expiries": f"{base}expiries/",
        "requests": f"{base}requests/",
        "request-new": f"{base}requests/new",
        "request": f"{base}requests/{community_world['request'].pk}/",
        "matches": f"{base}matches/",
        "match": f"{base}matches/{community_world['match'].pk}/",
        "my-matches": f"{base}my-matches/",
        "concerns": f"{base}concerns/",
        "concern-raise": f"{base}concerns/raise",
        "concern": f"{base}concerns/{community_world['concern'].pk}/",
        "groups": f"{base}groups/",
        "group": f"{base}groups/{community_world['group'].pk}/",
        "other-group": f"{base}groups/{community_world['other_group'].pk}/",
        "rooms": f"{base}rooms/",
        "room": f"{base}rooms/{community_world['room'].pk}/",
        "register": "/community-groups/register",
    }


# Which pages each role may open (200); everything else must be refused (403 or 404).
EVERY_PAGE = {
    "home", "volunteers", "volunteer-new", "volunteer", "expiries", "requests", "request-new",
    "request", "matches", "match", "concerns", "concern-raise", "concern", "groups", "group",
    "other-group", "rooms", "room", "register",
}  # fmt: skip
ALLOWED: dict[str, set[str]] = {
    # Coordinators and managers see everything but a volunteer's own page of matches.
    "coordinator": EVERY_PAGE,
    "manager": EVERY_PAGE,
    # The volunteer raised the concern, so may read it back.
    "volunteer": {"home", "my-matches", "concern-raise", "concern", "register"},
    "group_admin": {"home", "concern-raise", "groups", "group", "rooms", "room", "register"},
    # A volunteer who is not matched and raised nothing: only the pages for every volunteer.
    "other_volunteer": {"home", "my-matches", "concern-raise", "register"},
    "planner": {"register"},
    "family_worker": {"register"},
    "outreach_worker": {"register"},
    "superuser": EVERY_PAGE,
}

# Form posts that change state: coordinators (and superusers) succeed with a redirect back,
# everyone else is refused before anything changes.
POSTS = ("booking-decide", "booking-use", "help-decide")
POSTS_ALLOWED = {
    "coordinator": set(POSTS),
    "manager": set(POSTS),
    "superuser": set(POSTS),
    # A group admin counts the use of their own group's bookings (not decide on them).
    "group_admin": {"booking-use"},
}


def _posts(community_world: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    from familyreach.community.models import StartUpHelp

    help_request = StartUpHelp.objects.create(
        group=community_world["group"], kind="free_room", purpose="A room on Tuesdays"
    )
    base = "/staff/community/"
    booking = community_world["booking"].pk
    return {
        "booking-decide": (f"{base}bookings/{booking}/decide", {"decision": "approve"}),
        "booking-use": (f"{base}bookings/{booking}/use", {"people": "3"}),
        "help-decide": (f"{base}help/{help_request.pk}/decide", {"status": "declined"}),
    }


def test_every_community_url_is_in_the_matrix() -> None:
    from django.urls import get_resolver

    names = {
        pattern.name
        for resolver in get_resolver().url_patterns
        if getattr(resolver, "namespace", None) == "community"
        for pattern in resolver.url_patterns  # type: ignore[union-attr]
    }
    covered = {"home", "volunteer-new", "request-new", "concern-raise", *POSTS}
    covered |= {"volunteers", "volunteer", "expiries", "requests", "request", "matches"}
    covered |= {"match", "my-matches", "concerns", "concern", "groups", "group", "rooms", "room"}
    covered |= {"group-register", "group-registered"}  # public pages
    covered |= {"refer-family"}  # needs a family record: tests/community/test_referral.py
    assert names == covered


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_authorisation_matrix(
    role: str,
    community_world: dict[str, Any],
    coordinator: Any,
    volunteer_user: Any,
    group_admin: Any,
    manager: Any,
    planner: Any,
    family_worker: Any,
    make_user: Callable[..., Any],
    signed_in: Callable[[User], Client],
) -> None:
    users = {
        "coordinator": coordinator,
        "manager": manager,
        "volunteer": volunteer_user,
        "other_volunteer": make_user(Role.VOLUNTEER),
        "group_admin": group_admin,
        "planner": planner,
        "family_worker": family_worker,
        "outreach_worker": make_user(Role.OUTREACH_WORKER),
        "superuser": make_user(None, is_superuser=True, is_staff=True),
    }
    client = signed_in(users[role])
    results = {}
    for name, url in _urls(community_world).items():
        results[name] = client.get(url).status_code
    allowed = {name for name, status in results.items() if status == 200}
    assert allowed == ALLOWED[role], results
    refused = {status for name, status in results.items() if name not in ALLOWED[role]}
    assert refused <= {403, 404}, results

    for name, (url, data) in _posts(community_world).items():
        with transaction.atomic():
            status = client.post(url, data).status_code
            transaction.set_rollback(True)  # each post sees the same world
        if name in POSTS_ALLOWED.get(role, set()):
            assert status == 302, (name, status)
        else:
            assert status in (403, 404), (name, status)


def test_signed_out_people_are_sent_to_sign_in(
    community_world: dict[str, Any], client: Client
) -> None:
    for name, url in _urls(community_world).items():
        response = client.get(url)
        if name == "register":
            assert response.status_code == 200
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith("/staff/sign-in"), name


def test_a_volunteer_sees_only_what_their_match_needs_and_it_is_audited(
    community_world: dict[str, Any], volunteer_user: Any, signed_in: Callable[[User], Client]
) -> None:
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    response = signed_in(volunteer_user).get("/staff/community/my-matches/")
    page = response.content.decode()
    assert "Sam" in page
    assert "Text 07700 900123" in page
    assert "Twins, very tired" in page
    assert "NR30 1NE" not in page  # no address or postcode
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1


def test_coordinator_reads_are_audited(
    community_world: dict[str, Any], coordinator: Any, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    for url in (
        f"/staff/community/volunteers/{community_world['supporter'].pk}/",
        f"/staff/community/matches/{community_world['match'].pk}/",
        f"/staff/community/concerns/{community_world['concern'].pk}/",
    ):
        before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
        assert client.get(url).status_code == 200
        assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1, url


def test_volunteer_raises_a_concern_through_the_form(
    volunteer_user: Any, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(volunteer_user)
    forget_stored_messages()
    response = client.post("/staff/community/concerns/raise", {})
    assert response.status_code == 400
    assert "Select how urgent it is" in response.content.decode()
    response = client.post(
        "/staff/community/concerns/raise",
        {"urgency": "today", "about": "Baby J", "what_happened": "Shouting and a slap heard"},
    )
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/community/concerns/{concern.pk}/?sent=1"
    page = client.get(response["Location"]).content.decode()
    assert concern.reference in page
    assert [m.to for m in stored_messages()] == ["duty-safeguarding@example.org"]


def test_group_registers_through_the_public_form(client: Client, community_geography: Any) -> None:
    response = client.post("/community-groups/register", {"name": "Dads Do Play"})
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Name the group&#39;s safeguarding lead" in page
        or "Name the group's safeguarding lead" in page
    )
    assert not CommunityGroup.objects.exists()
    response = client.post(
        "/community-groups/register",
        {**GROUP_REGISTRATION, "policy_url": "https://example.org/policy"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    group = CommunityGroup.objects.get()
    assert group.venue_postcode == "NR31 6AA"
    assert [(leader.name, leader.is_safeguarding_lead) for leader in group.leaders.all()] == [
        ("Leo Dad", True)
    ]
    assert client.get(response["Location"]).status_code == 200


def test_coordinator_proposes_from_the_ranked_list(
    community_world: dict[str, Any],
    coordinator: Any,
    make_supporter: Callable[..., Any],
    signed_in: Callable[[User], Client],
) -> None:
    other = make_supporter("Wren", on=timezone.localdate(), experiences=["twins"])
    client = signed_in(coordinator)
    url = f"/staff/community/requests/{community_world['request'].pk}/"
    page = client.get(url).content.decode()
    assert "Wren Tester" in page
    assert "Shared experience: twins or more" in page
    response = client.post(url, {"supporter": other.pk})
    match = Match.objects.get(supporter=other)
    assert response["Location"] == f"/staff/community/matches/{match.pk}/"


def test_room_booking_form_refuses_a_clash(
    community_world: dict[str, Any], group_admin: Any, signed_in: Callable[[User], Client]
) -> None:
    booking = community_world["booking"]
    start = timezone.localtime(booking.starts_at)
    client = signed_in(group_admin)
    approved_group = community_world["group"]
    group_services.group_approve(group=approved_group, user=community_world["match"].confirmed_by)
    response = client.post(
        f"/staff/community/rooms/{community_world['room'].pk}/",
        {
            "booking-group": str(approved_group.pk),
            "booking-purpose": "Baby signing",
            "booking-day": start.date().isoformat(),
            "booking-starts_at": (start + timedelta(minutes=30)).strftime("%H:%M"),
            "booking-ends_at": (start + timedelta(hours=3)).strftime("%H:%M"),
            "booking-benefits_under_fives": "on",
        },
    )
    assert response.status_code == 400
    assert "already booked" in response.content.decode()
    assert RoomBooking.objects.count() == 1


def test_pages_keep_a_fixed_number_of_queries(
    community_world: dict[str, Any],
    coordinator: Any,
    make_supporter: Callable[..., Any],
    django_assert_max_num_queries: Any,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(coordinator)
    client.get("/staff/community/volunteers/")  # warm the session and permission caches
    with django_assert_max_num_queries(12) as first:
        client.get("/staff/community/volunteers/")
    for name in ("Xan", "Yve", "Zed"):
        make_supporter(name, on=COMMUNITY_TODAY)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/staff/community/volunteers/")


def test_coordinator_records_an_application(
    coordinator: Any, community_geography: Any, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    url = "/staff/community/volunteers/new"
    response = client.post(url, {"first_name": "Ola"})
    assert response.status_code == 400
    assert "Enter a last name" in response.content.decode()
    response = client.post(
        url,
        {
            "first_name": "Ola",
            "last_name": "Berg",
            "contact_route": "Through the coordinator",
            "home_postcode": "nr1 3ju",
            "applied_on": "2026-02-01",
            "languages": "english, norwegian",
            "experiences": ["twins"],
            "availability": ["mon_am"],
            "districts": ["E07000145"],
            "max_travel_minutes": "45",
            "max_families": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from familyreach.community.models import PeerSupporter

    supporter = PeerSupporter.objects.get(first_name="Ola")
    assert supporter.languages == ["English", "Norwegian"]
    assert supporter.home_postcode == "NR1 3JU"
    assert sorted(d.code for d in supporter.districts.all()) == ["E07000145", "E07000148"]
    assert supporter.status == "applied"
