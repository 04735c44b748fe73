"""The archive's common words and each article's bits of them (articles.models.words)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles.models import Article, CommonWord, CommonWords
from articles.models import words as common
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def bits_of(article):
    return CommonWords.objects.values_list("bits", "title_bits").get(article=article)


def lexemes(article):
    """The lexemes of the article's search vector, and of its title vector, as stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(search_vector), tsvector_to_array(title_vector)"
            " FROM articles_article WHERE id = %s",
            [article.pk],
        )
        text, title = cursor.fetchone()
    return set(text), set(title)


def expected_bits(article):
    """The bits an article's common words should have, from its stored vectors."""
    text, title = lexemes(article)
    known = dict(CommonWord.objects.values_list("lexeme", "bit"))
    return (
        sum(1 << bit for word, bit in known.items() if word in text),
        sum(1 << bit for word, bit in known.items() if word in title),
    )


@pytest.fixture
def words():
    """A list of common words, as ``add_common_words`` would make it."""
    for bit, lexeme in enumerate(["govern", "presid", "mine", "elect"]):
        CommonWord.objects.create(bit=bit, lexeme=lexeme)


def test_every_article_has_its_common_words_however_it_is_written(words):
    article = ArticleFactory(headline="Mines and elections", body="The government spoke.")
    assert bits_of(article) == expected_bits(article) == (0b1101, 0b1100)
    article.body = "The president spoke."  # edited in the admin, or imported again
    article.save()
    assert bits_of(article) == expected_bits(article) == (0b1110, 0b1100)
    Article.objects.filter(pk=article.pk).update(dek="A government report")
    assert bits_of(article) == (0b1111, 0b1101)
    # the source's name is in the title vector
    Article.objects.filter(pk=article.pk).update(source_name="Government Gazette")
    assert bits_of(article)[1] == 0b1101
    many = Article.objects.bulk_create(  # as the importers do (the folded body given)
        [
            Article(
                headline=f"Report {n}", slug=f"r-{n}", body="Elections.", search_body="Elections."
            )
            for n in range(3)
        ]
    )
    assert {bits_of(a) for a in many} == {(0b1000, 0)}


def test_the_bits_follow_the_articles_publication_time(words):
    article = ArticleFactory(body="Government.")
    later = timezone.now() + datetime.timedelta(days=2)
    Article.objects.filter(pk=article.pk).update(published_at=later)
    assert CommonWords.objects.get(article=article).published_at == later


def test_an_article_deleted_takes_its_bits_along(words):
    article = ArticleFactory(body="Government.")
    article.delete()
    assert not CommonWords.objects.exists()


@pytest.fixture(autouse=True)
def small_archives_count(monkeypatch):
    monkeypatch.setattr(common, "MIN_ARTICLES", 10)


def test_the_archives_frequent_words_are_added_and_every_article_recomputed(monkeypatch):
    source = SourceFactory(name="La Jornada")
    old = [
        ArticleFactory(source=source, body=f"The government and the president, {n}.")
        for n in range(30)
    ]
    assert {bits_of(a) for a in old} == {(0, 0)}  # no common words yet
    ArticleFactory(source=source, body="Lithium.")  # in one article of 31: not common
    monkeypatch.setattr(common, "COMMON_SHARE", 0.5)
    added = common.add_common_words()
    assert {"govern", "presid"} <= set(added) and "lithium" not in added
    assert all(bits_of(a) == expected_bits(a) != (0, 0) for a in old)
    # nothing new: nothing changes; the bits already given stay
    given = dict(CommonWord.objects.values_list("lexeme", "bit"))
    assert common.add_common_words() == []
    ArticleFactory(source=source, body="Lithium, lithium.")
    for n in range(40):
        ArticleFactory(source=source, body=f"Lithium mines, {n}.")
    monkeypatch.setattr(common, "MAX_WORDS", len(given) + 1)  # room for one more
    assert common.add_common_words() == ["lithium"]
    assert dict(CommonWord.objects.exclude(lexeme="lithium").values_list("lexeme", "bit")) == given
    assert all(bits_of(a) == expected_bits(a) for a in Article.objects.all())
    assert common.add_common_words() == []  # full


def test_too_small_an_archive_has_no_common_words_yet(monkeypatch, capsys):
    for n in range(9):
        ArticleFactory(body=f"The government, {n}.")
    call_command("update_common_words")
    assert "fewer than 10 articles" in capsys.readouterr().out
    assert common.add_common_words() == [] and not CommonWord.objects.exists()


def test_the_command_says_what_it_added(monkeypatch, capsys):
    for n in range(10):
        ArticleFactory(body=f"The government, {n}.")
    monkeypatch.setattr(common, "COMMON_SHARE", 0.5)
    call_command("update_common_words")
    out = capsys.readouterr().out
    assert "added" in out and "govern" in out and "common words of at most 63" in out
