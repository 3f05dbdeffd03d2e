"""Delivery pages: the week, sessions, bookings, the register, walk-ins, visits, public booking."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from markupsafe import escape

from familyreach.accounts.models import User
from familyreach.delivery.models import Booking, Contact, Occurrence, Session, Visit
from familyreach.delivery.services import booking_create, visit_schedule
from familyreach.families.models import Family
from familyreach.geo.models import Area
from tests.fixtures.families import PUBLIC_BOOKING_FORM
from tests.fixtures.outbox import booking_confirmation_path
from tests.govuk_forms import date_fields

pytestmark = pytest.mark.django_db


def _path(occurrence: Occurrence, suffix: str = "") -> str:
    return (
        f"/staff/sessions/{occurrence.session_id}/occurrences/{occurrence.date.isoformat()}{suffix}"
    )


def test_staff_home_is_the_workers_week(
    family_worker: User,
    next_occurrence: Occurrence,
    yarmouth_family: Family,
    signed_in: Callable[[User], Client],
) -> None:
    visit_schedule(
        user=family_worker,
        family=yarmouth_family,
        worker=family_worker,
        kind="home_visit",
        scheduled_at=timezone.now() + timedelta(minutes=1),  # still this week on a Sunday night
    )
    client = signed_in(family_worker)
    html = client.get(f"/staff/?week={next_occurrence.date.isoformat()}").content.decode()
    assert "My week from" in html
    assert "Baby group" in html
    assert _path(next_occurrence, "/register") in html
    this_week = client.get("/staff/").content.decode()
    assert "Home visit: Amy Smith" in this_week


def test_planner_keeps_the_plain_staff_home(
    planner: User, signed_in: Callable[[User], Client]
) -> None:
    html = signed_in(planner).get("/staff/").content.decode()
    assert "Hello" in html
    assert "My week from" not in html


def test_sessions_pages_and_creating_a_session(
    family_worker: User,
    baby_group: Session,
    yarmouth_library: object,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(family_worker)
    assert "Baby group" in client.get("/staff/sessions/").content.decode()
    assert client.get(f"/staff/sessions/{baby_group.pk}").status_code == 200
    assert client.get(f"/staff/sessions/{baby_group.pk}/edit").status_code == 200
    assert client.get("/staff/sessions/new").status_code == 200
    start = timezone.localdate() + timedelta(days=3)
    response = client.post(
        "/staff/sessions/new",
        {
            "title": "Rhyme time",
            "category": "stay_and_play",
            "venue": yarmouth_library.pk,  # type: ignore[attr-defined]
            "capacity": "12",
            "age_from_months": "0",
            "age_to_months": "48",
            "booking_mode": "booked",
            "recurrence": "fortnightly",
            "start_date-day": str(start.day),
            "start_date-month": str(start.month),
            "start_date-year": str(start.year),
            "start_time": "13:30",
            "end_time": "14:30",
            "staff": [str(family_worker.pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    session = Session.objects.get(title="Rhyme time")
    assert session.occurrences.count() >= 6
    bad = client.post("/staff/sessions/new", {"title": "", "start_time": "2pm"})
    assert "Enter the session" in bad.content.decode()
    assert "Enter a time like 10:00" in bad.content.decode()


def test_booking_from_the_occurrence_page_and_cancelling_promotes(
    family_worker: User,
    next_occurrence: Occurrence,
    register_family: Callable[..., Family],
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(family_worker)
    families = [register_family(f"P{i}", child=f"C{i}") for i in range(4)]
    for family in families[:3]:
        booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
    # Staff can book a family they can see: families booked on their sessions are visible.
    response = client.post(_path(next_occurrence), {"family": families[3].pk})
    assert response.status_code == 200  # not yet visible to this worker: refused kindly
    assert "No family with that number" in response.content.decode()
    from familyreach.families.services import case_open

    case_open(user=None, family=families[3], worker=family_worker)
    response = client.post(_path(next_occurrence), {"family": families[3].pk})
    assert response.status_code == 302
    assert Booking.objects.get(family=families[3]).status == "waiting"
    page = client.get(_path(next_occurrence)).content.decode()
    assert "Waiting list (1)" in page
    first = Booking.objects.get(family=families[0])
    response = client.post(f"/staff/bookings/{first.pk}/cancel", {"next": _path(next_occurrence)})
    assert response.status_code == 302
    assert Booking.objects.get(family=families[3]).status == "confirmed"


def test_register_ticks_walk_in_and_close(
    family_worker: User,
    past_occurrence: Occurrence,
    yarmouth_family: Family,
    norwich_family: Family,
    signed_in: Callable[[User], Client],
) -> None:
    Booking.objects.create(
        occurrence=past_occurrence, family=yarmouth_family, status="confirmed", channel="staff"
    )
    Booking.objects.create(
        occurrence=past_occurrence, family=norwich_family, status="confirmed", channel="staff"
    )
    client = signed_in(family_worker)
    page = client.get(_path(past_occurrence, "/register")).content.decode()
    assert f'name="present-{yarmouth_family.pk}"' in page
    response = client.post(
        _path(past_occurrence, "/register"),
        {
            f"present-{yarmouth_family.pk}": "on",
            f"adults-{yarmouth_family.pk}": "2",
            f"children-{yarmouth_family.pk}": "1",
            f"adults-{norwich_family.pk}": "1",
            f"children-{norwich_family.pk}": "1",
            "action": "save",
        },
    )
    assert response.status_code == 302
    response = client.post(
        _path(past_occurrence, "/register/walk-in"),
        {
            "carer_first_name": "Wendy",
            "postcode": "NR30 1NE",
            "child_first_name": "Will",
            "child_date_of_birth-day": "2",
            "child_date_of_birth-month": "2",
            "child_date_of_birth-year": "2025",
            "adults": "1",
            "children": "2",
            "consent_keep_record": "on",
        },
    )
    assert response.status_code == 302
    walk_in = Family.objects.get(carers__first_name="Wendy")
    response = client.post(
        _path(past_occurrence, "/register"),
        {
            f"present-{yarmouth_family.pk}": "on",
            f"adults-{yarmouth_family.pk}": "2",
            f"children-{yarmouth_family.pk}": "1",
            f"present-{walk_in.pk}": "on",
            f"adults-{walk_in.pk}": "1",
            f"children-{walk_in.pk}": "2",
            "action": "close",
        },
    )
    # "Save and close" saves, then asks for a confirmation before closing.
    assert response.status_code == 302
    assert response["Location"] == _path(past_occurrence, "/register/close")
    assert not Contact.objects.filter(occurrence=past_occurrence).exists()
    confirm = client.get(response["Location"]).content.decode()
    assert "Are you sure you want to close the register?" in confirm
    assert "2 families ticked as here (3 adults, 3 children)" in confirm
    unconfirmed = client.post(_path(past_occurrence, "/register/close"), {})
    assert "Confirm the register is complete" in unconfirmed.content.decode()
    assert not Contact.objects.filter(occurrence=past_occurrence).exists()
    response = client.post(_path(past_occurrence, "/register/close"), {"confirm": "on"})
    assert response.status_code == 302
    contacts = Contact.objects.filter(occurrence=past_occurrence)
    assert {c.family_id for c in contacts} == {yarmouth_family.pk, walk_in.pk}
    # The family's record lists the contact: delivery's section of the page reads it.
    record = client.get(f"/staff/families/{yarmouth_family.pk}").content.decode()
    assert f"Session attendance: {escape(str(past_occurrence.session))}" in record
    assert "No contacts yet" not in record
    assert (
        "The register was closed"
        in client.get(_path(past_occurrence, "/register")).content.decode()
    )


def test_visit_is_recorded(
    family_worker: User, yarmouth_family: Family, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(family_worker)
    from familyreach.families.services import case_open

    case_open(user=None, family=yarmouth_family, worker=family_worker)
    day = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/staff/families/{yarmouth_family.pk}/visits/new",
        {
            "kind": "home_visit",
            "day-day": str(day.day),
            "day-month": str(day.month),
            "day-year": str(day.year),
            "at": "14:30",
            "purpose": "New baby",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert client.get(f"/staff/visits/{visit.pk}").status_code == 200
    response = client.post(
        f"/staff/visits/{visit.pk}", {"status": "completed", "outcome_notes": "Going well"}
    )
    assert response.status_code == 302
    assert Contact.objects.get(visit=visit).kind == "home_visit"


def test_volunteer_sees_first_names_only(
    session_volunteer: User,
    next_occurrence: Occurrence,
    booked_family: Family,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(session_volunteer)
    html = client.get(_path(next_occurrence, "/helpers")).content.decode()
    assert "Amy with Ben" in html
    assert "Smith" not in html
    assert "NR30" not in html
    assert client.get(_path(next_occurrence, "/register")).status_code == 403
    assert client.get(f"/staff/families/{booked_family.pk}").status_code == 403


def test_public_booking_registers_and_books(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    assert "Baby group" in client.get("/book/").content.decode()
    form = client.get(f"/book/{next_occurrence.pk}").content.decode()
    assert "Book: Baby group" in form
    response = client.post(
        f"/book/{next_occurrence.pk}",
        {**PUBLIC_BOOKING_FORM, "remind_by": ["email"]},
    )
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    # Nothing is registered until the parent follows the link we sent.
    assert not Family.objects.exists()
    confirm = booking_confirmation_path("pia@example.org")
    assert "Confirm your booking" in client.get(confirm).content.decode()
    response = client.post(confirm)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Your place is booked" in page
    assert "Pia" not in page
    family = Family.objects.get(carers__first_name="Pia")
    assert family.source == "online"
    assert {c.purpose for c in family.consents.all()} == {"keep_record", "contact_by_email"}
    assert Booking.objects.get(family=family).channel == "online"
    errors = client.post(f"/book/{next_occurrence.pk}", {"remind_by": ["text"]}).content.decode()
    assert "Enter your first name" in errors
    assert "Enter your mobile number" in errors
    nothing = client.post(f"/book/{next_occurrence.pk}", {"privacy": "on"}).content.decode()
    assert "Enter your email address or mobile number" in nothing


def test_a_date_is_taken_out_of_a_session(
    family_worker: User, next_occurrence: Occurrence, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(family_worker)
    day = next_occurrence.date
    response = client.post(
        f"/staff/sessions/{next_occurrence.session_id}/exceptions",
        {
            "day-day": str(day.day),
            "day-month": str(day.month),
            "day-year": str(day.year),
            "reason": "Library closed",
        },
    )
    assert response.status_code == 302
    next_occurrence.refresh_from_db()
    assert next_occurrence.status == "cancelled"
    page = client.get(f"/staff/sessions/{next_occurrence.session_id}").content.decode()
    assert "Library closed" in page


def test_calling_off_a_date_from_its_page(
    family_worker: User,
    next_occurrence: Occurrence,
    register_family: Callable[..., Family],
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(family_worker)
    booking_create(user=None, occurrence_id=next_occurrence.pk, family=register_family())
    assert "Cancel this date" in client.get(_path(next_occurrence)).content.decode()
    page = client.get(_path(next_occurrence, "/cancel")).content.decode()
    assert "1 family has a booking" in page
    refused = client.post(_path(next_occurrence, "/cancel"), {"reason": ""})
    assert refused.status_code == 200
    assert "Enter the reason" in refused.content.decode()
    next_occurrence.refresh_from_db()
    assert next_occurrence.status == "scheduled"
    response = client.post(_path(next_occurrence, "/cancel"), {"reason": "Venue closed"})
    assert response.status_code == 302
    next_occurrence.refresh_from_db()
    assert next_occurrence.status == "cancelled"
    assert not Booking.objects.filter(occurrence=next_occurrence).exclude(status="cancelled")
    assert "Cancel this date" not in client.get(_path(next_occurrence)).content.decode()


def test_managers_set_school_holidays_and_workers_cannot(
    family_worker: User, make_user: Callable[..., User], signed_in: Callable[[User], Client]
) -> None:
    from familyreach.accounts.roles import Role
    from familyreach.delivery.models import SchoolHoliday

    assert signed_in(family_worker).get("/staff/school-holidays/").status_code == 403
    manager = signed_in(make_user(Role.MANAGER, username="holiday-manager"))
    assert "School holidays" in manager.get("/staff/sessions/").content.decode()

    def holiday_add(name: str, first: date, last: date) -> Any:
        return manager.post(
            "/staff/school-holidays/",
            {"name": name} | date_fields("start_date", first) | date_fields("end_date", last),
        )

    bad = holiday_add("", date(2030, 2, 20), date(2030, 2, 18))
    assert bad.status_code == 200
    page = bad.content.decode()
    assert "Enter the holiday" in page
    assert "The last day must be the same as or after the first day" in page
    assert not SchoolHoliday.objects.exists()
    response = holiday_add("February half term", date(2030, 2, 18), date(2030, 2, 22))
    assert response.status_code == 302
    holiday = SchoolHoliday.objects.get()
    assert "February half term" in manager.get("/staff/school-holidays/").content.decode()
    assert manager.post(f"/staff/school-holidays/{holiday.pk}/remove").status_code == 302
    assert not SchoolHoliday.objects.exists()
