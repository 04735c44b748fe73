import pytest

from articles.models import RelatedStory
from tests.factories import ArticleFactory, RelatedStoryFactory

pytestmark = pytest.mark.django_db


def test_item_links_when_the_article_arrives_later():
    item = RelatedStoryFactory(title="The Return of Large Scale Mining in Mexico")
    assert item.target is None
    arriving = ArticleFactory(headline="The Return of Large Scale Mining in Mexico")
    item.refresh_from_db()
    assert item.target == arriving


def test_item_links_when_the_article_is_already_there():
    existing = ArticleFactory(headline="A Century of Mexico’s Organ Grinders")
    item = RelatedStoryFactory(title="A Century of Mexico’s Organ Grinders")
    assert item.target == existing


@pytest.mark.parametrize(
    "title, headline",
    [
        ("  People’s Mañanera December 1 ", "People's Mañanera December 1"),
        ("PEOPLE'S MAÑANERA DECEMBER 1", "People’s Mañanera December 1"),
        ("“Quoted” words", '"quoted" Words'),
    ],
)
def test_matching_ignores_case_whitespace_and_quote_style(title, headline):
    item = RelatedStoryFactory(title=title)
    arriving = ArticleFactory(headline=headline)
    item.refresh_from_db()
    assert item.target == arriving


def test_a_different_headline_does_not_link():
    item = RelatedStoryFactory(title="Mining in Mexico")
    ArticleFactory(headline="Mining in Mexico, part two")
    item.refresh_from_db()
    assert item.target is None


def test_an_article_never_links_to_itself():
    article = ArticleFactory(headline="Self reference")
    item = RelatedStoryFactory(article=article, title="Self reference")
    assert item.target is None
    article.save()
    item.refresh_from_db()
    assert item.target is None


def test_resolved_items_keep_their_target():
    first = ArticleFactory(headline="Same title")
    item = RelatedStoryFactory(title="Same title")
    ArticleFactory(headline="Same title", slug="same-title-2")
    item.refresh_from_db()
    assert item.target == first
    assert RelatedStory.objects.unresolved().count() == 0
