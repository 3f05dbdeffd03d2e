"""The erasure quality bar: a family that touched every part of the service (a merged
duplicate, a request for support, a referral, bookings, attendance, a visit, peer support with
outcome and check-in notes, a safeguarding concern, messages, audit entries) is erased, and then
no table's text and no exported file holds any of its names, phone numbers, emails or
postcodes. Runs on SQLite and on PostgreSQL (`make test-postgres`)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone

from familyreach.accounts.models import User
from familyreach.accounts.roles import Role
from familyreach.community.services import matches as match_services
from familyreach.community.services import safeguarding as safeguarding_services
from familyreach.community.services import supporters as supporter_services
from familyreach.core.personal_data import ERASED
from familyreach.delivery.models import Occurrence
from familyreach.delivery.services import (
    booking_create,
)
from familyreach.directory import services as directory
from familyreach.families.models import Family
from familyreach.families.services import (
    CarerDetails,
    ChildDetails,
    ConsentDetails,
    family_anonymise,
    family_merge,
    family_register,
)
from familyreach.geo.models import Area, Postcode
from familyreach.outbox.models import OutboundMessage
from familyreach.referrals import services as referrals
from tests.fixtures.community import supporter_make_ready
from tests.fixtures.directory import support_request_make
from tests.fixtures.families import attended_and_visited
from tests.fixtures.referrals import ReferralWorld

pytestmark = pytest.mark.django_db

# Everything that identifies the family (and its merged duplicate), as typed.
NAMES = ("Zephyrine", "Zephyrina", "Quillfeather", "Oberon", "Marram Way", "Dunlin Court")
PHONES = ("07700 900461", "07700900461", "07700 900462", "07700900462")
EMAILS = ("zephyrine.q@example.net", "zq.other@example.net")
# Postcodes no one else in the test world uses (the other fixtures' family and the peer
# supporter live at NR30 1NE).
POSTCODES = ("NR30 4QX", "NR31 6AA")


@dataclass
class TouchedEverywhere:
    family: Family
    duplicate_id: int
    concern: Any
    coordinator: User


def _ready_supporter(coordinator: User, today: date) -> Any:
    supporter = supporter_services.supporter_apply(
        first_name="Petra",
        last_name="Peer",
        contact_route="Through the coordinator, 01603 000000",
        home_postcode="NR30 1NE",
        applied_on=today - timedelta(days=200),
        user=coordinator,
    )
    return supporter_make_ready(supporter, coordinator=coordinator, on=today)


@pytest.fixture
def touched_everywhere(
    referral_world: ReferralWorld,
    yarmouth_area: Area,
    next_occurrence: Occurrence,
    past_occurrence: Occurrence,
    make_user: Callable[..., User],
) -> TouchedEverywhere:
    worker, manager = referral_world.worker, referral_world.manager
    today = timezone.localdate()
    for postcode, latitude in (("NR30 4QX", 52.612), ("NR31 6AA", 52.585)):
        Postcode.objects.create(
            postcode=postcode,
            compact=postcode.replace(" ", ""),
            outward=postcode.split()[0],
            latitude=latitude,
            longitude=1.724,
            district=yarmouth_area.district,
            area=yarmouth_area,
            area_is_exact=True,
        )
    oberon = ChildDetails(
        first_name="Oberon", last_name="Quillfeather", date_of_birth=today - timedelta(days=200)
    )
    family = family_register(
        user=worker,
        carers=[
            CarerDetails(
                first_name="Zephyrine",
                last_name="Quillfeather",
                relationship="mother",
                phone="07700 900461",
                email="zephyrine.q@example.net",
            )
        ],
        children=[oberon],
        postcode="NR30 4QX",
        address="14 Marram Way, Great Yarmouth",
        consents=[
            ConsentDetails(
                purpose="contact_by_email",
                lawful_basis="consent",
                given_by="Zephyrine Quillfeather",
                method="verbal",
            )
        ],
    ).family
    # A duplicate registered elsewhere, with its own address and contact details, merged in.
    duplicate = family_register(
        user=worker,
        carers=[
            CarerDetails(
                first_name="Zephyrina",
                last_name="Quillfeather",
                phone="07700 900462",
                email="zq.other@example.net",
            )
        ],
        children=[oberon],
        postcode="NR31 6AA",
        address="3 Dunlin Court, Gorleston",
    ).family
    booking_create(user=worker, occurrence_id=next_occurrence.pk, family=duplicate)
    family_merge(user=worker, duplicate=duplicate, keep=family)
    family.refresh_from_db()
    attended_and_visited(
        worker=worker,
        family=family,
        occurrence=past_occurrence,
        purpose="Talk about Oberon's sleep",
        outcome_notes="Zephyrine is coping; Oberon sleeps better",
    )
    # The request for support from the front door, linked to the family by the worker.
    request = support_request_make(
        name="Zephyrine Quillfeather",
        postcode="NR30 4QX",
        children_ages=[0],
        help_with=["family-support"],
        details="Oberon will not sleep and Zephyrine is exhausted",
        contact_method="email",
        email="zephyrine.q@example.net",
        phone="07700 900461",
        best_times="Mornings",
    )
    directory.support_request_accept(support_request=request, user=worker, family_id=family.pk)
    referrals.referral_create(
        user=worker,
        service=referral_world.charity_service,
        family_consent=True,
        name="Zephyrine Quillfeather",
        contact_method="email",
        email="zephyrine.q@example.net",
        phone="07700 900461",
        postcode="NR30 4QX",
        reason="Zephyrine would like a home visitor while Oberon is small",
        family=family,
    )
    # Peer support: a request, a match with check-ins and outcome notes, and a concern.
    coordinator = make_user(Role.VOLUNTEER_COORDINATOR, username="cora-coordinator")
    peer_request = match_services.request_refer_family(
        family_id=family.pk,
        contact_route="Text Zephyrine on 07700 900461",
        stated_needs="Zephyrine would like to talk to another mum about Oberon",
        user=worker,
    )
    match = match_services.match_propose(
        request=peer_request,
        supporter=_ready_supporter(coordinator, today),
        user=coordinator,
        on=today,
    )
    match_services.match_introduce(match=match, on=today, user=coordinator)
    match_services.match_start(match=match, on=today, wellbeing_start=4, user=coordinator)
    match_services.check_in_record(
        match=match,
        held_on=today,
        notes="Zephyrine and Oberon are doing well",
        wellbeing=6,
        user=coordinator,
    )
    concern = safeguarding_services.concern_raise(
        user=coordinator,
        urgency="worried",
        about="Oberon Quillfeather",
        what_happened="Zephyrine said she is struggling at 14 Marram Way",
        match=match,
    )
    match_services.match_end(
        match=match,
        on=today,
        outcome="goals_met",
        user=coordinator,
        wellbeing_end=8,
        notes="Zephyrine feels more confident with Oberon",
    )
    assert manager.has_role(Role.MANAGER)
    return TouchedEverywhere(
        family=family, duplicate_id=duplicate.pk, concern=concern, coordinator=coordinator
    )


def _text_columns(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def _hits_in_tables(needles: tuple[str, ...]) -> list[str]:
    """Every (table, column, needle) where the needle appears, in every model's text columns
    (JSON cast to text), on whichever database the tests run."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        for column in _text_columns(model):
            rows = model._base_manager.annotate(
                _as_text=Cast(column, output_field=models.TextField())
            )
            for needle in needles:
                if needle in POSTCODES and model is Postcode:
                    # The national postcode list holds every postcode, whoever lives there:
                    # it is open reference data, not the family's. Checked apart below.
                    continue
                if rows.filter(_as_text__icontains=needle).exists():
                    hits.append(f"{model._meta.label}.{column}: {needle}")
    return hits


