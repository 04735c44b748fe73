"""The archive as a WordPress export (WXR 1.2, the file WordPress's Tools → Export writes and
its importer reads), for a newsroom that moves to WordPress, or to anything that reads it.

What WordPress has a place for goes there: each article is a post (``wp:post_name`` its
slug, its status, its publication time in the site's zone and in UTC), its text the HTML
readers see, opened by its attribution and credits as the page writes them ("This article
originally appeared in the November 4, 2025 edition of La Jornada, …", "Translated by …")
and closed by its corrections; its summary the excerpt; its topics categories; its source
and story tags; its first translator the post's author; its lead image an attachment that
is its featured image (``_thumbnail_id``); its old slugs ``_wp_old_slug`` (WordPress then
redirects them). The provenance is also kept as custom fields (``original_url``,
``original_headline``, ``original_published_on``, ``original_language``, ``dateline``,
``source``, ``authors``, ``translators``, ``story``). The archive's pages are pages.

WordPress has no place for the glossary, the translation memory, the versions or a
WordPress site's old addresses: the JSON-lines export (``articles.dump``) keeps everything.
Written as a stream, a few hundred articles at a time: memory stays flat.
"""

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC
from email.utils import format_datetime
from html import escape
from itertools import islice

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format

from articles.glossary import without_explanations
from articles.models import (
    Article,
    Correction,
    Image,
    Page,
    Person,
    SiteIdentity,
    SlugRedirect,
    Source,
    Thread,
    Topic,
)

CHUNK = 500
STATUSES = {
    Article.Status.DRAFT: "draft",
    Article.Status.REVIEW: "pending",
}


# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(text) -> str:
    """Text as CDATA, whatever it holds (a ``]]>`` is split across two sections)."""
    text = _NOT_XML.sub("", str(text or ""))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _tag(name: str, value) -> str:
    text = _NOT_XML.sub("", str(value if value is not None else ""))
    return f"<{name}>{escape(text, quote=False)}</{name}>"


def _meta(key: str, value) -> str:
    if value in (None, ""):
        return ""
    return (
        f"<wp:postmeta><wp:meta_key>{key}</wp:meta_key>"
        f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>"
    )


def _times(moment) -> str:
    local = timezone.localtime(moment)
    utc = moment.astimezone(UTC)
    return (
        _tag("pubDate", format_datetime(utc))
        + _tag("wp:post_date", local.strftime("%Y-%m-%d %H:%M:%S"))
        + _tag("wp:post_date_gmt", utc.strftime("%Y-%m-%d %H:%M:%S"))
    )


def document(site: str = "") -> Iterator[str]:
    site = site.rstrip("/")
    offsets = _offsets()
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
    )
    identity = SiteIdentity.objects.first()
    name = identity.name if identity else settings.SITE_NAME
    yield (
        _tag("title", name)
        + _tag("link", site)
        + _tag("description", identity.tagline if identity else "")
        + _tag("language", "en")
        + _tag("wp:wxr_version", "1.2")
        + _tag("wp:base_site_url", site)
        + _tag("wp:base_blog_url", site)
        + "\n"
    )
    for person in Person.objects.order_by("pk").iterator():
        yield (
            "<wp:author>"
            + _tag("wp:author_id", person.pk)
            + f"<wp:author_login>{cdata(person.slug)}</wp:author_login>"
            + "<wp:author_email></wp:author_email>"
            + f"<wp:author_display_name>{cdata(person.name)}</wp:author_display_name>"
            + "</wp:author>\n"
        )
    for topic in Topic.objects.order_by("pk").iterator():
        yield (
            "<wp:category>"
            + _tag("wp:term_id", topic.pk)
            + f"<wp:category_nicename>{cdata(topic.slug)}</wp:category_nicename>"
            + "<wp:category_parent></wp:category_parent>"
            + f"<wp:cat_name>{cdata(topic.name)}</wp:cat_name>"
            + f"<wp:category_description>{cdata(topic.description)}</wp:category_description>"
            + "</wp:category>\n"
        )
    for slug, tag_name in _tags():
        yield (
            f"<wp:tag><wp:tag_slug>{cdata(slug)}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(tag_name)}</wp:tag_name></wp:tag>\n"
        )
    for image in Image.objects.order_by("pk").iterator():
        yield _attachment(image, offsets["image"], site)
    for page in Page.objects.order_by("pk").iterator():
        yield _page(page, offsets["page"], site)
    articles = (
        Article.objects.order_by("pk")
        .select_related("source", "thread")
        .defer("search_body", "original_body", "body")
    )
    iterator = articles.iterator(chunk_size=CHUNK)
    while chunk := list(islice(iterator, CHUNK)):
        extras = _extras([a.pk for a in chunk])
        for article in chunk:
            yield _post(article, extras, offsets, site)
    yield "</channel>\n</rss>\n"


