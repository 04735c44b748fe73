"""WordPress exports (WXR 1.0–1.2, the file Tools → Export writes; WordPress.com's too).

The file is read as a stream (``iterparse``, each ``<item>`` dropped once read), so a 200 MB
export needs no more memory than a small one. It is read twice: :func:`check_export` first
reads it to the end to prove it is well-formed WXR, so a broken file writes nothing; then
:func:`read_export` yields the site, its categories and tags, and the posts.

:func:`post_to_item` makes one post an :class:`~articles.importing.store.ImportItem`:

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

Pages, attachments, menu items, revisions, custom post types, trashed posts and auto-drafts
are skipped and counted.
"""

import dataclasses
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import iterparse
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator, slugify

from articles.dates import DateProblem, check_range
from articles.importing import credits
from articles.importing.credit_blocks import plain, take_credits_from_markdown
from articles.importing.items import ImportItem, check, fingerprint
from articles.importing.parsed import ImportProblem, ParsedArticle
from articles.importing.shortcodes import Media
from articles.importing.text_format import import_text
from articles.importing.wordpress_html import to_markdown
from articles.markup import render_markdown
from articles.models import Article
from articles.models.addresses import normalized_path

WP_PREFIXES = ("{http://wordpress.org/export/", "{https://wordpress.org/export/")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
LEAD_BLOCKS, TAIL_BLOCKS = 4, 6
STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "pending": Article.Status.REVIEW,
    "draft": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}
SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}


class WxrProblem(Exception):
    """The file itself is not a WordPress export that can be read."""


@dataclass
class Site:
    title: str = ""
    url: str = ""  # the blog's base address, e.g. "https://solidarity.example.org"
    authors: dict[str, str] = field(default_factory=dict)  # login → display name
    # term id / slug → (name, path of its archive page)
    categories: dict[str, tuple[str, str]] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # slug → name
    # the image attachments (featured images, galleries), by id and by the post they belong to
    media: Media = field(default_factory=Media)

    @property
    def attachments(self) -> dict[str, dict]:
        return self.media.images


@dataclass
class Post:
    """One ``<item>``, as plain values (it crosses to worker processes)."""

    post_id: str
    title: str = ""
    link: str = ""
    guid: str = ""
    pub_date: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    post_name: str = ""
    status: str = ""
    post_type: str = ""
    password: str = ""
    categories: list[tuple[str, str, str]] = field(default_factory=list)  # domain, slug, name
    thumbnail_id: str = ""  # the featured image: an attachment's post id
    attachment_url: str = ""  # an attachment's file
    parent: str = ""  # an attachment's post
    menu_order: int = 0  # an attachment's place in its post's gallery
    meta: dict[str, str] = field(default_factory=dict)  # the post meta this importer reads

    @property
    def label(self) -> str:
        return f"post {self.post_id} “{self.title or '(no title)'}”"


# -- Reading the file ------------------------------------------------------------------------


def _local(tag: str) -> str:
    """ "{http://wordpress.org/export/1.2/}post_id" → "wp:post_id" (any WXR version, over
    http or https: WordPress's own theme test data says https)."""
    if tag.startswith(WP_PREFIXES):
        prefix = "excerpt:" if "/excerpt/" in tag else "wp:"
        return prefix + tag.rsplit("}", 1)[1]
    return tag


def _events(path):
    try:
        yield from iterparse(str(path), events=("start", "end"), forbid_dtd=True)
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise WxrProblem(f"not well-formed XML at line {line}, column {column}: {reason}") from None
    except DefusedXmlException as error:
        raise WxrProblem(_refusal(error)) from None
    except OSError as error:
        raise WxrProblem(error.strerror or str(error)) from None


def _refusal(error: DefusedXmlException) -> str:
    """Why a file with a document type or entities is refused, in a sentence."""
    if isinstance(error, DTDForbidden):
        what = f"declares a document type (<!DOCTYPE {error.name} …>)"
    elif isinstance(error, EntitiesForbidden):
        what = f"declares an entity ({error.name})"
    elif isinstance(error, ExternalReferenceForbidden):
        what = f"refers to an outside file ({error.sysid or error.pubid})"
    else:
        what = "holds a construct XML readers can be attacked with"
    return (
        f"refused: the file {what}, which no WordPress export does and which could make a "
        "reader fetch other files or expand text without end"
    )


def check_export(path, media: Media | None = None) -> int:
    """Read the whole file once; return the number of ``<item>`` elements, or raise
    :class:`WxrProblem` naming what is wrong (not XML, not WXR, cut short…). Image
    attachments, which posts name as their featured image or show in galleries, go into
    ``media`` (they may come after the posts)."""
    depth, items, root, version = 0, 0, None, None
    channel = None
    for event, element in _events(path):
        if event == "start":
            depth += 1
            if root is None:
                root = element.tag
                if root != "rss":
                    raise WxrProblem(f"not a WordPress export: the document is <{root}>, not <rss>")
            elif depth == 2 and element.tag == "channel":
                channel = element
            continue
        depth -= 1
        tag = _local(element.tag)
        if tag == "wp:wxr_version":
            version = (element.text or "").strip()
        if tag == "item":
            items += 1
            if media is not None and _text(element, "wp:post_type") == "attachment":
                attachment = _post(element)
                image = attachment_image(attachment)
                if image:
                    media.add(attachment.post_id, image, attachment.parent, attachment.menu_order)
        if depth == 2 and channel is not None:
            channel.clear()  # keep memory flat
    if channel is None:
        raise WxrProblem("not a WordPress export: no <channel>")
    if version is None:
        raise WxrProblem("not a WordPress export: no <wp:wxr_version> (is this a plain RSS feed?)")
    return items


