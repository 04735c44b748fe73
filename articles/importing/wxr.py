"""WordPress export files (WXR 1.0–1.2, the file Tools → Export writes; WordPress.com's too).

The file is read as a stream (``iterparse``, each ``<item>`` dropped once read), so a 200 MB
export needs no more memory than a small one. It is read twice: :func:`check_export` first
reads it to the end to prove it is well-formed WXR, so a broken file writes nothing (and
collects the image attachments, which may come after the posts that show them); then
:func:`read_export` yields the site, its categories and tags, and the posts, each as a
:class:`Post` of plain values (posts cross to worker processes). A file with a document type
or entities is refused, in a sentence saying why.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from xml.etree.ElementTree import ParseError

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import iterparse
from django.utils.html import strip_tags

from articles.importing.shortcodes import Media
from articles.importing.text_format import import_text

WP_PREFIXES = ("{http://wordpress.org/export/", "{https://wordpress.org/export/")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


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
