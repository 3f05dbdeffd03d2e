import pytest
from hypothesis import given
from hypothesis import strategies as st

from familyreach.geo.postcodes import (
    InvalidPostcode,
    compact_postcode,
    is_outward_code,
    normalise_postcode,
)

outward_codes = st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]?\Z")
inward_codes = st.from_regex(r"\A[0-9][ABD-HJLNP-UW-Z]{2}\Z")
spacing = st.sampled_from(["", " ", "  ", "\t", " \u00a0"])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("nr301ne", "NR30 1NE"),
        ("NR30 1NE", "NR30 1NE"),
        ("  nr30   1ne ", "NR30 1NE"),
        ("ip24 2ea", "IP24 2EA"),
        ("W1A1AA", "W1A 1AA"),
        ("m11ae", "M1 1AE"),
    ],
)
def test_normalises_any_case_and_spacing(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "NR30", "hello", "NR30 1N", "NR30 1CE", "1NR30NE", "NR30-1NE"]
)
def test_rejects_text_that_is_not_a_full_postcode(typed: str) -> None:
    with pytest.raises(InvalidPostcode) as caught:
        normalise_postcode(typed)
    assert caught.value.message == "Enter a real postcode, like NR30 1NE"


@given(outward_codes, inward_codes, spacing, spacing, st.booleans())
def test_normalising_round_trips(
    outward: str, inward: str, before: str, middle: str, lower: bool
) -> None:
    typed = f"{before}{outward}{middle}{inward}{before}"
    typed = typed.lower() if lower else typed
    normalised = normalise_postcode(typed)
    assert normalised == f"{outward} {inward}"
    assert normalise_postcode(normalised) == normalised
    assert compact_postcode(normalised) == f"{outward}{inward}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NR30", True),
        ("nr3", True),
        (" ip24 ", True),
        ("W1A", True),
        ("NR30 1NE", False),
        ("Thetford", False),
        ("30", False),
    ],
)
def test_recognises_outward_codes(text: str, expected: bool) -> None:
    assert is_outward_code(text) is expected
