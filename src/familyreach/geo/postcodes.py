"""UK postcodes: normalising what people type, and telling full postcodes from outward codes.

A full postcode is an outward code (area letters, district digits, optional letter/digit: "NR30",
"NR3", "W1A") and an inward code (a digit and two letters: "1NE"). We accept any case and any
spacing and return the Royal Mail form: upper case, one space before the inward code.
"""

import re

from familyreach.geo.exceptions import InvalidPostcode

__all__ = ["InvalidPostcode", "compact_postcode", "is_outward_code", "normalise_postcode"]

OUTWARD_PATTERN = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
# The inward code's letters never include C, I, K, M, O or V (Royal Mail's rule).
INWARD_PATTERN = r"[0-9][ABD-HJLNP-UW-Z]{2}"
FULL_POSTCODE = re.compile(rf"^({OUTWARD_PATTERN})({INWARD_PATTERN})$")
OUTWARD_CODE = re.compile(rf"^{OUTWARD_PATTERN}$")
WHITESPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return WHITESPACE.sub("", text or "").upper()


def normalise_postcode(text: str) -> str:
    """`"nr301ne"` -> `"NR30 1NE"`. Raises `InvalidPostcode` if it is not a full UK postcode."""
    match = FULL_POSTCODE.match(_squash(text))
    if match is None:
        raise InvalidPostcode()
    return f"{match.group(1)} {match.group(2)}"


def compact_postcode(text: str) -> str:
    """`"nr30 1ne"` -> `"NR301NE"` (the key postcodes are stored under)."""
    return normalise_postcode(text).replace(" ", "")


def is_outward_code(text: str) -> bool:
    """True for the first half of a postcode on its own, such as "NR30" or "ip24"."""
    return bool(OUTWARD_CODE.match(_squash(text)))
