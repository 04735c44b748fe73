import datetime
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from articles.importing.files import import_file
from articles.models import Article
from tests.factories import ArticleFactory, PersonFactory, RelatedStoryFactory, SourceFactory

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's visible text, whitespace folded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


# -- Home -----------------------------------------------------------------------------------


def test_home_lists_newest_published_first(client):
    older = ArticleFactory(headline="Older story", published_at=at(2025, 1, 1))
    newer = ArticleFactory(headline="Newer story", published_at=at(2025, 2, 1), dek="The dek.")
    ArticleFactory(headline="Secret draft", draft=True)
    ArticleFactory(headline="Future story", scheduled=True)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Newer story") < html.index("Older story")
    assert "The dek." in html
    assert newer.source.name in html
    assert newer.get_absolute_url() in html and older.get_absolute_url() in html
    assert "Secret draft" not in html and "Future story" not in html


def test_home_is_paginated(client, settings):
    ArticleFactory.create_batch(25)
    first = client.get("/")
    assert len(first.context["object_list"]) == 20
    assert 'rel="next"' in first.content.decode()
    second = client.get("/?page=2")
    assert len(second.context["object_list"]) == 5
    assert client.get("/?page=9").status_code == 404


def test_home_when_empty(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No articles yet." in text_of(response)


# -- Article page ---------------------------------------------------------------------------


def test_seed_article_page(client, seed_file):
    import_file(seed_file)
    article = Article.objects.get()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    text = text_of(response)
    assert (
        "This article originally appeared in the November 4, 2025 edition of La Jornada, "
        "Mexico’s premier left wing daily newspaper."
    ) in text
    assert "<h1>Mexican Foreign Ministry: Peru Breaking Relations" in response.content.decode()
    assert "<h2>Castillo’s Wife &amp; Children are in our Country</h2>" in (
        response.content.decode()
    )
    # Same day: no "translated N days after" line.
    assert "days after" not in text
    for title in (
        "The Return of Large Scale Mining in Mexico",
        "A Century of Mexico’s Organ Grinders",
        "People’s Mañanera December 1",
    ):
        assert title in text
    assert "armed with MP3 players." in text


def test_article_page_credits_link_and_lag(client):
    article = ArticleFactory(
        headline="Water protests",
        dek="Residents block the highway.",
        authors=[PersonFactory(name="Ana Reporter", slug="ana-reporter")],
        translators=[PersonFactory(name="Tom Translator", slug="tom-translator")],
        original_headline="Protestas por el agua",
        original_url="https://www.jornada.com.mx/noticia/agua",
        published_at=at(2025, 11, 7),
        original_published_on=datetime.date(2025, 11, 4),
        source=SourceFactory(name="La Jornada", slug="la-jornada", description="a daily"),
    )
    response = client.get(article.get_absolute_url())
    text = text_of(response)
    html = response.content.decode()
    assert "By Ana Reporter" in text and "Translated by Tom Translator" in text
    assert '<a href="/people/tom-translator/">Tom Translator</a>' in html
    assert '<a href="/people/ana-reporter/">Ana Reporter</a>' in html
    assert "Residents block the highway." in text
    assert "Translated 3 days after it appeared in La Jornada" in text
    assert 'href="https://www.jornada.com.mx/noticia/agua"' in html
    assert '<cite lang="es">Protestas por el agua</cite>' in html


def test_one_day_lag_is_singular(client):
    article = ArticleFactory(
        published_at=at(2025, 11, 5), original_published_on=datetime.date(2025, 11, 4)
    )
    assert "Translated 1 day after" in text_of(client.get(article.get_absolute_url()))


def test_editorial_without_source_has_no_attribution(client):
    article = ArticleFactory(source=None, original_published_on=None)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "originally appeared" not in text_of(response)


def test_related_stories_link_only_to_published_archive_articles(client):
    article = ArticleFactory()
    public = ArticleFactory(headline="Public related story")
    draft = ArticleFactory(headline="Draft related story", draft=True)
    RelatedStoryFactory(article=article, title="", target=public, summary="", position=0)
    RelatedStoryFactory(article=article, title="Draft related story", position=1)
    RelatedStoryFactory(article=article, title="Not yet translated", position=2)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{public.get_absolute_url()}">Public related story</a>' in html
    assert public.dek in html  # the target's dek stands in for a missing summary
    assert "Draft related story" in html
    assert draft.get_absolute_url() not in html
    assert html.index("Public related story") < html.index("Not yet translated")


def test_wrong_date_redirects_permanently_to_the_article(client):
    ArticleFactory(slug="moved", published_at=at(2025, 5, 6))
    response = client.get("/2024/01/01/moved/")
    assert response.status_code == 301
    assert response["Location"] == "/2025/05/06/moved/"


def test_drafts_and_scheduled_articles_are_404_for_readers(client, django_user_model):
    draft = ArticleFactory(draft=True)
    scheduled = ArticleFactory(scheduled=True)
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404
    reader = django_user_model.objects.create_user("reader", password="pw")
    client.force_login(reader)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_staff_see_drafts_with_a_banner(staff_client):
    draft = ArticleFactory(draft=True)
    response = staff_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Draft: readers cannot see this article." in text_of(response)
    assert '<meta name="robots" content="noindex">' in response.content.decode()


# -- Source, archives, errors --------------------------------------------------------------


def test_source_page_lists_only_its_published_articles(client):
    jornada = SourceFactory(name="La Jornada", slug="la-jornada", description="a daily")
    mine = ArticleFactory(source=jornada, headline="From La Jornada")
    ArticleFactory(headline="From elsewhere")
    ArticleFactory(source=jornada, headline="Jornada draft", draft=True)
    response = client.get(jornada.get_absolute_url())
    text = text_of(response)
    assert response.status_code == 200
    assert mine.headline in text and "From elsewhere" not in text and "Jornada draft" not in text
    assert "1 translated article" in text
    assert client.get("/sources/nope/").status_code == 404


def test_source_list_counts_published_articles(client):
    jornada = SourceFactory(name="La Jornada", slug="la-jornada")
    ArticleFactory.create_batch(2, source=jornada)
    ArticleFactory(source=jornada, draft=True)
    text = text_of(client.get(reverse("articles:source-list")))
    assert "La Jornada" in text and "(2 articles)" in text


def test_year_and_month_archives(client):
    ArticleFactory(headline="March story", published_at=at(2025, 3, 10))
    ArticleFactory(headline="May story", published_at=at(2025, 5, 2))
    ArticleFactory(headline="Old story", published_at=at(2024, 12, 30))
    ArticleFactory(headline="Draft in March", published_at=at(2025, 3, 11), draft=True)

    year = client.get("/2025/")
    text = text_of(year)
    assert year.status_code == 200
    assert "March story" in text and "May story" in text and "Old story" not in text
    assert "Draft in March" not in text
    assert 'href="/2025/03/"' in year.content.decode()
    assert 'href="/2024/"' in year.content.decode()

    month = client.get("/2025/03/")
    text = text_of(month)
    assert month.status_code == 200
    assert "March 2025" in text and "March story" in text and "May story" not in text
    assert 'href="/2025/05/"' in month.content.decode()


def test_empty_archive_periods_are_404(client):
    ArticleFactory(published_at=at(2025, 3, 10))
    ArticleFactory(published_at=at(2023, 3, 10), draft=True)
    assert client.get("/2023/").status_code == 404
    assert client.get("/2025/04/").status_code == 404
    assert client.get("/2025/13/").status_code == 404


def test_404_page_uses_the_site_template(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response)
    assert 'href="/"' in response.content.decode()


@override_settings(DEBUG=False)
def test_500_page(client):
    from django.urls import path

    import archive.urls

    def broken(request):
        raise RuntimeError("boom")

    client.raise_request_exception = False
    with override_settings(
        ROOT_URLCONF=type(
            "U", (), {"urlpatterns": [path("boom/", broken)] + archive.urls.urlpatterns}
        )
    ):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_pages_have_landmarks_and_one_h1(client, seed_file):
    import_file(seed_file)
    for url in [
        "/",
        Article.objects.get().get_absolute_url(),
        "/2025/",
        "/2025/11/",
        "/sources/",
        "/sources/la-jornada/",
    ]:
        html = client.get(url).content.decode()
        assert '<html lang="en">' in html
        assert html.count("<h1") == 1, url
        for landmark in ("<header", "<main", "<footer", "<nav"):
            assert landmark in html, (url, landmark)


def test_an_article_address_is_matched_before_the_other_reader_addresses():
    """Django tries the patterns in turn: the dated ones, an article's above all, come
    first, and no other address of the archive begins with a digit."""
    from django.urls import resolve

    from articles.readers import urls

    names = [pattern.name for pattern in urls.urlpatterns]
    assert names.index("article-detail") < 5
    assert resolve("/2025/03/01/a-slug/").url_name == "article-detail"
    assert resolve("/2025/03/01/a-slug/original/").url_name == "article-original"
    assert resolve("/2025/").url_name == "archive-year"
    assert resolve("/about/").url_name == "page"
    assert resolve("/topics/water/").url_name == "topic-detail"
