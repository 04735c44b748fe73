"""Defects found by an attacker's and a reviewer's eyes (issue 8), each pinned by a test that
fails without its fix; and the tests a deliberately broken rule went unnoticed by."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, RelatedStory, SlugRedirect, Source
from articles.readers import counts
from articles.readers.pagination import UncountedPaginator
from articles.readers.related import more_on_this_story
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    RelatedStoryFactory,
    SourceFactory,
    TopicFactory,
)
from tests.test_admin import ADD_URL, LIST_URL, form_data

pytestmark = pytest.mark.django_db


# -- Leaks -----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_a_related_story_never_shows_a_hidden_articles_headline(client, state):
    if state == "scheduled":
        hidden = ArticleFactory(headline="Secret Headline", scheduled=True)
    else:
        hidden = ArticleFactory(headline="Secret Headline", status=state)
    article = ArticleFactory()
    RelatedStoryFactory(article=article, target=hidden, title="", summary="")
    RelatedStoryFactory(article=article, title="A typed title", summary="")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Secret Headline" not in html and hidden.slug not in html
    assert "A typed title" in html


def test_a_translator_cannot_point_a_related_story_at_someone_elses_draft(
    translator_client, translator
):
    secret = ArticleFactory(headline="Someone else's secret draft", draft=True)
    own = ArticleFactory(headline="Mine", draft=True, created_by=translator)
    change = reverse("admin:articles_article_change", args=[own.pk])
    data = form_data(
        headline="Mine",
        slug=own.slug,
        **{
            "related_stories-TOTAL_FORMS": "1",
            "related_stories-0-position": "0",
            "related_stories-0-target": str(secret.pk),
            "related_stories-0-title": "",
        },
    )
    response = translator_client.post(change, data)
    assert response.status_code == 200  # the form again, with an error
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Someone else's secret draft" not in html
    assert not RelatedStory.objects.exists()


def test_the_related_story_autocomplete_offers_a_translator_published_and_own_articles(
    translator_client, translator
):
    ArticleFactory(headline="Lithium published")
    ArticleFactory(headline="Lithium secret draft", draft=True)
    ArticleFactory(headline="Lithium my draft", draft=True, created_by=translator)
    response = translator_client.get(
        "/admin/autocomplete/",
        {
            "term": "lithium",
            "app_label": "articles",
            "model_name": "relatedstory",
            "field_name": "target",
        },
    )
    found = sorted(r["text"] for r in response.json()["results"])
    assert found == ["Lithium my draft", "Lithium published"]


def test_a_new_draft_cannot_take_another_articles_old_address(translator_client, client):
    moved = ArticleFactory(slug="old-address")
    moved.slug = "new-address"
    moved.save()
    response = translator_client.post(ADD_URL, form_data(slug="old-address"))
    assert response.status_code == 200
    assert "This address belonged to another article" in response.content.decode()
    assert SlugRedirect.objects.get(old_slug="old-address").article == moved
    old = moved.get_absolute_url().replace("new-address", "old-address")
    assert client.get(old).status_code == 301


@pytest.mark.parametrize("url", ["/feed/rss/", "/feed/atom/"])
def test_feed_texts_never_carry_live_markup(client, url):
    ArticleFactory(dek='<img src=x onerror="alert(1)"> & more', body="Body.")
    root = ET.fromstring(client.get(url).content)
    texts = [
        element.text or ""
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] in ("description", "summary")
    ]
    assert texts and all("<img" not in text for text in texts)  # what a reader renders
    assert any("&lt;img src=x" in text for text in texts)


def test_a_feeds_channel_description_is_escaped(client):
    source = SourceFactory(name="<b>Bold</b> Source", slug="bold")
    ArticleFactory(source=source)
    root = ET.fromstring(client.get("/sources/bold/feed/rss/").content)
    assert "<b>" not in root.find("channel/description").text
    assert "&lt;b&gt;Bold" in root.find("channel/description").text


def test_a_source_named_only_by_drafts_is_hidden_from_readers(client):
    source = SourceFactory(name="Waiting Source", slug="waiting")
    ArticleFactory(source=source, draft=True)
    assert "Waiting Source" not in client.get("/sources/").content.decode()
    assert client.get("/sources/waiting/").status_code == 404
    assert client.get("/sources/waiting/feed/rss/").status_code == 404
    assert "Waiting Source" not in client.get("/search/?q=x").content.decode()


# -- Crashes that became clear answers ---------------------------------------------------------


def test_an_article_dated_year_one_is_refused_by_the_form(editor_client):
    response = editor_client.post(
        ADD_URL, form_data(original_published_on="0001-01-01", published_at_0="0001-01-01")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "implausible date" in html
    assert "The publication time must be between 1800 and 2200." in html
    assert not Article.objects.exists()


def test_more_related_stories_than_the_limit_are_refused_in_the_admin(editor_client):
    data = form_data(**{"related_stories-TOTAL_FORMS": "51"})
    for n in range(51):
        data[f"related_stories-{n}-position"] = str(n)
        data[f"related_stories-{n}-title"] = f"Story {n}"
    response = editor_client.post(ADD_URL, data)
    assert response.status_code == 200
    assert "Please submit at most 50 forms." in response.content.decode()
    assert not Article.objects.exists()


def test_publishing_a_draft_written_days_ago_publishes_it_now(editor_client):
    long_ago = timezone.now() - datetime.timedelta(days=10)
    draft = ArticleFactory(draft=True, published_at=long_ago)
    Article.objects.filter(pk=draft.pk).update(created_at=long_ago)
    scheduled = ArticleFactory(draft=True, scheduled=True)
    editor_client.post(
        LIST_URL, {"action": "publish", "_selected_action": [draft.pk, scheduled.pk]}
    )
    draft.refresh_from_db()
    assert abs(draft.published_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert draft.get_absolute_url().startswith(timezone.localdate().strftime("/%Y/%m/%d/"))
    assert draft.slug in Client().get("/news-sitemap.xml").content.decode()
    old_schedule = scheduled.published_at
    scheduled.refresh_from_db()
    assert scheduled.published_at == old_schedule  # a chosen time stays


def test_publishing_from_the_change_form_also_means_now(editor_client):
    long_ago = timezone.now() - datetime.timedelta(days=10)
    draft = ArticleFactory(draft=True, published_at=long_ago, slug="draft-from-form")
    Article.objects.filter(pk=draft.pk).update(created_at=long_ago)
    local = timezone.localtime(long_ago)
    change = reverse("admin:articles_article_change", args=[draft.pk])
    editor_client.post(
        change,
        form_data(
            headline=draft.headline,
            slug=draft.slug,
            status="published",
            published_at_0=local.strftime("%Y-%m-%d"),
            published_at_1=local.strftime("%H:%M:%S"),
        ),
    )
    draft.refresh_from_db()
    assert draft.status == "published"
    assert abs(draft.published_at - timezone.now()) < datetime.timedelta(minutes=1)


# -- Rules a deliberately broken line went unnoticed by ---------------------------------------


def test_an_article_published_exactly_now_is_published(monkeypatch):
    """``published()`` compares with the database's clock. Here that clock is PostgreSQL's
    transaction time (the same for every statement of the test's transaction), and the
    article is stamped with it: published at exactly "now"."""
    from django.db.models.functions import Now

    monkeypatch.setattr(
        Now,
        "as_postgresql",
        lambda self, compiler, conn, **extra: self.as_sql(
            compiler, conn, template="TRANSACTION_TIMESTAMP()", **extra
        ),
    )
    article = ArticleFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_article SET published_at = transaction_timestamp() WHERE id = %s",
            [article.pk],
        )
    assert list(Article.objects.published()) == [article]


def test_saving_an_article_never_removes_another_articles_redirect():
    """Even saved directly (a script, a shell): the form refuses the slug, the model keeps
    the other article's old address."""
    moved = ArticleFactory(slug="old-address")
    moved.slug = "new-address"
    moved.save()
    ArticleFactory(slug="old-address")
    assert SlugRedirect.objects.get(old_slug="old-address").article == moved


def test_a_full_page_has_no_next_page_unless_more_follow():
    ArticleFactory.create_batch(3)
    articles = Article.objects.order_by("pk")
    page = UncountedPaginator(articles, per_page=3).page(1)
    assert len(page) == 3 and not page.has_next()
    ArticleFactory()
    assert UncountedPaginator(articles, per_page=3).page(1).has_next()


def test_source_and_topic_counts_are_cached_apart():
    source = SourceFactory()
    topic = TopicFactory()
    ArticleFactory.create_batch(2, source=source, topics=[topic])
    ArticleFactory(source=source)
    assert counts.per_source() == {source.pk: 3}
    assert counts.per_topic() == {topic.pk: 2}
    assert counts.per_source() == {source.pk: 3}  # from the cache, still the sources'


def test_each_persons_counts_are_cached_apart():
    tom, ana = PersonFactory(), PersonFactory()
    ArticleFactory.create_batch(2, translators=[tom])
    ArticleFactory(translators=[ana], authors=[tom])
    assert counts.for_person(tom) == {"translated": 2, "authored": 1}
    assert counts.for_person(ana) == {"translated": 1, "authored": 0}
    assert counts.for_person(tom) == {"translated": 2, "authored": 1}


def test_more_on_this_story_drops_an_article_unpublished_after_it_was_chosen():
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic])
    pick = ArticleFactory(topics=[topic], published_at=article.published_at)
    assert more_on_this_story(article) == [pick]
    Article.objects.filter(pk=pick.pk).update(status="draft")
    assert more_on_this_story(article) == []


