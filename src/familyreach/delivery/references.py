"""Booking references, the child key behind "one place per child" and the signed links a
family gets to cancel a booking or add it to a calendar.

Families never sign in, so the links in their confirmation are the only way back to a booking:
each carries the booking's reference signed with the site's secret (Django's signing), so a
link cannot be guessed or changed into another booking's. The cancel and calendar links are
signed with different salts: a calendar link someone forwards cannot cancel the place.
"""

import hashlib
import secrets
import unicodedata
from datetime import date

from django.core import signing
from django.utils.crypto import salted_hmac

# No 0/O or 1/I/L: a reference read out over the phone or copied from a text is not misread.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8
CANCEL_SALT = "familyreach.delivery.booking-cancel"
CALENDAR_SALT = "familyreach.delivery.booking-calendar"


def new_booking_reference() -> str:
    """Eight characters from 31: about 850 billion references, so a clash is vanishingly
    rare; the unique constraint on `Booking.reference` catches the one that happens."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def child_key(*, first_name: str, born_or_due: date | None, postcode: str) -> str:
    """The same child, however the parent typed it: first name (case, accents and spaces
    ignored), date of birth or due date, and postcode. Kept as a keyed hash, not the details,
    so the key column says nothing about the child by itself. Empty when there is no date:
    then the child cannot be told apart and only the family-level rule applies."""
    if born_or_due is None:
        return ""
    name = unicodedata.normalize("NFKD", first_name or "")
    name = "".join(c for c in name if c.isalnum()).casefold()
    squashed = "".join((postcode or "").split()).upper()
    value = f"{name}|{born_or_due.isoformat()}|{squashed}"
    return salted_hmac("familyreach.delivery.child-key", value, algorithm="sha256").hexdigest()


def cancel_token(reference: str) -> str:
    return signing.Signer(salt=CANCEL_SALT).sign(reference)


def calendar_token(reference: str) -> str:
    return signing.Signer(salt=CALENDAR_SALT).sign(reference)


def reference_from_token(token: str, *, salt: str) -> str | None:
    """The reference a link was signed for, or None for a link that was not made by us."""
    try:
        return signing.Signer(salt=salt).unsign(token)
    except signing.BadSignature:
        return None


def hold_token_hash(token: str) -> str:
    """What is stored of a confirmation link's secret (`BookingHold.token_hash`): a leaked
    table cannot be turned back into links. The secret has 256 random bits, so a plain hash
    is enough; no salt or slow hash is needed against guessing."""
    return hashlib.sha256(token.encode()).hexdigest()
