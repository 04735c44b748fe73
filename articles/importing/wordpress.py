"""A WordPress post as an article, and the import of a whole export.

:func:`post_to_item` makes one post (read by ``wxr``) an
:class:`~articles.importing.store.ImportItem`:

* headline, slug, body (HTML → Markdown, see ``wordpress_html``), excerpt → dek, publication
  time (``post_date_gmt``; a draft's local ``post_date`` in ``TIME_ZONE``);
* status: publish → published, future → published at its (future) time, pending → in review,
  draft → draft; private and password-protected posts → draft (never shown to readers);
* the credits in the body (the text importer's grammar) → source, original date and URL,
  authors, translators; the post's WordPress author is credited as translator when the text
  names none (on a translation site, whoever posts a translation is usually its translator);
* categories and tags → topics, except a category that names the publication the credits
  name (that is the source);
* the featured image → the lead image, by its address (alt text, caption and size from the
  attachment), unless an editor chose another;
* a trailing list of links to the site's own posts → related stories, linked to the imported
  articles by their old addresses at the end of the run;
* old addresses: the permalink (``<link>``), ``/?p=ID``, and ``/category/…/``, ``/tag/…/``,
  ``/?cat=ID``, ``/?tag=slug`` for the topics.

:class:`ExportImport` runs a whole export through the store: posts converted in worker
processes, the unchanged ones (by their fingerprint) reported without converting them.
Pages become the archive's pages (``articles.importing.pages``); attachments, menu items,
revisions, custom post types, trashed posts and auto-drafts are skipped and counted.
"""

import dataclasses
import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import chain
from urllib.parse import unquote, urlsplit

from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator, slugify

from articles.dates import DateProblem, check_range
from articles.importing import credits, layout, pages
from articles.importing.credit_blocks import plain, take_credits_from_markdown
from articles.importing.items import ImportItem, check, fingerprint
from articles.importing.pages import PageItem
from articles.importing.parallel import ordered_map
from articles.importing.parsed import ImportProblem, ParsedArticle
from articles.importing.shortcodes import Media
from articles.importing.wordpress_html import to_markdown
from articles.importing.wxr import Post, Site, check_export, read_export
from articles.markup import render_markdown
from articles.models import Article
from articles.models.addresses import normalized_path

# Credits are looked for in the first four and last six paragraphs: a post's HTML makes more,
# shorter paragraphs than a text file (whose windows are five and eight).
LEAD_BLOCKS, TAIL_BLOCKS = 4, 6
STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "pending": Article.Status.REVIEW,
    "draft": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}
SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}


class Skipped(Exception):
    """Not an article: a page, an attachment, a trashed post… (the message says which)."""


def post_to_item(post: Post, site: Site, sources=()) -> ImportItem:
    """The post as an item for the store, or :class:`Skipped`, or :class:`ImportProblem`
    naming what is wrong with it. ``sources``: the names of the sources the archive knows.
    Runs in worker processes: no database."""
    if post.post_type and post.post_type != "post":
        raise Skipped(post.post_type)
    if post.status in SKIPPED_STATUSES:
        raise Skipped(post.status)
    if not post.post_id:
        raise ImportProblem("no <wp:post_id>")
    if len(post.content) > MAX_POST_CHARS:
        raise ImportProblem(
            f"the post's text is {len(post.content):,} characters long; the limit is "
            f"{MAX_POST_CHARS:,} (split it, or take out what was pasted into it)"
        )
    status = STATUSES.get(post.status)
    if status is None:
        raise ImportProblem(f"unknown status {post.status!r}")
    published_at = _publication_time(post)

    notes = []
    content = post.content
    if not strip_tags(content).strip() and "<img" not in content:
        # WordPress allows a post with a title alone (a link, an announcement)
        content = post.excerpt if strip_tags(post.excerpt).strip() else ""
        if not content:
            content = f"<p><em>{escape(NO_TEXT)}</em></p>"
        notes.append("the post has no text: imported as a draft, for an editor to look at")
        status = Article.Status.DRAFT
    try:
        markdown, related = to_markdown(content, site.url, site.media, post.post_id)
    except RecursionError:
        raise ImportProblem(
            "the post's HTML is nested too deeply to read (lists or quotations inside each "
            "other hundreds of levels deep)"
        ) from None
    parsed = ParsedArticle(headline=_headline(post, markdown, notes), body="", related=related)
    parsed.notes += notes
    parsed.body = take_credits_from_markdown(
        markdown, parsed, LEAD_BLOCKS, TAIL_BLOCKS, credits.Sources(sources)
    )
    if not parsed.body.strip():
        raise ImportProblem("empty content (only credits)")
    parsed.published_at = published_at
    parsed.dek = _dek(post.excerpt)
    if not parsed.dateline:
        first = parsed.body.split("\n\n", 1)[0]
        parsed.dateline = layout.leading_dateline(plain(first))
    if not parsed.translators and post.creator:
        parsed.translators = [site.authors.get(post.creator, post.creator)]
    parsed.topics = _topics(post, parsed)
    note = "Imported from WordPress"
    if post.status == "private" or post.password:
        status = Article.Status.DRAFT
        note += " (private or password-protected there: kept as a draft)"
        parsed.notes.append("private or password-protected in WordPress: imported as a draft")

    problem = check(parsed, status)
    if problem:
        raise ImportProblem(problem)
    return ImportItem(
        parsed=parsed,
        checked=True,
        key=import_key(post, site),
        label=post.label,
        fingerprint=post_fingerprint(post, site),
        status=status,
        # "%d0%bf…" (a Cyrillic or Chinese title's permalink) has no Latin letters to keep
        slug=slugify(unquote(post.post_name)) or f"post-{post.post_id}",
        old_paths=_old_paths(post),
        note=note,
        body_html=render_markdown(parsed.body),
        lead_image=site.attachments.get(post.thumbnail_id) if post.thumbnail_id else None,
    )


