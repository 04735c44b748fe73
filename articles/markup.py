"""Markdown in, safe HTML out.

Every field shown to readers as HTML goes through :func:`render_markdown`: Markdown is rendered,
then nh3 (Rust's ammonia: an HTML5 parser and an allow-list; bleach, which this used before,
is deprecated upstream) keeps only an allow-list of tags and attributes and only
http(s)/mailto URLs (and relative ones). No ``style`` attribute, no event handler, no
``javascript:`` or ``data:`` URL survives; nor do control characters, which no HTML or XML
page may hold (a feed with one cannot be written).
"""

import re
import threading
from html import escape

import markdown
import nh3

from articles.text import CONTROL_CHARACTERS

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
CLASSES = {"p": {"caption"}}  # a photo caption or credit line (see the importers)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"scope"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes=ATTRIBUTES,
    allowed_classes=CLASSES,
    url_schemes=set(ALLOWED_PROTOCOLS),
    strip_comments=True,
    link_rel=None,
)


def without_control_characters(text: str) -> str:
    """``text`` without control characters, which no page or feed may hold. Python-Markdown's
    own placeholders are made of them ("\x02klzzwxh:0\x03"): typed into a text, one would
    stand for markup stashed away and come out raw."""
    return CONTROL_CHARACTERS.sub("", text)


def sanitize_html(html: str) -> str:
    return without_control_characters(_cleaner.clean(html))


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """One converter per thread, reset between documents: building one costs more than
    converting a short article."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
        _local.converter = converter
    return converter


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to show to readers.

    A level-one heading in the body is demoted: the page's ``<h1>`` is the headline. An
    image given by its address (as imported posts have) loads only when scrolled near.
    """
    html = _markdown().reset().convert(without_control_characters(text or ""))
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>").replace("<h1 ", "<h2 ")
    return sanitize_html(html).replace("<img ", '<img loading="lazy" ')


def mark_dateline(html: str, dateline: str) -> str:
    """Style the dateline that opens the body ("Monterrey. …") as news sites do."""
    if not dateline:
        return html
    opening = "<p>" + escape(dateline, quote=False)
    if not html.startswith(opening):
        return html
    return f'<p><span class="dateline">{html[3 : len(opening)]}</span>{html[len(opening) :]}'


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """The Markdown's paragraphs (blocks between blank lines), each rendered and sanitized:
    what the side-by-side page pairs, the original's 7th with the translation's 7th."""
    return [render_markdown(block) for block in _PARAGRAPH_BREAK.split(text or "") if block.strip()]
