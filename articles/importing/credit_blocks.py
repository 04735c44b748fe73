"""Finding credits among an article's paragraphs, for both importers.

The text importer hands over its paragraphs; the WordPress importer hands over the Markdown
it made from the post's HTML (:func:`take_credits_from_markdown`), read by its plain text.
Credits are looked for only in the first and last few paragraphs (the *zones*); a paragraph
written as a credit block, one item a line, is read line by line. What is read leaves the
body; everything else stays exactly as it was.
"""

import re
from dataclasses import dataclass, field

from articles.dates import DateProblem
from articles.importing import credits, layout
from articles.importing.parsed import ImportProblem, ParsedArticle

_SENTENCE_END = re.compile(rf"(?<=[.!?”\"])\s+(?=[\"“¿¡{credits.UPPER}*_\[(])")


@dataclass
class Block:
    """A paragraph: consecutive non-blank lines, with the number of the first."""

    lines: list[str]
    line_no: int
    zone: str = ""  # "lead" or "tail" when credits may be there
    markup: list[str] = field(default_factory=list)  # the lines as written (Markdown)

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)

    @property
    def indented(self) -> bool:
        return self.lines[0][:1].isspace()


def mark_zones(
    blocks: list[Block],
    lead: int,
    tail: int,
    split_layout: bool = True,
    sources: credits.Sources = credits.NO_SOURCES,
) -> list[Block]:
    """Mark the paragraphs where credits may be, and split a credit block written one item a
    line (byline over translator credit, say) into one paragraph per line. With
    ``split_layout``, a caption or rule line under a paragraph is split off too (plain text,
    where nothing else marks it)."""
    out = []
    for index, block in enumerate(blocks):
        zone = "lead" if index < lead else ""
        if index >= len(blocks) - tail and index >= 1:
            zone = zone or "tail"
        if (
            zone
            and len(block.lines) > 1
            and any(_is_credit_line(line, split_layout, sources) for line in block.lines)
        ):
            markup = block.markup or block.lines
            out.extend(
                Block([line], block.line_no + offset, zone, [markup[offset]])
                for offset, line in enumerate(block.lines)
            )
        else:
            block.zone = zone
            out.append(block)
    return out


def _is_credit_line(line: str, split_layout: bool, sources: credits.Sources) -> bool:
    try:
        return bool(
            credits.read_credit_line(line, sources)
            or credits.read_attribution(line)
            or layout.read_dateline_line(line)
            or (split_layout and (layout.is_rule(line) or layout.is_caption(line)))
        )
    except DateProblem:
        return True


def read_credits(
    blocks: list[Block],
    parsed: ParsedArticle,
    sentences: bool = True,
    sources: credits.Sources = credits.NO_SOURCES,
) -> list[Block]:
    """Take the credits out of ``blocks`` into ``parsed``; return the body's blocks.

    With ``sentences``, a credit sentence inside a paragraph is taken out and the rest of
    the paragraph kept (plain text); without, only whole paragraphs or lines are. A credit
    block of short lines is read as one: a name beside other credits is the original's
    author, and a date beside them is the original's date (alone above the text, a date is
    the dateline)."""
    found: list[tuple[credits.Credit, Block]] = []
    body: list[Block] = []
    unsure: list[Block] = []
    for block in blocks:
        if not block.zone:
            body.append(block)
            continue
        text = block.text
        kept = _read_block(text, block, found, not body, sentences, sources)
        if kept is None:
            continue
        if kept != text:
            block = Block([kept], block.line_no, block.zone)
        elif credits.mentions_credit(text) and len(text) < 400:
            unsure.append(block)
        body.append(block)
    _read_credit_blocks(blocks, found, body)
    for block in unsure:
        if any(kept is block for kept in body):
            parsed.notes.append(
                f"line {block.line_no}: looks like a credit but was not understood; "
                f"kept in the body: {block.text[:80]!r}"
            )
    # A bare date or URL followed by text is part of the text after all.
    last_text = max((block.line_no for block in body), default=0)
    for credit, block in list(found):
        if credit.weak and block.line_no < last_text:
            found.remove((credit, block))
            body.append(block)
    body.sort(key=lambda block: block.line_no)
    _merge(found, parsed)
    return body


# Credits that make a block of short lines a credit block, and the lines that only count
# inside one: a person's name (the author), a date (the original's, not a dateline).
_BLOCK_KINDS = {"source", "byline", "translators", "original-url", "original-headline"}
_NAME_BESIDE = _BLOCK_KINDS | {"dateline", "date"}  # "Ana Ruiz" over "Oaxaca, March 3, 2019"


def _read_credit_blocks(blocks: list[Block], found: list, body: list[Block]) -> None:
    read = {id(block): credit for credit, block in found}
    in_a_block = set()
    for index, block in enumerate(blocks):
        neighbours = [
            read.get(id(other))
            for other in blocks[max(0, index - 1) : index + 2]
            if other is not block and other.zone
        ]
        kinds = {credit.kind for credit in neighbours if credit}
        credit = read.get(id(block))
        if not kinds & _NAME_BESIDE or (credit is not None and not kinds & _BLOCK_KINDS):
            continue
        if credit is not None and credit.kind == "dateline" and credit.from_date_line:
            credit.kind, credit.dateline = "date", ""  # the block's date, not a dateline
            in_a_block.add(id(block))
        elif credit is None and _is_bare_name(block.text):
            position = next((i for i, kept in enumerate(body) if kept is block), None)
            if position is None:
                continue
            found.append((credits.Credit(kind="byline", authors=[block.text.strip()]), block))
            del body[position]
            in_a_block.add(id(block))
    for credit, block in found:  # a date line inside a credit block is no mere "weak" date
        if id(block) in in_a_block:
            credit.weak = False


