"""Staff-written Markdown turned into safe HTML: Markdown renders, nh3 removes anything that
is not plain content (scripts, styles, event handlers), and links get GOV.UK classes."""

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "a", "p", "ul", "ol", "li", "strong", "em", "h2", "h3", "h4", "blockquote", "br", "hr",
    "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<a href=": '<a class="govuk-link" href=',
}


def render_markdown(text: str) -> Markup:
    html = markdown.markdown(text, extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    for plain, styled in CLASSES.items():
        clean = clean.replace(plain, styled)
    return Markup(clean)  # noqa: S704 (sanitised by nh3 above)
