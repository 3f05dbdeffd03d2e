"""A worker refers a family they work with for peer support: only what matching needs is
copied from the family record, the read is audited, and others cannot refer families they
cannot see."""

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.test import Client

from familyreach.community.models import PeerSupportRequest
from familyreach.community.services import matches as match_services
from familyreach.families.models import Family

pytestmark = pytest.mark.django_db


def test_a_worker_refers_a_family_and_only_matching_fields_are_copied(
    yarmouth_family: Family, family_worker: Any, coordinator: Any
) -> None:
    from familyreach.families.services import case_open

    case_open(user=family_worker, family=yarmouth_family, worker=family_worker)
    client = Client()
    client.force_login(family_worker)
    url = f"/staff/community/families/{yarmouth_family.pk}/peer-support"
    accesses = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    assert client.get(url).status_code == 200
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() > accesses
    assert client.post(url, {}).status_code == 400
    response = client.post(
        url,
        {
            "contact_route": "Text after 10am",
            "languages": "English, Polish",
            "experiences_wanted": ["postnatal_depression"],
            "stated_needs": "Low since the birth; would like to talk to someone who has been there",
        },
    )
    assert response.status_code == 302
    request = PeerSupportRequest.objects.get()
    carer = yarmouth_family.carers.first()
    assert request.family == yarmouth_family
    assert request.first_name == carer.first_name  # type: ignore[union-attr]
    assert request.postcode == yarmouth_family.postcode
    assert request.languages == ["English", "Polish"]
    assert request.area == yarmouth_family.area


def test_a_coordinator_cannot_refer_a_family_they_cannot_see(
    yarmouth_family: Family, coordinator: Any
) -> None:
    with pytest.raises(PermissionDenied):
        match_services.request_refer_family(
            family_id=yarmouth_family.pk,
            contact_route="x",
            stated_needs="y",
            user=coordinator,
        )
    client = Client()
    client.force_login(coordinator)
    url = f"/staff/community/families/{yarmouth_family.pk}/peer-support"
    assert client.get(url).status_code == 403


def test_erasing_a_family_erases_its_peer_support_request_too(
    yarmouth_family: Family, family_worker: Any, manager: Any
) -> None:
    from familyreach.families.services import case_open, family_anonymise

    case_open(user=family_worker, family=yarmouth_family, worker=family_worker)
    request = match_services.request_refer_family(
        family_id=yarmouth_family.pk,
        contact_route="Text Amy on 07700 900123 after 10am",
        stated_needs="Amy is low since the birth",
        user=family_worker,
    )
    first_name = request.first_name
    family_anonymise(user=manager, family=yarmouth_family, reason="retention rule")

    request.refresh_from_db()
    assert request.first_name == "(anonymised)"
    assert request.contact_route == ""
    assert request.stated_needs == ""
    assert request.postcode == ""
    assert request.latitude is None
    assert request.area == yarmouth_family.area  # still countable by area
    history = LogEntry.objects.get_for_object(request)
    assert history.exists()
    assert not any(first_name in str(entry.changes) for entry in history)
    assert not any("07700" in str(entry.changes) for entry in history)
