"""The archive's plain-text article format, as the world writes it.

The reference is ``seeds/000_b0138dc3623c1b13.txt``:

* The first non-empty line is the headline; then paragraphs separated by blank lines.
* Credits, in the first few or the last few paragraphs, in any of the shapes that
  :mod:`articles.importing.credits` reads: an attribution sentence ("This article originally
  appeared in the November 4, 2025 edition of La Jornada, …"), a byline, a closing credit
  block (one item per line: source, translators, date, original URL), a dateline. They become
  data (source, original date and URL, authors, translators, dateline) and leave the body;
  the page shows the archive's own attribution line instead.
* A short one-line paragraph without closing punctuation (or a short quoted exclamation),
  between two paragraphs, is a subheading; a date, a name under a quotation, a row of dashes
  and a photo caption never are.
* A trailing block of related stories: each item starts with an indented bullet "•". The title
  follows the bullet, or, when the bullet line holds only a stray "|", is the next non-empty
  line. The next indented paragraph, if any, is the item's summary.

Text the grammar does not recognise stays in the body, word for word; lines that look like
credits but were not understood are listed in ``ParsedArticle.notes``.
"""

import codecs
import re
from pathlib import Path

from articles.importing import credits, layout
from articles.importing.credit_blocks import Block as _Block
from articles.importing.credit_blocks import mark_zones, read_credits
from articles.importing.parsed import ImportProblem, ParsedArticle, ParsedRelatedStory
from articles.text import clean_text, headline_key

MAX_FILE_BYTES = 1024 * 1024
BULLET = "\u2022"
SUBHEADING_MAX_CHARS = 100
SUBHEADING_MAX_WORDS = 14
CLOSING_PUNCTUATION = ".!?…:;,\"'”’)]»"
LEAD_BLOCKS = 5  # credits are looked for in the first five …
TAIL_BLOCKS = 8  # … and the last eight paragraphs
SOURCE_NAME_MAX = 200
SOURCE_DESCRIPTION_MAX = 300