MAX_POST_CHARS = 2_000_000  # twice a text file's limit: HTML is wordier than text
NO_TEXT = "The post had no text in WordPress."
HEADLINE_LIMIT = Article._meta.get_field("headline").max_length


def _headline(post: Post, markdown: str, notes: list[str]) -> str:
    """The post's title; shortened at a word when too long; the text's first words when
    the post has none (WordPress allows an untitled post)."""
    title = post.title
    if not title:
        words = " ".join(plain(markdown).split()[:12])
        title = Truncator(words).chars(80) if words else f"Untitled post {post.post_id}"
        notes.append(f"the post has no title: “{title}” made from its text")
    if len(title) > HEADLINE_LIMIT:
        notes.append(f"the title was {len(title)} characters long: shortened")
        title = Truncator(title).chars(HEADLINE_LIMIT)
    return title


def _publication_time(post: Post) -> datetime:
    gmt = post.post_date_gmt
    try:
        if gmt and not gmt.startswith("0000"):
            value = datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        elif post.post_date and not post.post_date.startswith("0000"):
            value = timezone.make_aware(datetime.strptime(post.post_date, "%Y-%m-%d %H:%M:%S"))
        elif post.pub_date and not _placeholder(post.pub_date):
            value = parsedate_to_datetime(post.pub_date)
        elif post.status in UNDATED_STATUSES:
            value = timezone.now()  # a draft WordPress never dated ("0000-00-00 00:00:00")
        else:
            raise ImportProblem("no publication date")
    except (ValueError, TypeError, OverflowError):
        shown = gmt if gmt and not gmt.startswith("0000") else post.post_date or post.pub_date
        raise ImportProblem(f"malformed date {shown!r}") from None
    try:
        check_range(value.date())
    except DateProblem as problem:
        if post.status != "future":
            raise ImportProblem(str(problem)) from None
    return value


# Drafts WordPress has not dated: it writes "0000-00-00 00:00:00" and an RSS date of
# "Mon, 30 Nov -0001" (or the epoch); they are dated when imported.
UNDATED_STATUSES = {"draft", "pending", "auto-draft", "private"}


def _placeholder(pub_date: str) -> bool:
    return "-0001" in pub_date or " 1970 " in pub_date


def _dek(excerpt: str) -> str:
    text = " ".join(strip_tags(excerpt or "").split())
    return Truncator(text).chars(500) if text else ""


def _topics(post: Post, parsed: ParsedArticle) -> list[str]:
    source = parsed.source_name.casefold()
    names = []
    for domain, _slug, name in post.categories:
        if domain not in ("category", "post_tag") or not name:
            continue
        if name.casefold() == source or name.casefold() == "uncategorized":
            continue
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name[:100])
    return names


