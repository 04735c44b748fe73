"""Querysets compiled once (``archive.compiled``): the same objects as the queryset gives,
its SQL built once, and statements prepared on the server only while the setting is on."""

import psycopg
import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler

from archive.compiled import Compiled, numbered, prepared
from articles.models import Article, Correction
from articles.readers.article_views import article_pages, reader_article
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    RelatedStoryFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

SHOWN = [
    "pk",
    "headline",
    "slug",
    "published_at",
    "source",
    "body_html",
    "author_rows",
    "translator_rows",
    "topic_rows",
    "correction_rows",
    "related_rows",
    "thread_name",
    "thread_count",
    "thread_previous",
]


def as_shown(article):
    return {name: getattr(article, name) for name in SHOWN}


def test_the_same_article_as_the_queryset_gives(django_assert_num_queries):
    target = ArticleFactory(headline="Linked")
    article = ArticleFactory(
        authors=[PersonFactory(name="Ana"), PersonFactory(name="Bea")],
        translators=[PersonFactory(name="Tom")],
        topics=[TopicFactory(), TopicFactory()],
    )
    Correction.objects.create(article=article, text="The date was wrong.")
    RelatedStoryFactory(article=article, target=target, title="")
    expected = next(iter(article_pages(Article.objects.published()).filter(slug=article.slug)))
    (found,) = reader_article(slug=article.slug)
    with django_assert_num_queries(0):  # select_related's source came with it
        assert as_shown(found) == as_shown(expected)
        assert found.source.name == article.source.name
    names = [person.name for person in found.credited_authors]
    assert names == [person.name for person in expected.credited_authors]
    assert sorted(names) == ["Ana", "Bea"]
    assert found.published_at.tzinfo is not None
    assert found._state.db == "default" and not found._state.adding
    assert "body" in found.get_deferred_fields()  # for_reading()'s columns stay deferred


def test_a_draft_or_a_missing_slug_finds_nothing():
    draft = ArticleFactory(draft=True)
    assert reader_article(slug=draft.slug) == []
    assert reader_article(slug="no-such-article") == []


def test_the_sql_is_built_once(monkeypatch):
    first, second = ArticleFactory(), ArticleFactory()
    compiled = Compiled(lambda slug: Article.objects.filter(slug=slug), slug="\x00slug")
    assert [a.pk for a in compiled(slug=first.slug)] == [first.pk]
    built = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1) or original(self, *a, **k)
    )
    assert [a.pk for a in compiled(slug=second.slug)] == [second.pk]
    assert built == []


def test_a_stand_in_the_query_does_not_hold_is_refused():
    compiled = Compiled(lambda slug: Article.objects.filter(headline="x"), slug="\x00slug")
    with pytest.raises(ValueError, match="'slug' is not among"):
        compiled(slug="a")
    with pytest.raises(TypeError, match="expected values for"):
        Compiled(lambda slug: Article.objects.filter(slug=slug), slug="\x00s")(pk=1)


def statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_prepared_on_the_server_when_on_and_counted_as_a_query(settings, django_assert_num_queries):
    settings.DATABASE_PREPARED_STATEMENTS = True
    with django_assert_num_queries(1):
        assert prepared(connection, "SELECT %s::int + 1 AS marker_one", [1]) == [(2,)]
    assert any("marker_one" in statement for statement in statements())
    assert prepared(connection, "SELECT %s::int + 1 AS marker_one", [41]) == [(42,)]


def test_not_prepared_when_off(settings, django_assert_num_queries):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with django_assert_num_queries(1):
        assert prepared(connection, "SELECT %s::int + 2 AS marker_two", [1]) == [(3,)]
    assert not any("marker_two" in statement for statement in statements())


def test_django_own_queries_are_still_not_prepared(settings):
    settings.DATABASE_PREPARED_STATEMENTS = True
    prepared(connection, "SELECT 1 AS marker_three", [])
    for _ in range(10):  # psycopg's default would prepare a query run five times
        list(Article.objects.filter(headline="marker_four"))
    assert not any("marker_four" in statement for statement in statements())


def test_placeholders_are_numbered_once():
    assert numbered("SELECT %s, '%%', %s") == "SELECT $1, '%', $2"
    assert numbered("SELECT 1") == "SELECT 1"
    assert numbered("SELECT %(pk)s") is None  # named: psycopg's own parsing
    assert numbered("SELECT %b") is None


@pytest.mark.parametrize("on", [True, False])
def test_a_numbered_statement_is_sent_as_it_is(settings, monkeypatch, on):
    """psycopg does not parse the article page's statement on each run (it remembers its
    parse only for statements shorter than 4,096 characters)."""
    settings.DATABASE_PREPARED_STATEMENTS = on
    article = ArticleFactory()
    reader_article(slug="built-before-psycopg-is-watched")
    if on:
        assert len(reader_article._plans["default"].sql) > 4096

        def parsed(*args, **kwargs):
            raise AssertionError("psycopg parsed the statement")

        monkeypatch.setattr(psycopg._queries.PostgresQuery, "convert", parsed)
    sql = "SELECT %s::text || '%%' || %s::text AS marker_five"
    assert prepared(connection, sql, ["5", "6"]) == [("5%6",)]
    assert [found.pk for found in reader_article(slug=article.slug)] == [article.pk]
