"""Atom and RSS feeds, with each article's full text: the whole site, a source, a topic,
a translator. Every feed lists published articles only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html

from articles import metadata
from articles.models import Article, Person, Source, Topic

ITEMS = 30


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 whose items carry the full text in ``content:encoded``."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class FullContentAtom(Atom1Feed):
    """Atom whose entries carry the full text in ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class ArticleFeed(Feed):
    feed_type = FullContentRss
    route = "articles:feed-rss"

    def title(self, obj=None):
        return settings.SITE_NAME

    def description(self, obj=None):
        return metadata.SITE_DESCRIPTION

    subtitle = description

    def link(self, obj=None):
        return obj.get_absolute_url() if obj is not None else reverse("articles:home")

    def feed_url(self, obj=None):
        return reverse(self.route, kwargs={"slug": obj.slug} if obj is not None else {})

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj=None):
        return (
            self.articles(obj)
            .for_reading()
            .select_related("source")
            .prefetch_related("authors", "topics")
            .order_by("-published_at", "-id")[:ITEMS]
        )

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        return article.teaser

    def item_extra_kwargs(self, article):
        content = article.body_html
        if article.attribution:
            content += format_html("\n<p><em>{}</em></p>", article.attribution)
        return {"content": content}

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return max(article.updated_at, article.published_at)

    def item_author_name(self, article):
        return ", ".join(person.name for person in article.authors.all()) or None

    def item_categories(self, article):
        return [topic.name for topic in article.topics.all()]


class ArticleAtomFeed(ArticleFeed):
    feed_type = FullContentAtom
    route = "articles:feed-atom"


class SourceFeed(ArticleFeed):
    route = "articles:source-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Source, slug=slug)

    def title(self, source):
        return f"{source.name} in translation · {settings.SITE_NAME}"

    def description(self, source):
        return f"English translations of articles from {source.name}."

    subtitle = description

    def articles(self, source):
        return Article.objects.published().filter(source=source)


class SourceAtomFeed(SourceFeed):
    feed_type = FullContentAtom
    route = "articles:source-feed-atom"


class TopicFeed(ArticleFeed):
    route = "articles:topic-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic):
        return f"{topic.name} · {settings.SITE_NAME}"

    def description(self, topic):
        return topic.description or f"Translated articles about {topic.name}."

    subtitle = description

    def articles(self, topic):
        return Article.objects.published().filter(topics=topic)


class TopicAtomFeed(TopicFeed):
    feed_type = FullContentAtom
    route = "articles:topic-feed-atom"


class TranslatorFeed(ArticleFeed):
    route = "articles:translator-feed-rss"

    def get_object(self, request, slug):
        return get_object_or_404(Person, slug=slug)

    def title(self, person):
        return f"Translated by {person.name} · {settings.SITE_NAME}"

    def description(self, person):
        return f"Articles translated by {person.name}."

    subtitle = description

    def articles(self, person):
        return Article.objects.published().filter(translators=person)


class TranslatorAtomFeed(TranslatorFeed):
    feed_type = FullContentAtom
    route = "articles:translator-feed-atom"
