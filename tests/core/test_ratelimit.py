"""The public booking form refuses a flood from one address, says so plainly, saves nothing,
and lets the same address in again once the window passes; other addresses are not affected."""

from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from familyreach.core.ratelimit import address_group, client_address
from familyreach.delivery.models import BookingHold, Occurrence
from familyreach.families.models import Family
from tests.govuk_forms import date_fields

pytestmark = pytest.mark.django_db


def _booking_form(name: str) -> dict[str, str]:
    return {
        "carer_first_name": name,
        "carer_last_name": "Public",
        "postcode": "NR30 1NE",
        # A child per booking: the same child twice is refused anyway (one place per child).
        "child_first_name": f"{name} child",
        "email": f"{name.lower()}@example.org",
        "privacy": "on",
    } | date_fields("child_date_of_birth", date(2025, 9, 1))


@override_settings(FAMILYREACH_RATE_LIMITS={"book": (3, 600)})
def test_the_fourth_booking_from_one_address_in_ten_minutes_is_refused(
    next_occurrence: Occurrence, register_family: Callable[..., Family]
) -> None:
    path = f"/book/{next_occurrence.pk}"
    start = timezone.now().replace(minute=0, second=1)
    with time_machine.travel(start, tick=False):
        flood = Client(REMOTE_ADDR="203.0.113.9")
        for number in range(3):
            assert flood.post(path, _booking_form(f"Flood{number}")).status_code == 302
        refused = flood.post(path, _booking_form("Flood3"))
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert "Nothing you sent this time has been saved" in refused.content.decode()
        assert not Family.objects.filter(carers__first_name="Flood3").exists()
        assert BookingHold.objects.filter(occurrence=next_occurrence).count() == 3
        # Reading the form is never limited, and another address books as usual.
        assert flood.get(path).status_code == 200
        neighbour = Client(REMOTE_ADDR="203.0.113.10")
        assert neighbour.post(path, _booking_form("Neighbour")).status_code == 302
    with time_machine.travel(start.replace(minute=11), tick=False):
        assert flood.post(path, _booking_form("Later")).status_code == 302


@override_settings(FAMILYREACH_TRUSTED_PROXY_HOPS=1)
def test_behind_one_trusted_proxy_the_address_it_saw_counts() -> None:
    from django.test import RequestFactory

    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    # A client can put anything in front; only the entry our proxy added is trusted.
    assert client_address(request) == "203.0.113.7"


@pytest.mark.parametrize(
    ("address", "group"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not-an-address", None),
    ],
)
def test_ipv6_addresses_count_per_64(address: str, group: str | None) -> None:
    assert address_group(address) == group
