"""The one-child rule shared by quick registration forms: a born child's date of birth or a
baby's due date, never neither, and the `ChildDetails` each form builds from it."""

from datetime import date

import pytest

from familyreach.delivery.forms import OnlineBookingForm, WalkInForm
from familyreach.families.forms import FamilyRegisterForm
from tests.govuk_forms import date_fields

pytestmark = pytest.mark.django_db

POSTCODE = "NR30 1NE"


def _register(**extra: str) -> dict[str, str]:
    return {
        "carer_first_name": "Sam",
        "carer_last_name": "Smith",
        "postcode": POSTCODE,
        "consent_keep_record": "on",
        "consent_method": "verbal",
        **extra,
    }


def _walk_in(**extra: str) -> dict[str, str]:
    return {
        "carer_first_name": "Sam",
        "carer_last_name": "Smith",
        "postcode": POSTCODE,
        "adults": "1",
        "children": "1",
        "consent_keep_record": "on",
        **extra,
    }


def _online(**extra: str) -> dict[str, str]:
    return {
        "carer_first_name": "Sam",
        "carer_last_name": "Smith",
        "postcode": POSTCODE,
        "privacy": "on",
        **extra,
    }


@pytest.mark.parametrize(
    ("form_class", "data", "message"),
    [
        (FamilyRegisterForm, _register(), "Enter the child's date of birth or the baby's due date"),
        (WalkInForm, _walk_in(), "Enter the child's date of birth or the baby's due date"),
        (OnlineBookingForm, _online(), "Enter your child's date of birth or your due date"),
    ],
)
def test_neither_birth_nor_due_date_is_refused_in_each_forms_words(
    norfolk: object, form_class: type, data: dict[str, str], message: str
) -> None:
    form = form_class(data=data)
    assert not form.is_valid()
    assert form.errors["child_date_of_birth"] == [message]


@pytest.mark.parametrize(
    ("form_class", "data"),
    [
        (FamilyRegisterForm, _register(child_first_name="Ada")),
        (WalkInForm, _walk_in(child_first_name="Ada")),
    ],
)
def test_a_born_child_drops_any_due_date(
    norfolk: object, form_class: type, data: dict[str, str]
) -> None:
    dates = date_fields("child_date_of_birth", date(2025, 2, 3)) | date_fields(
        "expected_due_date", date(2027, 1, 1)
    )
    form = form_class(data={**data, **dates})
    assert form.is_valid(), form.errors
    child = form.child()
    assert child.date_of_birth == date(2025, 2, 3)
    assert child.expected_due_date is None
    assert (child.first_name, child.last_name) == ("Ada", "Smith")


def test_a_due_date_alone_is_kept() -> None:
    form = WalkInForm(data=_walk_in(**date_fields("expected_due_date", date(2027, 1, 1))))
    form.is_valid()
    assert "child_date_of_birth" not in form.errors
    assert form.cleaned_data["expected_due_date"] == date(2027, 1, 1)
