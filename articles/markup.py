"""Markdown in, safe HTML out.

Every field shown to readers as HTML goes through :func:`render_markdown`: Markdown is rendered,
then nh3 (Rust's ammonia: an HTML5 parser and an allow-list; bleach, which this used before,
is deprecated upstream) keeps only an allow-list of tags and attributes and only
http(s)/mailto URLs (and relative ones). No ``style`` attribute, no event handler, no
``javascript:`` or ``data:`` URL survives; nor do control characters, which no HTML or XML
page may hold (a feed with one cannot be written).
"""

import re
from html import escape
from html.parser import HTMLParser

import nh3
from cmarkgfm.cmark import Options, markdown_to_html_with_extensions

from articles.text import CONTROL_CHARACTERS

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr",
        "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "sub", "sup", "small",
        "blockquote", "q", "cite", "del", "s",
        "ul", "ol", "li", "dl", "dt", "dd",
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
    "ol": {"start"},
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
    """``text`` without control characters, which no page or feed may hold."""
    return CONTROL_CHARACTERS.sub("", text)


def sanitize_html(html: str) -> str:
    return without_control_characters(_cleaner.clean(html))


# CommonMark with GitHub's tables, strikethrough (``~~``) and footnotes, through cmark-gfm
# (C; linear time in its input by design: its test suite includes the pathological inputs
# that make other parsers quadratic, such as thousands of unmatched "["). Raw HTML is passed
# to the sanitizer, which keeps only the allow-list above.
OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
OPTIONS |= Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
EXTENSIONS = ("table", "strikethrough")
# The longest text rendered (and the longest body or original an article may have): about
# 50,000 words, a long report. Rendering is linear in the text's length, whatever it holds;
# at this size the worst inputs known take about a second, ordinary text a few hundredths
# (``manage.py benchmark_markup`` measures them; docs/performance.md has the numbers).
MAX_CHARS = 300_000

# A caption line: a paragraph ending with the attribute list "{: .caption }" (as PHP Markdown
# Extra and kramdown write it; the importers do, under a photo), anywhere, lists included.
_CAPTION_PARAGRAPH = re.compile(r"<p>((?:(?!</?p[ >]).)*?)\n\{:\s*\.caption\s*\}</p>", re.DOTALL)
_CAPTION_ITEM = re.compile(
    r"(<li>)((?:(?!</?li[ >]|<p>).)*?)\n\{:\s*\.caption\s*\}(?=</li>|\n<)", re.DOTALL
)
_CAPTION_LEFT = re.compile(r"(?:<p>)?\s*\{:\s*\.caption\s*\}\s*(?:</p>)?")


def _captions(html: str) -> str:
    if "{:" not in html:
        return html
    html = _CAPTION_PARAGRAPH.sub(r'<p class="caption">\1</p>', html)
    html = _CAPTION_ITEM.sub(r'\1<p class="caption">\2</p>', html)
    return _CAPTION_LEFT.sub("", html)  # a caption mark on its own never shows


# A definition list, as PHP Markdown Extra (and Python-Markdown, which this archive used
# before) writes it: terms on their own lines, each definition on a line starting ": ".
_PARAGRAPH = re.compile(r"<p>((?:(?!</?p[ >]).)*?)</p>", re.DOTALL)
_DEFINITION_START = re.compile(r"^ {0,3}:[ \t]+")


def _definition_lists(html: str) -> str:
    if "\n:" not in html and "\n :" not in html:
        return html

    def as_list(match):
        lines = match[1].split("\n")
        first = next((i for i, line in enumerate(lines) if _DEFINITION_START.match(line)), 0)
        if first == 0:
            return match[0]
        parts = [f"<dt>{term.strip()}</dt>" for term in lines[:first]]
        definitions: list[str] = []
        for line in lines[first:]:
            if _DEFINITION_START.match(line):
                definitions.append(_DEFINITION_START.sub("", line))
            else:
                definitions[-1] += "\n" + line
        parts += [f"<dd>{definition.strip()}</dd>" for definition in definitions]
        return "<dl>" + "".join(parts) + "</dl>"

    return _PARAGRAPH.sub(as_list, html).replace("</dl>\n<dl>", "")


