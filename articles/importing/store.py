"""Write imported articles in batches: a fixed number of queries per batch, not per article.

Both importers (text files, WordPress) hand :class:`ImportStore` one
:class:`~articles.importing.items.ImportItem` at a time; every ``batch_size`` items it writes
them in one transaction: articles inserted with COPY or updated with ``bulk_update``, credits,
related stories, old addresses and versions inserted in bulk, related stories linked to
archive articles by headline. The sources, people and topics the batch names are found or
created just before, in their own short transaction (see ``names``).

* **Isolation.** An item that fails its checks is reported (one line, naming it) and
  skipped; if the database refuses a batch, the batch is rolled back and written again one
  item at a time, so only the bad item fails and nothing of it is left behind.
* **Unchanged input writes nothing.** Each item carries a fingerprint of its input; the same
  fingerprint again means no write and no new version.
* **The editor wins** on a re-import (see ``merge``).
* **Two writers.** Most of an import's time is PostgreSQL computing search vectors, on one
  core per connection; with ``writers=2`` two batches are written at once, each by a thread
  with its own connection. Names are created under a lock and article slugs reserved for the
  run, so the two never collide.
"""

import os
import queue
import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction

from articles import revisions
from articles.bulk import copy_insert
from articles.importing import merge
from articles.importing.items import ImportItem, Outcome, check, describe
from articles.importing.links import link_by_headline, link_by_old_address, rewrite_old_links
from articles.importing.names import Names
from articles.importing.parsed import ImportProblem, ParsedArticle
from articles.models import Article, Image, LegacyAddress, RelatedStory
from articles.signals import content_changed
from articles.text import headline_key

BATCH_SIZE = 500
# An article an import updates is written whole, but for what no import changes: its address,
# its story, who started it and when, its import key, and the desk's workflow columns.
NOT_UPDATED = frozenset(
    {"slug", "thread", "created_by", "created_at", "import_key", "status_changed_at"}
    | {"returned_at", "returned_note"}
)
UPDATED_FIELDS = [
    field.name
    for field in Article._meta.concrete_fields
    if not field.primary_key and not field.generated and field.name not in NOT_UPDATED
]


