"""“More on this story”, chosen in SQL (``articles.readers.related``): which neighbours are
candidates, in what order they are picked, and that the choice is the same whether its
statements are prepared or not."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from archive.compiled import prepared
from articles.models import Article
from articles.readers import related
from articles.readers.article_views import reader_article
from articles.readers.related import MoreOnThisStory, _choose, more_on_this_story
from tests.factories import ArticleFactory, RelatedStoryFactory, TopicFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def days(n):
    return NOW - datetime.timedelta(days=60) + datetime.timedelta(days=n)


def picked(article, way="alone"):
    """The picks' headlines, chosen by a statement of their own or read with the article in
    its statement (``MoreOnThisStory``, built afresh here: ``NEIGHBOURS`` may be changed)."""
    if way == "alone":
        return [row["headline"] for row in _choose(article, related.LIMIT)]
    annotated = Article.objects.annotate(**{MoreOnThisStory.name: MoreOnThisStory()})
    return [teaser.headline for teaser in more_on_this_story(annotated.get(pk=article.pk))]


@pytest.fixture(params=["alone", "with the article"])
def way(request):
    return request.param


@pytest.fixture(params=[True, False], ids=["prepared", "not prepared"])
def prepared_or_not(request, settings):
    settings.DATABASE_PREPARED_STATEMENTS = request.param


def test_most_shared_topics_first_then_newest(prepared_or_not, way):
    a, b, c = (TopicFactory() for _ in range(3))
    article = ArticleFactory(headline="Here", topics=[a, b, c], published_at=days(0))
    ArticleFactory(headline="One, newest", topics=[a], published_at=days(3))
    ArticleFactory(headline="Two", topics=[a, b], published_at=days(-2))
    ArticleFactory(headline="Three", topics=[a, b, c], published_at=days(-9))
    ArticleFactory(headline="One, older", topics=[c], published_at=days(-4))
    ArticleFactory(headline="None", topics=[TopicFactory()], published_at=days(1))
    assert picked(article, way) == ["Three", "Two", "One, newest"]


def test_only_published_neighbours_inside_the_window(prepared_or_not, way):
    topic = TopicFactory()
    article = ArticleFactory(headline="Here", topics=[topic], published_at=days(0))
    ArticleFactory(headline="Draft", topics=[topic], published_at=days(1), draft=True)
    ArticleFactory(
        headline="In review", topics=[topic], published_at=days(1), status=Article.Status.REVIEW
    )
    ArticleFactory(headline="Too early", topics=[topic], published_at=days(-31))
    ArticleFactory(headline="Too late", topics=[topic], published_at=days(31))
    ArticleFactory(headline="Just inside before", topics=[topic], published_at=days(-30))
    ArticleFactory(headline="Just inside after", topics=[topic], published_at=days(30))
    assert picked(article, way) == ["Just inside after", "Just inside before"]


def test_a_scheduled_neighbour_is_not_picked_until_its_time(way):
    topic = TopicFactory()
    article = ArticleFactory(headline="Here", topics=[topic], published_at=NOW)
    ArticleFactory(headline="Scheduled", topics=[topic], scheduled=True)
    ArticleFactory(headline="Yesterday", topics=[topic], published_at=NOW - datetime.timedelta(1))
    assert picked(article, way) == ["Yesterday"]


def test_candidates_are_the_nearest_neighbours_on_each_side(monkeypatch, prepared_or_not, way):
    monkeypatch.setattr(related, "NEIGHBOURS", 2)
    topic = TopicFactory()
    article = ArticleFactory(headline="Here", topics=[topic], published_at=days(0))
    for n in (1, 2):  # the two nearest on each side share nothing
        ArticleFactory(headline=f"After {n}", published_at=days(n))
        ArticleFactory(headline=f"Before {n}", published_at=days(-n))
    ArticleFactory(headline="Third after", topics=[topic], published_at=days(3))
    ArticleFactory(headline="Third before", topics=[topic], published_at=days(-3))
    assert picked(article, way) == []
    monkeypatch.setattr(related, "NEIGHBOURS", 3)
    assert picked(article, way) == ["Third after", "Third before"]


def test_headline_words_fill_what_topics_left(prepared_or_not, way):
    topic = TopicFactory()
    article = ArticleFactory(headline="Drought in Chihuahua", topics=[topic], published_at=days(0))
    ArticleFactory(headline="Shared topic", topics=[topic], published_at=days(-1))
    ArticleFactory(headline="Chihuahua drought worsens", published_at=days(-2))
    ArticleFactory(headline="Chihuahua again", published_at=days(-3))
    ArticleFactory(headline="Elections in Coahuila", published_at=days(-1))
    ArticleFactory(headline="Drought, a draft", published_at=days(-1), draft=True)
    assert picked(article, way) == ["Shared topic", "Chihuahua drought worsens", "Chihuahua again"]


def test_a_topic_pick_is_not_picked_again_by_its_words(way):
    topic = TopicFactory()
    article = ArticleFactory(headline="Lithium in Sonora", topics=[topic], published_at=days(0))
    ArticleFactory(headline="Sonora lithium", topics=[topic], published_at=days(-1))
    assert picked(article, way) == ["Sonora lithium"]


def test_what_the_page_shows_of_each_pick():
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic], published_at=days(0))
    pick = ArticleFactory(topics=[topic], published_at=days(-1), dek="A dek")
    (row,) = _choose(article, related.LIMIT)
    assert row == {
        "pk": pick.pk,
        "headline": pick.headline,
        "slug": pick.slug,
        "dek": "A dek",
        "published_at": pick.published_at,
        "source__name": pick.source.name,
    }
    (teaser,) = more_on_this_story(article)
    assert teaser.get_absolute_url() == pick.get_absolute_url()
    assert (teaser.pk, teaser.dek, teaser.source.name) == (pick.pk, "A dek", pick.source.name)
    # Built as loaded (``page_data.loaded``): what the page does not show is not worked out.
    assert {"body", "original_url", "lead_image_id"} <= teaser.get_deferred_fields()
    assert not teaser._state.adding


def test_the_rule_in_sql_is_published(prepared_or_not):
    shown = ArticleFactory()
    hidden = [
        ArticleFactory(draft=True),
        ArticleFactory(scheduled=True),
        ArticleFactory(status=Article.Status.REVIEW),
    ]
    pks = [shown.pk, *(article.pk for article in hidden)]
    rows = prepared(
        connection,
        f"SELECT x.id FROM {related.ARTICLES} x WHERE {related._published('x')}"
        " AND x.id = ANY(%(pks)s)",
        {"status": Article.Status.PUBLISHED, "pks": pks},
    )
    assert {pk for (pk,) in rows} == {shown.pk}
    assert {pk for (pk,) in rows} == set(Article.objects.published().values_list("pk", flat=True))


def test_the_candidates_are_read_from_the_index_alone():
    """Their ids and times come from ``article_status_published_idx`` (which includes the
    id): 200 candidates would otherwise each read a page of the articles' table. (A plan for
    three rows would scan the table; the other ways are turned off to see the index's.)"""
    a = TopicFactory()
    article = ArticleFactory(headline="Here", topics=[a], published_at=days(0))
    ArticleFactory(topics=[a], published_at=days(1))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "EXPLAIN " + related.ALONE,
            {
                **related._values(),
                "pk": article.pk,
                "when": article.published_at,
                "headline": article.headline,
            },
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert plan.count("Index Only Scan using article_status_published_idx") == 1, plan
    assert plan.count("Index Only Scan Backward using article_status_published_idx") == 1, plan


