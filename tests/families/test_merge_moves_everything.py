"""Merging a duplicate moves what other apps hold about it to the kept family: its request for
support, its referrals and its peer-support requests. The kept family's record, its copy (subject
access) and its erasure then hold them directly, not through the archived duplicate."""

import json
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.test import Client

from familyreach.community.models import PeerSupportRequest
from familyreach.community.services import matches as match_services
from familyreach.directory import services as directory
from familyreach.directory.models import SupportRequest
from familyreach.families.models import Family
from familyreach.families.services import (
    CarerDetails,
    ChildDetails,
    case_open,
    family_anonymise,
    family_merge,
    family_register,
)
from familyreach.referrals.models import Referral
from tests.fixtures.directory import support_request_make
from tests.fixtures.referrals import ReferralWorld

pytestmark = pytest.mark.django_db

# What identifies the duplicate, as typed on its request, referral and peer-support request.
NEEDLES = ("Wilhelmina", "Fairweather", "07700 900471", "wil.f@example.net")


def _duplicate_with_records(world: ReferralWorld) -> tuple[Family, Family]:
    worker = world.worker
    child = ChildDetails(
        first_name="Tobias", last_name="Fairweather", date_of_birth=date(2025, 11, 2)
    )
    keep = family_register(
        user=worker,
        carers=[CarerDetails(first_name="Wilhelmina", last_name="Fairweather")],
        children=[child],
        postcode="NR30 1NE",
    ).family
    duplicate = family_register(
        user=worker,
        carers=[
            CarerDetails(first_name="Wilhelmina", last_name="Fairweather", phone="07700 900471")
        ],
        children=[child],
        postcode="NR30 1NE",
    ).family
    for family in (keep, duplicate):
        case_open(user=worker, family=family, worker=worker)  # on the worker's caseload
    request = support_request_make(
        name="Wilhelmina Fairweather",
        help_with=["family-support"],
        details="Wilhelmina would like help with Tobias's sleep",
        contact_method="email",
        email="wil.f@example.net",
        phone="07700 900471",
    )
    directory.support_request_accept(support_request=request, user=worker, family_id=duplicate.pk)
    world.refer(
        name="Wilhelmina Fairweather",
        email="wil.f@example.net",
        reason="Wilhelmina would like a home visitor",
        family=duplicate,
    )
    match_services.request_refer_family(
        family_id=duplicate.pk,
        contact_route="Text Wilhelmina on 07700 900471",
        stated_needs="Wilhelmina would like to meet another parent",
        user=worker,
    )
    return keep, duplicate


def test_the_merge_moves_requests_referrals_and_peer_support_to_the_kept_family(
    referral_world: ReferralWorld,
) -> None:
    keep, duplicate = _duplicate_with_records(referral_world)
    assert SupportRequest.objects.filter(family_record_id=duplicate.pk).count() == 1

    family_merge(user=referral_world.worker, duplicate=duplicate, keep=keep)

    for moved in (
        SupportRequest.objects.filter(family_record_id=keep.pk),
        Referral.objects.filter(family=keep),
        PeerSupportRequest.objects.filter(family=keep),
    ):
        assert moved.count() == 1, moved.model
    assert not SupportRequest.objects.filter(family_record_id=duplicate.pk).exists()
    assert not Referral.objects.filter(family=duplicate).exists()
    assert not PeerSupportRequest.objects.filter(family=duplicate).exists()
    # Each move is in the audit trail, by the worker who merged.
    referral = Referral.objects.get(family=keep)
    updates = LogEntry.objects.get_for_object(referral).filter(action=LogEntry.Action.UPDATE)
    assert updates.filter(actor=referral_world.worker).exists()
    archived = Family.objects.get(pk=duplicate.pk)
    assert "request for support" in archived.archive_reason


def test_the_kept_familys_copy_and_erasure_cover_what_moved(
    referral_world: ReferralWorld,
) -> None:
    keep, duplicate = _duplicate_with_records(referral_world)
    family_merge(user=referral_world.worker, duplicate=duplicate, keep=keep)
    client = Client()
    client.force_login(referral_world.manager)
    copy = json.loads(client.get(f"/staff/families/{keep.pk}/export.json").content)
    records = {section["title"]: section["records"] for section in copy["sections"]}
    assert records["Your requests for support"][0]["Email"] == "wil.f@example.net"
    assert records["Referrals to other organisations"][0]["Email"] == "wil.f@example.net"
    assert len(records["Your requests for peer support"]) == 1

    family_anonymise(user=referral_world.manager, family=keep, reason="Asked to be forgotten")

    for model, link in (
        (SupportRequest, {"family_record_id": keep.pk}),
        (Referral, {"family": keep}),
        (PeerSupportRequest, {"family": keep}),
    ):
        text = json.dumps(list(model._base_manager.filter(**link).values()), default=str)
        assert [needle for needle in NEEDLES if needle in text] == [], model
