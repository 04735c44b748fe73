"""sitemap.xml (published articles with lastmod, plus listing pages) and a Google News
sitemap of the last two days' articles."""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Person, Source, Topic


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


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
    """Pages of sources, topics and people that have published articles."""

    changefreq = "weekly"
    priority = 0.4
    model = None
    relation = None

    def items(self):
        published = Article.objects.published()
        return (
            self.model.objects.filter(**{f"{self.relation}__in": published})
            .annotate(newest=Max(f"{self.relation}__updated_at"))
            .order_by("slug")
        )

    def lastmod(self, subject):
        return subject.newest


class SourceSitemap(SubjectSitemap):
    model, relation = Source, "articles"


class TopicSitemap(SubjectSitemap):
    model, relation = Topic, "articles"


class PersonSitemap(SubjectSitemap):
    model, relation = Person, "translations"


SITEMAPS = {
    "articles": ArticleSitemap,
    "listings": ListingSitemap,
    "sources": SourceSitemap,
    "topics": TopicSitemap,
    "people": PersonSitemap,
}

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
        {"articles": articles, "base": request.build_absolute_uri("/")[:-1]},
        content_type="application/xml",
    )
