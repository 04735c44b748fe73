"""The frame around every reader page: the main navigation's current item, one search form
per page, and machine-readable times HTML accepts."""

import datetime
import re

import pytest
from django.utils import timezone

from articles.readers.templatetags.archive import machine_time
from tests.factories import ArticleFactory, SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db


def current_items(html: str) -> dict[str, str]:
    nav = html[html.index('<nav class="site-nav" aria-label="Main">') :]
    nav = nav[: nav.index("</nav>")]
    return dict(
        (label, current)
        for current, label in re.findall(r'<a href="[^"]*" aria-current="(\w+)">([^<]+)</a>', nav)
    )


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/", {"Latest": "page"}),
        ("/?page=1", {"Latest": "page"}),
        ("/topics/", {"Topics": "page"}),
        ("/topics/mining/", {"Topics": "true"}),
        ("/sources/", {"Sources": "page"}),
        ("/sources/la-jornada/", {"Sources": "true"}),
        ("/archive/", {"Archive": "page"}),
        ("/2025/", {"Archive": "true"}),
        ("/2025/03/", {"Archive": "true"}),
        ("/2025/03/01/", {"Archive": "true"}),
        ("/stories/", {"Stories": "page"}),
        ("/search/?q=water", {}),
    ],
)
def test_the_main_navigation_marks_where_the_reader_is(client, url, expected):
    when = timezone.make_aware(datetime.datetime(2025, 3, 1, 12))
    ArticleFactory(
        published_at=when,
        source=SourceFactory(name="La Jornada", slug="la-jornada"),
        topics=[TopicFactory(name="Mining", slug="mining")],
    )
    assert current_items(client.get(url).content.decode()) == expected


def test_an_article_marks_no_section(client):
    article = ArticleFactory()
    assert current_items(client.get(article.get_absolute_url()).content.decode()) == {}


def test_the_search_page_has_one_search_form_showing_the_query_once(client):
    ArticleFactory(headline="Water rights", body="Water.")
    html = client.get("/search/", {"q": "water"}).content.decode()
    assert html.count('role="search"') == 1
    assert html.count('value="water"') == 1
    assert html.count(">Search</button>") == 1
    assert 'role="search" aria-label="Search the archive"' in html
    home = client.get("/").content.decode()
    assert home.count('role="search"') == 1 and 'aria-label="Search the archive"' in home


def test_machine_times_are_to_the_second_in_the_readers_time_zone(settings):
    moment = datetime.datetime(2026, 11, 28, 6, 47, 53, 909261, tzinfo=datetime.UTC)
    settings.TIME_ZONE = "America/Mexico_City"
    with timezone.override("America/Mexico_City"):
        assert machine_time(moment) == "2026-11-28T00:47:53-06:00"
    assert machine_time(None) == ""


def test_a_related_story_outside_the_archive_links_to_its_address(client):
    from articles.models import RelatedStory

    article = ArticleFactory()
    draft = ArticleFactory(headline="Secret draft", draft=True)
    RelatedStory.objects.create(
        article=article, position=0, title="The reform, explained", url="https://example.org/a"
    )
    RelatedStory.objects.create(
        article=article, position=1, target=draft, title="Coming soon", url="https://example.org/b"
    )
    RelatedStory.objects.create(article=article, position=2, title="No address yet")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/a" rel="noopener">The reform, explained</a>' in html
    assert '<a href="https://example.org/b" rel="noopener">Coming soon</a>' in html
    assert "<h3>No address yet</h3>" in html
    assert "Secret draft" not in html and draft.get_absolute_url() not in html
