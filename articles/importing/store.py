"""Write imported articles in batches: a fixed number of queries per batch, not per article.

Both importers (text files, WordPress) hand :class:`ImportStore` one :class:`ImportItem` at a
time; every ``batch_size`` items it writes them in one transaction: sources, people and
topics looked up and created together, articles created with ``bulk_create`` or updated with
``bulk_update``, credits, related stories, old addresses and versions inserted in bulk, and
related stories linked to archive articles by headline.

Rules kept from the one-at-a-time importer:

* **Isolation.** An item that fails validation is reported (one line, naming it) and skipped;
  if the database refuses a batch, the batch is rolled back and written again one item at a
  time, so only the bad item fails and nothing is half-written.
* **Unchanged input writes nothing.** Each item carries a fingerprint of its input; the same
  fingerprint again means no query beyond the lookup, and no new version.
* **The editor wins.** ``Article.imported`` keeps what the last import said of each field.
  On a re-import, a field whose current value is still what the import said takes the new
  value; a field an editor changed keeps the editor's value. (Articles imported before this
  record existed keep their slug, status and publication time, as before, and take the
  import's text.)
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from articles import revisions
from articles.importing.copy import copy_insert
from articles.importing.parsed import ImportProblem, ParsedArticle
from articles.models import (
    Article,
    LegacyAddress,
    Person,
    RelatedStory,
    SlugRedirect,
    Source,
    Topic,
)
from articles.text import headline_key

# Bumped when the importers read the same input differently: everything is re-imported once.
PARSER_VERSION = "2"
BATCH_SIZE = 500
MAX_RELATED_STORIES = 50

# Article fields an import fills, compared with ``Article.imported`` on a re-import.
TEXT_FIELDS = [
    "headline",
    "body",
    "dek",
    "original_url",
    "original_language",
    "dateline",
]


def fingerprint(*parts: str | bytes) -> str:
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
    fingerprint: str = ""
    status: str = Article.Status.PUBLISHED
    slug: str = ""  # the slug to use if it is free (WordPress keeps its own)
    old_paths: list[str] = field(default_factory=list)
    user: object = None
    note: str = "Imported"
    create_sources: bool = True  # False: an unknown source waits for an editor
    body_html: str | None = None  # rendered already (by a worker process), or None


@dataclass
class Outcome:
    item: ImportItem
    result: str  # "imported", "updated", "unchanged" or "failed"
    article_id: int | None = None
    error: str = ""


class ImportStore:
    """Collects items and writes them a batch at a time; call :meth:`finish` at the end."""

    def __init__(
        self,
        batch_size: int = BATCH_SIZE,
        report: Callable[[Outcome], None] | None = None,
    ):
        self.batch_size = batch_size
        self.report = report or (lambda outcome: None)
        self.pending: list[ImportItem] = []
        self.counts = {"imported": 0, "updated": 0, "unchanged": 0, "failed": 0}
        self.topic_addresses: dict[str, set[str]] = {}
        self.linked_by_address = False  # set when a batch wrote old addresses or story URLs

    # -- Public -----------------------------------------------------------------------------

    def add(self, item: ImportItem) -> None:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()

    def fail(self, label: str, error: str) -> None:
        """Report an item that could not even be read."""
        item = ImportItem(parsed=ParsedArticle(headline="", body=""), key=None, label=label)
        self._done(Outcome(item, "failed", error=error))

    def fingerprints(self, keys: list[str]) -> dict[str, str]:
        """``{import key: fingerprint}`` of the articles already imported under ``keys``."""
        known = Article.objects.filter(import_key__in=keys)
        return dict(known.values_list("import_key", "import_fingerprint"))

    def unchanged(self, label: str) -> None:
        """Report an item whose input is the same as at its last import (nothing to do)."""
        item = ImportItem(parsed=ParsedArticle(headline="", body=""), key=None, label=label)
        self._done(Outcome(item, "unchanged"))

    def add_topic_address(self, topic_name: str, path: str) -> None:
        """An old category or tag page that should redirect to the topic ``topic_name``."""
        self.topic_addresses.setdefault(topic_name, set()).add(path)

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        ready = []
        for item in batch:
            problem = _check(item)
            if problem:
                self._done(Outcome(item, "failed", error=problem))
            else:
                ready.append(item)
        if not ready:
            return
        try:
            with transaction.atomic():
                outcomes = self._write(ready)
        except (DatabaseError, ValidationError, ImportProblem):
            outcomes = []
            for item in ready:  # find the one the database refused
                try:
                    with transaction.atomic():
                        outcomes += self._write([item])
                except (DatabaseError, ValidationError, ImportProblem) as error:
                    outcomes.append(Outcome(item, "failed", error=describe(error)))
        for outcome in outcomes:
            self._done(outcome)

    def finish(self) -> dict[str, int]:
        """Write what is pending, the old category/tag addresses, and link related stories
        that point at another imported article by its old address."""
        self.flush()
        if self.topic_addresses:
            with transaction.atomic():
                topics = _named(Topic, self.topic_addresses)
                LegacyAddress.objects.bulk_create(
                    [
                        LegacyAddress(old_path=path, topic=topics[_key(name)])
                        for name, paths in self.topic_addresses.items()
                        for path in sorted(paths)
                    ],
                    update_conflicts=True,
                    unique_fields=["old_path"],
                    update_fields=["topic", "article"],
                )
            self.topic_addresses = {}
        if self.linked_by_address:
            link_by_old_address()
        return self.counts

    def save_one(self, item: ImportItem) -> Article:
        """Write one item now (the admin's paste); raise ``ValidationError`` if it fails."""
        problem = _check(item)
        if problem:
            raise ValidationError(problem)
        try:
            with transaction.atomic():
                (outcome,) = self._write([item])
        except DatabaseError as error:
            raise ValidationError(describe(error)) from None
        return Article.objects.get(pk=outcome.article_id)

    # -- Writing a batch ----------------------------------------------------------------------

    def _done(self, outcome: Outcome) -> None:
        self.counts[outcome.result] += 1
        self.report(outcome)

    def _write(self, items: list[ImportItem]) -> list[Outcome]:
        keys = [item.key for item in items if item.key is not None]
        known = {
            key: (pk, stored)
            for key, pk, stored in Article.objects.filter(import_key__in=keys).values_list(
                "import_key", "pk", "import_fingerprint"
            )
        }
        outcomes, todo = [], []
        seen = set()
        for item in items:
            pk, stored = known.get(item.key, (None, None))
            if item.key is not None and item.key in seen:
                outcomes.append(
                    Outcome(item, "failed", error=f"imported twice in this run ({item.key})")
                )
            elif pk is not None and stored == item.fingerprint:
                outcomes.append(Outcome(item, "unchanged", article_id=pk))
            else:
                todo.append((item, pk))
            seen.add(item.key)
        if not todo:
            return outcomes
        existing = Article.objects.select_for_update(of=("self",)).select_related("source")
        existing = existing.in_bulk([pk for _, pk in todo if pk is not None])
        todo = [(item, existing.get(pk)) for item, pk in todo]
        self.linked_by_address = self.linked_by_address or any(
            item.old_paths or any(story.url for story in item.parsed.related) for item, _ in todo
        )

        sources = self._sources(todo)
        people = _named(Person, {n for item, _ in todo for n in _people_names(item.parsed)})
        topics = _named(Topic, {n for item, _ in todo for n in item.parsed.topics})
        current = _current_relations([a.pk for _, a in todo if a is not None])

        created, updated = [], []
        for item, article in todo:
            source = sources.get(_key(item.parsed.source_name))
            if article is None:
                created.append((item, _new_article(item, source)))
            else:
                _update_article(article, item, source, current.get(article.pk))
                updated.append((item, article))
        slugs = SlugPicker(Article).unique(
            [item.slug or item.parsed.headline for item, _ in created]
        )
        for (_, article), slug in zip(created, slugs, strict=True):
            article.slug = slug

        new_articles = [article for _, article in created]
        if all(article.import_key for article in new_articles):
            copy_insert(Article, new_articles)
            ids = dict(
                Article.objects.filter(
                    import_key__in=[a.import_key for a in new_articles]
                ).values_list("import_key", "pk")
            )
            for article in new_articles:
                article.pk = ids[article.import_key]
                article._state.adding = False
                article._stored_slug = article.slug
        else:
            Article.objects.bulk_create(new_articles)
        if updated:
            Article.objects.bulk_update(
                [article for _, article in updated],
                [
                    *TEXT_FIELDS,
                    "body_html",
                    "search_body",
                    "headline_key",
                    "source",
                    "source_name",
                    "original_published_on",
                    "published_at",
                    "status",
                    "imported",
                    "import_fingerprint",
                    "updated_at",
                ],
            )
        self._write_relations(created, updated, people, topics)
        LegacyAddress.objects.bulk_create(
            [
                LegacyAddress(old_path=path, article=article)
                for item, article in created + updated
                for path in item.old_paths
            ],
            update_conflicts=True,
            unique_fields=["old_path"],
            update_fields=["article", "topic"],
        )
        written = created + updated
        link_by_headline([article.pk for _, article in written])
        by_note = {}
        for item, article in written:
            by_note.setdefault((item.note, item.user), []).append(article.pk)
        for (note, user), ids in by_note.items():
            revisions.record_many(ids, user, note=note, insert=copy_insert)
        outcomes += [Outcome(item, "imported", article.pk) for item, article in created]
        outcomes += [Outcome(item, "updated", article.pk) for item, article in updated]
        return outcomes

    def _sources(self, todo) -> dict[str, Source]:
        """The sources the batch names, created where new (unless the item may not)."""
        wanted = {}
        for item, _ in todo:
            parsed = item.parsed
            if parsed.source_name:
                wanted.setdefault(_key(parsed.source_name), (item, parsed))
        found = {
            source.key: source
            for source in Source.objects.annotate(key=Lower("name")).filter(key__in=wanted)
        }
        new = []
        for key, (item, parsed) in wanted.items():
            source = found.get(key)
            if source is None and item.create_sources:
                source = Source(name=parsed.source_name, description=parsed.source_description)
                source.language = parsed.original_language or source.language
                new.append(source)
                found[key] = source
            elif source is not None and item.create_sources:
                if not source.description and parsed.source_description:
                    source.description = parsed.source_description
                    source.save(update_fields=["description"])
        _assign_slugs(Source, new)
        Source.objects.bulk_create(new)
        for item, _ in todo:
            parsed = item.parsed
            if parsed.source_name and _key(parsed.source_name) not in found:
                parsed.notes.append(
                    f"source “{parsed.source_name}” is not in the archive yet: an editor "
                    "adds it and sets it on the article"
                )
        return found

    def _write_relations(self, created, updated, people, topics) -> None:
        through_rows = {"authors": [], "translators": [], "topics": []}
        replace = {"authors": [], "translators": [], "topics": []}
        stories, replace_stories = [], []

        def wanted(parsed, relation):
            lookup = topics if relation == "topics" else people
            names = parsed.topics if relation == "topics" else getattr(parsed, relation)
            return list(dict.fromkeys(lookup[_key(name)].pk for name in names))

        for item, article in created:
            for relation in through_rows:
                through_rows[relation] += [(article.pk, pk) for pk in wanted(item.parsed, relation)]
            stories += _stories(article, item)
        for item, article in updated:
            changes = article._import_changes
            for relation in through_rows:
                if relation in changes:
                    replace[relation].append(article.pk)
                    through_rows[relation] += [
                        (article.pk, pk) for pk in wanted(item.parsed, relation)
                    ]
            if "related" in changes:
                replace_stories.append(article.pk)
                stories += _stories(article, item)
        for relation, rows in through_rows.items():
            through = getattr(Article, relation).through
            column = "topic_id" if relation == "topics" else "person_id"
            if replace[relation]:
                through.objects.filter(article_id__in=replace[relation]).delete()
            copy_insert(through, [through(article_id=a, **{column: b}) for a, b in set(rows)])
        if replace_stories:
            RelatedStory.objects.filter(article_id__in=replace_stories).delete()
        copy_insert(RelatedStory, stories)


# -- Articles ------------------------------------------------------------------------------------


def _check(item: ImportItem) -> str:
    """What is wrong with the item before the database sees it ("" if nothing)."""
    parsed = item.parsed
    if len(parsed.related) > MAX_RELATED_STORIES:
        return (
            f"{len(parsed.related)} related stories (at most {MAX_RELATED_STORIES}: "
            "keep the most relevant)"
        )
    probe = Article(
        headline=parsed.headline,
        slug="probe",
        dek=parsed.dek,
        body=parsed.body or "-",
        original_url=parsed.original_url,
        original_language=parsed.original_language,
        original_published_on=parsed.original_published_on,
        dateline=parsed.dateline,
        status=item.status,
    )
    try:
        probe.clean_fields(exclude=["slug", "published_at", "source", "created_by"])
        for story in parsed.related:
            RelatedStory(title=story.title, summary=story.summary, url=story.url).clean_fields(
                exclude=["article", "target"]
            )
        for name in _people_names(parsed):
            Person(name=name, slug="probe").clean_fields(exclude=["slug"])
        for name in parsed.topics:
            Topic(name=name, slug="probe").clean_fields(exclude=["slug"])
    except ValidationError as error:
        return describe(error)
    if not parsed.body.strip():
        return "no body: nothing to show under the headline"
    return ""


def _people_names(parsed: ParsedArticle) -> list[str]:
    return parsed.authors + parsed.translators


def _original_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def _imported_record(item: ImportItem, source: Source | None) -> dict:
    parsed = item.parsed
    return {
        **{name: getattr(parsed, name) for name in TEXT_FIELDS},
        "source": source.name if source else "",
        "source_named": parsed.source_name,  # even when it waits for an editor to add it
        "original_published_on": (
            parsed.original_published_on.isoformat() if parsed.original_published_on else None
        ),
        "published_at": None,  # filled in by the caller
        "status": item.status,
        "authors": list(parsed.authors),
        "translators": list(parsed.translators),
        "topics": list(parsed.topics),
        "related": [[s.title, s.summary, s.url] for s in parsed.related],
    }


def _publication_time(item: ImportItem):
    parsed = item.parsed
    if parsed.published_at:
        return parsed.published_at
    if parsed.original_published_on:
        return _original_midnight(parsed.original_published_on)
    return None


def _new_article(item: ImportItem, source: Source | None) -> Article:
    parsed = item.parsed
    article = Article(
        import_key=item.key,
        status=item.status,
        created_by=item.user if item.user and item.user.pk else None,
        source=source,
        original_published_on=parsed.original_published_on,
        import_fingerprint=item.fingerprint,
        **{name: getattr(parsed, name) for name in TEXT_FIELDS},
    )
    when = _publication_time(item)
    if when is not None:
        article.published_at = when
    article.derive_fields(body_html=item.body_html)
    record = _imported_record(item, source)
    record["published_at"] = article.published_at.isoformat()
    article.imported = record
    return article


def _current_relations(article_ids) -> dict[int, dict]:
    """For articles being updated: their credits, topics (as names) and related stories."""
    if not article_ids:
        return {}
    current = {
        pk: {"authors": [], "translators": [], "topics": [], "related": []} for pk in article_ids
    }
    for relation in ("authors", "translators", "topics"):
        through = getattr(Article, relation).through
        target = "topic" if relation == "topics" else "person"
        rows = (
            through.objects.filter(article_id__in=article_ids)
            .order_by(f"{target}__name")
            .values_list("article_id", f"{target}__name")
        )
        for article_id, name in rows:
            current[article_id][relation].append(name)
    stories = (
        RelatedStory.objects.filter(article_id__in=article_ids)
        .order_by("article_id", "position", "id")
        .values_list("article_id", "title", "summary", "url")
    )
    for article_id, title, summary, url in stories:
        current[article_id]["related"].append([title, summary, url])
    return current


def _same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(_key, map(str, a))) == sorted(map(_key, map(str, b)))
    return a == b