def read_export(path, media: Media | None = None) -> Iterator[Site | Post]:
    """The site (once its header is read, before the first post), then each post."""
    site = Site(media=media or Media())
    channel = None
    site_sent = False
    depth = 0
    for event, element in _events(path):
        if event == "start":
            depth += 1
            if depth == 2 and element.tag == "channel":
                channel = element
            continue
        depth -= 1
        if depth != 2:
            continue  # only the channel's own children matter
        tag = _local(element.tag)
        if tag == "item":
            if not site_sent:
                site_sent = True
                yield site
            yield _post(element)
        elif tag == "link" and not site.url:
            site.url = (element.text or "").strip().rstrip("/")
        elif tag == "wp:base_blog_url":
            site.url = (element.text or "").strip().rstrip("/") or site.url
        elif tag == "title":
            site.title = (element.text or "").strip()
        elif tag == "wp:author":
            login = _text(element, "wp:author_login")
            site.authors[login] = _text(element, "wp:author_display_name") or login
        elif tag == "wp:category":
            _category(element, site)
        elif tag == "wp:tag":
            site.tags[_text(element, "wp:tag_slug")] = _text(element, "wp:tag_name")
        if channel is not None:
            channel.clear()
    if not site_sent:
        yield site


def _text(element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _category(element, site: Site) -> None:
    slug = _text(element, "wp:category_nicename")
    name = _text(element, "wp:cat_name") or slug
    parent = _text(element, "wp:category_parent")
    path = slug
    if parent and parent in site.categories:
        path = site.categories[parent][1] + "/" + slug
    site.categories[slug] = (name, path)
    term_id = _text(element, "wp:term_id")
    if term_id:
        site.categories["id:" + term_id] = (name, path)


def _post(element) -> Post:
    post = Post(post_id="")
    for child in element:
        tag, text = _local(child.tag), import_text(child.text or "")
        if tag == "title":
            post.title = _title(child)
        elif tag == "link":
            post.link = text.strip()
        elif tag == "guid":
            post.guid = text.strip()
        elif tag == "pubDate":
            post.pub_date = text.strip()
        elif tag == CREATOR:
            post.creator = text.strip()
        elif tag == CONTENT:
            post.content = text
        elif tag == "excerpt:encoded":
            post.excerpt = text
        elif tag == "category":
            post.categories.append(
                (child.get("domain", ""), child.get("nicename", ""), " ".join(text.split()))
            )
        elif tag.startswith("wp:"):
            name = tag[3:]
            value = text.strip()
            if name == "post_id":
                post.post_id = value
            elif name in ("post_date", "post_date_gmt", "post_name", "status", "post_type"):
                setattr(post, name, value)
            elif name == "post_password":
                post.password = value
            elif name == "attachment_url":
                post.attachment_url = value
            elif name == "post_parent":
                post.parent = value
            elif name == "menu_order":
                post.menu_order = int(value) if re.fullmatch(r"-?[0-9]{1,9}", value) else 0
            elif name == "postmeta":
                key = _text(child, "wp:meta_key")
                if key in READ_META:
                    post.meta[key] = _text(child, "wp:meta_value")
    post.thumbnail_id = post.meta.get("_thumbnail_id", "")
    return post


def _title(element) -> str:
    """A post's title as text: its words, without markup, whether the export wrote the
    markup escaped ("Hostile &lt;script&gt;…"), in CDATA or as elements of its own."""
    text = import_text("".join(element.itertext()))
    return " ".join(unescape(strip_tags(text)).split())


READ_META = {"_thumbnail_id", "_wp_attachment_image_alt", "_wp_attachment_metadata"}
_PHP_SIZE = re.compile(r's:(?:5:"width"|6:"height");i:(\d+);')


def attachment_image(post: Post) -> dict | None:
    """An image attachment as a lead image: its address, alt text (or caption, or title),
    caption, and size when the attachment's metadata (PHP-serialized) gives it."""
    if post.post_type != "attachment" or not post.attachment_url.startswith(
        ("http://", "https://")
    ):
        return None
    caption = " ".join(strip_tags(post.excerpt).split())
    alt = post.meta.get("_wp_attachment_image_alt", "").strip() or caption or post.title
    size = [int(n) for n in _PHP_SIZE.findall(post.meta.get("_wp_attachment_metadata", ""))[:2]]
    return {
        "url": post.attachment_url[:500],
        "alt": alt[:300],
        "caption": caption[:500],
        "width": size[0] if len(size) == 2 else None,
        "height": size[1] if len(size) == 2 else None,
    }


# -- A post as an article ------------------------------------------------------------------------


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
        parsed.dateline = credits.leading_dateline(plain(first))
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
