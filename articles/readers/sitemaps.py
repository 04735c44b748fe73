"""Sitemaps for an archive of any size, and a Google News sitemap of the last two days.

``/sitemap.xml`` is a sitemap index (Django's own view) pointing at one sitemap per section
and page, ``/sitemap-articles.xml?p=3`` and so on, 5,000 addresses a page (the protocol
allows 50,000; smaller pages stay fast). A section page is written as XML directly: Django's
template-rendered sitemap spent most of its time (about 0.1 ms an address) in the template,
more than in the query.

Sources, topics and people appear when they have published articles: from the cached counts
(see ``counts``), so a subject whose articles are all drafts never appears.
"""

import datetime
from html import escape

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Page, Person, Source, Thread, Topic
from articles.readers import counts, identity

PAGE_SIZE = 5000


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = PAGE_SIZE

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)

    def get_latest_lastmod(self):
        """None: Django's default visits every article for the index's <lastmod>, which at
        100,000 articles costs seconds; each page still dates its own addresses."""
        return None


class ListingSitemap(Sitemap):
    """Home, the archive index, the sources and topics lists."""

    changefreq = "daily"
    priority = 0.5

    def items(self):
        return [
            "articles:home",
            "articles:archive-index",
            "articles:source-list",
            "articles:topic-list",
        ]

    def location(self, name):
        return reverse(name)


class SubjectSitemap(Sitemap):
    """Pages of the sources, topics and people that have published articles."""

    changefreq = "weekly"
    priority = 0.4
    limit = PAGE_SIZE
    model = None
    with_articles = None  # counts.per_source and friends: {pk: published articles}

    def items(self):
        ids = [pk for pk, n in self.with_articles().items() if n]
        return self.model.objects.filter(pk__in=ids).only("slug").order_by("slug")


class SourceSitemap(SubjectSitemap):
    model = Source
    with_articles = staticmethod(counts.per_source)


class TopicSitemap(SubjectSitemap):
    model = Topic
    with_articles = staticmethod(counts.per_topic)


class ThreadSitemap(SubjectSitemap):
    model = Thread

    def items(self):
        return Thread.objects.with_published_articles().only("slug").order_by("slug")


class PersonSitemap(SubjectSitemap):
    """Translators and authors alike, as their pages show them."""

    model = Person

    def items(self):
        return Person.objects.with_published_articles().only("slug").order_by("slug")


class PageSitemap(Sitemap):
    """The publication's published pages (About, Contact…)."""

    changefreq = "monthly"
    priority = 0.3
    limit = PAGE_SIZE

    def items(self):
        return Page.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, page):
        return page.updated_at


SITEMAPS = {
    "articles": ArticleSitemap,
    "listings": ListingSitemap,
    "sources": SourceSitemap,
    "topics": TopicSitemap,
    "stories": ThreadSitemap,
    "people": PersonSitemap,
    "pages": PageSitemap,
}


def section(request, section):
    """One page of one section, as XML written directly (see the module docstring)."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap")
    sitemap = SITEMAPS[section]()
    try:
        page = sitemap.paginator.page(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such sitemap page") from None
    base = request.build_absolute_uri("/")[:-1]
    has_lastmod = hasattr(sitemap, "lastmod")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for item in page.object_list:
        location = item.get_absolute_url() if hasattr(item, "get_absolute_url") else None
        url = escape(base + (location or sitemap.location(item)))
        lastmod = ""
        if has_lastmod:
            lastmod = f"<lastmod>{timezone.localtime(sitemap.lastmod(item)).date()}</lastmod>"
        lines.append(
            f"<url><loc>{url}</loc>{lastmod}<changefreq>{sitemap.changefreq}</changefreq>"
            f"<priority>{sitemap.priority}</priority></url>"
        )
    lines.append("</urlset>")
    return HttpResponse("\n".join(lines) + "\n", content_type="application/xml")


NEWS_WINDOW = datetime.timedelta(days=2)


def news_sitemap(request):
    """Articles published in the last two days, in Google News sitemap form."""
    since = timezone.now() - NEWS_WINDOW
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .prefetch_related("topics")
        .order_by("-published_at")[:1000]
    )
    return render(
        request,
        "sitemaps/news.xml",
        {
            "articles": articles,
            "base": request.build_absolute_uri("/")[:-1],
            "site_name": identity.current().name,
        },
        content_type="application/xml",
    )
