"""The parent's booking pages (from the service page and /book/'s filters to the reference,
the cancel link and the calendar file) and the worker's register pages (closing with a
confirmation, reopening, the printable and CSV sign-in sheets)."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.delivery import references
from familyreach.delivery.models import Booking, BookingStatus, Contact, Occurrence, Session
from familyreach.delivery.services import booking_create
from familyreach.directory.models import Service
from familyreach.families.models import Family
from familyreach.geo.models import Area
from tests.fixtures.families import PUBLIC_BOOKING_FORM
from tests.fixtures.outbox import booking_confirmation_path

pytestmark = pytest.mark.django_db


def _path(occurrence: Occurrence, suffix: str = "") -> str:
    return (
        f"/staff/sessions/{occurrence.session_id}/occurrences/{occurrence.date.isoformat()}{suffix}"
    )


def _book_and_confirm(client: Client, occurrence: Occurrence, form: dict[str, str]) -> str:
    """Post the form, follow the link from the outbox and confirm: the booked page's path."""
    assert client.post(f"/book/{occurrence.pk}", form).status_code == 302
    response = client.post(booking_confirmation_path(form["email"]))
    assert response.status_code == 302
    return str(response["Location"])


def test_the_service_page_links_each_date_to_its_booking(
    client: Client, baby_group: Session, next_occurrence: Occurrence
) -> None:
    service = Service.objects.get(source_reference=f"session-{baby_group.pk}")
    html = client.get(f"/services/{service.pk}").content.decode()
    assert "Book a place" in html
    assert f'href="/book/{next_occurrence.pk}"' in html
    assert "/book/?session=" in html
    assert "Book a place online at /book/" not in html


def test_book_list_filters_by_distance_and_age(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area, norwich_area: Area
) -> None:
    near = client.get("/book/", {"postcode": "NR30 1NE", "radius": "5"}).content.decode()
    # The postcode goes on to the form.
    assert f'href="/book/{next_occurrence.pk}?postcode=NR30+1NE"' in near
    assert "within 5 miles of NR30 1NE" in near
    far = client.get("/book/", {"postcode": "NR2 4AB", "radius": "5"}).content.decode()
    assert f'href="/book/{next_occurrence.pk}' not in far
    assert "No sessions match" in far
    # The baby group is for under-ones.
    babies = client.get("/book/", {"age": "0"}).content.decode()
    assert f'href="/book/{next_occurrence.pk}"' in babies
    three = client.get("/book/", {"age": "3"}).content.decode()
    assert f'href="/book/{next_occurrence.pk}"' not in three
    # No radius in the link: 5 miles searched and shown as chosen.
    default = client.get("/book/", {"postcode": "NR30 1NE"}).content.decode()
    assert "within 5 miles" in default
    assert '<option value="5" selected>' in default


@pytest.mark.parametrize(
    "query",
    [
        {"postcode": "ZZ99 9ZZ"},
        {"postcode": "not a postcode 123"},
        {"radius": "abc"},
        {"age": "99"},
        {"session": "-1"},
        {"session": "abc"},
    ],
)
def test_book_list_bad_input_is_an_error_message_not_a_failure(
    client: Client, next_occurrence: Occurrence, query: dict[str, str]
) -> None:
    response = client.get("/book/", query)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_bad_booking_links_are_not_found(client: Client, next_occurrence: Occurrence) -> None:
    assert client.get("/book/999999").status_code == 404
    assert client.get("/book/cancel/ABCD2345").status_code == 404
    assert client.get("/book/cancel/ABCD2345:forged").status_code == 404
    assert client.post("/book/cancel/ABCD2345:forged", {"confirm": "yes"}).status_code == 404
    assert client.get("/book/calendar/nonsense.ics").status_code == 404
    # A properly signed link to a booking that does not exist.
    assert client.get(f"/book/cancel/{references.cancel_token('ZZZZZZZZ')}").status_code == 404
    # The confirmation page without a booking in this browser goes back to the form.
    assert client.get(f"/book/{next_occurrence.pk}/booked").status_code == 302


