"""Writes: the hooks other domains call, editing with the approval queue, assurance reminders."""

from collections.abc import Callable, Iterator
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services
from familyreach.directory.models import (
    ChangeStatus,
    ListingChange,
    Location,
    Schedule,
    Service,
)
from familyreach.directory.services import ScheduleSpec
from familyreach.geo.models import Venue, VenueKind
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.outbox import forget_stored_messages, stored_messages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_outbox() -> Iterator[None]:
    forget_stored_messages()
    yield
    forget_stored_messages()


def test_service_upsert_is_idempotent_and_replaces_its_parts(
    directory_world: DirectoryWorld,
) -> None:
    arguments: dict[str, Any] = {
        "source": "delivery.session",
        "source_reference": "session-42",
        "organization": directory_world.council,
        "name": "Rhyme time",
        "categories": ["early-language"],
        "location": directory_world.yarmouth_library,
        "schedules": [ScheduleSpec(time(10), time(11), byday="TU")],
        "cost": Decimal("1.50"),
    }
    first = services.service_upsert(**arguments)
    again = services.service_upsert(**arguments)
    assert first.pk == again.pk
    assert Service.objects.filter(source_reference="session-42").count() == 1
    assert Schedule.objects.filter(service=first).count() == 1
    assert first.cost_options.get().amount == Decimal("1.50")
    moved = services.service_upsert(
        **{
            **arguments,
            "location": directory_world.gorleston_library,
            "schedules": [ScheduleSpec(time(14), time(15), freq="", dtstart=date(2026, 5, 6))],
            "cost": None,
        }
    )
    assert [sal.location for sal in moved.service_at_locations.all()] == [
        directory_world.gorleston_library
    ]
    schedule = Schedule.objects.get(service=moved)
    assert schedule.freq == ""
    assert schedule.byday == "WE"  # one-off events carry their weekday for day filters
    assert not moved.cost_options.exists()


def test_service_upsert_refuses_unknown_terms_and_rolls_back(
    directory_world: DirectoryWorld,
) -> None:
    with pytest.raises(ValidationError, match="Unknown early-years terms: knitting"):
        services.service_upsert(
            source="delivery.session",
            source_reference="bad",
            organization=directory_world.council,
            name="Knitting",
            categories=["knitting"],
        )
    assert not Service.objects.filter(source_reference="bad").exists()


def test_publish_adopted_network_marks_bases(directory_world: DirectoryWorld) -> None:
    district = directory_world.district
    new_base = Venue.objects.create(
        name="Caister Family Base",
        kind=VenueKind.CHILDRENS_CENTRE,
        address="High Street, Caister-on-Sea",
        postcode="NR30 5EH",
        latitude=52.65,
        longitude=1.72,
        district=district,
    )
    hall = Venue.objects.create(
        name="Martham Village Hall",
        kind=VenueKind.VILLAGE_HALL,
        address="Repps Road, Martham",
        postcode="NR29 4QT",
        latitude=52.70,
        longitude=1.63,
        district=district,
    )
    old_base = directory_world.yarmouth_base
    assert old_base.is_family_base
    locations = services.publish_adopted_network(bases=[new_base], outreach_venues=[hall])
    assert [location.name for location in locations] == [
        "Caister Family Base",
        "Martham Village Hall",
    ]
    assert Location.objects.get(venue=new_base).is_family_base
    assert not Location.objects.get(venue=hall).is_family_base
    old_base.refresh_from_db()
    assert not old_base.is_family_base  # no longer a base in the adopted network
    address = Location.objects.get(venue=hall).addresses.get()
    assert (address.address_1, address.city, address.postal_code) == (
        "Repps Road",
        "Martham",
        "NR29 4QT",
    )
    # Running it again changes nothing.
    services.publish_adopted_network(bases=[new_base], outreach_venues=[hall])
    assert Location.objects.filter(venue__in=[new_base, hall]).count() == 2


def test_council_staff_edit_directly_and_every_change_is_versioned(
    directory_world: DirectoryWorld, manager: User
) -> None:
    service = directory_world.stay_and_play
    saved = services.service_edit(
        user=manager,
        organization=service.organization,
        service=service,
        changes={"name": "Stay and play (library)", "categories": ["stay-and-play"]},
    )
    assert isinstance(saved, Service)
    service.refresh_from_db()
    assert service.name == "Stay and play (library)"
    assert service.modified_by == manager
    entry = (
        LogEntry.objects.get_for_object(service)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("timestamp")
    )
    assert entry.actor == manager
    assert "name" in entry.changes_dict