def _update_article(article, item: ImportItem, source, relations) -> None:
    """Three-way merge: take the import's value where the article still holds what the last
    import said, keep the editor's value where it differs. Marks which relations change in
    ``article._import_changes``."""
    parsed = item.parsed
    new = _imported_record(item, source)
    when = _publication_time(item)
    new["published_at"] = when.isoformat() if when else None
    previous = article.imported
    now = {
        **{name: getattr(article, name) for name in TEXT_FIELDS},
        "source": article.source.name if article.source_id else "",
        "original_published_on": (
            article.original_published_on.isoformat() if article.original_published_on else None
        ),
        "published_at": article.published_at.isoformat(),
        "status": article.status,
        **relations,
    }
    if previous is None:
        # Imported before the import was recorded: the import owned the text, the source, the
        # original date and the related stories; the rest is filled only where empty.
        previous = {
            name: now[name]
            for name in ("headline", "body", "source", "original_published_on", "related")
        }
        untouched = article.original_published_on and article.published_at == (
            _original_midnight(article.original_published_on)
        )
        if untouched:
            previous["published_at"] = now["published_at"]
        for name in ("dek", "original_url", "original_language", "dateline", *RELATIONS):
            if not now[name]:
                previous[name] = now[name]
    changes = set()
    for name, value in new.items():
        if name not in now or name not in previous or _same(now[name], value):
            continue
        if _same(now[name], previous[name]):
            changes.add(name)
    for name in changes & set(TEXT_FIELDS):
        setattr(article, name, parsed.__dict__[name])
    if "source" in changes:
        article.source = source
    if "original_published_on" in changes:
        article.original_published_on = parsed.original_published_on
    if "published_at" in changes and when is not None:
        article.published_at = when
    if "status" in changes:
        article.status = item.status
    article.derive_fields(body_html=item.body_html if "body" in changes else None)
    article.imported = new
    article.import_fingerprint = item.fingerprint
    article.updated_at = timezone.now()
    article._import_changes = changes


