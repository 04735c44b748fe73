"""What the importers hand to the store: an item to write, the outcome of writing it, and
the checks that need no database (run in worker processes)."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from articles.importing.parsed import ParsedArticle
from articles.models import Article, Person, RelatedStory, Topic

# Bumped when the importers read the same input differently: everything is re-imported once.
PARSER_VERSION = "2"
MAX_RELATED_STORIES = 50


def fingerprint(*parts: str | bytes) -> str:
    """A hash of an item's input (and of the parser's version)."""
    digest = hashlib.sha256(PARSER_VERSION.encode())
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


@dataclass
class ImportItem:
    parsed: ParsedArticle
    key: str | None  # the article's import key; None: always a new article (a paste)
    label: str  # how messages name it: a file's path, "post 12 “Title”"
    origin: str = ""  # the file it was read from (its absolute path), if any
    fingerprint: str = ""
    status: str = Article.Status.PUBLISHED
    slug: str = ""  # the slug to use if it is free (WordPress keeps its own)
    old_paths: list[str] = field(default_factory=list)
    user: object = None
    note: str = "Imported"
    create_subjects: bool = True  # False: unknown sources, people, topics wait for an editor
    body_html: str | None = None  # rendered already (by a worker process), or None
    checked: bool = False  # ``check`` passed already (in a worker process)
    lead_image: dict | None = None  # an image by address: url, alt, caption, width, height


@dataclass
class Outcome:
    item: ImportItem
    result: str  # "imported", "updated", "unchanged" or "failed"
    article_id: int | None = None
    error: str = ""


def check(parsed: ParsedArticle, status: str = Article.Status.PUBLISHED) -> str:
    """What is wrong with a parsed article before the database sees it ("" if nothing).
    Needs no database, so the importers run it in their worker processes."""
    if len(parsed.related) > MAX_RELATED_STORIES:
        return (
            f"{len(parsed.related)} related stories (at most {MAX_RELATED_STORIES}: "
            "keep the most relevant)"
        )
    if not parsed.body.strip():
        return "no body: nothing to show under the headline"
    probe = Article(
        headline=parsed.headline,
        slug="probe",
        dek=parsed.dek,
        body=parsed.body,
        original_url=parsed.original_url,
        original_language=parsed.original_language,
        original_published_on=parsed.original_published_on,
        dateline=parsed.dateline,
        status=status,
    )
    try:
        probe.clean_fields(exclude=["slug", "published_at", "source", "created_by"])
        for story in parsed.related:
            RelatedStory(title=story.title, summary=story.summary, url=story.url).clean_fields(
                exclude=["article", "target"]
            )
        for name in parsed.authors + parsed.translators:
            Person(name=name, slug="probe").clean_fields(exclude=["slug"])
        for name in parsed.topics:
            Topic(name=name, slug="probe").clean_fields(exclude=["slug"])
    except ValidationError as error:
        return describe(error)
    return ""


def describe(error: Exception) -> str:
    """An error as one line a person can act on."""
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    text = str(error).strip()
    text = text.splitlines()[0] if text else type(error).__name__
    if "too long for tsvector" in text:
        return "the text is too long to be indexed for search (PostgreSQL's 1 MB limit)"
    return text