def test_community_group_changes_wait_for_approval(
    client: Client, directory_world: DirectoryWorld, make_user: Callable[..., User], manager: User
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN)
    directory_world.charity.editors.add(admin)
    baby_group = directory_world.baby_group
    client.force_login(admin)
    form = {
        "name": "Baby group in Gorleston (new day)",
        "status": "active",
        "minimum_age": "0",
        "maximum_age": "1",
        "categories": ["baby-groups"],
        "delivery_methods": ["in-person"],
    }
    response = client.post(f"/staff/directory/services/{baby_group.pk}/edit", form)
    assert response.status_code == 302
    baby_group.refresh_from_db()
    assert baby_group.name == "Baby group in Gorleston"  # not published yet
    change = ListingChange.objects.get()
    assert change.status == ChangeStatus.PENDING
    assert change.created_by == admin

    # They cannot touch another organisation's listing, nor approve their own change.
    assert (
        client.get(f"/staff/directory/services/{directory_world.stay_and_play.pk}/edit").status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.listing_change_approve(change=change, user=admin)

    client.force_login(manager)
    queue = client.get("/staff/directory/changes/").content.decode()
    assert "Baby group in Gorleston (new day)" in queue
    client.post(f"/staff/directory/changes/{change.pk}", {"decision": "approve"})
    baby_group.refresh_from_db()
    change.refresh_from_db()
    assert baby_group.name == "Baby group in Gorleston (new day)"
    assert change.status == ChangeStatus.APPROVED
    assert change.decided_by == manager
    assert baby_group.assured_date == timezone.localdate()


def test_rejecting_needs_a_reason(
    directory_world: DirectoryWorld, make_user: Callable[..., User], manager: User
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN)
    directory_world.charity.editors.add(admin)
    change = services.service_edit(
        user=admin,
        organization=directory_world.charity,
        service=None,
        changes={"name": "New group"},
    )
    assert isinstance(change, ListingChange)
    with pytest.raises(ValidationError):
        services.listing_change_reject(change=change, user=manager, reason=" ")
    services.listing_change_reject(
        change=change, user=manager, reason="Duplicate of an existing group"
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert not Service.objects.filter(name="New group").exists()


def test_invalid_proposals_are_refused_at_once(
    directory_world: DirectoryWorld, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN)
    directory_world.charity.editors.add(admin)
    with pytest.raises(ValidationError):
        services.service_edit(
            user=admin,
            organization=directory_world.charity,
            service=directory_world.baby_group,
            changes={"minimum_age": 5, "maximum_age": 1},
        )
    assert not ListingChange.objects.exists()


def test_staff_listing_page_flags_unassured_listings(
    client: Client, directory_world: DirectoryWorld, manager: User
) -> None:
    stale = directory_world.feeding
    stale.assured_date = timezone.localdate() - timedelta(days=200)
    stale.save()
    client.force_login(manager)
    html = client.get("/staff/directory/").content.decode()
    assert "1 listing has not been checked since" in html
    client.post(f"/staff/directory/services/{stale.pk}/assure")
    stale.refresh_from_db()
    assert stale.assured_date == timezone.localdate()


def test_the_staff_directory_is_for_managers_and_group_admins(
    client: Client, directory_world: DirectoryWorld, planner: User
) -> None:
    client.force_login(planner)
    assert client.get("/staff/directory/").status_code == 403


def test_remind_unassured_sends_each_owner_their_listings(
    directory_world: DirectoryWorld, make_user: Callable[..., User]
) -> None:
    owner = make_user(Role.MANAGER, email="owner@example.org")
    old = timezone.localdate() - timedelta(days=190)
    for service in (directory_world.stay_and_play, directory_world.feeding):
        service.owner = owner
        service.assured_date = old
        service.save()
    directory_world.baby_group.assured_date = old
    directory_world.baby_group.save()  # no owner: goes to the charity's address
    call_command("directory_remind_unassured")
    by_recipient = {message.to: message for message in stored_messages()}
    assert set(by_recipient) == {"owner@example.org", "hello@home-start.example.org"}
    assert "2 directory listings need checking" in by_recipient["owner@example.org"].subject
    assert "Stay and play at Great Yarmouth Library" in by_recipient["owner@example.org"].body
    assert "Parenting course online" not in by_recipient["owner@example.org"].body
