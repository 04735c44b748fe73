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

import re
from dataclasses import dataclass
from pathlib import Path

from articles.importing import credits
from articles.importing.dates import DateProblem
from articles.importing.parsed import ImportProblem, ParsedArticle, ParsedRelatedStory

MAX_FILE_BYTES = 1024 * 1024
BULLET = "\u2022"
SUBHEADING_MAX_CHARS = 100
SUBHEADING_MAX_WORDS = 14
CLOSING_PUNCTUATION = ".!?…:;,\"'”’)]»"
LEAD_BLOCKS = 5  # credits are looked for in the first five …
TAIL_BLOCKS = 8  # … and the last eight paragraphs
SOURCE_NAME_MAX = 200
SOURCE_DESCRIPTION_MAX = 300
_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[\"“¿¡A-ZÁÉÍÓÚÑ*_\[(])")


@dataclass
class _Block:
    """A paragraph: consecutive non-blank lines, with the number of the first."""

    lines: list[str]
    line_no: int
    zone: str = ""  # "lead" or "tail" when credits may be there

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)

    @property
    def indented(self) -> bool:
        return self.lines[0][:1].isspace()


def read_text(path: Path) -> str:
    """The file's text, or :class:`ImportProblem` for a file that is not UTF-8 text."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportProblem(f"file is too large ({size:,} bytes; the limit is 1 MB)")
    data = path.read_bytes()
    if b"\x00" in data:
        raise ImportProblem("binary data, not a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if any(ord(ch) < 32 and ch not in "\n\r\t\f" for ch in text):
        raise ImportProblem("binary data, not a text file (control characters)")
    return text


def parse_article(text: str) -> ParsedArticle:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
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
    blocks = _read_credits(_mark_zones(blocks), parsed)
    if not blocks:
        raise ImportProblem("no body: the file has a headline but no paragraphs")
    if parsed.dateline:
        _prefix_dateline(blocks, parsed.dateline)
    else:
        parsed.dateline = credits.leading_dateline(blocks[0].text)
    parsed.body = _to_markdown(blocks)
    _check_lengths(parsed)
    return parsed


def _prefix_dateline(blocks: list[_Block], dateline: str) -> None:
    """A dateline that stood on its own line opens the first paragraph, as news sites show
    it: "Oaxaca de Juárez, Oaxaca, March 3, 2019 — Thousands of teachers …"."""
    for index, block in enumerate(blocks):
        text = block.text
        if credits.is_rule(text) or credits.is_caption(text):
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


# -- Credits -----------------------------------------------------------------------------------


def _mark_zones(blocks: list[_Block]) -> list[_Block]:
    """Mark the paragraphs where credits may be, and split a credit block written one item a
    line (byline over translator credit, say) into one paragraph per line."""
    out = []
    for index, block in enumerate(blocks):
        zone = "lead" if index < LEAD_BLOCKS else ""
        if index >= len(blocks) - TAIL_BLOCKS and index >= 1:
            zone = zone or "tail"
        if zone and len(block.lines) > 1 and any(_is_credit_line(line) for line in block.lines):
            out.extend(
                _Block([line], block.line_no + offset, zone)
                for offset, line in enumerate(block.lines)
            )
        else:
            block.zone = zone
            out.append(block)
    return out


def _is_credit_line(line: str) -> bool:
    try:
        return bool(
            credits.read_credit_line(line)
            or credits.read_attribution(line)
            or credits.read_dateline_line(line)
            or credits.is_rule(line)
            or credits.is_caption(line)
        )
    except DateProblem:
        return True


def _read_credits(blocks: list[_Block], parsed: ParsedArticle) -> list[_Block]:
    """Take the credits out of ``blocks`` into ``parsed``; return the body's blocks."""
    found: list[tuple[credits.Credit, _Block]] = []
    body: list[_Block] = []
    for block in blocks:
        if not block.zone:
            body.append(block)
            continue
        text = block.text
        kept = _read_block(text, block, found, before_text=not body)
        if kept is None:
            continue
        if kept != text:
            block = _Block([kept], block.line_no, block.zone)
        elif credits.mentions_credit(text) and len(text) < 400:
            parsed.notes.append(
                f"line {block.line_no}: looks like a credit but was not understood; "
                f"kept in the body: {text[:80]!r}"
            )
        body.append(block)
    # A bare date or URL followed by text is part of the text after all.
    last_text = max((block.line_no for block in body), default=0)
    for credit, block in list(found):
        if credit.weak and block.line_no < last_text:
            found.remove((credit, block))
            body.append(block)
    body.sort(key=lambda block: block.line_no)
    _merge(found, parsed)
    return body