def read_text(path: Path) -> str:
    """The file's text, or :class:`ImportProblem` for a file that is not UTF-8 text."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportProblem(f"file is too large ({size:,} bytes; the limit is 1 MB)")
    data = path.read_bytes()
    encoding = "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # as Windows' Notepad saves "Unicode" text
    elif b"\x00" in data:
        raise ImportProblem("binary data, not a text file")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise ImportProblem(f"not {name} text (invalid byte at offset {exc.start})") from None
    if any(ord(ch) < 32 and ch not in "\n\r\t\f" for ch in text):
        raise ImportProblem("binary data, not a text file (control characters)")
    return text


# Invisible characters that only hide words from the credits' grammar and the search: zero
# width spaces and joiners, soft hyphens, a byte-order mark inside the text.
INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")


def import_text(text: str) -> str:
    """An imported text as the archive keeps text (``clean_text``: composed accents, LF, no
    control characters), without invisible characters."""
    return clean_text(INVISIBLE.sub("", text))


def parse_article(text: str, sources=()) -> ParsedArticle:
    """The article a text holds. ``sources``: the names of the sources the archive knows
    (credits that name one are read by it, see ``credits.Sources``)."""
    known = credits.Sources(sources)
    text = import_text(text)
    blocks = _blocks(text)
    if not blocks:
        raise ImportProblem("the file is empty")

    first = blocks[0]
    headline = first.lines[0].strip()
    rest_of_first = first.lines[1:]
    blocks = blocks[1:]
    if rest_of_first:  # a paragraph that starts right under the headline
        blocks.insert(0, _Block(rest_of_first, first.line_no + 1))

    blocks, related = _split_related(blocks)
    parsed = ParsedArticle(headline=headline, body="", related=related)
    zones = mark_zones(blocks, LEAD_BLOCKS, TAIL_BLOCKS, sources=known)
    blocks = read_credits(zones, parsed, sources=known)
    if not blocks:
        raise ImportProblem("no body: the file has a headline but no paragraphs")
    if parsed.dateline:
        _prefix_dateline(blocks, parsed.dateline)
    else:
        parsed.dateline = layout.leading_dateline(blocks[0].text)
    parsed.body, parsed.body_html = _to_markdown(blocks, headline)
    _check_lengths(parsed)
    parsed.needs_review = review_reason(parsed)
    return parsed


def review_reason(parsed: ParsedArticle) -> str:
    """Why the article should wait for an editor rather than be published as it is read:
    a credit line the grammar did not understand, no source (a translation's attribution
    was not read), or no date (published now, a translation of an old article would pass
    for today's news)."""
    unread = [note for note in parsed.notes if "looks like a credit" in note]
    if unread:
        return f"a credit was not understood ({unread[0].split(':', 1)[0]})"
    if not parsed.source_name and parsed.original_published_on is None:
        return "no source or original date was found in the text"
    if not parsed.source_name:
        return "no source was found in the text"
    if parsed.original_published_on is None:
        return "no original date was found in the text"
    return ""


def _prefix_dateline(blocks: list[_Block], dateline: str) -> None:
    """A dateline that stood on its own line opens the first paragraph, as news sites show
    it: "Oaxaca de Juárez, Oaxaca, March 3, 2019 — Thousands of teachers …"."""
    for index, block in enumerate(blocks):
        text = block.text
        if layout.is_rule(text) or layout.is_caption(text):
            continue
        blocks[index] = _Block([f"{dateline} — {text}"], block.line_no, block.zone)
        return


def _blocks(text: str) -> list[_Block]:
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append(_Block(current, start))
            current = []
    if current:
        blocks.append(_Block(current, start))
    return blocks


def _is_bullet(block: _Block) -> bool:
    return block.lines[0].strip().startswith(BULLET)


def _split_related(blocks: list[_Block]) -> tuple[list[_Block], list[ParsedRelatedStory]]:
    """Separate the trailing related-stories block from the article's paragraphs.

    The block starts at the first indented bullet after which every paragraph is indented.
    """
    start = None
    for i in range(len(blocks) - 1, -1, -1):
        if not blocks[i].indented:
            break
        if _is_bullet(blocks[i]):
            start = i
    if start is None:
        return blocks, []
    body, tail = blocks[:start], blocks[start:]
    related: list[ParsedRelatedStory] = []
    i = 0
    while i < len(tail):
        block = tail[i]
        title = block.lines[0].strip()[len(BULLET) :].strip()
        extra = [line.strip() for line in block.lines[1:]]
        i += 1
        if title in ("", "|"):
            if extra:
                title, extra = extra[0], extra[1:]
            elif i < len(tail) and not _is_bullet(tail[i]):
                title = tail[i].text
                i += 1
            else:
                raise ImportProblem(f"line {block.line_no}: a related story without a title")
        summary = " ".join(extra)
        while i < len(tail) and not _is_bullet(tail[i]):
            summary = f"{summary} {tail[i].text}".strip()
            i += 1
        related.append(ParsedRelatedStory(title=title, summary=summary))
    return body, related


def _check_lengths(parsed: ParsedArticle) -> None:
    if len(parsed.source_name) > SOURCE_NAME_MAX:
        raise ImportProblem(
            f"the source name is {len(parsed.source_name)} characters long "
            f"(the limit is {SOURCE_NAME_MAX}): {parsed.source_name[:60]!r}…"
        )
    if len(parsed.source_description) > SOURCE_DESCRIPTION_MAX:
        raise ImportProblem(
            f"the source description is {len(parsed.source_description)} characters long "
            f"(the limit is {SOURCE_DESCRIPTION_MAX})"
        )
    for name in parsed.authors + parsed.translators:
        if len(name) > 200:
            raise ImportProblem(f"a credited name is over 200 characters: {name[:60]!r}…")


# -- The body ----------------------------------------------------------------------------------


# How a caption line ends in the Markdown (see ``_to_markdown``): a photo's file name or credit
IMAGE_ENDINGS = ("{: .caption }",)


def _is_subheading(block: _Block) -> bool:
    text = block.text
    if (
        len(block.lines) != 1
        or len(text) > SUBHEADING_MAX_CHARS
        or len(text.split()) > SUBHEADING_MAX_WORDS
    ):
        return False
    if layout.is_date_only(text) or layout.is_caption(text) or layout.is_rule(text):
        return False
    # A pull quote's speaker ("María López, teacher"), a person's name alone: not a heading
    if credits.is_name(text.lstrip("—–- ").split(",")[0]):
        return False
    if text[-1] not in CLOSING_PUNCTUATION:
        return True
    # “¡Ya basta!”: a short quoted exclamation or question is a heading too.
    return layout.is_quotation(text) and text[-2:-1] in ("!", "?")


# Characters that would make Markdown read plain text as markup or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(\s|$)")
_QUOTE_START = re.compile(r"^(\s*)>")


def _escape(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text (markup shows as text)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")
    text = _QUOTE_START.sub(r"\1&gt;", text)
    return _LIST_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}{m[3]}", text)


def _to_markdown(blocks: list[_Block], headline: str = "") -> tuple[str, str | None]:
    """The body as Markdown and, when every paragraph is plain enough (see ``_plain``), the
    HTML that ``render_markdown`` would make of it, written directly: Markdown and sanitizing
    cost about 4 ms an article, most of an import's time. Otherwise the HTML is None and the
    caller renders the Markdown. (``tests/test_import_shapes.py`` checks both agree.)

    The headline again at the top of the text (a copied page repeats it) is left out; a
    photo's caption line, and a short title line right above it, are captions."""
    title = headline_key(headline)
    blocks = [
        block
        for index, block in enumerate(_split_layout_lines(blocks))
        if not (title and index < LEAD_BLOCKS and headline_key(block.text) == title)
    ]
    out: list[str] = []
    html: list[str] = []
    last = len(blocks) - 1
    index = 0
    while index <= last:
        block, text = blocks[index], blocks[index].text
        index += 1
        if layout.is_rule(text):
            # A section break between paragraphs; nothing at either end or after a break.
            if out and index <= last and out[-1] != "* * *":
                out.append("* * *")
                html.append("<hr>")
            continue
        if layout.is_caption(text):
            out.append(_escape(text) + "\n{: .caption }")
            html.append(f'<p class="caption">{_html(text)}</p>')
            continue
        if (
            layout.is_quotation(text)
            and index <= last
            and layout.quotation_speaker(blocks[index].text)
        ):
            speaker = blocks[index].text.lstrip("—–- ").strip()
            out.append(f"> {_escape(text)}\n>\n> — {_escape(speaker)}")
            html.append(
                f"<blockquote>\n<p>{_html(text)}</p>\n<p>— {_html(speaker)}</p>\n</blockquote>"
            )
            index += 1
            continue
        image_next = index <= last and layout.is_caption(blocks[index].text)
        if (out and out[-1].endswith(IMAGE_ENDINGS) or image_next) and _is_subheading(block):
            # a short line under (or over) an image is its title or caption, not a heading
            out.append(_escape(text) + "\n{: .caption }")
            html.append(f'<p class="caption">{_html(text)}</p>')
            continue
        if out and index <= last and _is_subheading(block):
            out.append("## " + _escape(text))
            html.append(f"<h2>{_html(text)}</h2>")
        else:
            out.append(_escape(text))
            html.append(f"<p>{_html(text)}</p>")
    if not out:
        raise ImportProblem("no body: the file has a headline but no paragraphs")
    markdown = "\n\n".join(out) + "\n"
    plain = all(_plain(block.text) for block in blocks)
    return markdown, "\n".join(html) if plain else None


def _split_layout_lines(blocks: list[_Block]) -> list[_Block]:
    """A photo's caption or file name, or a rule, on a line of its own inside a paragraph,
    as a paragraph of its own (credit zones have been split so already)."""
    out = []
    for block in blocks:
        lines = block.lines
        if len(lines) > 1 and any(
            layout.is_caption(line) or layout.is_rule(line) for line in lines
        ):
            out += [_Block([line], block.line_no + n, block.zone) for n, line in enumerate(lines)]
        else:
            out.append(block)
    return out


# Text in which Markdown and the sanitizer change nothing but "&" and no-break spaces: no
# markup characters, no entity, nothing that opens a definition list.
_NOT_PLAIN = re.compile(r"[\\`*_\[\]{}#|<>~\t]|&#?\w+;|^:")


def _plain(text: str) -> bool:
    return not _NOT_PLAIN.search(text)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("\u00a0", "&nbsp;")


def split_headline(text: str) -> tuple[str, str]:
    """A pasted original's headline and the rest: its first paragraph when that is one short
    line without closing punctuation, as a headline is (the side-by-side page pairs the
    paragraphs: a headline left in would put every pair one off)."""
    blocks = _blocks(import_text(text or ""))
    if len(blocks) > 1 and len(blocks[0].lines) == 1:
        first = blocks[0].text.strip()
        if len(first) <= 300 and not first.endswith((".", ":", ";", ",")):
            rest = import_text(text).split("\n")[blocks[1].line_no - 1 :]
            return first, "\n".join(rest)
    return "", text


def plain_text_markdown(text: str) -> str:
    """Plain text (paragraphs between blank lines) as Markdown that shows exactly that text:
    how a pasted original is kept."""
    text = import_text(text)
    if not text.strip():
        return ""
    return "\n\n".join(_escape(block.text) for block in _blocks(text)) + "\n"