def _offsets() -> dict[str, int]:
    """WordPress numbers posts, pages and attachments in one sequence: articles keep their
    numbers, pages and images come after the last."""
    last_article = Article.objects.aggregate(n=Max("pk"))["n"] or 0
    last_page = Page.objects.aggregate(n=Max("pk"))["n"] or 0
    return {"page": last_article, "image": last_article + last_page}


def _tags() -> Iterator[tuple[str, str]]:
    for source in Source.objects.order_by("pk").iterator():
        yield f"source-{source.slug}", source.name
    for story in Thread.objects.order_by("pk").iterator():
        yield f"story-{story.slug}", story.name


def _extras(ids: list[int]) -> dict:
    """The credits (in their order), topics, corrections and old slugs of these articles:
    one query each."""
    extras = {
        name: defaultdict(list)
        for name in ("authors", "translators", "topics", "corrections", "old_slugs")
    }
    for relation in ("authors", "translators"):
        through = getattr(Article, relation).through.objects.filter(article_id__in=ids)
        for article_id, person_name, slug in through.order_by("id").values_list(
            "article_id", "person__name", "person__slug"
        ):
            extras[relation][article_id].append((person_name, slug))
    for article_id, topic_name, slug in (
        Article.topics.through.objects.filter(article_id__in=ids)
        .order_by("topic__name")
        .values_list("article_id", "topic__name", "topic__slug")
    ):
        extras["topics"][article_id].append((topic_name, slug))
    for correction in Correction.objects.filter(article_id__in=ids).order_by("published_on", "pk"):
        extras["corrections"][correction.article_id].append(correction)
    for article_id, old in SlugRedirect.objects.filter(article_id__in=ids).values_list(
        "article_id", "old_slug"
    ):
        extras["old_slugs"][article_id].append(old)
    return extras


def _names(people) -> str:
    names = [name for name, _ in people]
    return names[0] if len(names) < 2 else ", ".join(names[:-1]) + " and " + names[-1]


def _credits(article, authors, translators) -> str:
    parts = []
    if article.source_id:
        edition = ""
        if article.original_published_on:
            day = date_format(article.original_published_on, "F j, Y")
            edition = f"the {day} edition of "
        about = f", {article.source.description}" if article.source.description else ""
        parts.append(
            f"<p>This article originally appeared in {escape(edition)}"
            f"{escape(article.source.name)}{escape(about)}.</p>"
        )
    if authors:
        parts.append(f"<p>By {escape(_names(authors))}</p>")
    if translators:
        parts.append(f"<p>Translated by {escape(_names(translators))}</p>")
    return "\n".join(parts)


def _status(article) -> str:
    if article.status != Article.Status.PUBLISHED:
        return STATUSES.get(article.status, "draft")
    return "future" if article.published_at > timezone.now() else "publish"


