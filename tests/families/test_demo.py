"""The demo: bases, teams and a week of sessions at real libraries, and simulated families
with bookings and contacts, all labelled simulated, deterministic and safe to run twice."""

from io import StringIO
from typing import Any

import pytest

from familyreach.delivery import demo as delivery_demo
from familyreach.delivery import demo_families as families_demo
from familyreach.delivery.models import Base, Booking, Contact, Session
from familyreach.directory.models import Service, SupportRequest
from familyreach.families.models import Family
from familyreach.geo.models import District, VenueKind

pytestmark = pytest.mark.django_db


def test_demo_loads_simulated_delivery_and_families(norfolk: Any) -> None:
    out = StringIO()
    delivery_demo.load(out)
    families_demo.load(out, count=40)
    districts = District.objects.count()
    assert Base.objects.filter(is_simulated=True).count() == districts
    assert all(b.venue.kind == VenueKind.FAMILY_BASE for b in Base.objects.all())
    sessions = Session.objects.filter(is_simulated=True)
    assert sessions.count() == districts * 5
    assert all(s.venue.kind == VenueKind.LIBRARY for s in sessions)
    assert all("(simulated)" in s.title for s in sessions)
    assert Service.objects.filter(is_simulated=True).count() == sessions.count()
    assert Family.objects.filter(is_simulated=True).count() == 40
    assert not Family.objects.filter(is_simulated=False).exists()
    contacts = Contact.objects.all()
    assert contacts.exists()
    assert not contacts.filter(area__isnull=True).exists()
    assert Booking.objects.exists()
    # One family the guides and journeys name, and requests for support to take on.
    graces = Family.objects.filter(carers__first_name="Grace", carers__last_name="Wilson")
    assert graces.filter(district__code=families_demo.DEMO_DISTRICT).exists()
    assert SupportRequest.objects.filter(status="new").count() == len(families_demo.DEMO_REQUESTS)
    before = (Family.objects.count(), Contact.objects.count(), Session.objects.count())
    delivery_demo.load(out)
    families_demo.load(out, count=40)
    assert (Family.objects.count(), Contact.objects.count(), Session.objects.count()) == before
