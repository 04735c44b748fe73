"""Feeds, sitemaps and robots.txt, parsed as XML."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, PersonFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return ET.fromstring(response.content)


@pytest.fixture
def archive():
    jornada = SourceFactory(name="La Jornada", slug="la-jornada")
    mining = TopicFactory(name="Mining", slug="mining")
    tom = PersonFactory(name="Tom Translator", slug="tom")
    now = timezone.now()
    public = ArticleFactory(
        headline="Public story",
        published_at=now - datetime.timedelta(hours=1),
        body="Full **text** here.",
        source=jornada,
        topics=[mining],
        translators=[tom],
        authors=[PersonFactory(name="Ana Reporter", slug="ana")],
    )
    other = ArticleFactory(
        headline="Other story",
        source=None,
        original_published_on=None,
        published_at=now - datetime.timedelta(hours=2),
    )
    ArticleFactory(headline="Draft story", draft=True, source=jornada, topics=[mining])
    ArticleFactory(headline="Scheduled story", scheduled=True, translators=[tom])
    return {"public": public, "other": other}


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/feed/rss/", ["Public story", "Other story"]),
        ("/sources/la-jornada/feed/rss/", ["Public story"]),
        ("/topics/mining/feed/rss/", ["Public story"]),
        ("/people/tom/feed/rss/", ["Public story"]),
    ],
)
def test_rss_feeds(client, archive, url, expected):
    channel = xml(client, url).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == expected
    first = items[0]
    assert first.findtext("link").endswith(archive["public"].get_absolute_url())
    assert "<strong>text</strong>" in first.findtext(CONTENT)
    if "Public" in expected[0]:
        assert "originally appeared" in first.findtext(CONTENT)
        assert [c.text for c in first.findall("category")] == ["Mining"]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/feed/atom/", ["Public story", "Other story"]),
        ("/sources/la-jornada/feed/atom/", ["Public story"]),
        ("/topics/mining/feed/atom/", ["Public story"]),
        ("/people/tom/feed/atom/", ["Public story"]),
    ],
)
def test_atom_feeds(client, archive, url, expected):
    feed = xml(client, url)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == expected
    public = entries[0]
    content = public.find(f"{ATOM}content")
    assert content.get("type") == "html" and "<strong>text</strong>" in content.text
    assert public.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Ana Reporter"
    updated = datetime.datetime.fromisoformat(public.findtext(f"{ATOM}updated"))
    assert updated == archive["public"].updated_at
    assert feed.findtext(f"{ATOM}updated") is not None


def test_feed_updated_date_follows_an_edit(client, archive):
    article = archive["public"]
    article.body = "Edited."
    article.save()
    entry = xml(client, "/feed/atom/").find(f"{ATOM}entry")
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == article.updated_at
    assert updated > article.published_at


def test_unknown_feed_subject_is_404(client):
    assert client.get("/topics/nope/feed/rss/").status_code == 404


def test_pages_announce_their_feeds(client, archive):
    html = client.get("/topics/mining/").content.decode()
    assert 'type="application/atom+xml" title="Mining: translated articles (Atom)"' in html
    assert 'href="/topics/mining/feed/atom/"' in html and 'href="/topics/mining/feed/rss/"' in html
    assert 'href="/feed/atom/"' in client.get("/").content.decode()
    assert 'href="/people/tom/feed/rss/"' in client.get("/people/tom/").content.decode()


def test_sitemap_lists_published_articles_with_lastmod_and_listing_pages(client, archive):
    root = xml(client, "/sitemap.xml")
    urls = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in root.findall(f"{SM}url")}
    public = "http://testserver" + archive["public"].get_absolute_url()
    assert public in urls and urls[public]
    assert "http://testserver/" in urls
    assert "http://testserver/sources/la-jornada/" in urls
    assert "http://testserver/topics/mining/" in urls
    assert "http://testserver/people/tom/" in urls
    assert not any("draft-story" in u or "scheduled" in u for u in urls)
    assert len([u for u in urls if "/20" in u]) == 2


def test_news_sitemap_has_only_the_last_two_days(client, archive):
    ArticleFactory(headline="Last week", published_at=timezone.now() - datetime.timedelta(days=7))
    root = xml(client, "/news-sitemap.xml")
    titles = [u.find(f"{NEWS}news").findtext(f"{NEWS}title") for u in root.findall(f"{SM}url")]
    assert sorted(titles) == ["Other story", "Public story"]
    news = root.find(f"{SM}url").find(f"{NEWS}news")
    assert news.find(f"{NEWS}publication").findtext(f"{NEWS}language") == "en"


def test_robots_txt_points_at_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Sitemap: http://testserver/news-sitemap.xml" in body
    assert "Disallow: /admin/" in body
