"""Roles and the editorial workflow, through the real admin views."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import roles
from articles.models import Article
from tests.factories import ArticleFactory
from tests.test_admin import ADD_URL, LIST_URL, form_data

pytestmark = pytest.mark.django_db


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


# -- Roles ----------------------------------------------------------------------------------


def test_roles_exist_with_their_permissions():
    translator = set(
        Group.objects.get(name=roles.TRANSLATOR).permissions.values_list("codename", flat=True)
    )
    editor = set(
        Group.objects.get(name=roles.EDITOR).permissions.values_list("codename", flat=True)
    )
    assert {"add_article", "change_article"} <= translator
    assert "publish_article" not in translator and "change_source" not in translator
    assert {"publish_article", "change_source", "change_topic", "change_person"} <= editor


def test_create_staff_user_command(django_user_model):
    out = StringIO()
    call_command("create_staff_user", "vera", "--role", "translator", stdout=out)
    user = django_user_model.objects.get(username="vera")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [roles.TRANSLATOR]
    password = out.getvalue().split("Password: ")[1].split()[0]
    assert user.check_password(password)
    call_command("create_staff_user", "vera", "--role", "editor", stdout=StringIO())
    assert list(user.groups.values_list("name", flat=True)) == [roles.EDITOR]
    assert user.has_perm("articles.publish_article")


# -- Translators -----------------------------------------------------------------------------


def test_translator_creates_a_draft_and_submits_it_for_review(translator_client, translator):
    response = translator_client.post(ADD_URL, form_data(status="draft"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.created_by == translator and article.status == "draft"
    response = translator_client.post(
        LIST_URL, {"action": "submit_for_review", "_selected_action": [article.pk]}, follow=True
    )
    assert "1 article(s) submitted for review." in response.content.decode()
    article.refresh_from_db()
    assert article.status == "review"
    # still theirs to edit while in review
    assert translator_client.get(change_url(article)).status_code == 200


def test_translator_cannot_publish_through_the_form(translator_client):
    response = translator_client.post(ADD_URL, form_data(status="published"))
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_translator_cannot_publish_by_posting_the_status_on_an_edit(translator_client, translator):
    article = ArticleFactory(draft=True, created_by=translator, slug="mine")
    data = form_data(headline=article.headline, slug="mine", status="published")
    response = translator_client.post(change_url(article), data)
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.status == "draft"


def test_translator_cannot_publish_through_an_action(translator_client, translator):
    article = ArticleFactory(draft=True, created_by=translator)
    response = translator_client.post(
        LIST_URL, {"action": "publish", "_selected_action": [article.pk]}, follow=True
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.status == "draft"
    assert 'value="publish"' not in translator_client.get(LIST_URL).content.decode()


def test_translator_cannot_set_the_publication_time(translator_client, translator):
    article = ArticleFactory(draft=True, created_by=translator, slug="mine")
    before = article.published_at
    data = form_data(headline=article.headline, slug="mine", published_at_0="2030-01-01")
    assert translator_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.published_at == before


def test_translator_sees_and_edits_only_their_own_articles(
    translator_client, translator, other_translator
):
    mine = ArticleFactory(headline="My draft", draft=True, created_by=translator)
    theirs = ArticleFactory(headline="Otto's draft", draft=True, created_by=other_translator)
    listing = translator_client.get(LIST_URL).content.decode()
    assert "My draft" in listing and "Otto&#x27;s draft" not in listing and "Otto" not in listing
    assert translator_client.get(change_url(theirs)).status_code in (302, 403, 404)
    data = form_data(headline="Hijacked", slug=theirs.slug)
    translator_client.post(change_url(theirs), data)
    theirs.refresh_from_db()
    assert theirs.headline == "Otto's draft"
    # nor read it on the site, nor share it
    assert translator_client.get(theirs.get_absolute_url()).status_code == 404
    assert translator_client.get(mine.get_absolute_url()).status_code == 200
    create = reverse("admin:articles_article_preview_link_create", args=[theirs.pk])
    assert translator_client.post(create).status_code in (403, 404)
    assert not theirs.preview_links.exists()


def test_view_on_site_tells_only_what_the_user_may_see(
    translator_client, translator, other_translator, editor_client
):
    from django.contrib.contenttypes.models import ContentType

    article_type = ContentType.objects.get_for_model(Article).pk
    theirs = ArticleFactory(draft=True, created_by=other_translator)
    mine = ArticleFactory(draft=True, created_by=translator)
    published = ArticleFactory()

    def view_on_site(client, content_type, pk):
        return client.get(f"/admin/r/{content_type}/{pk}/")

    assert view_on_site(translator_client, article_type, theirs.pk).status_code == 404
    for article in [mine, published]:
        response = view_on_site(translator_client, article_type, article.pk)
        assert response.status_code == 302 and article.slug in response["Location"]
    response = view_on_site(editor_client, article_type, theirs.pk)
    assert response.status_code == 302 and theirs.slug in response["Location"]
    # a model the translator may not view; nonsense ids
    group_type = ContentType.objects.get_for_model(Group).pk
    assert view_on_site(translator_client, group_type, 1).status_code == 404
    assert view_on_site(translator_client, "x", 1).status_code == 404
    assert view_on_site(translator_client, article_type, "1x").status_code == 404


def test_translator_cannot_edit_once_published(translator_client, translator):
    article = ArticleFactory(created_by=translator, slug="done")
    translator_client.post(change_url(article), form_data(headline="Changed", slug="done"))
    article.refresh_from_db()
    assert article.headline != "Changed"


def test_translator_cannot_manage_sources(translator_client):
    response = translator_client.post(
        reverse("admin:articles_source_add"), {"name": "X", "slug": "x", "language": "es"}
    )
    assert response.status_code == 403


# -- Editors ----------------------------------------------------------------------------------


def test_editor_filters_in_review_and_publishes(editor_client, translator):
    waiting = ArticleFactory(headline="Waiting", status="review", created_by=translator)
    ArticleFactory(headline="Still a draft", draft=True)
    listing = editor_client.get(LIST_URL, {"status__exact": "review"}).content.decode()
    assert "Waiting" in listing and "Still a draft" not in listing
    editor_client.post(LIST_URL, {"action": "publish", "_selected_action": [waiting.pk]})
    waiting.refresh_from_db()
    assert waiting.status == "published"
    assert Client().get(waiting.get_absolute_url()).status_code == 200


def test_editor_unpublishes(editor_client):
    article = ArticleFactory()
    editor_client.post(LIST_URL, {"action": "unpublish", "_selected_action": [article.pk]})
    assert Client().get(article.get_absolute_url()).status_code == 404


# -- Scheduled publishing ------------------------------------------------------------------


def test_scheduled_article_appears_everywhere_at_its_time(editor_client, time_comes):
    """The article is scheduled two hours ahead, and appears on its own when the time
    comes (``time_comes``: the clocks move, nobody touches anything)."""
    when = timezone.localtime(timezone.now() + datetime.timedelta(hours=2)).replace(microsecond=0)
    data = form_data(
        headline="Scheduled lithium story",
        slug="scheduled-lithium-story",
        status="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1=when.strftime("%H:%M:%S"),
    )
    assert editor_client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    assert article.published_at == when
    reader = Client()
    surfaces = [
        "/",
        "/search/?q=lithium",
        "/feed/rss/",
        "/feed/atom/",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
    ]

    def visible():
        # At the address the article has now: ``time_comes`` moves its time to just past,
        # which is another day when two hours from now is tomorrow.
        address = Article.objects.get(pk=article.pk).get_absolute_url()
        page = reader.get(address).status_code == 200
        return [page] + [
            "scheduled-lithium-story" in reader.get(url).content.decode() for url in surfaces
        ]

    assert visible() == [False] * 7
    time_comes(article)
    assert visible() == [True] * 7
