"""Editing where a listing is, when it runs each week and what it costs: council staff save at
once (versioned), community group admins send it for approval; bad input is refused with the
field named and nothing saved; one-off dates are kept."""

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.directory import services
from familyreach.directory.models import ListingChange, Schedule, Service
from tests.fixtures.directory import DirectoryWorld

pytestmark = pytest.mark.django_db


def _form(service: Service, **changes: str) -> dict[str, object]:
    """The edit form as a browser sends it after the editor's changes."""
    return {
        "name": service.name,
        "description": service.description,
        "status": "active",
        "minimum_age": "0",
        "maximum_age": "4",
        "categories": ["stay-and-play"],
        "delivery_methods": ["in-person"],
        **changes,
    }


def _weekly(service: Service) -> list[tuple[str, time | None, time | None, str | None]]:
    return [
        (
            s.byday,
            s.opens_at,
            s.closes_at,
            s.service_at_location.location.name if s.service_at_location else None,
        )
        for s in service.schedules.filter(freq="WEEKLY").order_by("byday")
    ]


def test_staff_move_a_listing_set_its_weekly_times_and_price(
    client: Client, directory_world: DirectoryWorld, manager: User
) -> None:
    service = directory_world.stay_and_play
    one_off = Schedule.objects.create(
        service=service,
        dtstart=date(2026, 12, 23),
        byday="WE",
        opens_at=time(10),
        closes_at=time(12),
    )
    client.force_login(manager)
    page = client.get(f"/staff/directory/services/{service.pk}/edit").content.decode()
    assert 'value="10:00"' in page  # the current weekly time is shown to change
    response = client.post(
        f"/staff/directory/services/{service.pk}/edit",
        _form(
            service,
            location=str(directory_world.yarmouth_base.pk),
            day_1="TU",
            opens_1="09:30",
            closes_1="11:00",
            day_2="TH",
            opens_2="13.30",
            closes_2="15:00",
            cost_amount="2.50",
        ),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert _weekly(service) == [
        ("TH", time(13, 30), time(15), "Great Yarmouth Family Base"),
        ("TU", time(9, 30), time(11), "Great Yarmouth Family Base"),
    ]
    assert [p.location_id for p in service.service_at_locations.all()] == [
        directory_world.yarmouth_base.pk
    ]
    assert Schedule.objects.filter(pk=one_off.pk).exists()  # the one-off date is kept
    assert [c.amount for c in service.cost_options.all()] == [Decimal("2.50")]
    assert LogEntry.objects.get_for_object(service).filter(actor=manager).exists()
    # The public API now says so.
    item = client.get(f"/openreferral/services/{service.pk}").json()
    assert {s["byday"] for s in item["schedules"] if s.get("freq") == "WEEKLY"} == {"TU", "TH"}
    assert [c["amount"] for c in item["cost_options"]] == [2.5]

    # Online only, free: no place, no price.
    client.post(
        f"/staff/directory/services/{service.pk}/edit",
        _form(service, location="", day_1="TU", opens_1="09:30", closes_1="11:00"),
    )
    service.refresh_from_db()
    assert not service.service_at_locations.exists()
    assert not service.has_venue
    assert not service.cost_options.exists()
    assert _weekly(service) == [("TU", time(9, 30), time(11), None)]


def test_bad_times_and_prices_are_named_and_nothing_is_saved(
    client: Client, directory_world: DirectoryWorld, manager: User
) -> None:
    service = directory_world.stay_and_play
    before = _weekly(service)
    client.force_login(manager)
    response = client.post(
        f"/staff/directory/services/{service.pk}/edit",
        _form(
            service,
            location=str(directory_world.yarmouth_library.pk),
            day_1="TU",
            day_2="WE",
            opens_2="11:00",
            closes_2="10:00",
            day_3="FR",
            opens_3="10am",
            closes_3="11:00",
            cost_amount="two pounds",
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give the day, the start time and the end time" in page
    assert "The end time must be after the start time" in page
    assert "Enter a time like 10:00" in page
    assert "Enter the price as an amount in pounds, like 2.50" in page
    assert _weekly(service) == before


def test_group_admins_propose_times_place_and_price_for_approval(
    client: Client,
    directory_world: DirectoryWorld,
    make_user: Callable[..., User],
    manager: User,
) -> None:
    admin = make_user(Role.COMMUNITY_GROUP_ADMIN)
    directory_world.charity.editors.add(admin)
    baby_group = directory_world.baby_group
    client.force_login(admin)
    client.post(
        f"/staff/directory/services/{baby_group.pk}/edit",
        _form(
            baby_group,
            maximum_age="1",
            location=str(directory_world.gorleston_library.pk),
            day_1="FR",
            opens_1="10:00",
            closes_1="11:30",
            cost_amount="",
        ),
    )
    baby_group.refresh_from_db()
    assert _weekly(baby_group)[0][0] == "WE"  # not published yet
    change = ListingChange.objects.get()
    assert change.changes["weekly_times"] == [
        {"day": "FR", "opens_at": "10:00", "closes_at": "11:30"}
    ]
    # The approver reads it in words.
    client.force_login(manager)
    queue = client.get("/staff/directory/changes/").content.decode()
    assert "Friday 10:00 to 11:30" in queue
    # The place was Gorleston Library already: the queue lists only what changes.
    assert "Gorleston Library" not in queue
    services.listing_change_approve(change=change, user=manager)
    assert _weekly(baby_group) == [("FR", time(10), time(11, 30), "Gorleston Library")]
    assert not baby_group.cost_options.exists()  # now free

    # A proposal naming a place that is not in the directory is refused at once.
    with pytest.raises(ValidationError, match="not in the directory"):
        services.service_edit(
            user=admin,
            organization=directory_world.charity,
            service=baby_group,
            changes={
                "location_id": "00000000-0000-0000-0000-000000000000",
                "weekly_times": [],
                "cost_amount": "",
            },
        )
    assert ListingChange.objects.count() == 1
