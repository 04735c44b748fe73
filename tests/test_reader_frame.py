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


def frame_of(html: str) -> str:
    """The page without what is its own: the head's page-specific lines and the main part."""
    header = html[html.index("<body>") : html.index('<main id="content"')]
    footer = re.sub(r'<p class="print-only">[^<]*</p>', "", html[html.index("</main>") :])
    return re.sub(r' aria-current="\w+"', "", header) + footer.rstrip()


def test_every_reader_page_has_the_one_frame(client):
    """The article page (rendered by Jinja2 directly) and Django's pages (through base.html's
    {% frame %}) show the same header and footer: one frame, templates/jinja2/frame.html."""
    from articles.models import Page, SiteIdentity

    identity = SiteIdentity.get_solo()
    identity.name, identity.tagline = "Voces & Ecos", "News <translated>"
    identity.save()
    Page.objects.create(
        title="About us", slug="about", body="Who.", in_footer=True, status=Page.Status.PUBLISHED
    )
    article = ArticleFactory(topics=[TopicFactory(name="Mining", slug="mining")])
    pages = [article.get_absolute_url(), "/", "/topics/", "/topics/mining/", "/no-such-page/"]
    frames = {url: frame_of(client.get(url).content.decode()) for url in pages}
    assert len(set(frames.values())) == 1, frames.keys()
    frame = frames["/"]
    assert "Voces &amp; Ecos" in frame and "News &lt;translated&gt;" in frame
    assert ">About us</a>" in frame and 'action="/newsletter/"' in frame
    topics = client.get("/topics/").content.decode()
    assert "<title>Topics · Voces &amp; Ecos</title>" in topics
    assert '<meta property="og:site_name" content="Voces &amp; Ecos">' in topics


def test_a_page_gives_the_frame_its_own_parts_and_the_frame_fills_the_rest(client):
    article = ArticleFactory(headline='Water "rights" & <wrongs>', dek="The dek.")
    html = client.get(article.get_absolute_url()).content.decode()
    head, body = html.split("</head>")
    title = re.search(r"<title>(.*)</title>", head).group(1)
    assert title.startswith("Water &#34;rights&#34; &amp; &lt;wrongs&gt; · ")
    assert '<meta name="description" content="The dek.">' in head
    assert '<meta property="article:published_time"' in head  # the article's own meta part
    assert '<main id="content" class="wrap wrap-wide" tabindex="-1">' in body
    assert body.count("<h1>") == 1 and "<wrongs>" not in html
    assert 'role="search"' in body  # the frame's own search form

    topics = client.get("/topics/").content.decode()
    assert "<title>Topics · " in topics
    assert '<main id="content" class="wrap" tabindex="-1">' in topics

    missing = client.get("/no-such-page/").content.decode()
    assert re.search(r"<title>Page not found · [^<]+</title>", missing)
    assert '<meta name="description" content="There is nothing at this address.">' in missing


def test_base_html_rendered_on_its_own_is_the_frame_with_its_defaults(rf):
    """A template that is base.html itself, not a page extending it: nothing overridden, so
    the frame writes its own title, search form and main class."""
    from django.template.loader import render_to_string

    html = render_to_string("base.html", {"page": {"title": "On its own"}}, rf.get("/x/"))
    assert re.search(r"<title>On its own · [^<]+</title>", html)
    assert 'role="search"' in html and '<main id="content" class="wrap" tabindex="-1">' in html
