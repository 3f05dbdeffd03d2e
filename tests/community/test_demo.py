"""The community demo loads simulated records, labelled as such, and can run again."""

from io import StringIO

import pytest

from familyreach.community import demo
from familyreach.community.models import CommunityGroup, PeerSupporter, Room

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("ready_for_the_community_demo")
def test_demo_is_simulated_labelled_and_idempotent() -> None:
    out = StringIO()
    demo.load(out)
    demo.load(out)
    supporters = PeerSupporter.objects.all()
    # Homes only where the fixture has postcodes (NR30, NR31, PE30 outward codes).
    assert {s.first_name for s in supporters} == {"Ania", "Bea", "Ellen"}
    assert all(s.is_simulated for s in supporters)
    groups = CommunityGroup.objects.all()
    assert groups.count() == 3
    assert all(g.is_simulated and "(simulated)" in g.name for g in groups)
    assert [g.status for g in groups.order_by("pk")] == ["approved", "approved", "submitted"]
    # No former centres in this world: rooms go in libraries, marked demo.
    assert Room.objects.count() == 4
    assert all(room.is_demo for room in Room.objects.all())
    assert "Community (simulated): 0 peer supporters" in out.getvalue()
