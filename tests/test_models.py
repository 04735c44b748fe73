import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from articles import roles
from articles.models import Article, Correction
from articles.models.page_data import loaded
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    RelatedStoryFactory,
    SourceFactory,
    TopicFactory,
)

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


def test_for_reading_leaves_out_the_markdown_and_the_search_vectors():
    ArticleFactory()
    article = Article.objects.for_reading().get()
    assert {"body", "search_vector", "title_vector"} <= article.get_deferred_fields()
    assert article.body_html


def test_with_page_data_matches_the_relations_and_hides_unpublished_targets():
    ana, bea = PersonFactory(name="Ana"), PersonFactory(name="Bea")
    mining = TopicFactory(name="Mining")
    article = ArticleFactory(authors=[bea, ana], translators=[ana], topics=[mining])
    public, draft = ArticleFactory(), ArticleFactory(draft=True)
    RelatedStoryFactory(article=article, target=public, title="", position=0)
    RelatedStoryFactory(article=article, target=draft, title="Draft one", position=1)
    Correction.objects.create(article=article, text="Fixed.")

    loaded = Article.objects.with_page_data().get(pk=article.pk)
    assert [p.name for p in loaded.credited_authors] == ["Ana", "Bea"]
    assert [p.get_absolute_url() for p in loaded.credited_translators] == [ana.get_absolute_url()]
    assert [t.name for t in loaded.filed_topics] == ["Mining"]
    assert [c.text for c in loaded.correction_list] == ["Fixed."]
    stories = loaded.related_list
    assert [s.target_is_public for s in stories] == [True, False]
    assert stories[0].target.get_absolute_url() == public.get_absolute_url()

    plain = Article.objects.get(pk=article.pk)  # without it, the relations give the same
    assert [p.name for p in plain.credited_authors] == ["Ana", "Bea"]
    assert [s.target_is_public for s in plain.related_list] == [True, False]


def test_loaded_holds_only_what_it_is_given():
    article = ArticleFactory(dek="A dek")
    brief = loaded(Article, id=article.pk, headline="Shown", slug=article.slug)
    assert (brief.pk, brief.headline, brief.slug) == (article.pk, "Shown", article.slug)
    assert "dek" in brief.get_deferred_fields() and not brief._state.adding
    with pytest.raises(TypeError, match=r"not columns of Article: \['colour'\]"):
        loaded(Article, id=1, colour="red")
