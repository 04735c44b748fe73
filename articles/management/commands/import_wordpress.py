import time
from itertools import chain

from django.core.management.base import BaseCommand, CommandError

from articles.importing.files import default_workers, known_sources
from articles.importing.parallel import ordered_map
from articles.importing.parsed import ImportProblem
from articles.importing.shortcodes import Media
from articles.importing.store import ImportStore
from articles.importing.wordpress import (
    Post,
    Site,
    Skipped,
    WxrProblem,
    check_export,
    import_key,
    post_fingerprint,
    post_to_item,
    read_export,
    topic_addresses,
)

PROGRESS_EVERY = 1000
POOL_THRESHOLD = 200  # posts: fewer are converted in this process

_site = None  # the site being imported, in each worker process
_sources = ()  # the names of the sources the archive knows (see ``credits.Sources``)


def _start_worker(site, sources):
    global _site, _sources
    _site, _sources = site, sources


def _convert(post: Post):
    """In a worker: the post as an item, or what kept it out."""
    try:
        return post, post_to_item(post, _site, _sources), None
    except Skipped as skipped:
        return post, None, ("skipped", str(skipped))
    except ImportProblem as problem:
        return post, None, ("failed", str(problem))


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR, from Tools → Export): posts become articles, "
        "categories and tags topics, old addresses redirect. Re-importing the same export "
        "updates instead of duplicating."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", metavar="EXPORT.xml")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be imported; write nothing."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Processes that convert posts (default: one per core, at most 4).",
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=2,
            help="Database connections writing batches at once (default 2).",
        )

    def handle(self, *args, export, dry_run, workers, writers, **options):
        started = time.monotonic()
        self.verbosity = options["verbosity"]
        try:
            self.media = Media()
            total = check_export(export, self.media)
        except WxrProblem as problem:
            raise CommandError(f"{export}: {problem}; nothing was imported") from None
        self.stdout.write(f"{export}: a WordPress export with {total:,} items")
        self.skipped: dict[str, int] = {}
        self.started, self.total, self.seen = started, total, 0
        store = self.store = ImportStore(report=self.report, writers=writers)
        self.dry_run = dry_run
        self.shown = 0
        for post, item, problem in self._converted(export, workers):
            self.seen += 1
            if self.seen % PROGRESS_EVERY == 0:
                self._progress()
            if problem and problem[0] == "skipped":
                self.skipped[problem[1]] = self.skipped.get(problem[1], 0) + 1
            elif problem:
                store.fail(post.label, problem[1])
            elif dry_run:
                self._show(item)
            else:
                store.add(item)
                for name, path in topic_addresses(post, self.site, item.parsed.topics):
                    store.add_topic_address(name, path)
        counts = store.counts if dry_run else store.finish()
        skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items()))
        if dry_run:
            summary = f"dry run: {self.shown} posts read, {counts['failed']} failed"
        else:
            summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        summary += f"; skipped: {skipped or 'none'}"
        elapsed = time.monotonic() - started
        summary += f" ({self.seen:,} items in {elapsed:.1f} s)"
        if dry_run:
            summary += "; nothing was written"
        if counts["failed"]:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _converted(self, export, workers):
        posts = read_export(export, self.media)
        self.site = next(posts, None) or Site()
        if not isinstance(self.site, Site):  # pragma: no cover - read_export yields it first
            raise CommandError(f"{export}: the export has no channel header")
        workers = workers if self.total >= POOL_THRESHOLD else 1
        yield from ordered_map(
            _convert,
            self._changed(posts),
            workers,
            initializer=_start_worker,
            initargs=(self.site, known_sources()),
        )

    def _changed(self, posts):
        """The posts that differ from their last import (a query per 500 posts); the others
        are reported unchanged at once, without converting them."""
        batch = []
        for post in chain(posts, [None]):
            if post is not None:
                batch.append(post)
                if len(batch) < 500:
                    continue
            keyed = [(import_key(p, self.site), p) for p in batch]  # a post twice: both
            known = self.store.fingerprints([key for key, _ in keyed])
            for key, candidate in keyed:
                if known.get(key) == post_fingerprint(candidate, self.site):
                    self.seen += 1
                    self.store.unchanged(candidate.label)
                else:
                    yield candidate
            batch = []

    def _progress(self):
        rate = self.seen / max(time.monotonic() - self.started, 1e-6)
        self.stdout.write(f"… {self.seen:,} of {self.total:,} items ({rate:,.0f}/s)")

    def report(self, outcome):
        if outcome.result == "failed":
            self.stderr.write(f"{outcome.item.label}: {outcome.error}")
        elif self.verbosity >= 2:
            self.stdout.write(f"{outcome.item.label}: {outcome.result}")
        for note in outcome.item.parsed.notes:
            if self.verbosity >= 2 or "not in the archive" in note:
                self.stdout.write(f"{outcome.item.label}: note: {note}")

    def _show(self, item):
        self.shown += 1
        self.stdout.write(f"== {item.label} → {item.status}")
        for line in item.parsed.summary_lines():
            self.stdout.write(f"   {line}")
        for note in item.parsed.notes:
            self.stdout.write(f"   unsure: {note}")