def _is_bare_name(text: str) -> bool:
    text = text.strip()
    return len(text.split()) <= 6 and credits.is_name(text)


def _read_block(
    text: str,
    block: Block,
    found: list,
    before_text: bool,
    sentences: bool,
    sources: credits.Sources,
) -> str | None:
    """None if the whole paragraph was credits, else the text that is left of it."""
    credit = _read_one(text, block, before_text, sources)
    if credit:
        if not credit.url and credit.kind in ("attribution", "source"):
            credit.url = _first_link(block)
        found.append((credit, block))
        return None
    if not sentences:
        return text
    sentences = _SENTENCE_END.split(text)
    if len(sentences) < 2:
        return text
    kept, read_any = [], False
    for sentence in sentences:
        credit = _read_one(sentence, block, before_text, sources, sentence_only=True)
        if credit is None and read_any:
            credit = credits.read_notice(sentence)  # "It is translated and republished…"
        if credit:
            found.append((credit, block))
            read_any = True
        else:
            kept.append(sentence)
    if not read_any:
        return text
    return " ".join(kept) if kept else None


def _read_one(
    text: str,
    block: Block,
    before_text: bool,
    sources: credits.Sources = credits.NO_SOURCES,
    sentence_only: bool = False,
) -> credits.Credit | None:
    try:
        credit = credits.read_attribution(text)
        if credit is None and sentence_only:
            # Inside a paragraph, only credits that name themselves ("Translated by …").
            credit = credits.read_credit_line(text, sources)
            if credit and (credit.weak or credit.kind not in ("translators", "original-url")):
                credit = None
        elif credit is None:
            credit = (
                credits.read_credit_line(text, sources)
                or layout.read_dateline_line(text)
                or credits.read_notice(text)
            )
    except DateProblem as problem:
        raise ImportProblem(f"line {block.line_no}: {problem} in the credits") from None
    if credit and credit.kind == "date" and before_text:
        # A bare date above the text is the dateline (unless it stands in a credit block: see
        # ``_read_credit_blocks``); below it, the original's date.
        credit = credits.Credit(
            kind="dateline",
            dateline=text.strip().rstrip("."),
            published_on=credit.published_on,
            from_date_line=True,
        )
    return credit


# Which kinds of credit may say where the original appeared, strongest first.
_SOURCE_PRIORITY = {"attribution": 0, "source": 1, "byline": 2}


def _merge(found: list[tuple[credits.Credit, Block]], parsed: ParsedArticle) -> None:
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
        if credit.headline and not parsed.original_headline:
            parsed.original_headline = credit.headline
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


# -- Markdown (from the WordPress importer) -------------------------------------------------

_LINK = re.compile(r"!?\[((?:\\.|[^\]\\])*)\]\((\S+?)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(?<!\\)(\*{1,3}|_{1,3})")
_LEADING_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-+*]\s+)")
_ESCAPE = re.compile(r"\\(.)")
_HREF = re.compile(r"\]\((https?://[^)\s]+)")
_ATTRIBUTE_LIST = re.compile(r"^\s*\{:[^}]*\}\s*$")


def plain(line: str) -> str:
    """A line of Markdown as the text a reader sees (links and emphasis gone)."""
    if _ATTRIBUTE_LIST.match(line):
        return ""
    line = _LEADING_MARKS.sub("", line.rstrip())
    line = _LINK.sub(lambda m: m[1], line)
    line = _AUTOLINK.sub(lambda m: m[1], line)
    line = _EMPHASIS.sub("", line)
    line = _ESCAPE.sub(lambda m: m[1], line)
    return line.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").strip()


def _first_link(block: Block) -> str:
    for line in block.markup:
        found = _HREF.search(line)
        if found:
            return found[1]
    return ""


def take_credits_from_markdown(
    markdown: str,
    parsed: ParsedArticle,
    lead: int,
    tail: int,
    sources: credits.Sources = credits.NO_SOURCES,
) -> str:
    """Read the credits of Markdown made from HTML into ``parsed``; return the Markdown without
    the paragraphs and lines that were credits. A link in an attribution ("originally published
    by [Desinformémonos](https://…)") is taken as the original's address."""
    blocks, line_no = [], 1
    for paragraph in re.split(r"\n{2,}", markdown.strip()):
        markup = paragraph.split("\n")
        if paragraph.strip():
            blocks.append(Block([plain(line) for line in markup], line_no, markup=markup))
        line_no += len(markup) + 1
    zones = mark_zones(blocks, lead, tail, split_layout=False, sources=sources)
    kept = read_credits(zones, parsed, sentences=False, sources=sources)
    return (
        "\n\n".join("\n".join(block.markup or block.lines).rstrip() for block in kept).strip()
        + "\n"
    )
