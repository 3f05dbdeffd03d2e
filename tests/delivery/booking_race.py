"""The booking race: many families book the last place of one occurrence at the same moment.

`race(threads)` builds a small world in the current database, fills all but one place, starts
`threads` threads that wait at a barrier and then book, and returns what happened. The test
runs it in-process on PostgreSQL, and on SQLite in a subprocess against a database file with
the production SQLite settings (WAL, IMMEDIATE transactions): the in-memory test database
uses a shared cache whose table locks do not wait, so it cannot show real concurrency.

    DATABASE_URL=sqlite:////tmp/race.sqlite3 python -m tests.delivery.booking_race 50
    DATABASE_URL=sqlite:////tmp/race2.sqlite3 python -m tests.delivery.booking_race 10 same-child
    DATABASE_URL=sqlite:////tmp/race3.sqlite3 python -m tests.delivery.booking_race 10 holds
"""

import json
import os
import sys
import threading
from datetime import time, timedelta
from typing import Any


def _run_at_once(threads: list[threading.Thread]) -> None:
    """Starts every thread, then waits for them all (each meets the others at its barrier)."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _race_occurrence(
    venue: Any = None, *, category: str = "stay_and_play", capacity: int = 3
) -> Any:
    """Tomorrow's one-off "Race group" (3 places unless told) at `venue`, by default a library
    in King's Lynn: what each race books into."""
    from django.utils import timezone

    from familyreach.delivery.services import SessionDetails, session_create
    from tests.factories.geo import AreaFactory, DistrictFactory, VenueFactory

    if venue is None:
        area = AreaFactory(
            code="E01026900",
            name="King's Lynn 001A",
            district=DistrictFactory(code="E07000146"),
            latitude=52.75,
            longitude=0.4,
        )
        venue = VenueFactory(name="Race Library", area=area, district=None)
    tomorrow = timezone.localdate() + timedelta(days=1)
    session = session_create(
        user=None,
        details=SessionDetails(
            title="Race group",
            category=category,
            venue=venue,
            capacity=capacity,
            start_date=tomorrow,
            start_time=time(10),
            end_time=time(11),
            recurrence="one_off",
        ),
        generate_until=tomorrow,
    )
    return session.occurrences.get()


def race(threads: int) -> dict[str, Any]:
    from django.db import connection, connections

    from familyreach.delivery.models import Booking, BookingStatus
    from familyreach.delivery.services import booking_create
    from familyreach.families.services import CarerDetails, ChildDetails, family_register

    occurrence = _race_occurrence()

    def family(name: str) -> Any:
        return family_register(
            user=None,
            carers=[CarerDetails(first_name=name)],
            children=[
                ChildDetails(
                    first_name=f"{name} child", date_of_birth=occurrence.date.replace(year=2025)
                )
            ],
            postcode="PE30 1AA",
            confirmed_not_duplicate=True,
        ).family

    for index in range(occurrence.capacity - 1):
        booking_create(user=None, occurrence_id=occurrence.pk, family=family(f"Early {index}"))
    racers = [family(f"Racer {index}") for index in range(threads)]

    barrier = threading.Barrier(threads)
    errors: list[str] = []

    def book(racer: Any) -> None:
        try:
            barrier.wait()
            booking_create(user=None, occurrence_id=occurrence.pk, family=racer)
        except Exception as error:  # reported, and failed on, by the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    _run_at_once([threading.Thread(target=book, args=(racer,)) for racer in racers])

    racer_bookings = Booking.objects.filter(family__in=racers)
    waiting = racer_bookings.filter(status=BookingStatus.WAITING).order_by("waiting_since", "id")
    return {
        "vendor": connection.vendor,
        "errors": errors,
        "capacity": occurrence.capacity,
        "racer_bookings": racer_bookings.count(),
        "racers_confirmed": racer_bookings.filter(status=BookingStatus.CONFIRMED).count(),
        "racers_waiting": waiting.count(),
        "confirmed_total": Booking.objects.filter(
            occurrence=occurrence, status=BookingStatus.CONFIRMED
        ).count(),
        "waiting_positions_distinct": len(set(waiting.values_list("waiting_since", "id")))
        == waiting.count(),
    }


