"""Registering families (postcode to area to need), consent, duplicates and merging."""

from collections.abc import Callable
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from familyreach.accounts.models import User
from familyreach.delivery.models import Attendance, Booking, Contact, Occurrence
from familyreach.delivery.services import (
    RegisterEntry,
    booking_create,
    register_close,
    register_update,
)
from familyreach.families.models import Carer, Child, Consent, Family
from familyreach.families.selectors import family_possible_duplicates, names_are_similar
from familyreach.families.services import (
    CarerDetails,
    ChildDetails,
    ConsentDetails,
    PossibleDuplicates,
    TargetGroups,
    case_open,
    consent_record,
    consent_withdraw,
    family_merge,
    family_register,
    family_register_by_worker,
    family_update,
)
from familyreach.geo.exceptions import InvalidPostcode
from familyreach.geo.models import Area

pytestmark = pytest.mark.django_db


def test_registration_resolves_postcode_to_area_and_need(
    yarmouth_area: Area, family_worker: User
) -> None:
    result = family_register(
        user=family_worker,
        carers=[CarerDetails(first_name="Amy", last_name="Smith", phone="07700 900123")],
        children=[
            ChildDetails(first_name="Ben", date_of_birth=date(2025, 3, 1)),
            ChildDetails(expected_due_date=date(2026, 12, 20)),
        ],
        postcode="nr301ne",
        target_groups=TargetGroups(lone_parent=True, english_additional_language=True),
        consents=[
            ConsentDetails(
                purpose="keep_record", lawful_basis="public_task", given_by="Amy", method="verbal"
            )
        ],
    )
    family = result.family
    assert family.postcode == "NR30 1NE"
    assert family.area == yarmouth_area
    assert family.district == yarmouth_area.district
    assert family.need_decile == 1
    assert family.target_groups == ["Lone parent", "English as an additional language"]
    assert family.children.count() == 2
    assert family.carers.get().is_main_contact
    consent = family.consents.get()
    assert consent.recorded_by == family_worker
    assert consent.lawful_basis == "public_task"
    # The write was audited with its actor.
    entry = LogEntry.objects.get_for_object(family).get(action=LogEntry.Action.CREATE)
    assert entry.actor == family_worker


def test_a_postcode_outside_our_data_registers_without_an_area(db: object) -> None:
    family = family_register(
        user=None,
        carers=[CarerDetails(first_name="Sue")],
        children=[ChildDetails(first_name="Tom", date_of_birth=date(2024, 1, 1))],
        postcode="IP1 1AA",
    ).family
    assert family.postcode == "IP1 1AA"
    assert family.area is None


def test_an_invalid_postcode_is_refused_with_a_clear_message(db: object) -> None:
    with pytest.raises(InvalidPostcode) as problem:
        family_register(
            user=None,
            carers=[CarerDetails(first_name="Sue")],
            children=[ChildDetails(first_name="Tom", date_of_birth=date(2024, 1, 1))],
            postcode="not a postcode",
        )
    assert "postcode" in problem.value.message
    assert Family.objects.count() == 0


def test_a_child_needs_a_birth_or_due_date(yarmouth_area: Area) -> None:
    with pytest.raises(ValidationError):
        family_register(
            user=None,
            carers=[CarerDetails(first_name="Sue")],
            children=[ChildDetails(first_name="Tom")],
            postcode="NR30 1NE",
        )
    assert Family.objects.count() == 0  # all or nothing


def test_duplicates_are_found_by_child_birth_date_and_similar_name_nearby(
    yarmouth_family: Family, norwich_area: Area
) -> None:
    near = family_possible_duplicates(
        children=[ChildDetails(first_name="Benn", date_of_birth=date(2025, 3, 1))],
        postcode="NR30 9ZZ",
    )
    assert near == [yarmouth_family]
    other_name = family_possible_duplicates(
        children=[ChildDetails(first_name="Zara", date_of_birth=date(2025, 3, 1))],
        postcode="NR30 1NE",
    )
    assert other_name == []
    far_away = family_possible_duplicates(
        children=[ChildDetails(first_name="Ben", date_of_birth=date(2025, 3, 1))],
        postcode="NR2 4AB",
    )
    assert far_away == []
    result = family_register(
        user=None,
        carers=[CarerDetails(first_name="Amy")],
        children=[ChildDetails(first_name="Benjamin", date_of_birth=date(2025, 3, 1))],
        postcode="NR30 1NE",
    )
    assert result.possible_duplicates == [yarmouth_family]
    assert result.family.needs_duplicate_review


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [("Sam", "Samuel", True), ("Jayden", "Jaden", True), ("Ben", "Zoe", False), ("", "Ben", False)],
)
def test_names_are_similar(first: str, second: str, similar: bool) -> None:
    assert names_are_similar(first, second) is similar


