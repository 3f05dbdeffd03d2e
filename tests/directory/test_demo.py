"""The demo loader: real venues with simulated sessions, idempotent, labelled simulated."""

from io import StringIO

import pytest
from django.test import Client

from familyreach.directory import demo
from familyreach.directory.models import AdviceArticle, Location, Service
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
    assert AdviceArticle.objects.filter(status="published").count() == 6
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