RELATIONS = ("authors", "translators", "topics")


def _stories(article, item: ImportItem) -> list[RelatedStory]:
    return [
        RelatedStory(
            article_id=article.pk,
            position=position,
            title=story.title,
            summary=story.summary,
            url=story.url,
            title_key=headline_key(story.title),
        )
        for position, story in enumerate(item.parsed.related)
    ]


# -- Names, slugs and links ----------------------------------------------------------------------


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def _named(model, names: Iterable[str]) -> dict:
    """``{lowercased name: row}`` for each name, creating the rows that do not exist."""
    wanted = {}
    for name in names:
        wanted.setdefault(_key(name), " ".join(name.split()))
    if not wanted:
        return {}
    found = {}
    for row in (
        model.objects.annotate(key=Lower("name")).filter(key__in=list(wanted)).order_by("pk")
    ):
        found.setdefault(row.key, row)
    new = [model(name=name) for key, name in wanted.items() if key not in found]
    _assign_slugs(model, new)
    model.objects.bulk_create(new)
    for row in new:
        found[_key(row.name)] = row
    return found


def _assign_slugs(model, rows) -> None:
    for row, slug in zip(rows, SlugPicker(model).unique([row.name for row in rows]), strict=True):
        row.slug = slug


class SlugPicker:
    """Unique slugs for many new rows in one query, not one per row: "name", "name-2"…
    For articles, a slug that another article used to have (and that redirects to it) is
    taken too."""

    def __init__(self, model=Article):
        self.model = model
        self.max_length = model._meta.get_field("slug").max_length

    def base(self, text: str) -> str:
        return slugify(text)[: self.max_length - 4].strip("-") or self.model._meta.model_name

    def unique(self, texts: list[str]) -> list[str]:
        bases = [self.base(text) for text in texts]
        taken = self._taken(set(bases))
        slugs = []
        for base in bases:
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            slugs.append(slug)
        return slugs

    def _taken(self, bases: set[str]) -> set[str]:
        """The slugs in use among ``bases`` and their numbered variants: an index lookup for
        the bases, then a prefix lookup (the slug's ``LIKE`` index) for the few already taken."""
        if not bases:
            return set()
        taken = self._in_use([("in", bases)])
        if taken:
            taken |= self._in_use([("startswith", f"{base}-") for base in taken])
        return taken

    def _in_use(self, lookups: list[tuple[str, object]]) -> set[str]:
        def any_of(field):
            condition = Q()
            for lookup, value in lookups:
                condition |= Q(**{f"{field}__{lookup}": value})
            return condition

        found = set(self.model.objects.filter(any_of("slug")).values_list("slug", flat=True))
        if self.model is Article:
            redirects = SlugRedirect.objects.filter(any_of("old_slug"))
            found.update(redirects.values_list("old_slug", flat=True))
        return found