def _post(article, extras, offsets, site) -> str:
    authors = extras["authors"].get(article.pk, [])
    translators = extras["translators"].get(article.pk, [])
    corrections = extras["corrections"].get(article.pk, [])
    # The glossary's explanations are this site's own markup: WordPress gets the text.
    content = [_credits(article, authors, translators), without_explanations(article.body_html)]
    for correction in corrections:
        day = date_format(correction.published_on, "F j, Y")
        content.append(f"<p><em>Correction, {escape(day)}: {escape(correction.text)}</em></p>")
    terms = [
        f'<category domain="category" nicename="{escape(slug)}">{cdata(name)}</category>'
        for name, slug in extras["topics"].get(article.pk, [])
    ]
    if article.source_id:
        source = article.source
        terms.append(
            f'<category domain="post_tag" nicename="source-{escape(source.slug)}">'
            f"{cdata(source.name)}</category>"
        )
    if article.thread_id:
        terms.append(
            f'<category domain="post_tag" nicename="story-{escape(article.thread.slug)}">'
            f"{cdata(article.thread.name)}</category>"
        )
    meta = [
        _meta("original_url", article.original_url),
        _meta("original_headline", article.original_headline),
        _meta("original_published_on", article.original_published_on),
        _meta("original_language", article.original_language),
        _meta("dateline", article.dateline),
        _meta("source", article.source.name if article.source_id else ""),
        _meta("authors", "; ".join(name for name, _ in authors)),
        _meta("translators", "; ".join(name for name, _ in translators)),
        _meta("story", article.thread.name if article.thread_id else ""),
    ]
    if article.lead_image_id:
        meta.append(_meta("_thumbnail_id", offsets["image"] + article.lead_image_id))
    meta += [_meta("_wp_old_slug", old) for old in extras["old_slugs"].get(article.pk, [])]
    creator = translators[0][1] if translators else ""
    return (
        "<item>"
        + _tag("title", article.headline)
        + _tag("link", site + article.get_absolute_url())
        + _times(article.published_at)
        + f"<dc:creator>{cdata(creator)}</dc:creator>"
        + f'<guid isPermaLink="false">{escape(site)}/?p={article.pk}</guid>'
        + "<description></description>"
        + f"<content:encoded>{cdata(chr(10).join(c for c in content if c))}</content:encoded>"
        + f"<excerpt:encoded>{cdata(article.dek)}</excerpt:encoded>"
        + _tag("wp:post_id", article.pk)
        + _tag(
            "wp:post_modified_gmt", article.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        )
        + "<wp:comment_status>closed</wp:comment_status><wp:ping_status>closed</wp:ping_status>"
        + f"<wp:post_name>{cdata(article.slug)}</wp:post_name>"
        + _tag("wp:status", _status(article))
        + "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
        + "<wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>"
        + "<wp:is_sticky>0</wp:is_sticky>"
        + "".join(terms)
        + "".join(meta)
        + "</item>\n"
    )


def _page(page, offset, site) -> str:
    status = "publish" if page.status == Page.Status.PUBLISHED else "draft"
    return (
        "<item>"
        + _tag("title", page.title)
        + _tag("link", site + f"/{page.slug}/")
        + _times(page.created_at)
        + "<dc:creator></dc:creator>"
        + f'<guid isPermaLink="false">{escape(site)}/?page_id={offset + page.pk}</guid>'
        + "<description></description>"
        + f"<content:encoded>{cdata(page.body_html)}</content:encoded>"
        + f"<excerpt:encoded>{cdata(page.summary)}</excerpt:encoded>"
        + _tag("wp:post_id", offset + page.pk)
        + "<wp:comment_status>closed</wp:comment_status><wp:ping_status>closed</wp:ping_status>"
        + f"<wp:post_name>{cdata(page.slug)}</wp:post_name>"
        + _tag("wp:status", status)
        + "<wp:post_parent>0</wp:post_parent>"
        + _tag("wp:menu_order", page.position)
        + "<wp:post_type>page</wp:post_type><wp:post_password></wp:post_password>"
        + "<wp:is_sticky>0</wp:is_sticky>"
        + "</item>\n"
    )


def _attachment(image, offset, site) -> str:
    address = image.original_url
    if address.startswith("/"):
        address = site + address
    return (
        "<item>"
        + _tag("title", image.alt)
        + _tag("link", address)
        + _times(image.uploaded_at)
        + "<dc:creator></dc:creator>"
        + f'<guid isPermaLink="false">{escape(address)}</guid>'
        + "<description></description>"
        + f"<content:encoded>{cdata(image.credit)}</content:encoded>"
        + f"<excerpt:encoded>{cdata(image.caption)}</excerpt:encoded>"
        + _tag("wp:post_id", offset + image.pk)
        + "<wp:comment_status>closed</wp:comment_status><wp:ping_status>closed</wp:ping_status>"
        + f"<wp:post_name>{cdata(f'image-{image.pk}')}</wp:post_name>"
        + "<wp:status>inherit</wp:status><wp:post_parent>0</wp:post_parent>"
        + "<wp:menu_order>0</wp:menu_order><wp:post_type>attachment</wp:post_type>"
        + "<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>"
        + _tag("wp:attachment_url", address)
        + _meta("_wp_attachment_image_alt", image.alt)
        + "</item>\n"
    )
