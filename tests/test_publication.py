"""The publication around the articles: its identity, the front page, teasers, pages (with
versions and the WordPress import), story pages, the search's choice of order and feeds
opened in a browser."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.markup import opening_prose
from articles.models import Article, LegacyAddress, Page, SiteIdentity, Thread
from articles.readers import article_views, caching, identity
from articles.readers.article_views import reader_article_and_identity
from articles.readers.search_views import SearchView
from tests.factories import ArticleFactory, ImageFactory, SourceFactory, TopicFactory, picture_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def html_of(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


# -- Identity ---------------------------------------------------------------------------------


def test_the_identity_editors_set_is_on_every_page_feed_and_preview(client, editor_client):
    ArticleFactory(headline="A strike in Oaxaca")
    logo = ImageFactory(alt="Logo", file=picture_file(size=(300, 100), image_format="PNG"))
    response = editor_client.post(
        "/admin/articles/siteidentity/1/change/",
        {
            "name": "Voces Traducidas",
            "tagline": "Mexico's press in English",
            "description": "Volunteer translations of Mexican journalism.",
            "logo": logo.pk,
            "lead_article": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = html_of(client, "/")
    assert "<title>Voces Traducidas: Mexico&#x27;s press in English</title>" in html
    assert 'class="brand-name">Voces Traducidas<' in html
    assert "Mexico&#x27;s press in English" in html
    assert re.search(
        r'<img class="brand-logo" src="[^"]+" srcset="[^"]+" sizes="132px" '
        r'width="132" height="44" alt="">',
        html,
    )
    assert "Volunteer translations of Mexican journalism." in html_of(client, "/sources/")
    feed = html_of(client, "/feed/atom/")
    assert "<title>Voces Traducidas</title>" in feed
    assert "Volunteer translations of Mexican journalism." in feed


def test_the_identity_admin_is_one_form_and_refuses_bad_logos(editor_client):
    assert editor_client.get("/admin/articles/siteidentity/").url.endswith("/1/change/")
    assert editor_client.get("/admin/articles/siteidentity/add/").status_code == 403
    assert editor_client.get("/admin/articles/siteidentity/2/change/").status_code == 302
    given_by_address = ImageFactory(file="", url="https://example.org/logo.png")
    response = editor_client.post(
        "/admin/articles/siteidentity/1/change/",
        {"name": "X", "tagline": "", "description": "", "logo": given_by_address.pk},
    )
    assert "A logo must be an uploaded picture" in response.content.decode()
    response = editor_client.post(
        "/admin/articles/siteidentity/1/change/", {"name": "  ", "tagline": "", "description": ""}
    )
    assert response.status_code == 200 and not SiteIdentity.objects.filter(name="").exists()
    # An SVG logo (it can carry a script) cannot even become an image: refused at upload.
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = editor_client.post(
        "/admin/articles/image/add/",
        {"file": SimpleUploadedFile("logo.svg", svg, "image/svg+xml"), "alt": "Logo"},
    )
    assert response.status_code == 200 and "SVG" in response.content.decode()


def test_a_translator_cannot_change_the_identity(translator_client):
    assert translator_client.get("/admin/articles/siteidentity/1/change/").status_code == 403


def test_the_identity_costs_two_queries_once_then_none():
    caching.version()
    with CaptureQueriesContext(connection) as first:
        identity.current()
    with CaptureQueriesContext(connection) as again:
        identity.current()
    assert len(first) == 2 and len(again) == 0
    SiteIdentity.objects.create(name="Renamed")  # an editor's save changes the version
    assert identity.current().name == "Renamed"


@pytest.mark.parametrize("saved", [True, False], ids=["saved by editors", "never saved"])
def test_an_articles_own_statement_reads_the_identity_the_cache_keeps(saved):
    """The identity a reader's article brings along (``identity.column``) is the one
    ``identity.current`` reads and keeps: logo, footer pages in order, only published ones."""
    make_page(title="Donate", slug="donate", position=1)  # by position, then by title
    make_page(title="About us", slug="about", position=2)
    make_page(title="Contact", slug="contact", in_footer=False)
    make_page(title="Masthead", slug="masthead", status="draft")
    if saved:
        logo = ImageFactory(alt="Logo", file=picture_file(size=(300, 100), image_format="PNG"))
        SiteIdentity.objects.create(
            name="Voces",
            tagline="Mexico's press",
            description="Volunteers.",
            logo=logo,
            lead_article=ArticleFactory(),
        )
    (read,) = reader_article_and_identity(slug=ArticleFactory().slug)
    brought = identity.from_column(read.site_identity_row)
    assert brought == identity._read()
    assert brought.footer_pages == (("Donate", "/donate/"), ("About us", "/about/"))
    assert (brought.logo is not None) == saved
    assert brought.name == ("Voces" if saved else SiteIdentity(pk=1).name)


def test_an_article_read_from_the_database_asks_the_cache_nothing_for_the_identity(
    client, monkeypatch
):
    SiteIdentity.objects.create(name="Voces Traducidas", tagline="Mexico's press in English")
    make_page()
    article = ArticleFactory()
    caching.version()  # the content state is known (as it is after the first request)
    asked = []
    monkeypatch.setattr(caching, "fetch", lambda *parts: asked.append(parts) or (1, None))
    with CaptureQueriesContext(connection) as queries:
        html = html_of(client, article.get_absolute_url())
    assert asked == [] and len(queries) == 1
    assert 'class="brand-name">Voces Traducidas<' in html
    assert 'class="brand-tagline">Mexico&#39;s press in English<' in html
    assert '<a href="/about/">About us</a>' in html[html.index('class="site-footer"') :]


def test_an_identity_the_page_caches_look_up_brought_is_not_read_again(
    client, monkeypatch, settings
):
    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory()
    identity.current()  # kept: the page cache's look-up finds it along
    monkeypatch.setattr(
        article_views, "reader_article_and_identity", lambda slug: pytest.fail("read again")
    )
    assert 'class="brand-name">' in html_of(client, article.get_absolute_url())


# -- The front page -----------------------------------------------------------------------------


def newest(n=1, **fields):
    start = timezone.now() - datetime.timedelta(days=30)
    return [
        ArticleFactory(published_at=start + datetime.timedelta(hours=i), **fields) for i in range(n)
    ]


def test_the_front_page_leads_with_the_newest_article_with_an_image(client):
    jornada = SourceFactory(name="La Jornada", slug="la-jornada")
    mining = TopicFactory(name="Mining", slug="mining")
    pictured = newest(1, source=jornada, lead_image=ImageFactory(), headline="Pictured")[0]
    later = ArticleFactory(headline="Later, no picture", source=jornada, topics=[mining])
    ArticleFactory(headline="A draft", status=Article.Status.DRAFT, lead_image=ImageFactory())
    strike = Thread.objects.create(name="The teachers' strike", slug="strike")
    Article.objects.filter(pk=later.pk).update(thread=strike)
    html = html_of(client, "/")
    lead = html[html.index('class="lead-story"') : html.index('class="front-columns"')]
    assert "Pictured" in lead and 'class="lead-image"' in lead and "Later" not in lead
    latest = html[html.index('id="latest-title"') : html.index('class="front-side"')]
    assert "Later, no picture" in latest and "Pictured" not in latest and "A draft" not in html
    assert "The teachers&#x27; strike" in html and "newest: <a" in html
    assert 'href="/sources/la-jornada/">From La Jornada' in html
    assert 'href="/topics/mining/">Mining</a>' in html
    assert pictured.get_absolute_url() in lead


def test_editors_pin_the_lead_story_while_it_is_published(client):
    old = newest(1, headline="Pinned analysis")[0]
    ArticleFactory(headline="Newest", lead_image=ImageFactory())
    SiteIdentity.objects.create(lead_article=old)
    html = html_of(client, "/")
    assert "Pinned analysis" in html[html.index('class="lead-story"') : html.index("front-columns")]
    Article.objects.filter(pk=old.pk).update(status=Article.Status.DRAFT)
    caching.changed()
    html = html_of(client, "/")
    assert "Pinned analysis" not in html
    assert "Newest" in html[html.index('class="lead-story"') : html.index("front-columns")]


@pytest.mark.parametrize("shape", ["empty", "one", "no images"])
def test_a_front_page_with_little_to_show_still_answers(client, shape):
    if shape == "one":
        ArticleFactory(headline="The only one")
    elif shape == "no images":
        newest(3)
    html = html_of(client, "/")
    if shape == "empty":
        assert "No articles yet." in html
    elif shape == "one":
        assert "The only one" in html and "Nothing else yet." in html
    else:
        assert 'class="lead-story"' in html and 'class="lead-image"' not in html


def test_the_front_page_costs_the_same_queries_whatever_the_archive(client):
    def cost():
        caching.version()
        identity.current()
        with CaptureQueriesContext(connection) as queries:
            html_of(client, "/")
        return len(queries)

    first = Thread.objects.create(name="A first story", slug="first")
    for article in newest(2, lead_image=ImageFactory(), topics=[TopicFactory()]):
        Article.objects.filter(pk=article.pk).update(thread=first)
    small = cost()
    for i in range(4):
        source, topic = SourceFactory(), TopicFactory()
        story = Thread.objects.create(name=f"Story {i}", slug=f"story-{i}")
        for article in newest(5, source=source, topics=[topic], lead_image=ImageFactory()):
            Article.objects.filter(pk=article.pk).update(thread=story)
    caching.changed()
    assert cost() == small == 11  # as tests/test_queries.py counts them
    # kept (under the content version): the page of articles alone
    with CaptureQueriesContext(connection) as queries:
        html = html_of(client, "/")
    assert len(queries) == 1 and "Story 3" in html
    Thread.objects.filter(slug="story-3").update(name="Renamed story")
    assert "Renamed story" not in html_of(client, "/")  # no save: the parts as kept
    ArticleFactory(headline="Published just now")  # a save: the parts are read again
    html = html_of(client, "/")
    assert "Published just now" in html and "Renamed story" in html


def test_page_two_of_the_latest_is_the_plain_listing(client):
    newest(25)
    html = html_of(client, "/?page=2")
    assert '<h1 class="page-title">Latest translations</h1>' in html
    assert 'class="lead-story"' not in html


# -- Teasers ---------------------------------------------------------------------------------------


def test_a_teaser_is_the_summary_or_the_first_paragraph_that_is_prose():
    body = (
        "Foto: La Jornada\n{: .caption }\n\n"
        "Also in this edition: the strike, the rains and the election results in three states.\n\n"
        "> A quotation pulled out of the text, long enough to pass for a paragraph of prose.\n\n"
        "*Translated by Ana López, with the help of the volunteers who read every line.*\n\n"
        "Manifestantes marchan por el centro de la Ciudad de México. Foto Cuartoscuro\n\n"
        "Oaxaca. Teachers of the Coordinadora marched on Monday through the centre of the city."
    )
    article = ArticleFactory(body=body, dek="")
    assert article.teaser.startswith("Oaxaca. Teachers of the Coordinadora marched")
    article.dek = "The editors' summary."
    assert article.teaser == "The editors' summary."
    assert opening_prose("<p>Short title</p>") == "Short title"  # nothing better: the first
    assert opening_prose("") == ""


# -- Pages -----------------------------------------------------------------------------------------


def make_page(**fields):
    values = {
        "title": "About us",
        "slug": "about",
        "body": "We **translate**.",
        "status": "published",
    }
    page = Page(**{**values, **fields})
    page.full_clean()
    page.save()
    return page


def test_a_published_page_is_at_the_top_level_and_in_the_footer(client):
    page = make_page(body="We translate.\n\n<script>alert(1)</script>[x](javascript:alert(1))")
    make_page(title="Donate", slug="donate", status="draft")
    make_page(title="Privacy notice", slug="privacy", in_footer=False)
    html = html_of(client, "/about/")
    assert '<h1 class="page-title">About us</h1>' in html
    body = html[html.index('class="article-body"') : html.index('class="meta">Updated')]
    assert "<script" not in body and 'href="javascript' not in body
    footer = html[html.index('class="site-footer"') :]
    assert '<a href="/about/">About us</a>' in footer and "Donate" not in footer
    assert "Privacy notice" not in footer and "Privacy notice" in html_of(client, "/privacy/")
    html_of(client, "/donate/", status=404)
    assert page.get_absolute_url() in html_of(client, "/sitemap-pages.xml")
    assert "/donate/" not in html_of(client, "/sitemap-pages.xml")


def test_an_editor_sees_a_draft_page_marked_as_such(editor_client):
    make_page(slug="masthead", title="Masthead", status="draft")
    html = html_of(editor_client, "/masthead/")
    assert "Draft: readers cannot see this page." in html and 'content="noindex"' in html


@pytest.mark.parametrize(
    "slug",
    ["2025", "search", "feed", "sources", "admin", "static", "media", "stories", "rss", "archive"],
)
def test_a_page_cannot_take_an_address_of_the_archive(editor_client, slug):
    response = editor_client.post(
        "/admin/articles/page/add/",
        {"title": "Clash", "slug": slug, "body": "Text.", "status": "published", "position": 0},
    )
    assert response.status_code == 200
    assert "is an address of the archive" in response.content.decode() or (
        "is kept for the site itself" in response.content.decode()
    )
    assert not Page.objects.exists()


def test_pages_keep_versions_that_can_be_compared_and_restored(editor_client, client):
    data = {
        "title": "Contact",
        "slug": "contact",
        "body": "Write to us.",
        "status": "published",
        "in_footer": "on",
        "position": 1,
    }
    assert editor_client.post("/admin/articles/page/add/", data).status_code == 302
    page = Page.objects.get()
    data["body"] = "Write to us at desk@example.org."
    assert editor_client.post(f"/admin/articles/page/{page.pk}/change/", data).status_code == 302
    assert list(page.revisions.values_list("number", flat=True)) == [2, 1]
    html = html_of(editor_client, f"/admin/articles/page/{page.pk}/versions/")
    assert "+Write to us at desk@example.org." in html and "-Write to us." in html
    response = editor_client.post(f"/admin/articles/page/{page.pk}/versions/", {"number": 1})
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "Write to us." and page.revisions.count() == 3
    assert "Write to us.</p>" in html_of(client, "/contact/")
    change = html_of(editor_client, f"/admin/articles/page/{page.pk}/change/")
    assert 'id="page-config"' in change and "page.js" in change


def test_a_translator_cannot_edit_pages(translator_client):
    assert translator_client.get("/admin/articles/page/add/").status_code == 403


def test_the_wordpress_import_brings_the_pages_of_an_export(client):
    call_command("import_wordpress", str(FIXTURES / "wordpress" / "pages.xml"), verbosity=0)
    about = Page.objects.get(slug="about")
    assert about.is_published and "We translate the Mexican press" in about.body_html
    draft = Page.objects.get(title="Donations (soon)")
    assert draft.status == Page.Status.DRAFT
    clash = Page.objects.get(title="Search tips")
    assert clash.slug == "search-2"  # /search/ is the archive's
    assert html_of(client, "/about/").count("We translate the Mexican press") == 1
    assert client.get("/?page_id=2").url == "/about/"
    assert client.get("/who-we-are/about/").url == "/about/"
    html_of(client, "/donations/", status=404)  # a draft's old address leads nowhere
    call_command("import_wordpress", str(FIXTURES / "wordpress" / "pages.xml"), verbosity=0)
    assert Page.objects.count() == 3  # imported before: kept as they are
    assert LegacyAddress.objects.filter(page=about).exists()


# -- Story pages ------------------------------------------------------------------------------


def test_a_story_page_has_its_summary_and_picture(client):
    story = Thread.objects.create(
        name="The strike", slug="strike", description="Teachers stopped work.\n\nA second line."
    )
    pictured = ArticleFactory(lead_image=ImageFactory(alt="Marchers"))
    Article.objects.filter(pk=pictured.pk).update(thread=story)
    html = html_of(client, "/stories/strike/")
    assert "<p>Teachers stopped work.</p>" in html and 'alt="Marchers"' in html
    assert 'property="og:image"' in html
    story.image = ImageFactory(alt="The editors' choice")
    story.save()
    assert 'alt="The editors&#x27; choice"' in html_of(client, "/stories/strike/")


# -- Search: the reader's choice of order ---------------------------------------------------------


def test_search_lets_readers_choose_newest_first_over_all_matches(client, monkeypatch):
    monkeypatch.setattr(SearchView, "paginate_by", 2)
    best = ArticleFactory(
        headline="Lithium lithium lithium",
        published_at=timezone.now() - datetime.timedelta(days=300),
    )
    others = newest(4, body="Nothing but a mention of lithium in passing here.")
    html = html_of(client, "/search/?q=lithium")
    assert html.index("Lithium lithium") < html.index(others[3].headline)
    assert 'aria-current="true">Most relevant' in html
    html = html_of(client, "/search/?q=lithium&order=newest")
    assert 'aria-current="true">Newest first' in html
    assert html.index(others[3].headline) < html.index(others[2].headline)
    assert "Lithium lithium" not in html
    assert 'rel="next" href="?q=lithium&amp;order=newest&amp;page=2"' in html
    last = html_of(client, "/search/?q=lithium&order=newest&page=3")
    assert "Lithium lithium" in last and 'rel="next"' not in last
    assert best.headline in last


def test_the_search_limits_are_one_line_under_the_results(client, settings):
    settings.SEARCH = {**getattr(settings, "SEARCH", {}), "CANDIDATES": 3}
    newest(5, body="A mention of lithium in passing.")
    html = html_of(client, "/search/?q=lithium")
    line = html.index('class="search-limits meta"')
    assert line > html.rindex('class="card"')
    assert "More than 3 articles match" in html
    assert "order=newest" in html[line:]


# -- Feeds in a browser ---------------------------------------------------------------------------


def test_a_feed_opened_in_a_browser_is_styled_and_says_what_it_is(client):
    ArticleFactory()
    for url in ["/feed/rss/", "/feed/atom/", "/topics/x/feed/atom/"]:
        response = client.get(url)
        if response.status_code == 404:
            continue
        assert response["Content-Type"] == "application/xml; charset=utf-8"
        text = response.content.decode()
        assert re.match(
            r'<\?xml version="1.0" encoding="utf-8"\?>\s*<\?xml-stylesheet href="/static/feeds/'
            r'feed(\.[0-9a-f]+)?\.css" [^?]*type="text/css"\?>',
            text,
        )
        assert "script-src" not in response["Content-Security-Policy"]
    css = (Path(__file__).parent.parent / "static" / "feeds" / "feed.css").read_text()
    assert "This is a feed." in css