def test_article_addresses_use_the_sites_time_zone(settings):
    settings.TIME_ZONE = "America/Mexico_City"
    late_evening = datetime.datetime(2025, 3, 2, 3, 0, tzinfo=datetime.UTC)  # March 1, 21:00
    article = ArticleFactory(slug="evening", published_at=late_evening)
    assert article.get_absolute_url() == "/2025/03/01/evening/"


def test_the_markdown_preview_needs_an_article_permission(client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="pw-12345!", is_staff=True)
    client.force_login(clerk)
    url = reverse("admin:articles_article_markdown_preview")
    assert client.post(url, {"body": "**x**"}).status_code == 403


def test_the_markdown_preview_renders_for_a_translator(translator_client):
    url = reverse("admin:articles_article_markdown_preview")
    response = translator_client.post(url, {"body": "**x** <script>alert(1)</script>"})
    assert response.json()["html"] == "<p><strong>x</strong> </p>"  # script and its text gone


def test_a_source_description_over_300_characters_is_refused_with_its_length(tmp_path):
    from articles.importing.files import import_file

    path = tmp_path / "long.txt"
    path.write_text(
        "H\n\nThis article originally appeared in the May 1, 2025 edition of La Jornada, "
        + "d" * 301
        + ".\n\nBody.\n",
        encoding="utf-8",
    )
    outcome = import_file(path)
    assert outcome.result == "failed"
    assert outcome.error == "the source description is 301 characters long (the limit is 300)"
    assert not Source.objects.exists()


def test_a_body_too_long_to_index_is_a_form_error_not_a_500(editor_client):
    """990,000 characters of distinct words would exceed PostgreSQL's 1 MB search vector; the
    body's own limit (300,000 characters, see ``markup.MAX_CHARS``) refuses it first."""
    import random
    import string

    rng = random.Random(3)
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=8)) for _ in range(110_000))
    response = editor_client.post(ADD_URL, form_data(body=words))
    assert response.status_code == 200
    assert "Ensure this value has at most 300000 characters (it has 989999)" in (
        response.content.decode()
    )
    assert not Article.objects.exists()
