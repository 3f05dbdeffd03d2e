"""How listings read: descriptions as safe paragraphs with links, addresses without repeats."""

from familyreach.directory.models import Address
from familyreach.directory.presentation import (
    address_line,
    address_lines,
    address_parts,
    description_paragraphs,
    town,
)


def test_blank_lines_make_paragraphs_and_single_breaks_stay_line_breaks() -> None:
    html = str(description_paragraphs("Songs and rhymes.\n\nBring a snack.\nNo need to book."))
    assert html == (
        '<p class="govuk-body">Songs and rhymes.</p>\n'
        '<p class="govuk-body">Bring a snack.<br>\nNo need to book.</p>'
    )


def test_windows_line_endings_and_spaces_on_the_blank_line_still_split() -> None:
    html = str(description_paragraphs("One.\r\n  \r\nTwo."))
    assert html.count("<p ") == 2


def test_web_addresses_become_links_without_the_full_stop_after_them() -> None:
    html = str(description_paragraphs("See https://example.org/groups?day=mon&age=1. Thanks"))
    assert (
        '<a class="govuk-link" href="https://example.org/groups?day=mon&amp;age=1" '
        'rel="nofollow noopener noreferrer">https://example.org/groups?day=mon&amp;age=1</a>. '
        "Thanks"
    ) in html


def test_a_closing_bracket_after_an_address_is_not_part_of_it() -> None:
    html = str(description_paragraphs("(details at https://example.org/a)"))
    assert 'href="https://example.org/a"' in html
    assert html.endswith("</a>)</p>")


def test_everything_else_is_escaped() -> None:
    html = str(
        description_paragraphs(
            '<script>alert(1)</script> <a href="javascript:alert(1)">x</a> javascript:alert(2)'
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<a " not in html


def test_a_quote_cannot_break_out_of_the_link() -> None:
    html = str(description_paragraphs('https://example.org/"onmouseover="alert(1)'))
    assert 'href="https://example.org/"' in html
    assert 'onmouseover="alert' not in html


def test_an_empty_description_is_empty() -> None:
    assert str(description_paragraphs("")) == ""
    assert str(description_paragraphs(None)) == ""
    assert str(description_paragraphs(" \n\n ")) == ""


def _address(**fields: str) -> Address:
    return Address(**{"address_1": "", "address_2": "", "city": "", "postal_code": "", **fields})


def test_the_venue_name_is_not_repeated_in_its_address() -> None:
    address = _address(address_1="Angel Road Infant School", city="Norwich", postal_code="NR3 3HR")
    assert address_line(address, location_name="Angel Road Infant School") == "Norwich, NR3 3HR"


def test_empty_parts_repeats_and_placeholders_are_dropped() -> None:
    address = _address(address_1="Angel Road", address_2=" ", city="Unknown", postal_code="NR3 3HR")
    assert address_lines(address, location_name="School") == ["Angel Road", "NR3 3HR"]
    assert address_parts(
        location_name="", parts=["Tolhouse Street", "tolhouse  street,", None, "Great Yarmouth"]
    ) == ["Tolhouse Street", "Great Yarmouth"]


def test_a_full_address_reads_in_order() -> None:
    address = _address(
        address_1="Tolhouse Street",
        address_2="Market Place",
        city="Great Yarmouth",
        postal_code="NR30 2SH",
    )
    assert (
        address_line(address, location_name="Great Yarmouth Library")
        == "Tolhouse Street, Market Place, Great Yarmouth, NR30 2SH"
    )


def test_the_town_is_empty_when_it_is_only_the_venue_name() -> None:
    assert town(_address(city="Gorleston"), location_name="Gorleston") == ""
    assert town(_address(city="Gorleston"), location_name="Gorleston Library") == "Gorleston"
