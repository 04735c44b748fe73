"""Markdown in, safe HTML out.

Every field shown to readers as HTML goes through :func:`render_markdown`: Markdown is rendered,
then bleach keeps only an allow-list of tags and attributes and only http(s)/mailto URLs. No
``style`` attribute, no event handler, no ``javascript:`` or ``data:`` URL survives.
"""

import bleach
import markdown

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr",
        "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "sub", "sup", "small",
        "blockquote", "q", "cite",
        "ul", "ol", "li",
        "a", "img",
        "code", "pre",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "img": ["src", "alt", "title"],
    "th": ["scope"],
    "q": ["cite"],
    "blockquote": ["cite"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def sanitize_html(html: str) -> str:
    return _cleaner.clean(html)


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to show to readers.

    A level-one heading in the body is demoted: the page's ``<h1>`` is the headline.
    """
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>").replace("<h1 ", "<h2 ")
    return sanitize_html(html)
