"""Input nobody expects gets a clear answer, never a server error (issue 18's 500s)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from familyreach.accounts.models import User
from familyreach.core.input import uk_phone, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        (" 12 ", 12),
        ("0", 0),
        ("²", None),  # str.isdigit() is true for it; int() refuses it
        ("١٢", None),  # Arabic-Indic digits: int() takes them, but nobody means an id by them
        ("-1", None),
        ("1.5", None),
        ("", None),
        ("9" * 19, None),  # more digits than a bigint column holds
        ("9" * 18, 10**18 - 1),
        (None, None),
    ],
)
def test_whole_number_takes_only_plain_digits(text: object, expected: int | None) -> None:
    assert whole_number(text) == expected


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("", ""), ("  01603 223000 ", "01603 223000"), ("+44 7700 900982", "+44 7700 900982")],
)
def test_uk_phone_keeps_a_uk_number_as_typed(typed: str, kept: str) -> None:
    assert uk_phone(typed) == kept


@pytest.mark.parametrize("typed", ["call me", "01603", "0160322300099", "07700-900982"])
def test_uk_phone_refuses_what_is_not_one(typed: str) -> None:
    with pytest.raises(ValidationError, match="Enter a UK phone number"):
        uk_phone(typed)


@pytest.mark.django_db
def test_request_support_with_a_unicode_digit_age_says_what_is_wrong(client: Client) -> None:
    response = client.post(
        "/request-support",
        {"requester": "parent", "name": "A Parent", "postcode": "NR30 1AA", "children_ages": "²"},
    )
    assert response.status_code == 200
    assert "ages as numbers from 0 to 18" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("age", ["²", "9" * 40, "-3"])
def test_find_with_a_strange_age_still_answers(client: Client, age: str) -> None:
    response = client.get("/find", {"postcode": "NR30 1AA", "age": age})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/find?q=sleep%00", "/find?postcode=NR30%001AA", "/advice?q=%00", "/find?a%00b=1"],
)
def test_a_nul_in_any_parameter_is_a_bad_request(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "govuk-" in response.content.decode()  # the project's own 400 page


@pytest.mark.django_db
def test_a_nul_in_a_form_post_is_a_bad_request(client: Client) -> None:
    # As a browser sends a form without files (multipart bodies are left to the forms, whose
    # fields refuse NUL).
    response = client.post(
        "/request-support",
        "name=A%00Parent",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("organization", ["abc", "1" * 30, "²"])
def test_new_listing_for_a_malformed_organisation_is_not_found(
    client: Client, manager: User, organization: str
) -> None:
    client.force_login(manager)
    response = client.get("/staff/directory/services/new", {"organization": organization})
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/staff/sessions/99999999999999999999/occurrences/2026-12-13",
        "/staff/families/9223372036854775808",
        "/book/99999999999999999999999999",
    ],
)
def test_an_id_wider_than_any_column_is_not_found(client: Client, manager: User, url: str) -> None:
    # Found by the property-based run: the database driver refuses the number (OverflowError)
    # before the query can find nothing.
    client.force_login(manager)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_largest_id_a_column_holds_is_looked_up_as_usual(client: Client, manager: User) -> None:
    client.force_login(manager)
    assert client.get("/staff/families/9223372036854775807").status_code == 404


@pytest.mark.parametrize(
    "parts",
    [("2147483648", "1", "2020"), ("1", "1", "2147483648"), ("1", "99999999999999999999", "2020")],
)
def test_a_date_part_wider_than_a_c_int_is_not_a_real_date(parts: tuple[str, str, str]) -> None:
    # Found by the property-based run on PostgreSQL: date() raises OverflowError, not
    # ValueError, for a part wider than a C int, and the register form gave a 500.
    from django import forms as django_forms

    from familyreach.families.forms import DateField

    class Form(django_forms.Form):
        born = DateField(label_text="Date of birth")

    day, month, year = parts
    form = Form({"born-day": day, "born-month": month, "born-year": year})
    assert not form.is_valid()
    assert form.errors["born"] == ["Date of birth must be a real date"]
