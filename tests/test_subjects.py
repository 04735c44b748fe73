"""Topic and person pages, and "More on this story"."""

import datetime
import re
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.readers import feeds
from articles.readers.related import more_on_this_story
from tests.factories import ArticleFactory, PersonFactory, RelatedStoryFactory, TopicFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_topic_page(client):
    topic = TopicFactory(name="Mining", slug="mining", description="Extractivism in Mexico.")
    ArticleFactory(headline="Gold rush", topics=[topic])
    ArticleFactory(headline="Hidden draft", topics=[topic], draft=True)
    ArticleFactory(headline="Unrelated")
    html = client.get("/topics/mining/").content.decode()
    assert "Extractivism in Mexico." in html
    assert "Gold rush" in html and "Hidden draft" not in html and "Unrelated" not in html
    assert "1 article" in html
    assert client.get("/topics/nope/").status_code == 404


def test_topic_list_counts_published_articles(client):
    topic = TopicFactory(name="Mining", slug="mining")
    ArticleFactory.create_batch(2, topics=[topic])
    ArticleFactory(topics=[topic], draft=True)
    assert "(2 articles)" in client.get("/topics/").content.decode()


def test_translator_page_is_a_portfolio(client):
    tom = PersonFactory(name="Tom Translator", slug="tom", bio="Volunteer since 2019.")
    ArticleFactory.create_batch(2, translators=[tom])
    ArticleFactory(headline="Written by Tom", authors=[tom])
    ArticleFactory(headline="Tom's draft", translators=[tom], draft=True)
    html = client.get("/people/tom/").content.decode()
    assert "Volunteer since 2019." in html
    assert "2 translations" in html and "1 original article" in html
    assert "Written by Tom" in html and "Tom's draft" not in html
    assert html.count('class="card"') == 3


def test_byline_links_to_people(client):
    ana = PersonFactory(name="Ana", slug="ana")
    article = ArticleFactory(authors=[ana])
    assert (
        '<a href="/people/ana/">Ana</a>' in client.get(article.get_absolute_url()).content.decode()
    )


def test_more_on_this_story_prefers_shared_topics_and_never_drafts(client):
    mining, sonora, water = (TopicFactory() for _ in range(3))
    article = ArticleFactory(headline="Lithium in Sonora", topics=[mining, sonora])
    two = ArticleFactory(headline="Both topics", topics=[mining, sonora])
    one = ArticleFactory(headline="One topic", topics=[mining, water])
    ArticleFactory(headline="Draft with both", topics=[mining, sonora], draft=True)
    ArticleFactory(headline="Unrelated", topics=[water])
    text_match = ArticleFactory(headline="Sonora lithium prices", body="Lithium.")
    picks = more_on_this_story(article)
    assert picks == [two, one, text_match]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "More on this story" in html
    assert "Both topics" in html and "Draft with both" not in html


def test_editor_picked_related_stories_replace_the_automatic_ones(client):
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic])
    ArticleFactory(headline="Automatic pick", topics=[topic])
    RelatedStoryFactory(article=article, title="Editor pick")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Editor pick" in html and "Automatic pick" not in html
    assert "More on this story" not in html


def test_more_on_this_story_by_text_alone():
    article = ArticleFactory(headline="Drought hits Chihuahua farmers")
    similar = ArticleFactory(
        headline="Chihuahua drought worsens",
        published_at=timezone.now() - datetime.timedelta(days=5),
    )
    ArticleFactory(headline="Elections in Coahuila")
    assert more_on_this_story(article) == [similar]


@pytest.mark.parametrize("unpublished", [{"draft": True}, {"scheduled": True}])
def test_a_topic_used_only_by_unpublished_articles_is_not_shown(client, unpublished):
    secret = TopicFactory(name="Secret merger", slug="secret-merger")
    ArticleFactory(topics=[secret], **unpublished)
    ArticleFactory(topics=[TopicFactory(name="Mining", slug="mining")])
    for address in ["/topics/", "/search/?q=anything", "/sitemap-topics.xml"]:
        html = client.get(address).content.decode()
        assert "Mining" in html or "mining" in html, address
        assert "Secret merger" not in html and "secret-merger" not in html, address
    for address in ["/topics/secret-merger/", "/topics/secret-merger/feed/rss/"]:
        assert client.get(address).status_code == 404, address
    assert client.get("/topics/mining/feed/atom/").status_code == 200