def same_child_race(threads: int) -> dict[str, Any]:
    """`threads` browsers submit the same child's online booking for one date at the same
    moment (a double-tapped button, two carers at once): one place is taken, the rest are
    refused with the form's message, and no family record is left behind by a refusal."""

    from django.db import connection, connections
    from django.utils import timezone

    from familyreach.delivery.models import Booking
    from familyreach.delivery.services import (
        BookingRefused,
        OnlineBookingDetails,
        booking_create_online,
    )
    from familyreach.families.models import Family
    from tests.factories.geo import VenueFactory, place_make

    area = place_make(
        "NR30 1NE",
        area_code="E01026633",
        district_code="E07000145",
        latitude=52.6,
        longitude=1.7,
        name="Great Yarmouth 009A",
    ).area
    venue = VenueFactory(name="Race Hall", area=area, district=None)
    occurrence = _race_occurrence(venue, category="baby_group", capacity=20)
    details = OnlineBookingDetails(
        carer_first_name="Pia",
        carer_last_name="Public",
        email="",
        phone="",
        postcode="NR30 1NE",
        child_first_name="Pip",
        child_date_of_birth=timezone.localdate() - timedelta(days=180),
        expected_due_date=None,
        remind_by_email=False,
        remind_by_text=False,
    )
    barrier = threading.Barrier(threads)
    refused: list[str] = []
    errors: list[str] = []

    def book() -> None:
        try:
            barrier.wait()
            booking_create_online(occurrence_id=occurrence.pk, details=details)
        except BookingRefused as refusal:
            refused.append(refusal.messages[0])
        except Exception as error:  # reported, and failed on, by the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    _run_at_once([threading.Thread(target=book) for _ in range(threads)])
    return {
        "vendor": connection.vendor,
        "errors": errors,
        "refused": refused,
        "live_bookings": Booking.objects.filter(occurrence=occurrence)
        .exclude(status="cancelled")
        .count(),
        "families": Family.objects.count(),
    }


def hold_race(threads: int) -> dict[str, Any]:
    """`threads` parents post the form for the last place at the same moment (different
    children): exactly one hold keeps the place. Then `threads` clicks on that parent's link
    at once: one family, one booking."""
    from datetime import date

    from django.db import connection, connections

    from familyreach.delivery.models import Booking, BookingHold, BookingStatus
    from familyreach.delivery.services import (
        OnlineBookingDetails,
        booking_create,
        booking_hold_confirm,
        booking_hold_create,
    )
    from familyreach.families.models import Family
    from familyreach.families.services import CarerDetails, ChildDetails, family_register

    occurrence = _race_occurrence()
    for index in range(occurrence.capacity - 1):
        family = family_register(
            user=None,
            carers=[CarerDetails(first_name=f"Early {index}")],
            children=[
                ChildDetails(first_name=f"Early child {index}", date_of_birth=date(2025, 1, 1))
            ],
            postcode="PE30 1AA",
            confirmed_not_duplicate=True,
        ).family
        booking_create(user=None, occurrence_id=occurrence.pk, family=family)
    families_before = Family.objects.count()

    barrier = threading.Barrier(threads)
    errors: list[str] = []
    tokens: list[tuple[bool, str]] = []

    def hold(index: int) -> None:
        try:
            barrier.wait()
            made = booking_hold_create(
                occurrence_id=occurrence.pk,
                details=OnlineBookingDetails(
                    carer_first_name=f"Racer {index}",
                    carer_last_name="Public",
                    email=f"racer{index}@example.org",
                    phone="",
                    postcode="PE30 1AA",
                    child_first_name=f"Racer child {index}",
                    child_date_of_birth=date(2025, 9, 1),
                    expected_due_date=None,
                    remind_by_email=False,
                    remind_by_text=False,
                ),
            )
            tokens.append((made.hold.holds_place, made.token))
        except Exception as error:  # reported, and failed on, by the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    _run_at_once([threading.Thread(target=hold, args=(index,)) for index in range(threads)])
    holding = [token for holds_place, token in tokens if holds_place]

    confirmed_references: list[str] = []
    confirm_barrier = threading.Barrier(threads)

    def confirm() -> None:
        try:
            confirm_barrier.wait()
            confirmed_references.append(booking_hold_confirm(token=holding[0]).reference)
        except Exception as error:  # reported, and failed on, by the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    if len(holding) == 1:
        _run_at_once([threading.Thread(target=confirm) for _ in range(threads)])
    return {
        "vendor": connection.vendor,
        "errors": errors,
        "holds": BookingHold.objects.filter(occurrence=occurrence).count(),
        "holding_place": len(holding),
        "families_after_posts_and_clicks": Family.objects.count() - families_before,
        "confirmed_references": sorted(set(confirmed_references)),
        "confirmed_total": Booking.objects.filter(
            occurrence=occurrence, status=BookingStatus.CONFIRMED
        ).count(),
        "capacity": occurrence.capacity,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "familyreach.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if len(sys.argv) > 2 and sys.argv[2] == "same-child":
        print(json.dumps(same_child_race(int(sys.argv[1]))))
    elif len(sys.argv) > 2 and sys.argv[2] == "holds":
        print(json.dumps(hold_race(int(sys.argv[1]))))
    else:
        print(json.dumps(race(int(sys.argv[1]))))


if __name__ == "__main__":
    main()