def test_a_readers_page_reads_the_choice_with_the_article(client):
    """The reader's article statement (``reader_article``) carries the choice: by topics, then
    by the headline's words, in order, each linked, in the one statement of the page."""
    topic = TopicFactory()
    article = ArticleFactory(headline="Drought in Chihuahua", topics=[topic], published_at=days(0))
    ArticleFactory(headline="Shared topic", topics=[topic], published_at=days(-1), dek="Its dek")
    worse = ArticleFactory(headline="Chihuahua drought worsens", published_at=days(-2))
    ArticleFactory(headline="Chihuahua again", published_at=days(-3))
    ArticleFactory(headline="Elections in Coahuila", published_at=days(-1))
    (read,) = reader_article(slug=article.slug)
    assert [row[1] for row in read.more_on_rows] == [
        "Shared topic",
        "Chihuahua drought worsens",
        "Chihuahua again",
    ]
    html = client.get(article.get_absolute_url()).content.decode()
    shown = html.split("More on this story", 1)[1]
    assert shown.index("Shared topic") < shown.index("Its dek") < shown.index("Chihuahua again")
    assert f'<a href="{worse.get_absolute_url()}">Chihuahua drought worsens</a>' in shown
    assert "Coahuila" not in html


def test_an_article_without_topics_is_given_picks_by_its_words(way):
    """Accents folded both ways; words shorter than ``MIN_WORD`` letters are not looked for."""
    article = ArticleFactory(headline="Gas, agua and señal in Zürich", published_at=days(0))
    ArticleFactory(headline="Agua prices", published_at=days(-1))
    ArticleFactory(headline="Zurich water", published_at=days(-2))
    ArticleFactory(headline="Señal lost", published_at=days(1))
    ArticleFactory(headline="Gas prices", published_at=days(1))
    assert sorted(picked(article, way)) == ["Agua prices", "Señal lost", "Zurich water"]


def test_an_article_with_related_stories_of_its_own_is_not_given_a_choice(client):
    """Editors' picks replace the choice, so the article's statement leaves it out; when
    none of the picks can be shown (a draft, and no title typed), the page chooses anyway."""
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic], published_at=days(0))
    ArticleFactory(headline="Automatic pick", topics=[topic], published_at=days(-1))
    RelatedStoryFactory(article=article, target=ArticleFactory(draft=True), title="")
    (read,) = reader_article(slug=article.slug)
    assert read.more_on_rows is None
    html = client.get(article.get_absolute_url()).content.decode()
    assert "More on this story" in html and "Automatic pick" in html
    (other,) = reader_article(slug=ArticleFactory(topics=[topic], published_at=days(1)).slug)
    assert [row[1] for row in other.more_on_rows] == [article.headline, "Automatic pick"]