def test_an_old_category_address_redirects_only_to_a_topic_readers_may_see(client):
    from articles.models import LegacyAddress

    secret = TopicFactory(name="Secret merger", slug="secret-merger")
    article = ArticleFactory(topics=[secret], draft=True)
    LegacyAddress.objects.create(old_path="/category/secret/", topic=secret)
    assert client.get("/category/secret/").status_code == 404
    article.status = article.Status.PUBLISHED
    article.save()
    assert client.get("/category/secret/")["Location"] == "/topics/secret-merger/"


@pytest.mark.parametrize("credit", ["translators", "authors"])
def test_a_person_credited_only_on_unpublished_articles_has_no_public_page(client, credit):
    hidden = PersonFactory(name="Nadie Sabe", slug="nadie-sabe")
    ArticleFactory(**{credit: [hidden]}, draft=True)
    ArticleFactory(**{credit: [hidden]}, scheduled=True)
    shown = PersonFactory(name="Ana Ruiz", slug="ana-ruiz")
    ArticleFactory(**{credit: [shown]})
    for address in ["/people/nadie-sabe/", "/people/nadie-sabe/feed/rss/"]:
        assert client.get(address).status_code == 404, address
    assert client.get("/people/ana-ruiz/").status_code == 200
    sitemap = client.get("/sitemap-people.xml").content.decode()
    assert "/people/ana-ruiz/" in sitemap and "nadie-sabe" not in sitemap


def test_a_persons_feed_lists_what_their_page_lists(client):
    tom = PersonFactory(name="Tom Translator", slug="tom")
    ArticleFactory(headline="Translated by Tom", translators=[tom])
    ArticleFactory(headline="Written by Tom", authors=[tom])
    ArticleFactory(headline="Tom's draft", translators=[tom], draft=True)
    feed = client.get("/people/tom/feed/atom/").content.decode()
    assert "Translated by Tom" in feed and "Written by Tom" in feed
    assert "Tom's draft" not in feed


def test_a_topics_pages_and_feed_list_what_its_published_articles_are(client):
    """A topic's pages are read from its filings (``pagination.PagedByIds``) and so is its
    feed: the same articles in the same order as the topic's published articles newest first,
    ties broken alike, page after page; drafts, scheduled articles and other topics' left
    out; an article moved in time moves in the listing (the filings' copy of its time)."""
    topic, other = TopicFactory(slug="mining"), TopicFactory()
    start = timezone.now() - datetime.timedelta(days=30)
    for i in range(45):  # three at each moment: ties, broken by id
        at = start + datetime.timedelta(hours=i // 3)
        ArticleFactory(headline=f"Filed {i}", topics=[topic], published_at=at)
        ArticleFactory(headline=f"Other {i}", topics=[other], published_at=at)
    ArticleFactory(headline="Draft", topics=[topic], draft=True)
    ArticleFactory(
        headline="Scheduled", topics=[topic], published_at=timezone.now() + datetime.timedelta(1)
    )
    moved = Article.objects.get(headline="Filed 0")
    moved.published_at = timezone.now() - datetime.timedelta(minutes=5)
    moved.save()
    expected = list(
        Article.objects.published()
        .filter(topics=topic)
        .order_by("-published_at", "-id")
        .values_list("headline", flat=True)
    )
    assert len(expected) == 45 and expected[0] == "Filed 0"
    shown = []
    for number in (1, 2, 3):
        response = client.get(f"/topics/mining/?page={number}")
        shown += [article.headline for article in response.context["object_list"]]
        assert response.context["page_obj"].has_next() == (number < 3)
    assert shown == expected
    assert client.get("/topics/mining/?page=4").status_code == 404
    feed = ElementTree.fromstring(client.get("/topics/mining/feed/atom/").content)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == expected[: feeds.ITEMS]


@pytest.mark.parametrize(
    "url, limit", [("/topics/mining/?page=1", 21), ("/topics/mining/feed/atom/", feeds.ITEMS)]
)
def test_a_topics_page_and_feed_are_read_from_its_filings_index(client, url, limit):
    """Not by reading every article newest first and checking its topic (page 17 of a topic
    holding 6% of 100,000 articles took 54–71 ms that way; 1.7 ms from the index)."""
    topic = TopicFactory(slug="mining")
    ArticleFactory.create_batch(3, topics=[topic])
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    (listing,) = [
        q["sql"] for q in queries if q["sql"].startswith('SELECT "articles_article"."id"')
    ]
    # The ids: the topic's filings, newest first (their index's order), a page and one row
    # more (or a feed's worth); the articles read by those ids.
    filings = r'IN \(SELECT (\w+)\."article_id" AS "article_id" FROM "articles_article_topics" \1 '
    newest = rf'ORDER BY \1\."published_at" DESC, (1|\1\."article_id") DESC LIMIT {limit}\)'
    assert re.search(filings + ".*?" + newest, listing), listing