# How deep elements may nest before the sanitizer sees them: html5ever (nh3's parser) checks
# the open elements' stack for each block element it opens, so 100,000 nested <div>s or
# "> " quotes cost it a minute; a page never needs more than a few dozen levels.
MAX_NESTING = 64
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def bounded_nesting(html: str, limit: int = MAX_NESTING) -> str:
    """``html`` with the tags that would open an element deeper than ``limit`` (and their
    closing tags) shown as text instead: one pass, whatever the input."""
    stack: list[str] = []
    out, start = [], 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match[1], match[2].lower(), match[3]
        if name in _VOID or self_closing:
            continue
        if closing:
            if name in stack:  # the stack is at most ``limit`` deep
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
                continue
        elif len(stack) < limit:
            stack.append(name)
            continue
        elif name in ("p", "li", "dd", "dt") and stack[-1] == name:
            continue  # closes the one before it: no deeper
        out.append(html[start : match.start()])
        out.append("&lt;" + match[0][1:])
        start = match.end()
    if not out:
        return html
    out.append(html[start:])
    return "".join(out)


def render_markdown(text: str) -> str:
    """Render Markdown to HTML that is safe to show to readers.

    A level-one heading in the body is demoted: the page's ``<h1>`` is the headline. An
    image given by its address (as imported posts have) loads only when scrolled near.
    """
    text = without_control_characters(text or "")[:MAX_CHARS]
    html = markdown_to_html_with_extensions(text, options=OPTIONS, extensions=EXTENSIONS)
    html = bounded_nesting(_definition_lists(_captions(html)))
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>").replace("<h1 ", "<h2 ")
    return sanitize_html(html).strip().replace("<img ", '<img loading="lazy" ')


def mark_dateline(html: str, dateline: str) -> str:
    """Style the dateline that opens the body ("Monterrey. …") as news sites do."""
    if not dateline:
        return html
    opening = "<p>" + escape(dateline, quote=False)
    if not html.startswith(opening):
        return html
    return f'<p><span class="dateline">{html[3 : len(opening)]}</span>{html[len(opening) :]}'


# -- Teasers ------------------------------------------------------------------------------------

# Lines that open a body without being its prose: a photo's caption or credit, a note about
# the edition, a credit line, the attribution.
_NOT_PROSE = re.compile(
    r"^(?:also in (?:this|today’s|today's) edition|photo|foto|photograph|picture|image|"
    r"illustration|video|credit|source|fuente|translated by|translation|by |por |"
    r"this article|originally published|read the original|editor’s note|editor's note)\b",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(r"\b(?:photo|foto|fotografía|photograph)\b\W*\w[^.!?]*$", re.IGNORECASE)
_PROSE_WORDS = 12  # a shorter paragraph is a title, a caption or a credit line
_PARAGRAPH_END = re.compile(r"(?<=</p>)")


class _Paragraphs(HTMLParser):
    """The body's own paragraphs (not those inside a quotation, figure, list or table), with
    whether each is a caption or wholly emphasized (a note, a credit)."""

    NESTING = {"blockquote", "figure", "li", "table", "dl", "aside"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, bool]] = []
        self._inside = 0
        self._paragraph: list[str] | None = None
        self._marked = False
        self._plain = False  # text outside <em>/<strong> seen in this paragraph
        self._emphasis = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.NESTING:
            self._inside += 1
        elif tag == "p" and not self._inside:
            self._paragraph, self._plain, self._emphasis = [], False, 0
            self._marked = "caption" in (dict(attrs).get("class") or "").split()
        elif tag in ("em", "strong", "i", "b") and self._paragraph is not None:
            self._emphasis += 1

    def handle_endtag(self, tag):
        if tag in self.NESTING:
            self._inside = max(0, self._inside - 1)
        elif tag == "p" and self._paragraph is not None:
            text = " ".join("".join(self._paragraph).split())
            if text:
                self.found.append((text, self._marked or not self._plain))
            self._paragraph = None
        elif tag in ("em", "strong", "i", "b") and self._paragraph is not None:
            self._emphasis = max(0, self._emphasis - 1)

    def handle_data(self, data):
        if self._paragraph is not None:
            self._paragraph.append(data)
            if data.strip() and not self._emphasis:
                self._plain = True


def opening_prose(html: str) -> str:
    """The first paragraph of a body that is prose: never a caption, a credit, an "Also in
    this edition" line, a pull quote (a quotation), or a line too short to be a paragraph;
    the first paragraph of any kind when none is ("" for no paragraph)."""
    parser = _Paragraphs()
    checked = 0
    # Read a paragraph at a time, and no further than the one found (usually the first or
    # second): a listing shows twenty teasers.
    for chunk in _PARAGRAPH_END.split(html):
        parser.feed(chunk)
        for text, set_apart in parser.found[checked:]:
            checked += 1
            if set_apart or _NOT_PROSE.match(text) or len(text.split()) < _PROSE_WORDS:
                continue
            if not _PHOTO_CREDIT.search(text[-60:]):
                return text
    parser.close()
    return parser.found[0][0] if parser.found else ""
