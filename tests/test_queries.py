"""Each page costs a fixed number of queries, whatever the number of articles or related stories.

The numbers are pinned: a change that adds a query to a page must change them on purpose.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, GlossaryTerm, Thread
from articles.readers import caching, identity
from tests.factories import (
    ArticleFactory,
    ImageFactory,
    PersonFactory,
    RelatedStoryFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

PAGES = {
    # page: (url, queries), with the counts cache cold. A listing is one query: a page of
    # articles with their source, one row more than shown (no count). Counts shown to readers
    # (per source, topic, month) are one cached query. An article is the article with its
    # source, and as arrays in the same query its authors, translators, topics, corrections
    # and related stories with their targets.
    # A date archive adds "is the period empty?", the months of its year (from the cached
    # month counts) and the previous/next period.
    # the front page (articles.readers.front), its parts not kept yet: the page of articles;
    # the newest articles in a story, those stories counted, their newest articles' lines;
    # the counts per source and per topic (cached), the largest sources' and topics' newest
    # articles (one statement each), their lines, the sources and topics named
    "home": ("/", 11),
    "home, page 2": ("/?page=2", 1),
    "article": (None, 1),
    "source list": ("/sources/", 2),
    "source": ("/sources/la-jornada/", 3),
    "year archive": ("/2025/", 5),
    "month archive": ("/2025/03/", 5),
    "day archive": ("/2025/03/01/", 7),
    "archive index": ("/archive/", 1),
    "topic list": ("/topics/", 2),
    "topic": ("/topics/mining/", 3),
    "person": ("/people/tom/", 3),
    # the query parsed; in a transaction with a time limit (here a savepoint: its start, the
    # limit set, and its rollback and release), the newest matches (one more than ranked: are
    # some left out?) and the candidates ranked (with the matches in titles); the page's
    # articles, their openings and passages, and the source, topic and year filter choices
    "search": ("/search/?q=headline", 13),
    "search, filtered": ("/search/?q=headline&source=la-jornada&topic=mining&year=2025", 13),
    "search, no words": ("/search/?q=%21%21", 4),
    # an article without editor-picked related stories: the neighbours in time sharing its
    # topics, with what the page shows of them, are read in the article's own statement
    # (``related.MoreOnThisStory``) ...
    "article, more on this story": ("/2025/03/01/lonely/", 1),
    # ... and so, for an article without topics, are the neighbours whose headlines match
    "article, more by text": ("/2025/03/01/no-topics-here/", 1),
    "rss feed": ("/feed/rss/", 3),
    "atom feed": ("/topics/mining/feed/atom/", 4),
    # the index counts each section's pages (articles; the cached counts and the rows of
    # sources, topics, people); a section page counts and reads its rows
    # people: one query, translators and authors alike; pages: counted, and their latest date
    "sitemap index": ("/sitemap.xml", 9),
    "sitemap, articles": ("/sitemap-articles.xml", 2),
    "sitemap, topics": ("/sitemap-topics.xml", 3),
    "news sitemap": ("/news-sitemap.xml", 2),
    # stories: the list (with counts) is one query; a story is the story with its count,
    # then a page of its articles
    "story list": ("/stories/", 1),
    "story": ("/stories/strike/", 2),
    "story, from the beginning": ("/stories/strike/?order=oldest", 2),
    "story feed": ("/stories/strike/feed/atom/", 4),
    "sitemap, stories": ("/sitemap-stories.xml", 2),
    # the terms, then the articles using each (at most five a term)
    "glossary": ("/glossary/", 2),
}


def make_archive(size: int) -> str:
    """``size`` published articles (and drafts) in March 2025, each with ``size`` related
    stories, half of them resolved, in a story, with a lead image; the first with an image
    and a glossary term in its text. Returns the URL of the first."""
    source = SourceFactory(name="La Jornada", slug="la-jornada")
    other = SourceFactory(name="Desinformémonos", slug="desinformemonos")
    start = timezone.make_aware(datetime.datetime(2025, 3, 1, 8))
    articles = [
        ArticleFactory(
            source=source if i % 2 else other, published_at=start + datetime.timedelta(hours=i)
        )
        for i in range(2 * size + 21)
    ]
    ArticleFactory.create_batch(size, source=source, draft=True, published_at=start)
    mining = TopicFactory(name="Mining", slug="mining")
    tom = PersonFactory(name="Tom", slug="tom")
    for article in articles:
        article.topics.add(mining)
        article.translators.add(tom)
        article.authors.add(PersonFactory())
    lonely = ArticleFactory(slug="lonely", published_at=start, topics=[mining])
    lonely.translators.add(tom)
    ArticleFactory(slug="no-topics-here", headline="Headline without topics", published_at=start)
    ArticleFactory.create_batch(size, topics=[mining])  # in the news sitemap's two days
    GlossaryTerm.objects.create(term="Headline", slug="headline", explanation="A title.")
    strike = Thread.objects.create(name="Strike", slug="strike")
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(thread=strike)
    ArticleFactory.create_batch(size, draft=True, thread=strike)
    # Every listed article has a lead image (a small copy in listings), and the article a
    # figure in its text: still the same queries.
    picture = ImageFactory()
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(lead_image=picture)
    main = articles[0]
    main.lead_image, main.thread = picture, strike
    main.body += f"\n\nThe headline said so.\n\n![](image:{ImageFactory().pk})\n"
    main.save()
    for i in range(size):
        target = articles[i + 1] if i % 2 else None
        RelatedStoryFactory(article=main, target=target, title="" if target else f"T{i}")
    return main.get_absolute_url()


def count_queries(client, url):
    caching.version()  # the content state is known (as it is after the first request)
    identity.current()  # and the site's identity (two queries once: tests/test_publication.py)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture(scope="class", params=[1, 15], ids=["1 article", "15 articles"])
def archive_of(request, django_db_setup, django_db_blocker):
    """``make_archive`` of 1 and of 15 articles, each made once for every page (making it is
    most of the time these tests take) and rolled back after them; each test runs in a
    savepoint inside it, as tests do."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_archive(request.param)
        transaction.set_rollback(True)


class TestEachPage:
    @pytest.mark.parametrize("page", PAGES)
    def test_queries_per_page_do_not_grow(self, client, page, archive_of):
        url, expected = PAGES[page]
        assert count_queries(client, url or archive_of) == expected


def test_staff_article_page_has_the_same_cost_plus_the_session(staff_client):
    url = make_archive(5)
    # session + user, then the same queries a reader costs.
    assert count_queries(staff_client, url) == 2 + PAGES["article"][1]


def test_the_pinned_pages_show_images_stories_and_glossary_terms(client):
    """What the counts above are pinned with is really on the pages."""
    html = client.get(make_archive(3)).content.decode()
    assert 'class="figure lead-figure"' in html
    assert '<figure class="figure">' in html
    assert "Part of the story" in html
    assert 'class="term"' in html or "popovertarget" in html
    assert 'class="card-image"' in client.get("/").content.decode()
    assert 'class="card-image"' in client.get("/topics/mining/").content.decode()