def link_by_headline(article_ids) -> int:
    """In one statement: link the unresolved related stories of these articles, and the
    unresolved stories anywhere whose title is one of these articles' headlines, to the
    (oldest) article with that headline."""
    if not article_ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE articles_relatedstory AS rs SET target_id = (
                SELECT min(a.id) FROM articles_article AS a
                WHERE a.headline_key = rs.title_key AND a.id <> rs.article_id)
            WHERE rs.target_id IS NULL AND rs.title_key <> ''
              AND (rs.article_id = ANY(%(ids)s) OR rs.title_key IN (
                    SELECT headline_key FROM articles_article WHERE id = ANY(%(ids)s)))
              AND EXISTS (SELECT 1 FROM articles_article AS a
                          WHERE a.headline_key = rs.title_key AND a.id <> rs.article_id)
            """,
            {"ids": list(article_ids)},
        )
        return cursor.rowcount


def link_by_old_address() -> int:
    """Link unresolved related stories whose URL is an old address of an imported article."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE articles_relatedstory AS rs SET target_id = la.article_id
            FROM articles_legacyaddress AS la
            WHERE rs.target_id IS NULL AND rs.url <> '' AND la.article_id IS NOT NULL
              AND la.article_id <> rs.article_id
              AND la.old_path = regexp_replace(rs.url, '^https?://[^/]+', '')
            """
        )
        return cursor.rowcount


def describe(error: Exception) -> str:
    """An error as one line a person can act on."""
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "too long for tsvector" in text:
        return "the text is too long to be indexed for search (PostgreSQL's 1 MB limit)"
    if isinstance(error, IntegrityError):
        return f"the database refused it: {text}"
    return text
