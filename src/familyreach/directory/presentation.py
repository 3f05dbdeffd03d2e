"""How listings read on public pages: descriptions as paragraphs with working links, and
addresses that read as addresses. Pure functions over text, registered as Jinja2 filters
(`config/jinja2.py`) so every page that shows a listing words it the same way.
"""

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from familyreach.directory.models import Address

# Paragraphs are separated by a blank line (spaces on it allowed), as people type them.
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# Only web addresses become links: a `javascript:` or `data:` address stays plain text.
WEB_ADDRESS = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
# Punctuation after an address in a sentence ("see https://example.org.") is not part of it.
TRAILING_PUNCTUATION = ".,;:!?"
# `location_upsert_from_venue` writes "Unknown" when a venue has no town: not a place name.
PLACEHOLDER_PARTS = frozenset({"unknown"})


def _split_web_address(candidate: str) -> tuple[str, str]:
    """(the address, what follows it) for a match that may have swallowed punctuation."""
    tail = ""
    while candidate:
        last = candidate[-1]
        if last in TRAILING_PUNCTUATION or (
            last == ")" and candidate.count(")") > candidate.count("(")
        ):
            tail = last + tail
            candidate = candidate[:-1]
            continue
        break
    return candidate, tail


def _linked(text: str) -> Markup:
    """The text escaped, with each web address a GOV.UK link. `nofollow` because listings are
    written by community groups; `noopener noreferrer` so the other site learns nothing."""
    pieces: list[Markup] = []
    position = 0
    for match in WEB_ADDRESS.finditer(text):
        address, tail = _split_web_address(match.group(0))
        if "://" not in address or address.endswith("://"):
            continue
        pieces.append(escape(text[position : match.start()]))
        pieces.append(
            Markup(
                '<a class="govuk-link" href="{0}" rel="nofollow noopener noreferrer">{0}</a>'
            ).format(address)
        )
        pieces.append(escape(tail))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def description_paragraphs(text: str | None) -> Markup:
    """A listing's description as GOV.UK paragraphs: split on blank lines, a single line break
    kept as a line break, web addresses linked, everything else escaped (descriptions come
    from community groups and imported feeds, so they are never trusted as HTML)."""
    normalised = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not normalised:
        return Markup("")
    paragraphs = []
    for paragraph in PARAGRAPH_BREAK.split(normalised):
        lines = [line.strip() for line in paragraph.strip().split("\n")]
        body = Markup("<br>\n").join(_linked(line) for line in lines if line)
        paragraphs.append(Markup('<p class="govuk-body">{}</p>').format(body))
    return Markup("\n").join(paragraphs)


def _comparable(part: str) -> str:
    return " ".join(part.replace(",", " ").split()).casefold()


def address_parts(
    *,
    location_name: str,
    parts: Iterable[str | None],
    placeholder_parts: frozenset[str] = PLACEHOLDER_PARTS,
) -> list[str]:
    """The parts of an address worth reading: not empty, not the venue's name again (imports
    often put it in the first line: "Angel Road Infant School, Angel Road Infant School,
    Norwich"), not a placeholder, and each part once."""
    seen = {_comparable(location_name)} if location_name.strip() else set()
    kept = []
    for part in parts:
        cleaned = " ".join((part or "").split()).strip(" ,")
        key = _comparable(cleaned)
        if not key or key in seen or key in placeholder_parts:
            continue
        seen.add(key)
        kept.append(cleaned)
    return kept


def address_lines(address: Address, *, location_name: str = "") -> list[str]:
    """An address as the lines of a letter: street, second line, town, postcode."""
    return address_parts(
        location_name=location_name,
        parts=(address.address_1, address.address_2, address.city, address.postal_code),
    )


def address_line(address: Address, *, location_name: str = "") -> str:
    """An address on one line, for a search result: "Angel Road, Norwich, NR3 3HR"."""
    return ", ".join(address_lines(address, location_name=location_name))


def town(address: Address, *, location_name: str = "") -> str:
    """The town alone (for the short list of matches further away), or "" when it is only
    the venue's name or a placeholder."""
    parts = address_parts(location_name=location_name, parts=(address.city,))
    return parts[0] if parts else ""
