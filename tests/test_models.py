import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from articles import roles
from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_published_shows_only_published_articles_whose_time_has_come():
    past = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    ArticleFactory(draft=True, scheduled=True)
    assert list(Article.objects.published()) == [past]


def test_published_includes_an_article_published_this_very_moment():
    now = ArticleFactory(published_at=timezone.now())
    assert now in Article.objects.published()


def test_visible_to_editors_translators_and_readers(django_user_model):
    editor = django_user_model.objects.create_user("e", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=roles.EDITOR))
    translator = django_user_model.objects.create_user("t", password="x", is_staff=True)
    translator.groups.add(Group.objects.get(name=roles.TRANSLATOR))
    reader = django_user_model.objects.create_user("r", password="x")
    mine = ArticleFactory(draft=True, created_by=translator)
    theirs = ArticleFactory(draft=True)
    public = ArticleFactory()
    assert set(Article.objects.visible_to(editor)) == {mine, theirs, public}
    assert set(Article.objects.visible_to(translator)) == {mine, public}
    assert set(Article.objects.visible_to(reader)) == {public}
    assert set(Article.objects.visible_to(AnonymousUser())) == {public}


def test_body_html_is_rendered_and_sanitized_on_save():
    article = ArticleFactory(body="Hello *world*\n\n<script>alert(1)</script>")
    assert "<em>world</em>" in article.body_html
    assert "<script" not in article.body_html
    article.body = "## Changed"
    article.save()
    assert Article.objects.get(pk=article.pk).body_html == "<h2>Changed</h2>"


def test_original_language_defaults_to_the_sources_language():
    source = SourceFactory(language="pt")
    article = ArticleFactory(source=source, original_language="")
    assert article.original_language == "pt"


def test_article_without_source_is_valid():
    article = ArticleFactory(source=None, original_published_on=None)
    article.full_clean()
    assert article.days_after_original is None


def test_days_after_original():
    article = ArticleFactory(
        published_at=timezone.make_aware(datetime.datetime(2025, 11, 7, 12)),
        original_published_on=datetime.date(2025, 11, 4),
    )
    assert article.days_after_original == 3


def test_teaser_falls_back_to_the_opening_of_the_body():
    article = ArticleFactory(dek="", body="Tom &amp; Jerry *met* here.")
    assert article.teaser == "Tom & Jerry met here."


def test_absolute_url_has_date_and_slug():
    article = ArticleFactory(
        slug="a-story", published_at=timezone.make_aware(datetime.datetime(2025, 3, 5, 10))
    )
    assert article.get_absolute_url() == "/2025/03/05/a-story/"
