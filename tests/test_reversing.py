"""Remembered URL reversing (``archive.reversing``) and credits built once per article: the
same answers as without them, whatever the script prefix or URL configuration."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, path, reverse, set_script_prefix
from django.utils import timezone

import archive.urls
from archive import reversing
from articles.models import Article
from tests.factories import ArticleFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_the_same_addresses_as_djangos_reverse():
    article = ArticleFactory(topics=[TopicFactory(slug="agua")])
    local = timezone.localtime(article.published_at)
    assert reversing.reverse("articles:topic-detail", slug="agua") == "/topics/agua/"
    assert article.get_absolute_url() == reverse(
        "articles:article-detail",
        kwargs={
            "year": local.year,
            "month": f"{local.month:02d}",
            "day": f"{local.day:02d}",
            "slug": article.slug,
        },
    )
    assert article.source.get_absolute_url() == reverse(
        "articles:source-detail", kwargs={"slug": article.source.slug}
    )


@pytest.mark.parametrize(
    "slug", ["agua", "a", "-", "a-b_c-2026", "x" * 120, "original", "s-", "-s", "A_B"]
)
def test_an_address_ending_in_its_slug_is_the_one_djangos_reverse_gives(slug):
    day = {"year": 2026, "month": "03", "day": "07"}
    expected = reverse("articles:article-detail", kwargs={**day, "slug": slug})
    assert reversing.reverse_slug("articles:article-detail", slug, **day) == expected
    assert reversing.reverse_slug("articles:topic-detail", slug) == f"/topics/{slug}/"
    # A route with more after its slug is reversed in full.
    assert reversing.reverse_slug("articles:article-original", slug, **day) == reverse(
        "articles:article-original", kwargs={**day, "slug": slug}
    )


@pytest.mark.parametrize("slug", ["", "agua/otra", "año", "a b", "a?b", "a\nb"])
def test_a_slug_the_route_refuses_is_refused_as_django_refuses_it(slug):
    day = {"year": 2026, "month": "03", "day": "07"}
    with pytest.raises(NoReverseMatch):
        reverse("articles:article-detail", kwargs={**day, "slug": slug})
    with pytest.raises(NoReverseMatch):
        reversing.reverse_slug("articles:article-detail", slug, **day)


def test_a_script_prefix_is_part_of_the_answer():
    assert reversing.reverse("articles:topic-detail", slug="agua") == "/topics/agua/"
    set_script_prefix("/archive/")
    try:
        assert reversing.reverse("articles:topic-detail", slug="agua") == "/archive/topics/agua/"
    finally:
        clear_script_prefix()
    assert reversing.reverse("articles:topic-detail", slug="agua") == "/topics/agua/"


urlpatterns = [path("elsewhere/<slug:slug>/", lambda request: None, name="topic-detail")]


def test_another_url_configuration_is_part_of_the_answer():
    with override_settings(ROOT_URLCONF=__name__):
        assert reversing.reverse("topic-detail", slug="agua") == "/elsewhere/agua/"
    with pytest.raises(NoReverseMatch):  # not a name of the project's own configuration
        reversing.reverse("topic-detail", slug="agua")
    assert reversing.reverse("articles:topic-detail", slug="agua") == "/topics/agua/"
    assert archive.urls  # the project's own configuration is back


def test_credits_are_built_once_but_handed_out_as_new_lists():
    ArticleFactory(topics=[TopicFactory(name="Agua"), TopicFactory(name="Minería")])
    article = Article.objects.with_page_data().get()
    first = article.filed_topics
    first.clear()  # a caller changing its list changes nobody else's
    second = article.filed_topics
    assert sorted(topic.name for topic in second) == ["Agua", "Minería"]
    assert second[0] is article.filed_topics[0]  # the same objects: built once
    article.topic_rows = [{"id": 1, "name": "Otra", "slug": "otra"}]  # rows read again
    assert [topic.name for topic in article.filed_topics] == ["Otra"]
