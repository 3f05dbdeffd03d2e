"""Removing personal details from what respondents wrote before anything is published.

Respondents are asked not to include personal details, but some do. Moderators read every
response before it is published; this function does the mechanical part first so that a
moderator's miss does not leak a postcode, an email address, a phone number or a name given
in a sign-off ("my name is…", "regards, …"). Moderators can still reject a response.
"""

import re

REDACTED = "[removed]"

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", re.IGNORECASE)
# A full UK postcode (e.g. NR30 1NE, nr301ne) and, separately, a bare outward code with a
# following partial inward code is not matched: outward codes alone ("NR30") are areas, not
# personal data.
POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)
# UK phone numbers: 01603 123456, 07700 900123, +44 7700 900123, (01493) 123 456.
PHONE = re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w])")
# Names introduced by the phrases people use to give them. The name is one to three
# capitalised words.
_NAME_WORD = r"[A-Z][a-zA-Z'’-]+"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}"
NAME_AFTER_PHRASE = re.compile(
    # The lead phrase ignores case; the name itself must be capitalised as written, so that
    # "my name is Sam and I live" removes "Sam" and keeps "and I live".
    r"(?P<lead>\b(?i:my name is|i am called|i'm called|signed|kind regards,?|regards,?|"
    r"best wishes,?|yours sincerely,?|yours faithfully,?|many thanks,?|"
    r"my (?:son|daughter|child|husband|wife|partner|baby)(?:'s name is| is called| called))\s+)"
    rf"(?P<name>{_NAME})"
)
# Titles followed by a name: Mrs Smith, Dr. Jane Brown.
TITLED_NAME = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Rev|Cllr)\.?\s+{_NAME}")


def redact_personal_details(text: str) -> str:
    """The text with emails, postcodes, phone numbers and introduced names replaced."""
    redacted = EMAIL.sub(REDACTED, text)
    redacted = POSTCODE.sub(REDACTED, redacted)
    redacted = PHONE.sub(REDACTED, redacted)
    redacted = TITLED_NAME.sub(REDACTED, redacted)

    def _name(match: re.Match[str]) -> str:
        return match.group("lead") + REDACTED

    return NAME_AFTER_PHRASE.sub(_name, redacted)