class ImportStore:
    """Collects items and writes them a batch at a time; call :meth:`finish` at the end."""

    def __init__(
        self,
        batch_size: int = BATCH_SIZE,
        report: Callable[[Outcome], None] | None = None,
        writers: int = 1,
    ):
        self.batch_size = batch_size
        self.report = report or (lambda outcome: None)
        self.writers = writers
        self.pending: list[ImportItem] = []
        self.counts = {"imported": 0, "updated": 0, "unchanged": 0, "failed": 0}
        self.names = Names()
        self.topic_addresses: dict[str, set[str]] = {}
        self.linked_by_address = False  # set when a batch wrote old addresses or story URLs
        self._report_lock = threading.Lock()
        self._queue: queue.Queue | None = None
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []
        self.written_ids: list[int] = []
        self._labels_by_key: dict[str, str] = {}  # every key this run met, and its item's label
        self._paths_claimed: dict[str, str] = {}  # old addresses given out, and to which key

    # -- Public -----------------------------------------------------------------------------

    def add(self, item: ImportItem) -> None:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush(threaded=True)

    def fail(self, label: str, error: str) -> None:
        """Report an item that could not even be read."""
        self._done(Outcome(_placeholder(label), "failed", error=error))

    def unchanged(self, label: str) -> None:
        """Report an item whose input is the same as at its last import (nothing to do)."""
        self._done(Outcome(_placeholder(label), "unchanged"))

    def fingerprints(self, keys: list[str]) -> dict[str, str]:
        """``{import key: fingerprint}`` of the articles already imported under ``keys``."""
        known = Article.objects.filter(import_key__in=keys)
        return dict(known.values_list("import_key", "import_fingerprint"))

    def add_topic_address(self, topic_name: str, path: str) -> None:
        """An old category or tag page that should redirect to the topic ``topic_name``."""
        self.topic_addresses.setdefault(topic_name, set()).add(path)

    def flush(self, threaded: bool = False) -> None:
        """Write the pending items: in a writer thread when there are several writers and
        the import is large enough to fill batches (a small one is written right here)."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        if self.writers <= 1 or not (threaded or self._queue is not None):
            self._write_batch(batch)
            return
        if self._queue is None:
            self._start_writers()
        self._queue.put(batch)  # blocks while every writer is busy and one batch waits
        self._raise_writer_errors()

    def finish(self) -> dict[str, int]:
        """Write what is pending, stop the writers, then the old category/tag addresses, the
        links by old address, and remove what failed items created."""
        self.flush()
        if self._stop_writers():
            # Two batches written at once could not see each other's articles: link the
            # stories that named an article of the other batch now.
            link_by_headline(self.written_ids)
        if self.topic_addresses:
            self.names.prepare(
                [ImportItem(ParsedArticle("", "", topics=list(self.topic_addresses)), None, "")]
            )
            LegacyAddress.objects.bulk_create(
                [
                    LegacyAddress(old_path=path, topic_id=self.names.topics([name])[0])
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
            rewrite_old_links(self.written_ids)
        if self.counts["failed"]:
            self.names.remove_unused()
        return self.counts

    def save_one(self, item: ImportItem) -> Article:
        """Write one item now (the admin's paste); raise ``ValidationError`` if it fails."""
        problem = "" if item.checked else check(item.parsed, item.status)
        if problem:
            raise ValidationError(problem)
        self.names.prepare([item])
        try:
            with transaction.atomic():
                (outcome,) = self._write([item])
        except DatabaseError as error:
            self.names.remove_unused()
            raise ValidationError(describe(error)) from None
        return Article.objects.get(pk=outcome.article_id)

    # -- Writer threads -----------------------------------------------------------------------

    def _start_writers(self) -> None:
        self._queue = queue.Queue(maxsize=1)
        for number in range(self.writers):
            thread = threading.Thread(target=self._writer, name=f"import-writer-{number}")
            thread.start()
            self._threads.append(thread)

    def _writer(self) -> None:
        try:
            while True:
                batch = self._queue.get()
                if batch is None:
                    return
                try:
                    self._write_batch(batch)
                except BaseException as error:  # reported in the main thread
                    self._errors.append(error)
        finally:
            connections.close_all()  # this thread's own connection

    def _stop_writers(self) -> bool:
        """Stop the writer threads; True if there were any."""
        if self._queue is None:
            return False
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._queue, self._threads = None, []
        self._raise_writer_errors()
        return True

    def _raise_writer_errors(self) -> None:
        if self._errors:
            raise self._errors[0]

    # -- Writing a batch ----------------------------------------------------------------------

    def _done(self, outcome: Outcome) -> None:
        with self._report_lock:
            self.counts[outcome.result] += 1
            self.report(outcome)

    def _write_batch(self, batch: list[ImportItem]) -> None:
        ready = []
        for item in batch:
            problem = "" if item.checked else check(item.parsed, item.status)
            if problem:
                self._done(Outcome(item, "failed", error=problem))
            else:
                ready.append(item)
        ready = self._skip_unchanged(ready)
        if not ready:
            return
        self.names.prepare(ready)
        try:
            with transaction.atomic():
                _relaxed_commit()
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

    def _skip_unchanged(self, items: list[ImportItem]) -> list[ImportItem]:
        known = self.fingerprints([item.key for item in items if item.key is not None])
        todo = []
        for item in items:
            with self._report_lock:
                first = self._labels_by_key.get(item.key) if item.key else None
                if item.key and first is None:
                    self._labels_by_key[item.key] = item.label
            if first is not None:
                if item.origin:
                    error = f"{first} has the same name ({item.key}): rename one of the two"
                else:
                    error = f"the export holds this post twice (also as {first}): left out"
                self._done(Outcome(item, "failed", error=error))
            elif item.key in known and known[item.key] == item.fingerprint:
                self._done(Outcome(item, "unchanged"))
            else:
                todo.append(item)
        return todo

    def _write(self, items: list[ImportItem]) -> list[Outcome]:
        keys = [item.key for item in items if item.key is not None]
        existing = {
            article.import_key: article
            for article in Article.objects.select_for_update(of=("self",))
            .select_related("source", "lead_image")
            .filter(import_key__in=keys)
        }
        current = merge.current_relations([article.pk for article in existing.values()])
        created, updated = [], []
        for item in items:
            source = self.names.source(item.parsed.source_name)
            article = existing.get(item.key)
            if article is None:
                created.append((item, merge.new_article(item, source)))
            else:
                _check_same_origin(article, item)
                merge.update_article(article, item, source, current.get(article.pk))
                updated.append((item, article))
        slugs = self.names.article_slugs([item.slug or item.parsed.headline for item, _ in created])
        for (_, article), slug in zip(created, slugs, strict=True):
            article.slug = slug
        try:
            return self._write_articles(created, updated)
        except BaseException:
            # the batch is written again item by item: its slugs are free again (or every
            # article of it would get "-2")
            self.names.release_slugs(slugs)
            raise

    def _write_articles(self, created, updated) -> list[Outcome]:
        _place_lead_images(created, updated)
        self._insert([article for _, article in created])
        if updated:
            Article.objects.bulk_update([article for _, article in updated], UPDATED_FIELDS)
        self._write_relations(created, updated)
        written = created + updated
        LegacyAddress.objects.bulk_create(
            [
                LegacyAddress(old_path=path, article=article)
                for item, article in written
                for path in self._claim(item)
            ],
            update_conflicts=True,
            unique_fields=["old_path"],
            update_fields=["article", "topic"],
        )
        if any(item.old_paths or any(s.url for s in item.parsed.related) for item, _ in written):
            self.linked_by_address = True
        link_by_headline([article.pk for _, article in written])
        self.written_ids.extend(article.pk for _, article in written)
        content_changed.send(sender=Article, article_ids=[article.pk for _, article in written])
        by_note = {}
        for item, article in written:
            by_note.setdefault((item.note, item.user), []).append(article.pk)
        for (note, user), ids in by_note.items():
            revisions.record_many(ids, user, note=note, insert=copy_insert)
        return [Outcome(item, "imported", article.pk) for item, article in created] + [
            Outcome(item, "updated", article.pk) for item, article in updated
        ]

    def _claim(self, item: ImportItem) -> list[str]:
        """The item's old addresses that no other item of this run claimed first (two posts
        may have had the same address: the first keeps it, the other is told)."""
        mine = []
        with self._report_lock:
            for path in item.old_paths:
                owner = self._paths_claimed.setdefault(path, item.key)
                if owner == item.key:
                    mine.append(path)
                else:
                    item.parsed.notes.append(f"{path} was another post's address too: kept there")
        return mine

    def _insert(self, articles: list[Article]) -> None:
        """New articles: COPY when they all have import keys (to read their ids back by),
        else ``bulk_create`` (a paste)."""
        if not articles:
            return
        if not all(article.import_key for article in articles):
            Article.objects.bulk_create(articles)
            return
        copy_insert(Article, articles)
        ids = dict(
            Article.objects.filter(
                import_key__in=[article.import_key for article in articles]
            ).values_list("import_key", "pk")
        )
        for article in articles:
            article.pk = ids[article.import_key]
            article._state.adding = False
            article._stored_slug = article.slug

    def _write_relations(self, created, updated) -> None:
        rows = {relation: [] for relation in merge.RELATIONS}
        replace = {relation: [] for relation in merge.RELATIONS}
        new_stories, replace_stories = [], []

        def wanted(parsed, relation):
            if relation == "topics":
                return self.names.topics(parsed.topics)
            return self.names.people(getattr(parsed, relation))

        for item, article in created:
            for relation in rows:
                rows[relation] += [(article.pk, pk) for pk in wanted(item.parsed, relation)]
            new_stories += merge.stories(article, item)
        for item, article in updated:
            changes = article._import_changes
            for relation in rows:
                if relation in changes:
                    replace[relation].append(article.pk)
                    rows[relation] += [(article.pk, pk) for pk in wanted(item.parsed, relation)]
            if "related" in changes:
                replace_stories.append(article.pk)
                new_stories += merge.stories(article, item)
        for relation, pairs in rows.items():
            through = getattr(Article, relation).through
            column = "topic_id" if relation == "topics" else "person_id"
            if replace[relation]:
                through.objects.filter(article_id__in=replace[relation]).delete()
            copy_insert(  # in the order the credits named them (pages show them so)
                through, [through(article_id=a, **{column: b}) for a, b in dict.fromkeys(pairs)]
            )
        if replace_stories:
            RelatedStory.objects.filter(article_id__in=replace_stories).delete()
        copy_insert(RelatedStory, new_stories)


def _check_same_origin(article, item: ImportItem) -> None:
    """A text file is known by its name: "a/index.txt" and, later, "b/index.txt" would be the
    same article, the second overwriting the first. Refused when the first file is still
    there and the second has another headline (a file moved since, or a newer copy of the
    same article elsewhere, updates it)."""
    earlier = (article.imported or {}).get("origin", "")
    if not (item.origin and earlier and earlier != item.origin and os.path.isfile(earlier)):
        return
    headline = headline_key(item.parsed.headline)
    if headline not in (article.headline_key, headline_key(article.imported.get("headline", ""))):
        raise ImportProblem(
            f"{earlier} was imported under the same name ({item.key}), with another "
            "headline: rename one of the two"
        )


def _place_lead_images(created, updated) -> None:
    """A new article gets the lead image its item names by address (an ``Image`` per
    address, made once); an updated one too, unless an editor changed it since the last
    import (see ``merge.update_article``: the lead image is merged like the other fields)."""
    placing = [(item, article) for item, article in created if item.lead_image] + [
        (item, article) for item, article in updated if "lead_image" in article._import_changes
    ]
    if not placing:
        return
    wanted = {item.lead_image["url"]: item.lead_image for item, _ in placing if item.lead_image}
    if wanted:
        Image.objects.bulk_create(
            [Image(**{**image, "alt": image["alt"] or "Image"}) for image in wanted.values()],
            ignore_conflicts=True,  # another writer made it first
        )
    known = dict(Image.objects.filter(url__in=list(wanted)).values_list("url", "pk"))
    for item, article in placing:
        article.lead_image_id = known[item.lead_image["url"]] if item.lead_image else None


def _relaxed_commit() -> None:
    """Let this batch's commit return before its WAL reaches the disk: a crash may lose the
    last batches (never half of one); importing again brings them back."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _placeholder(label: str) -> ImportItem:
    return ImportItem(parsed=ParsedArticle(headline="", body=""), key=None, label=label)
