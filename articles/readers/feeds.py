"""Atom and RSS feeds, with each article's full text: the whole site, a source, a topic,
a translator. Every feed lists published articles only.

Every field is plain text or safe HTML. Feed readers show RSS ``<description>`` and Atom
``<summary type="html">`` as HTML, so the teaser and the channel's description go out
HTML-escaped: an editor's "<img …>" is shown as those characters, never as an element. Titles
and Atom's subtitle are text elements (the XML writer escapes them); the full text is the
sanitized ``body_html``."""

import re
from contextvars import ContextVar

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, Stylesheet
from django.utils.html import escape, format_html
from django.utils.xmlutils import SimplerXMLGenerator

from articles import glossary
from articles.models import Article, Filing, Person, Source, Thread, Topic
from articles.readers import identity, metadata

ITEMS = 30


# Served as XML, which browsers display (styled: ``ArticleFeed.stylesheets``); as
# application/rss+xml or atom+xml, a browser shows the raw text or downloads it. Feed readers
# read the document, whatever the type.
FEED_CONTENT_TYPE = "application/xml; charset=utf-8"
# Nothing but the site's own stylesheet: a feed is data.
FEED_POLICY = "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'"


class FullContentRss(Rss201rev2Feed):
    """RSS 2.0 whose items carry the full text in ``content:encoded``."""

    content_type = FEED_CONTENT_TYPE

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class FullContentAtom(Atom1Feed):
    """Atom whose entries carry the full text in ``<content type="html">``, with the
    stylesheet browsers show it with (Django writes RSS's, not Atom's)."""

    content_type = FEED_CONTENT_TYPE

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_stylesheets(self, handler):
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


# The site's address, for the request being answered: a feed reader shows an item away from
# the site, where "/media/…" leads nowhere.
_site_address: ContextVar[str] = ContextVar("site_address", default="")
_RELATIVE = re.compile(r'(\s(?:src|href)=")(/[^/"][^"]*|/)"')
_RELATIVE_SRCSET = re.compile(r'\ssrcset="([^"]*)"')


def absolute_addresses(html: str, site: str) -> str:
    """``html`` with its site-relative addresses (src, href, srcset) made absolute."""
    site = site.rstrip("/")
    html = _RELATIVE.sub(lambda m: f'{m[1]}{site}{m[2]}"', html)

    def srcset(match):
        candidates = [c.strip() for c in match[1].split(",")]
        made = [site + c if c.startswith("/") and not c.startswith("//") else c for c in candidates]
        return f' srcset="{", ".join(made)}"'

    return _RELATIVE_SRCSET.sub(srcset, html)


class ArticleFeed(Feed):
    feed_type = FullContentRss
    route = "articles:feed-rss"

    def __call__(self, request, *args, **kwargs):
        token = _site_address.set(request.build_absolute_uri("/"))
        try:
            response = super().__call__(request, *args, **kwargs)
        finally:
            _site_address.reset(token)
        response["Content-Security-Policy"] = FEED_POLICY
        return response

    def stylesheets(self, obj=None):
        """Opened in a browser, a feed says what it is and how to follow it, styled by CSS
        (XSLT, the other way, is being removed from browsers: Chromium 156 already covers
        such a page with a warning)."""
        return [Stylesheet(static("feeds/feed.css"), mimetype="text/css")]

    def title(self, obj=None):
        return identity.current().name

    def subtitle(self, obj=None):
        """Plain text (Atom's subtitle is a text element)."""
        return identity.current().description or metadata.SITE_DESCRIPTION

    def description(self, obj=None):
        """HTML (readers render RSS descriptions): the subtitle, escaped."""
        return escape(self.subtitle(obj))

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
        return escape(article.teaser)

    def item_extra_kwargs(self, article):
        content = glossary.without_explanations(article.body_html)
        if article.attribution:
            content += format_html("\n<p><em>{}</em></p>", article.attribution)
        return {"content": absolute_addresses(content, _site_address.get())}

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return max(article.updated_at, article.published_at)

    def item_author_name(self, article):
        return ", ".join(person.name for person in article.authors.all()) or None

    def item_categories(self, article):
        return [topic.name for topic in article.topics.all()]


class SubjectFeed(ArticleFeed):
    """The articles of one source, topic or translator."""

    model = None
    lookup = None  # how articles point at the subject
    title_format = "{} · {site}"
    description_format = "{}"

    def get_object(self, request, slug):
        return get_object_or_404(self.subjects(), slug=slug)

    def subjects(self):
        """Only subjects readers may see: those with a published article."""
        return self.model.objects.with_published_articles()

    def title(self, subject):
        return self.title_format.format(subject.name, site=identity.current().name)

    def subtitle(self, subject):
        return getattr(subject, "description", "") or self.description_format.format(subject.name)

    def articles(self, subject):
        return Article.objects.published().filter(**{self.lookup: subject})


class SourceFeed(SubjectFeed):
    route = "articles:source-feed-rss"
    model, lookup = Source, "source"
    title_format = "{} in translation · {site}"
    description_format = "English translations of articles from {}."

    def subtitle(self, source):
        return self.description_format.format(source.name)


class TopicFeed(SubjectFeed):
    route = "articles:topic-feed-rss"
    model, lookup = Topic, "topics"
    description_format = "Translated articles about {}."

    def articles(self, topic):
        # The newest from the topic's filings (``pagination.PagedByIds`` says why).
        newest = Filing.objects.newest_published(topic)[:ITEMS]
        return Article.objects.published().filter(pk__in=newest)


class ThreadFeed(SubjectFeed):
    route = "articles:thread-feed-rss"
    model, lookup = Thread, "thread"
    title_format = "{}: the story · {site}"
    description_format = "Translated articles following {}."


class TranslatorFeed(SubjectFeed):
    """A person's work, as their page lists it: what they translated and what they wrote."""

    route = "articles:translator-feed-rss"
    model = Person
    title_format = "{} · {site}"
    description_format = "Articles translated or written by {}."

    def articles(self, person):
        return Article.objects.published().credited_to(person)


def atom(feed):
    """The Atom twin of an RSS feed class."""
    return type(
        feed.__name__.replace("Feed", "AtomFeed"),
        (feed,),
        {"feed_type": FullContentAtom, "route": feed.route.replace("-rss", "-atom")},
    )


ArticleAtomFeed = atom(ArticleFeed)
SourceAtomFeed = atom(SourceFeed)
TopicAtomFeed = atom(TopicFeed)
ThreadAtomFeed = atom(ThreadFeed)
TranslatorAtomFeed = atom(TranslatorFeed)