def test_book_see_the_reference_download_the_calendar_and_cancel(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    booked = _book_and_confirm(client, next_occurrence, PUBLIC_BOOKING_FORM)
    booking = Booking.objects.get()
    page = client.get(booked).content.decode()
    assert booking.reference in page
    assert "Pia" not in page
    assert "Pip" not in page
    cancel = f"/book/cancel/{references.cancel_token(booking.reference)}"
    calendar = f"/book/calendar/{references.calendar_token(booking.reference)}.ics"
    assert f'href="{cancel}"' in page
    assert f'href="{calendar}"' in page

    ics = client.get(calendar)
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")
    assert f"UID:booking-{booking.reference}@" in ics.content.decode()

    # The calendar link cannot cancel.
    calendar_token = references.calendar_token(booking.reference)
    assert client.get(f"/book/cancel/{calendar_token}").status_code == 404

    sure = client.get(cancel).content.decode()
    assert "Are you sure you want to cancel your booking?" in sure
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    done = client.post(cancel, {"confirm": "yes"}).content.decode()
    assert "Booking cancelled" in done
    assert Booking.objects.get().status == BookingStatus.CANCELLED
    assert "already cancelled" in client.get(cancel).content.decode()
    assert client.get(calendar).status_code == 404


def test_booking_the_same_child_twice_is_a_clear_form_error(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    _book_and_confirm(client, next_occurrence, PUBLIC_BOOKING_FORM)
    again = client.post(
        f"/book/{next_occurrence.pk}", {**PUBLIC_BOOKING_FORM, "carer_first_name": "Al"}
    )
    assert again.status_code == 200
    html = again.content.decode()
    assert "There is a problem" in html
    assert "Pip already has a place at this session on this date" in html
    assert Booking.objects.exclude(status="cancelled").count() == 1


def test_a_register_cannot_be_closed_before_the_start(
    family_worker: User, next_occurrence: Occurrence, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(family_worker)
    register = client.get(_path(next_occurrence, "/register")).content.decode()
    assert "Save and close register" not in register
    assert "You can close the register from the start of the session" in register
    page = client.get(_path(next_occurrence, "/register/close")).content.decode()
    assert "You cannot close this register yet" in page
    client.post(_path(next_occurrence, "/register/close"), {"confirm": "on"})
    next_occurrence.refresh_from_db()
    assert next_occurrence.register_closed_at is None


def test_a_closed_register_is_reopened_from_its_page(
    family_worker: User,
    past_occurrence: Occurrence,
    yarmouth_family: Family,
    signed_in: Callable[[User], Client],
) -> None:
    Booking.objects.create(
        occurrence=past_occurrence, family=yarmouth_family, status="confirmed", channel="staff"
    )
    client = signed_in(family_worker)
    client.post(
        _path(past_occurrence, "/register"),
        {f"present-{yarmouth_family.pk}": "on", "action": "save"},
    )
    client.post(_path(past_occurrence, "/register/close"), {"confirm": "on"})
    assert Contact.objects.filter(occurrence=past_occurrence).count() == 1
    page = client.get(_path(past_occurrence, "/register")).content.decode()
    assert "Reopen the register" in page
    response = client.post(_path(past_occurrence, "/register/reopen"))
    assert response.status_code == 302
    past_occurrence.refresh_from_db()
    assert past_occurrence.register_closed_at is None
    assert not Contact.objects.filter(occurrence=past_occurrence).exists()
    # The next day there is no button, and a POST is refused with a message.
    client.post(_path(past_occurrence, "/register/close"), {"confirm": "on"})
    Occurrence.objects.filter(pk=past_occurrence.pk).update(
        register_closed_at=timezone.now() - timedelta(days=1)
    )
    assert (
        "Reopen the register"
        not in client.get(_path(past_occurrence, "/register")).content.decode()
    )
    client.post(_path(past_occurrence, "/register/reopen"))
    assert Contact.objects.filter(occurrence=past_occurrence).count() == 1


def test_sign_in_sheets_print_and_csv_for_the_sessions_staff_only(
    family_worker: User,
    session_volunteer: User,
    next_occurrence: Occurrence,
    booked_family: Family,
    signed_in: Callable[[User], Client],
) -> None:
    client = signed_in(family_worker)
    printed = client.get(_path(next_occurrence, "/register/print")).content.decode()
    assert "delivery/register-print.css" in printed
    assert "Amy Smith" in printed
    assert "app-tick-box" in printed
    response = client.get(_path(next_occurrence, "/register/sign-in-sheet.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = response.content.decode().splitlines()
    assert rows[0] == "Parent or carer,Children,Booked,Attended,Adults,Children"
    assert rows[1] == "Amy Smith,Ben,Booked,,,"
    # Audited: every download is an access entry for each family on the sheet.
    accesses = LogEntry.objects.get_for_object(booked_family).filter(
        action=LogEntry.Action.ACCESS, actor=family_worker
    )
    before = accesses.count()
    client.get(_path(next_occurrence, "/register/sign-in-sheet.csv"))
    assert accesses.count() == before + 1
    # Never public, never for a volunteer (first names only, on their own page).
    anonymous = Client().get(_path(next_occurrence, "/register/sign-in-sheet.csv"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/staff/sign-in?next=")
    volunteer = signed_in(session_volunteer)
    assert volunteer.get(_path(next_occurrence, "/register/sign-in-sheet.csv")).status_code == 403
    assert volunteer.get(_path(next_occurrence, "/register/print")).status_code == 403


def test_csv_cells_cannot_become_spreadsheet_formulas(
    family_worker: User,
    next_occurrence: Occurrence,
    register_family: object,
    signed_in: Callable[[User], Client],
) -> None:
    family = register_family("=HYPERLINK(1)", child="+Kid", dob=date(2026, 6, 1))  # type: ignore[operator]
    booking_create(user=None, occurrence_id=next_occurrence.pk, family=family)
    body = signed_in(family_worker).get(_path(next_occurrence, "/register/sign-in-sheet.csv"))
    text = body.content.decode()
    assert "'=HYPERLINK(1) Smith" in text
    assert "'+Kid" in text


def test_the_search_is_carried_from_find_through_the_service_page_to_the_form(
    client: Client, baby_group: Session, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    """Issue 17: a parent who searched NR30 1NE for a baby under one does not type it again."""
    service = Service.objects.get(source_reference=f"session-{baby_group.pk}")
    find = client.get("/find", {"postcode": "NR30 1NE", "age": "0"}).content.decode()
    assert f'href="/services/{service.pk}?postcode=NR30+1NE&amp;age=0&amp;radius=5"' in find
    assert (
        f'href="/book/?session={baby_group.pk}&amp;postcode=NR30+1NE&amp;age=0&amp;radius=5"'
        in find
    )
    page = client.get(
        f"/services/{service.pk}", {"postcode": "NR30 1NE", "age": "0", "radius": "5"}
    ).content.decode()
    assert f'href="/book/{next_occurrence.pk}?postcode=NR30+1NE&amp;age=0&amp;radius=5"' in page
    assert f"/book/?session={baby_group.pk}&amp;postcode=NR30+1NE&amp;age=0&amp;radius=5" in page
    listed = client.get(
        "/book/", {"session": baby_group.pk, "postcode": "NR30 1NE", "age": "0", "radius": "5"}
    ).content.decode()
    assert "within 5 miles of NR30 1NE" in listed
    assert '<option value="0" selected>Under 1</option>' in listed
    assert f'href="/book/{next_occurrence.pk}?postcode=NR30+1NE"' in listed
    form = client.get(f"/book/{next_occurrence.pk}", {"postcode": "nr301ne"}).content.decode()
    assert 'value="NR30 1NE"' in form


def test_what_is_carried_is_only_what_the_pages_understand(
    client: Client, baby_group: Session, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    service = Service.objects.get(source_reference=f"session-{baby_group.pk}")
    # Expecting a baby is -1 on /book/; "5 or older" has no booking filter; junk is dropped.
    expecting = client.get(f"/services/{service.pk}", {"postcode": "NR30 1NE", "age": "pregnancy"})
    assert "postcode=NR30+1NE&amp;age=-1" in expecting.content.decode()
    page = client.get(
        f"/services/{service.pk}", {"postcode": "<b>x</b>", "age": "5", "radius": "999"}
    ).content.decode()
    assert f'href="/book/{next_occurrence.pk}?postcode=%3Cb%3Ex%3C%2Fb%3E"' in page
    assert "age=5" not in page
    assert "radius=999" not in page
    # A town name searches /book/, but is not a postcode for the form.
    form = client.get(f"/book/{next_occurrence.pk}", {"postcode": "Great Yarmouth"})
    assert 'value="Great Yarmouth"' not in form.content.decode()
    # A page reached with no search carries nothing.
    plain = client.get(f"/services/{service.pk}").content.decode()
    assert f'href="/book/{next_occurrence.pk}"' in plain
