"""The article's own part, rendered by Jinja2 (``articles.readers.jinja``): what it writes
must be what Django's templates wrote — escaped, dates in the readers' time zone, the same
words and plurals."""

import datetime

import pytest
from django.template import defaultfilters
from django.test import Client
from django.utils import timezone

from articles.models import Article
from articles.models.editorial import Correction, OriginalUpdate
from articles.readers import jinja
from tests.factories import ArticleFactory, PersonFactory, SourceFactory

pytestmark = pytest.mark.django_db

MEXICO = "America/Mexico_City"


def page(article) -> str:
    return Client().get(Article.objects.get(pk=article.pk).get_absolute_url()).content.decode()


def test_what_readers_typed_is_escaped_and_the_body_is_not():
    article = ArticleFactory(
        headline="<script>alert(1)</script> & co",
        dek='A "dek" <b>here</b>',
        body="Some **bold** words.",
    )
    html = page(article)
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</h1>" in html
    assert '<p class="dek">A &#34;dek&#34; &lt;b&gt;here&lt;/b&gt;</p>' in html
    assert "<script>alert(1)" not in html
    assert "<strong>bold</strong>" in html  # body_html: sanitized when saved, shown as is


def test_dates_are_the_readers_days(settings):
    settings.TIME_ZONE = MEXICO
    # 03:30 in UTC on March 1st is still February 28th in Mexico City.
    moment = datetime.datetime(2026, 3, 1, 3, 30, tzinfo=datetime.UTC)
    article = ArticleFactory(published_at=moment, original_published_on=datetime.date(2026, 2, 27))
    html = page(article)
    assert '<time datetime="2026-02-28T21:30:00-06:00">February 28, 2026</time>' in html
    assert '<meta property="article:published_time" content="2026-02-28T21:30:00-06:00">' in html
    assert "Translated 1 day after it appeared in" in html


def test_plurals_credits_corrections_and_updates():
    source = SourceFactory(name="La Jornada")
    article = ArticleFactory(
        source=source,
        published_at=timezone.now() - datetime.timedelta(days=1),
        original_published_on=timezone.localdate() - datetime.timedelta(days=4),
    )
    article.authors.set([PersonFactory(name="Ana Reporter")])
    article.translators.set([PersonFactory(name="Tom One"), PersonFactory(name="Tim Two")])
    Correction.objects.create(
        article=article, published_on=datetime.date(2025, 11, 10), text="A name was wrong."
    )
    OriginalUpdate.objects.create(
        article=article, changed_on=datetime.date(2025, 11, 12), note="New figures came in."
    )
    OriginalUpdate.objects.create(
        article=article, changed_on=datetime.date(2025, 11, 13), note="A quote was added"
    )
    html = page(article)
    assert "Translated 3 days after it appeared in La Jornada" in html
    assert ">Ana Reporter</a>" in html and ">Tom One</a> and <a" in html
    assert '<time datetime="2025-11-10">November 10, 2025</time>):</strong> A name' in html
    assert "after this translation: New figures came in.</p>" in html  # no second period
    assert "after this translation: A quote was added.</p>" in html


def test_the_banner_of_a_scheduled_article_for_its_editor(admin_client, settings):
    settings.TIME_ZONE = MEXICO
    moment = timezone.now() + datetime.timedelta(days=2)
    article = ArticleFactory(published_at=moment)
    html = admin_client.get(article.get_absolute_url()).content.decode()
    shown = timezone.localtime(moment).strftime("%B %-d, %Y, %H:%M")
    assert f"Scheduled: readers will see this article from {shown}." in html


def test_listing_cards_escape_and_show_the_readers_days(settings, client):
    """The cards of every listing and of the front page, rendered by Jinja2
    (``{% article_cards %}``, ``{% card_meta %}``): escaped, dates in the readers' zone."""
    settings.TIME_ZONE = MEXICO
    source = SourceFactory(name="Desinformémonos & <i>co</i>", slug="desinformemonos")
    moment = datetime.datetime(2026, 3, 1, 3, 30, tzinfo=datetime.UTC)
    ArticleFactory(
        headline="<b>Lead</b>",
        source=source,
        published_at=moment + datetime.timedelta(hours=1),
        original_published_on=datetime.date(2026, 2, 27),
    )
    ArticleFactory(
        headline="<script>alert(1)</script> & co",
        dek='A "dek" <b>here</b>',
        source=source,
        published_at=moment,
        original_published_on=datetime.date(2026, 2, 27),
    )
    listing = client.get("/sources/desinformemonos/").content.decode()
    front = client.get("/").content.decode()
    for html in (listing, front):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</a></h" in html
        assert "A &#34;dek&#34; &lt;b&gt;here&lt;/b&gt;" in html
        assert "<script>alert(1)" not in html and "<b>Lead</b>" not in html
        assert '<time datetime="2026-02-28T21:30:00-06:00">February 28, 2026</time>' in html
        assert '<time datetime="2026-02-27">February 27, 2026</time>' in html
        assert ">Desinformémonos &amp; &lt;i&gt;co&lt;/i&gt;</a>," in html
    assert '<h2 class="card-headline">' in listing
    assert '<h3 class="card-headline">' in front  # the front page's latest, under its title


@pytest.mark.parametrize("zone", ["UTC", MEXICO])
def test_the_dates_jinja_writes_are_the_ones_django_writes(settings, zone):
    """The formats written directly (``jinja._WRITTEN``) and any other, through Django."""
    settings.TIME_ZONE = zone
    start = datetime.datetime(1999, 12, 31, 18, 0, tzinfo=datetime.UTC)
    moments = [start + datetime.timedelta(days=d, hours=7 * d) for d in range(0, 800, 7)]
    values = [*moments, *(m.date() for m in moments), datetime.date(5, 1, 2), None, ""]
    for value in values:
        for shape in ("F j, Y", "Y-m-d", "N j, Y"):
            django_wrote = defaultfilters.date(
                timezone.template_localtime(value) if value else value, shape
            )
            assert jinja.date(value, shape) == django_wrote, (value, shape)
