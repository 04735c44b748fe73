"""Read articles in the archive's plain-text format and store them.

The format (``seeds/000_b0138dc3623c1b13.txt`` is its reference):

* The first non-empty line is the headline; then paragraphs separated by blank lines.
* An optional attribution paragraph, "This article originally appeared in the <Month D, YYYY>
  edition of <Source>, <source description>." fills the source and the original date.
* A short one-line paragraph without closing punctuation, between two paragraphs, is a subheading.
* A trailing block of related stories: each item starts with an indented bullet "•". The title
  follows the bullet, or, when the bullet line holds only a stray "|", is the next non-empty line.
  The next indented paragraph, if any, is the item's summary.

:func:`parse_article` turns text into a :class:`ParsedArticle` without touching the database;
:func:`import_file` checks a file, parses it and writes it in one transaction, so a bad file
writes nothing.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import revisions
from articles.models import Article, RelatedStory, Source

MAX_FILE_BYTES = 1024 * 1024
BULLET = "\u2022"
SUBHEADING_MAX_CHARS = 100
SUBHEADING_MAX_WORDS = 14
CLOSING_PUNCTUATION = ".!?…:;,\"'”’)]»"

ATTRIBUTION = re.compile(
    r"^This article originally appeared in the (?P<date>.+?) edition of (?P<source>.+?)\.?$",
    re.DOTALL,
)


class ImportProblem(Exception):
    """Something in a file that stops it from being imported; the message names the problem."""


@dataclass
class ParsedRelatedStory:
    title: str
    summary: str = ""


@dataclass
class ParsedArticle:
    headline: str
    body: str  # Markdown
    source_name: str = ""
    source_description: str = ""
    original_published_on: date | None = None
    related: list[ParsedRelatedStory] = field(default_factory=list)


@dataclass
class _Block:
    """A paragraph: consecutive non-blank lines, with the number of the first."""

    lines: list[str]
    line_no: int

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
    paragraphs = []
    for block in blocks:
        match = ATTRIBUTION.match(block.text)
        if match and not parsed.source_name:
            _read_attribution(match, block, parsed)
        else:
            paragraphs.append(block)
    if not paragraphs:
        raise ImportProblem("no body: the file has a headline but no paragraphs")
    parsed.body = _to_markdown(paragraphs)
    return parsed


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


def _read_attribution(match: re.Match, block: _Block, parsed: ParsedArticle) -> None:
    raw_date = match["date"].strip()
    try:
        parsed.original_published_on = datetime.strptime(raw_date, "%B %d, %Y").date()
    except ValueError:
        raise ImportProblem(
            f"line {block.line_no}: impossible date {raw_date!r} in the attribution "
            "(expected a real date such as “November 4, 2025”)"
        ) from None
    name, _, description = match["source"].partition(",")
    parsed.source_name = name.strip()
    parsed.source_description = description.strip().rstrip(".")
    if not parsed.source_name:
        raise ImportProblem(f"line {block.line_no}: the attribution names no source")


def _is_subheading(block: _Block) -> bool:
    text = block.text
    return (
        len(block.lines) == 1
        and len(text) <= SUBHEADING_MAX_CHARS
        and len(text.split()) <= SUBHEADING_MAX_WORDS
        and text[-1] not in CLOSING_PUNCTUATION
    )


# Characters that would make Markdown read plain text as markup or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)")


def _escape(text: str) -> str:
    """Plain text as Markdown that renders to exactly that text (markup shows as text)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("<", "&lt;")
    return _LIST_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}{m[3]}", text)


def _to_markdown(paragraphs: list[_Block]) -> str:
    out = []
    last = len(paragraphs) - 1
    for index, block in enumerate(paragraphs):
        if 0 < index < last and _is_subheading(block):
            out.append("## " + _escape(block.text))
        else:
            out.append(_escape(block.text))
    return "\n\n".join(out) + "\n"


# -- Writing --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    article: Article
    created: bool


def import_file(path: Path) -> ImportResult:
    """Import one file; re-importing the same file (same name) updates its article."""
    parsed = parse_article(read_text(path))
    return save_parsed(parsed, import_key=path.stem)


def _original_midnight(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def unique_slug(model, text: str, max_length: int = 200) -> str:
    """A slug for ``text`` that no row of ``model`` has yet ("name", "name-2", …)."""
    base = slugify(text)[:max_length] or model._meta.model_name
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def save_parsed(
    parsed: ParsedArticle,
    import_key: str | None,
    status: str = Article.Status.PUBLISHED,
    user=None,
    note: str = "Imported",
) -> ImportResult:
    """Create or update the article for ``import_key`` (always create when it is None, as
    for a pasted text); a new article gets ``status`` and ``user`` as its creator. The
    result is kept as a version with ``note``.

    On an update, the editor's decisions stay: slug, status, credits, topics, and a
    publication time that differs from the one the import set.
    """
    source = None
    if parsed.source_name:
        source = Source.objects.filter(name__iexact=parsed.source_name).first()
        if source is None:
            source = Source.objects.create(
                name=parsed.source_name,
                slug=unique_slug(Source, parsed.source_name),
                description=parsed.source_description,
            )
        elif not source.description and parsed.source_description:
            source.description = parsed.source_description
            source.save(update_fields=["description"])

    article = None
    if import_key is not None:
        article = Article.objects.select_for_update().filter(import_key=import_key).first()
    created = article is None
    if created:
        article = Article(
            import_key=import_key,
            slug=unique_slug(Article, parsed.headline, max_length=280),
            status=status,
            created_by=user,
        )
        if parsed.original_published_on:
            article.published_at = _original_midnight(parsed.original_published_on)
    else:
        untouched = article.original_published_on and article.published_at == _original_midnight(
            article.original_published_on
        )
        if untouched and parsed.original_published_on:
            article.published_at = _original_midnight(parsed.original_published_on)

    article.headline = parsed.headline
    article.body = parsed.body
    article.source = source
    article.original_published_on = parsed.original_published_on
    if source and (created or not article.original_language):
        article.original_language = source.language
    article.full_clean(exclude=["slug"] if not created else None)
    article.save()

    article.related_stories.all().delete()
    for position, item in enumerate(parsed.related):
        story = RelatedStory(
            article=article, position=position, title=item.title, summary=item.summary
        )
        story.full_clean()
        story.save()
    revisions.record(article, user, note=note)
    return ImportResult(article=article, created=created)