def _old_paths(post: Post) -> list[str]:
    paths = []
    for url in (post.link, post.guid):
        parts = urlsplit(url)
        if parts.path or parts.query:
            path = normalized_path((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
            if path not in paths and path != "/":
                paths.append(path[:500])
    for by_id in (f"/?p={post.post_id}", f"/index.php?p={post.post_id}"):
        if by_id not in paths:
            paths.append(by_id)
    return paths


def import_key(post: Post, site: Site) -> str:
    """The article's key: the site's host and the post's id ("wp:example.org:123")."""
    return f"wp:{urlsplit(site.url).netloc or 'wordpress'}:{post.post_id}"


def post_fingerprint(post: Post, site: Site) -> str:
    """A hash of everything the import reads of the post: every field of :class:`Post` (its
    permalink and guid, which become old addresses, among them), and what of the site it
    uses: the site's address, its author's name, its categories' paths, its featured image
    and the images its galleries show."""
    used = {
        "post": dataclasses.asdict(post),
        "site": site.url,
        "author": site.authors.get(post.creator, ""),
        "categories": [site.categories.get(slug) for _, slug, _ in post.categories],
        "thumbnail": site.attachments.get(post.thumbnail_id) if post.thumbnail_id else None,
        "galleries": site.media.used_by(post.content, post.post_id),
    }
    return fingerprint(json.dumps(used, sort_keys=True, default=str))


def topic_addresses(post: Post, site: Site, topics: list[str]) -> list[tuple[str, str]]:
    """The post's old category and tag pages, as (topic name, path), for the topics it
    became: ``/category/parent/child/``, ``/?cat=ID``, ``/tag/slug/``, ``/?tag=slug``."""
    used = {name.casefold() for name in topics}
    found = []
    for domain, slug, name in post.categories:
        if name.casefold() not in used or not slug:
            continue
        if domain == "category":
            path = site.categories.get(slug, (name, slug))[1]
            found.append((name, f"/category/{path}/"))
            found += [
                (name, f"/?cat={key[3:]}")
                for key, (_, known) in site.categories.items()
                if key.startswith("id:") and known == path
            ]
        elif domain == "post_tag":
            found += [(name, f"/tag/{slug}/"), (name, f"/?tag={slug}")]
    return found


# -- A whole export ----------------------------------------------------------------------------

POOL_THRESHOLD = 200  # posts: fewer are converted in this process
PROGRESS_EVERY = 1000

_site = None  # the site being imported, in each worker process
_sources = ()  # the names of the sources the archive knows (see ``credits.Sources``)


def _start_worker(site, sources):
    global _site, _sources
    _site, _sources = site, sources


def page_to_item(post: Post, site: Site) -> PageItem:
    """A page of the export as a page of the archive (published if it is published there;
    private, draft, pending and scheduled ones as drafts). Runs in worker processes."""
    if post.status in SKIPPED_STATUSES:
        raise Skipped(f"page ({post.status})")
    try:
        markdown, _ = to_markdown(post.content, site.url, site.media, post.post_id)
    except RecursionError:
        raise ImportProblem("the page's HTML is nested too deeply to read") from None
    old_paths = _old_paths(post) + [f"/?page_id={post.post_id}"]
    return PageItem(
        title=_headline(post, markdown, []),
        slug=slugify(unquote(post.post_name)) or slugify(post.title) or f"page-{post.post_id}",
        body=markdown.strip() or "",
        published=post.status == "publish" and not post.password,
        old_paths=old_paths,
        label=post.label.replace("post ", "page ", 1),
    )


def _convert(post: Post):
    """In a worker: the post as an item, or what kept it out."""
    try:
        if post.post_type == "page":
            return post, page_to_item(post, _site), None
        return post, post_to_item(post, _site, _sources), None
    except Skipped as skipped:
        return post, None, ("skipped", str(skipped))
    except ImportProblem as problem:
        return post, None, ("failed", str(problem))


class ExportImport:
    """One export through the store (or, in a dry run, through ``show`` only): checked
    whole first (:class:`~articles.importing.wxr.WxrProblem` if it cannot be read, nothing
    written), then read again post by post. ``seen`` and ``skipped`` (by kind) count what
    it met; ``progress`` is told every thousand items."""

    def __init__(self, path, store, *, workers: int = 1, sources=(), progress=None):
        self.path, self.store, self.workers, self.sources = path, store, workers, sources
        self.progress = progress or (lambda run: None)
        self.media = Media()
        self.total = check_export(path, self.media)
        self.seen = 0
        self.skipped: dict[str, int] = {}
        self.pages: dict[str, int] = {}  # "imported", "kept" (imported before)
        self.site = Site()

    def run(self, show=None) -> dict[str, int]:
        """Import every post (``show(item)`` instead, for a dry run); return the counts."""
        for post, item, problem in self._converted():
            self.seen += 1
            if self.seen % PROGRESS_EVERY == 0:
                self.progress(self)
            if problem and problem[0] == "skipped":
                self.skipped[problem[1]] = self.skipped.get(problem[1], 0) + 1
            elif problem:
                self.store.fail(post.label, problem[1])
            elif isinstance(item, PageItem):
                outcome = "to import" if show is not None else pages.write(item)
                self.pages[outcome] = self.pages.get(outcome, 0) + 1
            elif show is not None:
                show(item)
            else:
                self.store.add(item)
                for name, path in topic_addresses(post, self.site, item.parsed.topics):
                    self.store.add_topic_address(name, path)
        return self.store.counts if show is not None else self.store.finish()

    def _converted(self):
        posts = read_export(self.path, self.media)
        self.site = next(posts, None) or Site()
        workers = self.workers if self.total >= POOL_THRESHOLD else 1
        yield from ordered_map(
            _convert,
            self._changed(posts),
            workers,
            initializer=_start_worker,
            initargs=(self.site, tuple(self.sources)),
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