ALL_NEEDLES = NAMES + PHONES + EMAILS + POSTCODES


def _exported_files(client: Client, family_id: int) -> str:
    page = client.get(f"/staff/families/{family_id}/export")
    document = client.get(f"/staff/families/{family_id}/export.json")
    assert page.status_code == document.status_code == 200
    assert page["Cache-Control"] == document["Cache-Control"] == "private, no-store"
    return page.content.decode() + document.content.decode()


def test_the_copy_holds_what_every_app_holds_and_withholds_safeguarding(
    touched_everywhere: TouchedEverywhere, referral_world: ReferralWorld
) -> None:
    client = Client()
    client.force_login(referral_world.manager)
    response = client.get(f"/staff/families/{touched_everywhere.family.pk}/export.json")
    copy = json.loads(response.content)
    sections = {section["title"]: section for section in copy["sections"]}
    records = {title: section["records"] for title, section in sections.items()}
    assert {record["Address"] for record in records["Your household's record"]} == {
        "14 Marram Way, Great Yarmouth",
        "3 Dunlin Court, Gorleston",
    }
    assert {r["First name"] for r in records["Parents and carers"]} == {"Zephyrine", "Zephyrina"}
    assert records["Your requests for support"][0]["What you told us"].startswith("Oberon")
    assert records["Referrals to other organisations"][0]["Email"] == "zephyrine.q@example.net"
    assert records["Your peer supporters"][0]["Notes on how it ended"] == (
        "Zephyrine feels more confident with Oberon"
    )
    assert records["Check-ins on your peer support"][0]["Notes"] == (
        "Zephyrine and Oberon are doing well"
    )
    assert len(records["Bookings"]) == 1
    assert len(records["Sessions you came to"]) == 1
    assert any(
        "Hello Zephyrine" in r["Message"] for r in records["Messages we sent about your records"]
    )
    # Safeguarding: withheld with the reason, whether or not any is held; never the words.
    assert records["Safeguarding concerns"] == []
    assert "Schedule 3" in sections["Safeguarding concerns"]["withheld"]
    assert "struggling" not in response.content.decode()
    assert "Safeguarding concern" not in json.dumps(records["Messages we sent about your records"])
    page = client.get(f"/staff/families/{touched_everywhere.family.pk}/export").content.decode()
    assert "For staff: not part of the family" in page  # the staff member is told, the file not
    assert "withheld" not in json.dumps({k: v for k, v in copy.items() if k != "sections"})


