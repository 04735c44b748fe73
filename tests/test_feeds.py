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


def sitemap_urls(client):
    """Every address in the sitemap index's sitemaps: {loc: lastmod}."""
    index = xml(client, "/sitemap.xml")
    assert index.tag == f"{SM}sitemapindex"
    urls = {}
    for sitemap in index.findall(f"{SM}sitemap"):
        page = xml(client, sitemap.findtext(f"{SM}loc").removeprefix("http://testserver"))
        urls.update(
            (u.findtext(f"{SM}loc"), u.findtext(f"{SM}lastmod")) for u in page.findall(f"{SM}url")
        )
    return urls


def test_sitemap_lists_published_articles_with_lastmod_and_listing_pages(client, archive):
    urls = sitemap_urls(client)
    public = "http://testserver" + archive["public"].get_absolute_url()
    assert public in urls and urls[public]
    assert "http://testserver/" in urls
    assert "http://testserver/sources/la-jornada/" in urls
    assert "http://testserver/topics/mining/" in urls
    assert "http://testserver/people/tom/" in urls
    assert not any("draft-story" in u or "scheduled" in u for u in urls)
    assert len([u for u in urls if "/20" in u]) == 2


def test_sources_topics_and_people_with_only_drafts_are_not_in_the_sitemap(client):
    hidden_source = SourceFactory(name="Only Drafts", slug="only-drafts")
    hidden_topic = TopicFactory(name="Draft Topic", slug="draft-topic")
    hidden_person = PersonFactory(name="Draft Person", slug="draft-person")
    ArticleFactory(
        draft=True, source=hidden_source, topics=[hidden_topic], translators=[hidden_person]
    )
    ArticleFactory(
        scheduled=True, source=hidden_source, topics=[hidden_topic], translators=[hidden_person]
    )
    ArticleFactory(headline="Visible")
    urls = sitemap_urls(client)
    assert not any("only-drafts" in u or "draft-topic" in u or "draft-person" in u for u in urls)
    assert any("/sources/" in u for u in urls)  # the visible article's source is there


def test_a_large_archive_is_split_into_sitemap_pages(client, monkeypatch):
    from articles.readers import sitemaps

    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 2)
    articles = ArticleFactory.create_batch(5)
    index = xml(client, "/sitemap.xml")
    pages = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
    article_pages = [p for p in pages if "sitemap-articles.xml" in p]
    assert article_pages == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-articles.xml?p=2",
        "http://testserver/sitemap-articles.xml?p=3",
    ]
    listed = set()
    for page in article_pages:
        root = xml(client, page.removeprefix("http://testserver"))
        listed |= {u.findtext(f"{SM}loc") for u in root.findall(f"{SM}url")}
    assert listed == {"http://testserver" + a.get_absolute_url() for a in articles}
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


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


def test_feed_items_carry_absolute_addresses_for_images_and_links(client):
    from tests.factories import ImageFactory

    image = ImageFactory()
    article = ArticleFactory(
        headline="With a picture",
        body=f"See [the archive](/archive/) and [elsewhere](https://example.org/x).\n\n"
        f"![](image:{image.pk})\n",
    )
    assert 'src="/media/' in article.body_html and 'href="/archive/"' in article.body_html
    for url in ["/feed/rss/", "/feed/atom/"]:
        feed = client.get(url).content.decode()
        assert "http://testserver/media/images/" in feed, url
        assert 'src="/media' not in feed.replace("&quot;", '"'), url
        assert 'href="/archive/"' not in feed.replace("&quot;", '"'), url
        assert "http://testserver/archive/" in feed and "https://example.org/x" in feed, url
        srcset = feed.replace("&quot;", '"').split('srcset="', 1)[1].split('"', 1)[0]
        assert all(c.strip().startswith("http://testserver/media/") for c in srcset.split(","))
