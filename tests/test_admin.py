"""The editors' path through the real admin views: add, edit, relate, publish."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, RelatedStory, Source
from tests.factories import ArticleFactory, RelatedStoryFactory, SourceFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")


def form_data(**overrides):
    data = {
        "headline": "Farmers March on the Capital",
        "slug": "farmers-march-on-the-capital",
        "dek": "Thousands of farmers reached the Zócalo.",
        "body": "Opening paragraph.\n\n## What they want\n\nGuaranteed prices.",
        "source": "",
        "original_headline": "Campesinos marchan",
        "original_url": "https://www.jornada.com.mx/campesinos",
        "original_language": "",
        "original_published_on": "2025-11-20",
        "status": "draft",
        "published_at_0": "2025-11-22",
        "published_at_1": "10:00:00",
        "related_stories-TOTAL_FORMS": "0",
        "related_stories-INITIAL_FORMS": "0",
        "related_stories-MIN_NUM_FORMS": "0",
        "related_stories-MAX_NUM_FORMS": "1000",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
        "original_updates-TOTAL_FORMS": "0",
        "original_updates-INITIAL_FORMS": "0",
        "original_updates-MIN_NUM_FORMS": "0",
        "original_updates-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def with_related(data, *items):
    data["related_stories-TOTAL_FORMS"] = str(len(items))
    for i, item in enumerate(items):
        for field in ("position", "target", "title", "summary", "url"):
            data[f"related_stories-{i}-{field}"] = item.get(field, "")
        data[f"related_stories-{i}-article"] = ""
        data[f"related_stories-{i}-id"] = item.get("id", "")
    return data


def test_editor_adds_a_draft_then_publishes_it_and_readers_see_it(staff_client):
    client = Client()  # an anonymous reader
    source = SourceFactory(name="La Jornada", slug="la-jornada", description="a daily")
    data = with_related(
        form_data(source=str(source.pk)),
        {"position": "0", "title": "A story not yet translated", "summary": "Why it matters."},
    )
    response = staff_client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.status == "draft"
    assert "<h2>What they want</h2>" in article.body_html
    assert article.original_language == "es"
    assert article.related_stories.get().title == "A story not yet translated"
    assert client.get(article.get_absolute_url()).status_code == 404  # a draft

    response = staff_client.post(
        LIST_URL, {"action": "publish", "_selected_action": [article.pk]}, follow=True
    )
    assert "1 article(s) published." in response.content.decode()
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "Farmers March on the Capital" in page.content.decode()
    assert "Translated 2 days after it appeared in La Jornada" in page.content.decode()


def test_unpublish_action_hides_the_article(staff_client):
    client = Client()  # an anonymous reader
    article = ArticleFactory()
    staff_client.post(LIST_URL, {"action": "unpublish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == "draft"
    assert client.get(article.get_absolute_url()).status_code == 404


def test_editing_rerenders_and_sanitizes_the_body(staff_client):
    article = ArticleFactory(slug="edit-me")
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(
        headline=article.headline,
        slug="edit-me",
        body='New **text** <img src=x onerror="alert(1)"> [x](javascript:alert(1))',
        status="published",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert "<strong>text</strong>" in article.body_html
    assert "onerror" not in article.body_html and "javascript:" not in article.body_html


def test_validation_messages_name_the_problem(staff_client):
    ArticleFactory(slug="taken")
    response = staff_client.post(
        ADD_URL,
        form_data(headline="", slug="taken", original_url="not a url", body=""),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"headline", "slug", "original_url", "body"}
    assert "Article with this Slug already exists." in errors["slug"]
    assert Article.objects.count() == 1


def test_related_story_needs_a_target_or_a_title(staff_client):
    response = staff_client.post(
        ADD_URL, with_related(form_data(), {"position": "0", "summary": "Orphan summary"})
    )
    assert response.status_code == 200
    assert "Pick an archive article or type the story’s title." in response.content.decode()
    assert not Article.objects.exists()


def test_related_story_picked_from_the_archive(staff_client):
    target = ArticleFactory(headline="Earlier coverage")
    data = with_related(form_data(), {"position": "0", "target": str(target.pk)})
    assert staff_client.post(ADD_URL, data).status_code == 302
    assert RelatedStory.objects.get().target == target


def test_admin_created_article_resolves_waiting_related_stories(staff_client):
    waiting = RelatedStoryFactory(title="Farmers March on the Capital")
    assert staff_client.post(ADD_URL, form_data()).status_code == 302
    waiting.refresh_from_db()
    assert waiting.target == Article.objects.get(slug="farmers-march-on-the-capital")


def test_autocomplete_finds_archive_articles(staff_client):
    ArticleFactory(headline="Lithium nationalisation")
    ArticleFactory(headline="Something else")
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "lithium",
            "app_label": "articles",
            "model_name": "relatedstory",
            "field_name": "target",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Lithium nationalisation"]


def test_changelist_filters_search_and_view_on_site(staff_client):
    published = ArticleFactory(headline="Published one")
    ArticleFactory(headline="Draft one", draft=True)
    html = staff_client.get(LIST_URL, {"status__exact": "draft"}).content.decode()
    assert "Draft one" in html and "Published one" not in html
    html = staff_client.get(LIST_URL, {"q": "published"}).content.decode()
    assert "Published one" in html and "Draft one" not in html
    change = staff_client.get(reverse("admin:articles_article_change", args=[published.pk]))
    assert "View on site" in change.content.decode()
    assert 'id="id_slug"' in change.content.decode()
    # The slug follows the headline as the editor types (Django's prepopulate script).
    assert (
        'data-prepopulated-fields="[{&quot;id&quot;: &quot;#id_slug&quot;, &quot;name&quot;: '
        "&quot;slug&quot;, &quot;dependency_ids&quot;: [&quot;#id_headline&quot;]"
    ) in change.content.decode()


def test_anonymous_users_cannot_reach_the_admin(client):
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_sources_are_editable(staff_client):
    response = staff_client.post(
        reverse("admin:articles_source_add"),
        {
            "name": "Desinformémonos",
            "slug": "desinformemonos",
            "description": "an independent news site",
            "url": "https://desinformemonos.org/",
            "language": "es",
        },
    )
    assert response.status_code == 302
    source = Source.objects.get(slug="desinformemonos")
    assert source.description == "an independent news site"
    # Readers see a source once it has a published article.
    assert staff_client.get("/sources/desinformemonos/").status_code == 404
    ArticleFactory(source=source)
    assert staff_client.get("/sources/desinformemonos/").status_code == 200


def test_published_at_in_the_past_is_kept(staff_client):
    assert staff_client.post(ADD_URL, form_data(status="published")).status_code == 302
    article = Article.objects.get()
    assert article.published_at.date() == datetime.date(2025, 11, 22)
    assert article.get_absolute_url().startswith("/2025/11/22/")


def test_the_publication_time_says_which_clock_it_is_on(editor_client, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    html = editor_client.get(ADD_URL).content.decode()
    assert "In the site's time zone, America/Mexico_City (UTC-06:00 now" in html
    assert " UTC). A time to come schedules the article" in html


@pytest.mark.parametrize("prefix", ["related_stories", "corrections", "original_updates"])
@pytest.mark.parametrize("count", ["1000", "100000000000000000000"])
def test_a_crafted_count_of_inline_forms_is_refused_at_once(staff_client, prefix, count):
    """A posted TOTAL_FORMS beyond the inline's limit is refused before its forms are built
    (Django builds up to the limit + 1,000 of them otherwise: seconds, megabytes of page)."""
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    response = staff_client.post(
        url, form_data(slug=article.slug, **{f"{prefix}-TOTAL_FORMS": count})
    )
    assert response.status_code == 200
    (inline,) = [i for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    limit = 50 if prefix == "related_stories" else 100
    assert len(inline.formset.forms) <= limit
    assert f"Please submit at most {limit} form" in str(inline.formset.non_form_errors())
    assert len(response.content) < 1_000_000
    article.refresh_from_db()
    assert article.headline != "Farmers March on the Capital"  # nothing saved