def test_erasure_waits_for_a_decision_on_an_open_safeguarding_concern(
    touched_everywhere: TouchedEverywhere, referral_world: ReferralWorld
) -> None:
    with pytest.raises(ValidationError, match="no final decision"):
        family_anonymise(
            user=referral_world.manager, family=touched_everywhere.family, reason="Asked"
        )
    # The manager's erase page says why instead of failing.
    client = Client()
    client.force_login(referral_world.manager)
    response = client.post(
        f"/staff/families/{touched_everywhere.family.pk}/erase",
        {"reason": "Asked to be forgotten", "confirm": "on"},
    )
    assert response.status_code == 200
    assert "no final decision yet" in response.content.decode()
    assert not Family.objects.get(pk=touched_everywhere.family.pk).is_anonymised


def test_erasure_leaves_no_name_phone_email_or_postcode_in_any_table_or_export(
    touched_everywhere: TouchedEverywhere, referral_world: ReferralWorld
) -> None:
    family = touched_everywhere.family
    safeguarding_services.concern_decide(
        concern=touched_everywhere.concern,
        decision="advice_given",
        notes="Advised the coordinator about Oberon",
        user=touched_everywhere.coordinator,
    )
    # Before: the data is really there (so "no hits" afterwards means something).
    before = _hits_in_tables(ALL_NEEDLES)
    for table in (
        "families.Family.address",
        "families.Carer.phone",
        "directory.SupportRequest.email",
        "referrals.Referral.name",
        "community.Match.outcome_notes",
        "community.CheckIn.notes",
        "community.Concern.what_happened",
        "community.ConcernDecision.notes",
        "outbox.OutboundMessage.to",
        "auditlog.LogEntry.changes",
    ):
        assert any(hit.startswith(table + ":") for hit in before), table
    assert Family.objects.get(pk=touched_everywhere.duplicate_id).address
    children_before = family.children.count()
    contacts_before = family.contacts.count()
    waiting = list(
        OutboundMessage.objects.filter(to__in=EMAILS, status="pending").values_list("pk", flat=True)
    )
    assert waiting

    family_anonymise(user=referral_world.manager, family=family, reason="Asked to be forgotten")

    assert _hits_in_tables(ALL_NEEDLES) == []
    # Only the national postcode list still holds the postcodes (one row each, no person).
    for postcode in POSTCODES:
        assert Postcode.objects.filter(postcode=postcode).count() == 1
    client = Client()
    client.force_login(referral_world.manager)
    exported = _exported_files(client, family.pk)
    assert [needle for needle in ALL_NEEDLES if needle.lower() in exported.lower()] == []
    # Kept: the facts reach counts, the safeguarding trail's existence, who erased and why.
    family.refresh_from_db()
    assert family.is_anonymised
    assert family.children_count_at_anonymisation == children_before
    assert Family.objects.get(pk=touched_everywhere.duplicate_id).is_anonymised
    assert family.contacts.count() == contacts_before
    assert family.bookings.count() == 1
    assert touched_everywhere.concern.decisions.count() == 1
    # The audit trail keeps its facts (who did what, when) without the values.
    kept = LogEntry.objects.get_for_object(family)
    assert kept.filter(additional_data__action="subject-access export").exists()
    assert kept.get(additional_data__action="erasure").additional_data == {
        "action": "erasure",
        "reason": "Asked to be forgotten",
    }
    assert kept.filter(action=LogEntry.Action.CREATE, actor=referral_world.worker).exists()
    # Messages not yet sent to the family are never sent now.
    assert set(OutboundMessage.objects.filter(pk__in=waiting).values_list("status", "to")) == {
        ("failed", ERASED)
    }
