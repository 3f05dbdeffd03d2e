"""Rights: subject access holds everything; erasure leaves no personal data and keeps counts;
the retention rule anonymises on time; reads are audited."""

from collections.abc import Callable
from datetime import date
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from familyreach.accounts.models import User
from familyreach.delivery.models import Attendance, Booking, Contact, Occurrence, Visit
from familyreach.delivery.services import (
    booking_create,
)
from familyreach.families.models import Carer, Case, Child, Consent, Family
from familyreach.families.selectors import family_export_for_user, family_get_for_user
from familyreach.families.services import (
    ConsentDetails,
    case_open,
    consent_record,
    family_anonymise,
    retention_date,
)
from tests.fixtures.families import attended_and_visited

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_family(
    yarmouth_family: Family,
    family_worker: User,
    past_occurrence: Occurrence,
    next_occurrence: Occurrence,
) -> Family:
    """A family with one of everything: consent, case, booking, attendance, contact, visit."""
    consent_record(
        user=family_worker,
        family=yarmouth_family,
        details=ConsentDetails(
            purpose="contact_by_text", lawful_basis="consent", given_by="Amy", method="verbal"
        ),
    )
    case_open(user=family_worker, family=yarmouth_family, worker=family_worker, reason="New baby")
    booking_create(user=family_worker, occurrence_id=next_occurrence.pk, family=yarmouth_family)
    attended_and_visited(
        worker=family_worker,
        family=yarmouth_family,
        occurrence=past_occurrence,
        purpose="Talk about sleep",
        outcome_notes="Amy is coping well",
    )
    return yarmouth_family


def test_subject_access_export_contains_every_linked_record(
    busy_family: Family, family_worker: User
) -> None:
    copy = family_export_for_user(user=family_worker, family_id=busy_family.pk).data
    sections = {section["title"]: section["records"] for section in copy["sections"]}
    expected = {
        "Parents and carers": Carer.objects.filter(family=busy_family),
        "Children": Child.objects.filter(family=busy_family),
        "What you agreed to": Consent.objects.filter(family=busy_family),
        "Support from our family workers": Case.objects.filter(family=busy_family),
        "Times you were in contact with the service": Contact.objects.filter(family=busy_family),
        "Bookings": Booking.objects.filter(family=busy_family),
        "Sessions you came to": Attendance.objects.filter(family=busy_family),
        "Home visits, meetings and calls": Visit.objects.filter(family=busy_family),
    }
    for title, rows in expected.items():
        assert rows.exists(), title
        assert len(sections[title]) == rows.count(), title
    assert sections["Home visits, meetings and calls"][0]["Notes"] == "Amy is coping well"
    assert sections["Parents and carers"][0]["First name"] == "Amy"
    assert any(row["What"] == "Looked at" for row in copy["activity"]["records"])
    assert any(row["What"] == "subject-access export" for row in copy["activity"]["records"])


def test_reading_a_family_is_audited(yarmouth_family: Family, family_worker: User) -> None:
    case_open(user=None, family=yarmouth_family, worker=family_worker)
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    family_get_for_user(user=family_worker, family_id=yarmouth_family.pk)
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).latest("timestamp")
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1
    assert entry.actor == family_worker
    assert entry.object_pk == str(yarmouth_family.pk)


PERSONAL = ("Amy", "Smith", "Ben", "1 Test Street", "NR30 1NE", "coping well", "Talk about sleep")


def test_erasure_leaves_no_personal_data_and_keeps_counts(
    busy_family: Family, family_worker: User, manager: User
) -> None:
    contacts_before = list(
        Contact.objects.filter(family=busy_family).values_list("date", "kind", "area_id")
    )
    area = busy_family.area
    family_anonymise(user=manager, family=busy_family, reason="Asked to be forgotten")
    busy_family.refresh_from_db()
    assert busy_family.is_anonymised
    assert busy_family.children_count_at_anonymisation == 1
    assert busy_family.area == area
    for model in (Carer, Child, Consent, Case):
        assert not model.objects.filter(family=busy_family).exists()
    # Contacts are still there and still countable by area.
    assert (
        list(Contact.objects.filter(family=busy_family).values_list("date", "kind", "area_id"))
        == contacts_before
    )
    assert Contact.objects.filter(area=area).count() == len(contacts_before)
    # No personal data anywhere: the family, its visits, or the audit history.
    export = family_export_for_user(user=manager, family_id=busy_family.pk).data
    text = str(export) + str(
        list(
            LogEntry.objects.values_list(
                "changes", "changes_text", "object_repr", "serialized_data"
            )
        )
    )
    for value in PERSONAL:
        assert value not in text, (
            value,
            text[max(0, text.find(value) - 300) : text.find(value) + 100],
        )


def test_retention_date_is_the_youngest_childs_25th_birthday(
    register_family: Callable[..., Family], yarmouth_area: object
) -> None:
    family = register_family(dob=date(2024, 2, 29))
    assert retention_date(family) == date(2049, 2, 28)


def test_apply_retention_anonymises_only_families_past_their_date(
    register_family: Callable[..., Family], yarmouth_area: object
) -> None:
    old = register_family("Olga", child="Oscar", dob=date(2000, 5, 1))
    young = register_family("Yan", child="Yuri", dob=date(2024, 5, 1))
    out = StringIO()
    call_command("families_apply_retention", "--dry-run", "--today", "2025-06-01", stdout=out)
    assert "1 families are due" in out.getvalue()
    old.refresh_from_db()
    assert not old.is_anonymised
    call_command("families_apply_retention", "--today", "2025-06-01", stdout=out)
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.is_anonymised
    assert not young.is_anonymised
    assert not old.carers.exists()
    assert "Anonymised 1 families" in out.getvalue()


def test_erasure_is_all_or_nothing(
    busy_family: Family, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from familyreach.families import services

    def broken(erased: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "_scrub_audit_history", broken)
    with pytest.raises(RuntimeError):
        family_anonymise(user=manager, family=busy_family, reason="test")
    busy_family.refresh_from_db()
    assert not busy_family.is_anonymised
    assert busy_family.carers.filter(first_name="Amy").exists()
    assert busy_family.address == "1 Test Street"


def test_erased_family_cannot_be_booked(
    yarmouth_family: Family, manager: User, next_occurrence: Occurrence
) -> None:
    from familyreach.delivery.services import BookingRefused

    family_anonymise(user=manager, family=yarmouth_family, reason="Retention")
    with pytest.raises(BookingRefused):
        booking_create(user=None, occurrence_id=next_occurrence.pk, family=yarmouth_family)
