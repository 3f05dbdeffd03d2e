"""The demo loader: real venues with simulated sessions, idempotent, labelled simulated."""

from datetime import time
from io import StringIO

import pytest
from django.test import Client

from familyreach.directory import demo, services
from familyreach.directory.models import AdviceArticle, Location, Service
from familyreach.directory.services import ScheduleSpec
from familyreach.geo.models import VenueKind, VenueStatus
from tests.fixtures.geo import NorfolkWorld

pytestmark = pytest.mark.django_db


def test_demo_loads_real_venues_with_simulated_sessions(
    norfolk: NorfolkWorld, client: Client
) -> None:
    output = StringIO()
    demo.load(output)
    services = Service.objects.filter(source="demo")
    assert services.count() > 50
    assert not services.filter(is_simulated=False).exists()
    libraries = norfolk.libraries.filter(status=VenueStatus.OPEN).count()
    assert Location.objects.filter(venue__kind=VenueKind.LIBRARY).count() == libraries
    assert AdviceArticle.objects.filter(status="published").count() == 7
    assert "simulated" in output.getvalue()

    # Idempotent: a second run adds nothing.
    before = (services.count(), Location.objects.count(), AdviceArticle.objects.count())
    demo.load(StringIO())
    assert (
        Service.objects.filter(source="demo").count(),
        Location.objects.count(),
        AdviceArticle.objects.count(),
    ) == before

    # A family near Great Yarmouth finds simulated sessions, each labelled as simulated.
    html = client.get("/find?postcode=NR30+1NE&radius=5").content.decode()
    assert "Rhyme time at" in html
    assert html.count("Simulated</strong>") >= 1
    article = client.get("/advice/feeding-your-baby").content.decode()
    assert 'href="https://www.nhs.uk/start-for-life/"' in article


def test_a_venue_whose_sessions_delivery_publishes_is_not_listed_twice(
    norfolk: NorfolkWorld, client: Client
) -> None:
    demo.load(StringIO())
    library = Location.objects.filter(
        venue__kind=VenueKind.LIBRARY, service_at_locations__service__source="demo"
    ).first()
    assert library is not None
    others = Service.objects.filter(source="demo").exclude(service_at_locations__location=library)
    others_before = others.count()

    # Delivery publishes its session there (as delivery/publishing.py does, by its source).
    services.service_upsert(
        source="familyreach.delivery",
        source_reference="session-1",
        organization=services.council_organization_ensure(),
        name="Stay and play (simulated)",
        categories=["stay-and-play"],
        location=library,
        schedules=[ScheduleSpec(time(10), time(11, 30), byday="MO")],
        is_simulated=True,
    )
    output = StringIO()
    demo.withdraw_duplicates(output)

    at_library = Service.objects.filter(service_at_locations__location=library)
    assert list(at_library.values_list("source", flat=True)) == ["familyreach.delivery"]
    assert others.count() == others_before
    assert "withdrawn" in output.getvalue()

    # Running the directory's demo again does not bring them back.
    demo.load(StringIO())
    assert list(at_library.values_list("source", flat=True)) == ["familyreach.delivery"]
    assert others.count() == others_before


def test_after_the_whole_demo_no_venue_lists_both_sources(
    norfolk: NorfolkWorld, client: Client
) -> None:
    """The demo steps in their real order: directory, delivery, then the withdrawal."""
    from familyreach.delivery import demo as delivery_demo

    demo.load(StringIO())
    delivery_demo.load(StringIO())
    demo.withdraw_duplicates(StringIO())

    delivery_venues = set(
        Location.objects.filter(
            service_at_locations__service__source="familyreach.delivery"
        ).values_list("venue_id", flat=True)
    )
    demo_venues = set(
        Location.objects.filter(service_at_locations__service__source="demo").values_list(
            "venue_id", flat=True
        )
    )
    assert delivery_venues  # delivery did publish sessions at real venues
    assert demo_venues  # and the directory's own sessions remain elsewhere
    assert not delivery_venues & demo_venues
