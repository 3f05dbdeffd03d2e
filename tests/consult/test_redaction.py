"""Personal details are removed from text before it is published or quoted."""

import pytest

from familyreach.consult.markdown import render_markdown
from familyreach.consult.redaction import REDACTED, redact_personal_details


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("Email me at jo.bloggs+c@example.co.uk please", f"Email me at {REDACTED} please"),
        ("We live at NR30 1NE near the sea", f"We live at {REDACTED} near the sea"),
        ("postcode nr301ne", f"postcode {REDACTED}"),
        ("Call 07700 900123 any time", f"Call {REDACTED} any time"),
        ("Ring (01603) 123 456.", f"Ring {REDACTED}."),
        ("Or +44 7700 900123", f"Or {REDACTED}"),
        ("My name is Sam Jones and I live nearby", f"My name is {REDACTED} and I live nearby"),
        ("Kind regards,\nAli Khan", f"Kind regards,\n{REDACTED}"),
        ("my daughter is called Maisie.", f"my daughter is called {REDACTED}."),
        ("Mrs Smith at the centre was great", f"{REDACTED} at the centre was great"),
    ],
)
def test_personal_details_are_removed(written: str, published: str) -> None:
    assert redact_personal_details(written) == published


@pytest.mark.parametrize(
    "ordinary",
    [
        "The 7 bases plan leaves Thetford without a base",
        "I travel from Dereham on the X1 bus, 45 minutes each way",
        "NR30 is a deprived area",  # an outward code alone is a place, not a person
        "In 2019 the budget fell from £10m to £5m",
    ],
)
def test_ordinary_text_is_left_alone(ordinary: str) -> None:
    assert redact_personal_details(ordinary) == ordinary


def test_markdown_is_rendered_with_govuk_classes_and_cleaned() -> None:
    html = str(
        render_markdown(
            "## Plan\n\n[link](https://example.org) <img src=x onerror=alert(1)> "
            "[bad](javascript:alert(1))\n\n<script>alert(1)</script>"
        )
    )
    assert '<h2 class="govuk-heading-m">Plan</h2>' in html
    assert 'class="govuk-link" href="https://example.org"' in html
    assert "onerror" not in html
    assert "<img" not in html
    assert "javascript:" not in html
    assert "<script" not in html
