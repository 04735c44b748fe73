"""Every page tells machines what it is: title, description, canonical, OpenGraph, Twitter,
and, on article pages, JSON-LD. Old addresses redirect permanently."""

import datetime
import json
import re
from html import unescape

import pytest
from django.utils import timezone

from articles.importing.files import import_file
from articles.models import Article
from tests.factories import ArticleFactory, PersonFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def head(client, url):
    html = client.get(url).content.decode()
    meta = {}
    for _attr, name, content in re.findall(
        r'<meta (name|property)="([^"]+)" content="([^"]*)"', html
    ):
        meta[name] = unescape(content)
    title = unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    return html, title, meta, canonical.group(1) if canonical else None


def json_ld(html):
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.fixture
def site(seed_file):
    import_file(seed_file)
    seed = Article.objects.get()
    seed.topics.set([TopicFactory(name="Peru", slug="peru")])
    seed.translators.set([PersonFactory(name="Tom Translator", slug="tom")])
    seed.authors.set([PersonFactory(name="Ana Reporter", slug="ana")])
    seed.original_headline = "Cancillería: ruptura de relaciones es desproporcionada"
    seed.original_url = "https://www.jornada.com.mx/2025/11/04/mundo/021n1mun"
    seed.save()
    return seed


PAGES = [
    "/",
    "/sources/",
    "/sources/la-jornada/",
    "/topics/",
    "/topics/peru/",
    "/people/tom/",
    "/archive/",
    "/2025/",
    "/2025/11/",
    "/2025/11/04/",
]


def test_every_page_has_unique_title_description_canonical_and_social_tags(client, site):
    urls = PAGES + [site.get_absolute_url()]
    titles = set()
    for url in urls:
        html, title, meta, canonical = head(client, url)
        titles.add(title)
        assert meta["description"], url
        assert canonical == "http://testserver" + url, url
        assert meta["og:url"] == canonical
        assert meta["og:title"] and meta["og:description"] == meta["description"], url
        assert meta["og:type"] in {"website", "article"}
        assert meta["twitter:card"] == "summary"
        assert meta["twitter:title"] == meta["og:title"]
        assert '<html lang="en">' in html
    assert len(titles) == len(urls)


def test_paginated_pages_have_their_own_title_and_canonical(client):
    ArticleFactory.create_batch(21)
    _, title1, _, canonical1 = head(client, "/")
    _, title2, _, canonical2 = head(client, "/?page=2")
    assert title1 != title2 and "page 2" in title2
    assert canonical2 == "http://testserver/?page=2"


def test_article_json_ld(client, site):
    html, title, meta, _ = head(client, site.get_absolute_url())
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == site.headline
    assert data["url"] == "http://testserver" + site.get_absolute_url()
    assert datetime.datetime.fromisoformat(data["datePublished"]) == site.published_at
    assert datetime.datetime.fromisoformat(data["dateModified"]) == site.updated_at
    assert data["author"] == [
        {"@type": "Person", "name": "Ana Reporter", "url": "http://testserver/people/ana/"}
    ]
    assert data["translator"][0]["name"] == "Tom Translator"
    assert data["publisher"]["@type"] == "Organization"
    original = data["translationOfWork"]
    assert original == data["isBasedOn"]
    assert original["@type"] == "NewsArticle"
    assert original["headline"] == "Cancillería: ruptura de relaciones es desproporcionada"
    assert original["url"] == "https://www.jornada.com.mx/2025/11/04/mundo/021n1mun"
    assert original["datePublished"] == "2025-11-04"
    assert original["inLanguage"] == "es"
    assert original["publisher"] == {"@type": "Organization", "name": "La Jornada"}
    assert meta["og:type"] == "article"
    assert meta["article:tag"] == "Peru"


def test_json_ld_cannot_break_out_of_its_script_element(client):
    article = ArticleFactory(headline="</script><script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert json_ld(html)["headline"] == "</script><script>alert(1)</script>"
    assert html.count("<script") == 1


def test_editorial_json_ld_has_no_original(client):
    article = ArticleFactory(source=None, original_published_on=None)
    data = json_ld(client.get(article.get_absolute_url()).content.decode())
    assert "translationOfWork" not in data and "isBasedOn" not in data


def test_original_headline_is_marked_with_its_language(client, site):
    html = client.get(site.get_absolute_url()).content.decode()
    assert '<cite lang="es">Cancillería: ruptura de relaciones es desproporcionada</cite>' in html
    assert 'hreflang="es"' in html


# -- Old addresses ------------------------------------------------------------------------


def test_changed_slug_redirects_permanently(client):
    article = ArticleFactory(slug="first-slug")
    old_url = article.get_absolute_url()
    article.slug = "second-slug"
    article.save()
    article.slug = "third-slug"
    article.save()
    for url in (old_url, old_url.replace("first-slug", "second-slug")):
        response = client.get(url)
        assert response.status_code == 301
        assert response["Location"] == article.get_absolute_url()


def test_changed_date_redirects_permanently(client):
    article = ArticleFactory(published_at=timezone.make_aware(datetime.datetime(2025, 1, 2, 10)))
    old_url = article.get_absolute_url()
    article.published_at = timezone.make_aware(datetime.datetime(2025, 1, 9, 10))
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/2025/01/09/" + article.slug + "/"


def test_a_new_article_can_take_an_old_slug(client):
    moved = ArticleFactory(slug="taken")
    moved.slug = "moved"
    moved.save()
    newcomer = ArticleFactory(slug="taken")
    assert client.get(newcomer.get_absolute_url()).status_code == 200


def test_old_slug_of_a_draft_is_404_for_readers(client):
    article = ArticleFactory(slug="was", draft=True)
    article.slug = "now"
    article.save()
    assert client.get("/2025/01/01/was/").status_code == 404


def test_source_page_metadata(client):
    source = SourceFactory(name="La Jornada", slug="la-jornada", description="a daily")
    ArticleFactory(source=source)
    _, title, meta, _ = head(client, "/sources/la-jornada/")
    assert title.startswith("La Jornada in translation")
    assert meta["description"] == "English translations of articles from La Jornada, a daily."