def _read_block(text: str, block: _Block, found: list, before_text: bool) -> str | None:
    """None if the whole paragraph was credits, else the text that is left of it."""
    credit = _read_one(text, block, before_text)
    if credit:
        found.append((credit, block))
        return None
    sentences = _SENTENCE_END.split(text)
    if len(sentences) < 2:
        return text
    kept, read_any = [], False
    for sentence in sentences:
        credit = _read_one(sentence, block, before_text, sentence_only=True)
        if credit:
            found.append((credit, block))
            read_any = True
        else:
            kept.append(sentence)
    if not read_any:
        return text
    return " ".join(kept) if kept else None


def _read_one(
    text: str, block: _Block, before_text: bool, sentence_only: bool = False
) -> credits.Credit | None:
    try:
        credit = credits.read_attribution(text)
        if credit is None and sentence_only:
            # Inside a paragraph, only credits that name themselves ("Translated by …").
            credit = credits.read_credit_line(text)
            if credit and (credit.weak or credit.kind not in ("translators", "original-url")):
                credit = None
        elif credit is None:
            credit = credits.read_credit_line(text) or credits.read_dateline_line(text)
    except DateProblem as problem:
        raise ImportProblem(f"line {block.line_no}: {problem} in the credits") from None
    if credit and credit.kind == "date" and before_text:
        # A bare date above the text is the dateline; below it, the original's date.
        credit = credits.Credit(
            kind="dateline", dateline=text.strip().rstrip("."), published_on=credit.published_on
        )
    return credit


# Which kinds of credit may say where the original appeared, strongest first.
_SOURCE_PRIORITY = {"attribution": 0, "source": 1, "byline": 2}


def _merge(found: list[tuple[credits.Credit, _Block]], parsed: ParsedArticle) -> None:
    by_strength = sorted(found, key=lambda item: _SOURCE_PRIORITY.get(item[0].kind, 9))
    for credit, _block in by_strength:
        if credit.source and not parsed.source_name:
            parsed.source_name = credit.source
            parsed.source_description = credit.description
        parsed.add_people("authors", credit.authors)
        parsed.add_people("translators", credit.translators)
        if credit.language and not parsed.original_language:
            parsed.original_language = credit.language
        if credit.url and not parsed.original_url:
            parsed.original_url = credit.url
        if credit.dateline and not parsed.dateline:
            parsed.dateline = credit.dateline
    # The date: an attribution's or a credit block's first; a dateline's only if nothing else.
    dated = [(c, b) for c, b in found if c.published_on and c.kind != "dateline"]
    dated += [(c, b) for c, b in found if c.published_on and c.kind == "dateline"]
    for credit, block in dated:
        if parsed.original_published_on is None:
            parsed.original_published_on = credit.published_on
        elif credit.published_on != parsed.original_published_on and credit.kind != "dateline":
            parsed.notes.append(
                f"line {block.line_no}: a second date ({credit.published_on:%B %d, %Y}) "
                f"differs from the original date; kept the first"
            )


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


def _is_subheading(block: _Block) -> bool:
    text = block.text
    if (
        len(block.lines) != 1
        or len(text) > SUBHEADING_MAX_CHARS
        or len(text.split()) > SUBHEADING_MAX_WORDS
    ):
        return False
    if credits.is_date_only(text) or credits.is_caption(text) or credits.is_rule(text):
        return False
    if text[-1] not in CLOSING_PUNCTUATION:
        return True
    # “¡Ya basta!”: a short quoted exclamation or question is a heading too.
    return credits.is_quotation(text) and text[-2:-1] in ("!", "?")


# Characters that would make Markdown read plain text as markup or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)")
_QUOTE_START = re.compile(r"^(\s*)>")


def _escape(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text (markup shows as text)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")
    text = _QUOTE_START.sub(r"\1&gt;", text)
    return _LIST_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}{m[3]}", text)


def _to_markdown(blocks: list[_Block]) -> str:
    out: list[str] = []
    last = len(blocks) - 1
    index = 0
    while index <= last:
        block, text = blocks[index], blocks[index].text
        index += 1
        if credits.is_rule(text):
            # A section break between paragraphs; nothing at either end or after a break.
            if out and index <= last and out[-1] != "* * *":
                out.append("* * *")
            continue
        if credits.is_caption(text):
            out.append(_escape(text) + "\n{: .caption }")
            continue
        if (
            credits.is_quotation(text)
            and index <= last
            and credits.quotation_speaker(blocks[index].text)
        ):
            speaker = blocks[index].text.lstrip("—–- ").strip()
            out.append(f"> {_escape(text)}\n>\n> — {_escape(speaker)}")
            index += 1
            continue
        if out and index <= last and _is_subheading(block):
            out.append("## " + _escape(text))
        else:
            out.append(_escape(text))
    if not out:
        raise ImportProblem("no body: the file has a headline but no paragraphs")
    return "\n\n".join(out) + "\n"