def test_consent_is_recorded_and_withdrawn(yarmouth_family: Family, family_worker: User) -> None:
    consent = consent_record(
        user=family_worker,
        family=yarmouth_family,
        details=ConsentDetails(
            purpose="contact_by_text", lawful_basis="consent", given_by="Amy", method="phone"
        ),
    )
    assert consent.is_active
    consent_withdraw(user=family_worker, consent=consent, note="Asked by phone")
    consent.refresh_from_db()
    assert not consent.is_active
    assert consent.withdrawn_by == family_worker
    with pytest.raises(ValidationError):
        consent_withdraw(user=family_worker, consent=consent)


def test_update_moves_the_family_to_a_new_area(
    yarmouth_family: Family, norwich_area: Area, family_worker: User
) -> None:
    family_update(
        user=family_worker,
        family=yarmouth_family,
        postcode="NR2 4AB",
        address="2 New Road",
        target_groups=TargetGroups(workless_household=True),
    )
    yarmouth_family.refresh_from_db()
    assert yarmouth_family.area == norwich_area
    assert yarmouth_family.workless_household


def test_merge_loses_nothing(
    yarmouth_family: Family,
    register_family: Callable[..., Family],
    next_occurrence: Occurrence,
    past_occurrence: Occurrence,
    family_worker: User,
) -> None:
    duplicate = register_family(
        "Amy", child="Benjamin", email="amy@example.org", consents=None, last_name="Smith"
    )
    consent_record(
        user=family_worker,
        family=duplicate,
        details=ConsentDetails(
            purpose="contact_by_email", lawful_basis="consent", given_by="Amy", method="online"
        ),
    )
    case_open(user=family_worker, family=duplicate, worker=family_worker, next_action="Call")
    # Both booked the same occurrence; only the duplicate attended last week.
    booking_create(user=family_worker, occurrence_id=next_occurrence.pk, family=yarmouth_family)
    booking_create(user=family_worker, occurrence_id=next_occurrence.pk, family=duplicate)
    register_update(
        user=family_worker,
        occurrence=past_occurrence,
        entries=[RegisterEntry(family_id=duplicate.pk, present=True, adults=1, children=1)],
    )
    register_close(user=family_worker, occurrence=past_occurrence)
    children_before = Child.objects.count()
    carers_before = Carer.objects.count()

    family_merge(user=family_worker, duplicate=duplicate, keep=yarmouth_family)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == yarmouth_family
    assert duplicate.is_archived
    assert Child.objects.count() == children_before
    assert Carer.objects.count() == carers_before
    assert yarmouth_family.children.count() == 2
    assert yarmouth_family.carers.count() == 2
    assert Consent.objects.filter(family=yarmouth_family, purpose="contact_by_email").exists()
    assert yarmouth_family.cases.filter(worker=family_worker).exists()
    assert Contact.objects.filter(family=yarmouth_family, occurrence=past_occurrence).count() == 1
    assert Attendance.objects.filter(family=yarmouth_family).count() == 1
    assert Booking.objects.filter(family=yarmouth_family).count() == 2  # one now cancelled
    assert Booking.objects.filter(family=duplicate).count() == 0
    assert "booking" in duplicate.archive_reason
    for model in (Child, Carer, Consent, Contact, Attendance, Booking):
        assert not model.objects.filter(family=duplicate).exists()
    with pytest.raises(ValidationError):
        family_merge(user=family_worker, duplicate=duplicate, keep=yarmouth_family)


def _register_by_worker(
    user: User | None, *, confirmed: bool = False, texts: bool = False
) -> Family:
    return family_register_by_worker(
        user=user,
        carer=CarerDetails(first_name="Amy", last_name="Smith", relationship="parent"),
        child=ChildDetails(first_name="Ben", last_name="Smith", date_of_birth=date(2025, 3, 1)),
        postcode="NR30 1NE",
        address="",
        target_groups=TargetGroups(),
        consent_method="verbal",
        consent_to_texts=texts,
        consent_to_emails=False,
        confirmed_not_duplicate=confirmed,
    )


def test_a_worker_registers_a_family_with_its_consents_and_takes_it_on(
    yarmouth_area: Area, family_worker: User
) -> None:
    family = _register_by_worker(family_worker, texts=True)

    bases = dict(family.consents.values_list("purpose", "lawful_basis"))
    assert bases == {"keep_record": "public_task", "contact_by_text": "consent"}
    assert family.cases.filter(worker=family_worker, closed_on=None).count() == 1
    assert not family.needs_duplicate_review


def test_a_possible_duplicate_writes_nothing_until_the_worker_confirms(
    yarmouth_family: Family, family_worker: User
) -> None:
    before = Family.objects.count()
    with pytest.raises(PossibleDuplicates) as found:
        _register_by_worker(family_worker)
    assert found.value.duplicates == [yarmouth_family]
    assert Family.objects.count() == before

    family = _register_by_worker(family_worker, confirmed=True)
    assert Family.objects.count() == before + 1
    assert family.cases.filter(worker=family_worker).exists()


def test_registration_and_the_case_are_one_transaction(yarmouth_area: Area) -> None:
    # With nobody to take the family on, opening the case fails: the family is not kept either,
    # so no family is left on nobody's caseload.
    before = Family.objects.count()
    with pytest.raises(ValidationError):
        _register_by_worker(None)
    assert Family.objects.count() == before
