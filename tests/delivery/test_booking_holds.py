"""Online bookings confirmed by the parent (issue 18): the public form holds a place and sends a
link; only following the link creates the family record and the booking. Holds count against
the places, lapse after FAMILYREACH_BOOKING_HOLD_MINUTES, and are purged."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.delivery import references
from familyreach.delivery.models import Booking, BookingHold, BookingStatus, Occurrence
from familyreach.delivery.services import (
    BookingRefused,
    HoldExpired,
    HoldMade,
    OnlineBookingDetails,
    booking_cancel,
    booking_create,
    booking_hold_confirm,
    booking_hold_create,
    booking_holds_purge,
)
from familyreach.families.models import Family
from familyreach.geo.models import Area
from familyreach.outbox.models import OutboundMessage
from tests.fixtures.families import PUBLIC_BOOKING_FORM
from tests.fixtures.outbox import booking_confirmation_path

pytestmark = pytest.mark.django_db


def _details(
    child: str = "Pip", *, email: str = "pia@example.org", phone: str = ""
) -> OnlineBookingDetails:
    return OnlineBookingDetails(
        carer_first_name="Pia",
        carer_last_name="Public",
        email=email,
        phone=phone,
        postcode="NR30 1NE",
        child_first_name=child,
        child_date_of_birth=date(2025, 9, 1),
        expected_due_date=None,
        remind_by_email=bool(email),
        remind_by_text=False,
    )


def _hold(occurrence: Occurrence, child: str = "Pip", **contact: str) -> HoldMade:
    return booking_hold_create(occurrence_id=occurrence.pk, details=_details(child, **contact))


def test_the_demo_shows_the_link_it_would_send_and_nothing_else_does(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area, settings: Any
) -> None:
    # The demo sends no messages, so someone trying it could never confirm a booking: the check
    # page shows the link the message holds, labelled. With demo mode off it never does.
    response = client.post(f"/book/{next_occurrence.pk}", PUBLIC_BOOKING_FORM)
    check = client.get(response["Location"]).content.decode()
    assert 'data-testid="demo-link"' not in check
    assert "/book/confirm/" not in check

    settings.DEMO_MODE = True
    response = client.post(f"/book/{next_occurrence.pk}", PUBLIC_BOOKING_FORM)
    check = client.get(response["Location"]).content.decode()
    assert 'data-testid="demo-link"' in check
    assert booking_confirmation_path("pia@example.org") in check  # the newest link, as sent


def test_a_post_creates_no_family_only_following_the_link_does(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    response = client.post(f"/book/{next_occurrence.pk}", PUBLIC_BOOKING_FORM)
    assert response.status_code == 302
    check = client.get(response["Location"]).content.decode()
    assert "Check your email" in check
    assert "We are holding a place for you for 30 minutes" in check
    assert "pia@example.org" not in check
    assert not Family.objects.exists()
    assert not Booking.objects.exists()
    hold = BookingHold.objects.get()
    assert hold.holds_place

    confirm = booking_confirmation_path("pia@example.org")
    token = confirm.rsplit("/", 1)[1]
    # Only a hash of the link's secret is kept.
    assert hold.token_hash == references.hold_token_hash(token)
    assert not BookingHold.objects.filter(token_hash=token).exists()
    message = OutboundMessage.objects.get(to="pia@example.org")
    assert message.subject == "Confirm your booking"
    assert "Pip" not in message.body  # a mistyped address learns nothing about the child

    # Opening the link (as a mail scanner would) books nothing: the button does.
    page = client.get(confirm).content.decode()
    assert "Confirm your booking" in page
    assert "Pia" not in page
    assert not Family.objects.exists()
    booked = client.post(confirm)
    assert booked.status_code == 302
    assert "Your place is booked" in client.get(booked["Location"]).content.decode()
    family = Family.objects.get()
    booking = Booking.objects.get()
    assert booking.family == family
    assert booking.status == BookingStatus.CONFIRMED
    assert family.carers.get().email == "pia@example.org"
    hold.refresh_from_db()
    assert hold.booking == booking
    assert hold.confirmed_at is not None
    # The family record holds the details now; the hold keeps none.
    assert (hold.carer_first_name, hold.email, hold.postcode, hold.child_first_name) == (
        "",
        "",
        "",
        "",
    )
    assert hold.child_date_of_birth is None

    # Following the link again, from another browser, shows the same booking; nothing new.
    again = Client().get(confirm)
    assert again.status_code == 302
    assert Family.objects.count() == 1
    assert Booking.objects.count() == 1


def test_a_mobile_number_alone_gets_the_link_by_text(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    form = {**PUBLIC_BOOKING_FORM, "email": "", "phone": "07700 900982"}
    response = client.post(f"/book/{next_occurrence.pk}", form)
    assert response.status_code == 302
    assert "Check your phone" in client.get(response["Location"]).content.decode()
    text = OutboundMessage.objects.get()
    assert (text.channel, text.to) == ("text", "07700 900982")
    client.post(booking_confirmation_path("07700 900982"))
    assert Family.objects.get().carers.get().phone == "07700 900982"
    # A landline cannot take the link.
    bad = client.post(f"/book/{next_occurrence.pk}", {**form, "phone": "01603 223000"})
    assert "Enter a UK mobile number" in bad.content.decode()


def test_holds_count_against_the_places_so_the_last_one_is_not_given_twice(
    next_occurrence: Occurrence, register_family: Callable[..., Family]
) -> None:
    assert next_occurrence.capacity == 3
    for name in ("Amy", "Bea"):
        booking_create(
            user=None,
            occurrence_id=next_occurrence.pk,
            family=register_family(name, child=f"{name} child"),
        )
    last = _hold(next_occurrence)
    assert last.hold.holds_place
    # The next parent, and staff booking a family, find it full while the hold lasts.
    later = _hold(next_occurrence, child="Poppy", email="poppy@example.org")
    assert not later.hold.holds_place
    staff = booking_create(
        user=None, occurrence_id=next_occurrence.pk, family=register_family("Cat", child="Cal")
    )
    assert staff.status == BookingStatus.WAITING
    # The held place goes to the parent who confirms it; the later one joins the list.
    assert booking_hold_confirm(token=last.token).status == BookingStatus.CONFIRMED
    assert booking_hold_confirm(token=later.token).status == BookingStatus.WAITING
    assert next_occurrence.bookings.filter(status=BookingStatus.CONFIRMED).count() == 3


def test_a_lapsed_hold_frees_the_place_books_nothing_and_is_purged(
    client: Client,
    next_occurrence: Occurrence,
    register_family: Callable[..., Family],
) -> None:
    for name in ("Amy", "Bea"):
        booking_create(
            user=None,
            occurrence_id=next_occurrence.pk,
            family=register_family(name, child=f"{name} child"),
        )
    made = _hold(next_occurrence)
    waiting = booking_create(
        user=None, occurrence_id=next_occurrence.pk, family=register_family("Cat", child="Cal")
    )
    assert waiting.status == BookingStatus.WAITING
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        with pytest.raises(HoldExpired, match="expired"):
            booking_hold_confirm(token=made.token)
        page = client.get(f"/book/confirm/{made.token}").content.decode()
        assert "This link has expired" in page
        assert "Confirm booking" not in page
        assert client.post(f"/book/confirm/{made.token}").status_code == 200
        assert not Family.objects.filter(carers__first_name="Pia").exists()
        assert booking_holds_purge() == 1
    assert not BookingHold.objects.exists()
    # The purge gave the freed place to the waiting list.
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CONFIRMED
    assert client.get(f"/book/confirm/{made.token}").status_code == 404


def test_a_place_freed_by_a_lapsed_hold_goes_to_the_waiting_list_first(
    next_occurrence: Occurrence, register_family: Callable[..., Family]
) -> None:
    """A place freed by a lapsed hold goes to the first waiting family even before the purge
    runs: the next booking promotes the queue first."""
    for name in ("Amy", "Bea"):
        booking_create(
            user=None,
            occurrence_id=next_occurrence.pk,
            family=register_family(name, child=f"{name} child"),
        )
    _hold(next_occurrence)
    first = booking_create(
        user=None, occurrence_id=next_occurrence.pk, family=register_family("Cat", child="Cal")
    )
    assert first.status == BookingStatus.WAITING
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        second = booking_create(
            user=None,
            occurrence_id=next_occurrence.pk,
            family=register_family("Dot", child="Dan"),
        )
        first.refresh_from_db()
        assert first.status == BookingStatus.CONFIRMED
        assert second.status == BookingStatus.WAITING
        # Cancelling a confirmed booking still promotes in order.
        booking_cancel(user=None, booking=first)
        second.refresh_from_db()
        assert second.status == BookingStatus.CONFIRMED


@override_settings(FAMILYREACH_BOOKING_HOLD_MINUTES=5)
def test_the_hold_lasts_the_minutes_set(next_occurrence: Occurrence, yarmouth_area: Area) -> None:
    made = _hold(next_occurrence)
    assert made.hold.expires_at - made.hold.created_at < timedelta(minutes=5, seconds=5)
    assert "confirm within 5 minutes" in OutboundMessage.objects.get().body
    with time_machine.travel(timezone.now() + timedelta(minutes=6)), pytest.raises(HoldExpired):
        booking_hold_confirm(token=made.token)


def test_posting_again_for_the_same_child_replaces_the_first_link(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    """A parent who mistyped their address posts again: one place held, the old link dead."""
    first = _hold(next_occurrence, email="pia@exmaple.org")
    second = _hold(next_occurrence, email="pia@example.org")
    assert second.hold.holds_place
    with pytest.raises(HoldExpired):
        booking_hold_confirm(token=first.token)
    booking_hold_confirm(token=second.token)
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    assert Family.objects.count() == 1
    # And once booked, the same child cannot be held again.
    with pytest.raises(BookingRefused, match="Pip already has a place"):
        _hold(next_occurrence)


def test_unconfirmed_holds_never_create_family_rows(
    next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    for index in range(10):
        _hold(next_occurrence, child=f"Child{index}", email=f"p{index}@example.org")
    assert BookingHold.objects.count() == 10
    assert not Family.objects.exists()
    assert not Booking.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert booking_holds_purge() == 10
    assert not BookingHold.objects.exists()
    assert not Family.objects.exists()


def test_bad_confirmation_links_are_not_found(client: Client) -> None:
    assert client.get("/book/confirm/not-a-real-link").status_code == 404
    assert client.post("/book/confirm/not-a-real-link").status_code == 404
    # The check-your-email page needs a post from this browser first.
    assert client.get("/book/1/check").status_code == 302


def test_the_places_left_shown_count_holds(
    client: Client, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    assert "3 places left" in client.get(f"/book/{next_occurrence.pk}").content.decode()
    _hold(next_occurrence)
    assert "2 places left" in client.get(f"/book/{next_occurrence.pk}").content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert "3 places left" in client.get(f"/book/{next_occurrence.pk}").content.decode()


def test_staff_see_places_held_for_families_still_to_confirm(
    family_worker: User, next_occurrence: Occurrence, yarmouth_area: Area
) -> None:
    client = Client()
    client.force_login(family_worker)
    path = (
        f"/staff/sessions/{next_occurrence.session_id}/occurrences/"
        f"{next_occurrence.date.isoformat()}"
    )
    assert "places-held" not in client.get(path).content.decode()
    _hold(next_occurrence)
    page = client.get(path).content.decode()
    assert "1 place is held for a family who booked online and has not confirmed yet" in page
    assert "Pia" not in page
