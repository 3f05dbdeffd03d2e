"""Markdown written by staff (proposals, decisions) rendered to safe HTML for GOV.UK pages."""

import markdown as markdown_library
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br"}
# GOV.UK classes added after cleaning, so authors cannot add their own attributes.
GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<a ": '<a class="govuk-link" ',
    "<blockquote>": '<blockquote class="govuk-inset-text">',
}


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML; nh3 strips scripts, styles, event handlers and unknown tags."""
    html = markdown_library.markdown(text or "", extensions=[], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    for plain, styled in GOVUK_CLASSES.items():
        cleaned = cleaned.replace(plain, styled)
    return mark_safe(cleaned)  # noqa: S308 (cleaned by nh3 just above)
