"""Story threads: a developing story's page (a dated timeline, either way round), its feeds,
the box on each of its articles, and what readers never see (drafts, scheduled articles)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Thread
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    thread = Thread.objects.create(
        name="Peru breaks relations with Mexico",
        slug="peru-mexico",
        description="Lima's break with Mexico City over asylum, day by day.",
    )
    start = timezone.now() - datetime.timedelta(days=30)
    articles = [
        ArticleFactory(
            headline=headline, thread=thread, published_at=start + datetime.timedelta(days=i)
        )
        for i, headline in enumerate(["Asylum granted", "Peru protests", "Relations broken"])
    ]
    return thread, articles


def headlines(html, *names):
    return sorted(names, key=html.index)


def test_the_story_page_is_a_timeline_newest_first_or_from_the_beginning(client, story):
    thread, _ = story
    page = client.get(thread.get_absolute_url())
    html = page.content.decode()
    assert headlines(html, "Asylum granted", "Peru protests", "Relations broken") == [
        "Relations broken",
        "Peru protests",
        "Asylum granted",
    ]
    assert "3 articles" in html and "Lima&#x27;s break with Mexico City" in html
    oldest = client.get(thread.get_absolute_url(), {"order": "oldest"}).content.decode()
    assert headlines(oldest, "Asylum granted", "Peru protests", "Relations broken") == [
        "Asylum granted",
        "Peru protests",
        "Relations broken",
    ]
    assert f'href="{thread.get_absolute_url()}">newest first</a>' in oldest


def test_each_article_of_the_story_says_so_with_the_one_before_and_after(client, story):
    thread, (first, middle, last) = story
    html = client.get(middle.get_absolute_url()).content.decode()
    assert (
        f'Part of the story: <a href="{thread.get_absolute_url()}">'
        "Peru breaks relations with Mexico</a> (3 articles)" in html
    )
    assert f'<a href="{first.get_absolute_url()}">Asylum granted</a>' in html
    assert f'<a href="{last.get_absolute_url()}">Relations broken</a>' in html
    opening = client.get(first.get_absolute_url()).content.decode()
    assert "Before:" not in opening and "After:" in opening
    assert (
        "Part of the story" not in client.get(ArticleFactory().get_absolute_url()).content.decode()
    )


def test_articles_published_at_the_same_moment_are_neighbours_in_the_story(client):
    thread = Thread.objects.create(name="A batch", slug="a-batch")
    moment = timezone.now() - datetime.timedelta(days=1)
    first, second, third = (
        ArticleFactory(headline=f"Part {n}", thread=thread, published_at=moment) for n in (1, 2, 3)
    )

    def story_box(article):
        html = client.get(article.get_absolute_url()).content.decode()
        return html.split('<nav class="thread-box"', 1)[1].split("</nav>", 1)[0]

    box = story_box(second)
    assert f'<a href="{first.get_absolute_url()}">Part 1</a>' in box
    assert f'<a href="{third.get_absolute_url()}">Part 3</a>' in box
    box = story_box(first)
    assert "Before:" not in box and f'<a href="{second.get_absolute_url()}">Part 2</a>' in box


def test_readers_never_see_a_storys_drafts_or_scheduled_articles(client, story):
    thread, (first, middle, last) = story
    ArticleFactory(headline="Secret draft", thread=thread, draft=True)
    ArticleFactory(
        headline="Scheduled piece",
        thread=thread,
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    between = ArticleFactory(
        headline="Draft in between",
        thread=thread,
        status=Article.Status.REVIEW,
        published_at=middle.published_at + datetime.timedelta(hours=1),
    )
    pages = [
        client.get(thread.get_absolute_url()),
        client.get(reverse("articles:thread-list")),
        client.get(reverse("articles:thread-feed-atom", kwargs={"slug": thread.slug})),
        client.get(reverse("articles:thread-feed-rss", kwargs={"slug": thread.slug})),
        client.get(middle.get_absolute_url()),
        client.get("/sitemap-stories.xml"),
    ]
    for page in pages:
        text = page.content.decode()
        assert page.status_code == 200
        for hidden in ["Secret draft", "Scheduled piece", "Draft in between"]:
            assert hidden not in text
        assert between.slug not in text
    assert "(3 articles)" in pages[4].content.decode()
    assert "3 articles" in pages[1].content.decode()


def test_a_story_with_only_drafts_is_not_shown_to_readers(client):
    thread = Thread.objects.create(name="Not yet", slug="not-yet")
    ArticleFactory(thread=thread, draft=True)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert client.get(f"/stories/{thread.slug}/feed/atom/").status_code == 404
    assert "Not yet" not in client.get("/stories/").content.decode()
    assert "not-yet" not in client.get("/sitemap-stories.xml").content.decode()


def test_stories_are_listed_the_most_recently_continued_first(client, story):
    older = Thread.objects.create(name="An older story", slug="older")
    ArticleFactory(thread=older, published_at=timezone.now() - datetime.timedelta(days=300))
    html = client.get("/stories/").content.decode()
    assert headlines(html, "An older story", "Peru breaks relations with Mexico") == [
        "Peru breaks relations with Mexico",
        "An older story",
    ]


def test_the_storys_feed_follows_it(client, story):
    thread, _ = story
    atom = client.get(f"/stories/{thread.slug}/feed/atom/").content.decode()
    assert "Peru breaks relations with Mexico" in atom
    assert atom.index("Relations broken") < atom.index("Asylum granted")
    html = client.get(thread.get_absolute_url()).content.decode()
    assert f'href="/stories/{thread.slug}/feed/atom/"' in html


def test_an_editor_puts_an_article_in_a_story_and_a_translator_may_pick_one(
    editor_client, translator_client, story
):
    thread, _ = story
    assert editor_client.get(reverse("admin:articles_thread_add")).status_code == 200
    assert translator_client.get(reverse("admin:articles_thread_add")).status_code == 403
    article = ArticleFactory()
    change = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert 'name="thread"' in change.content.decode()
    found = translator_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Peru",
            "app_label": "articles",
            "model_name": "article",
            "field_name": "thread",
        },
    )
    assert found.status_code == 200 and found.json()["results"][0]["text"] == thread.name


def test_a_story_is_never_suggested_from_its_drafts(editor_client):
    from tests.factories import TopicFactory

    peru = TopicFactory(name="Peru")
    secret = Thread.objects.create(name="Secret story", slug="secret-story")
    ArticleFactory(headline="Asylum talks resume", topics=[peru], thread=secret, draft=True)
    candidate = ArticleFactory(headline="Mexico recalls its asylum envoy", topics=[peru])
    url = reverse("admin:articles_article_change", args=[candidate.pk])
    assert (
        f'name="_add_to_thread" value="{secret.pk}"' not in editor_client.get(url).content.decode()
    )


def test_the_admin_suggests_a_story_sharing_a_topic_and_a_headline_word(editor_client, story):
    from tests.factories import TopicFactory

    thread, (first, _, _) = story
    peru, cuba = TopicFactory(name="Peru"), TopicFactory(name="Cuba")
    first.topics.add(peru)
    candidate = ArticleFactory(headline="Mexico recalls its asylum envoy", topics=[peru])
    other_topic = ArticleFactory(headline="Asylum in Havana", topics=[cuba])
    other_words = ArticleFactory(headline="Fishing season opens", topics=[peru])

    def change_form(article):
        url = reverse("admin:articles_article_change", args=[article.pk])
        return url, editor_client.get(url).content.decode()

    url, html = change_form(candidate)
    assert "Suggested stories" in html
    assert f'name="_add_to_thread" value="{thread.pk}"' in html
    for unrelated in (other_topic, other_words):
        assert 'name="_add_to_thread"' not in change_form(unrelated)[1]
    form = editor_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "topics": [peru.pk],
            "_add_to_thread": str(thread.pk),
            "related_stories-TOTAL_FORMS": "0",
            "related_stories-INITIAL_FORMS": "0",
            "original_updates-TOTAL_FORMS": "0",
            "original_updates-INITIAL_FORMS": "0",
            "corrections-TOTAL_FORMS": "0",
            "corrections-INITIAL_FORMS": "0",
        }
    )
    data["published_at_0"], data["published_at_1"] = (
        timezone.localtime(candidate.published_at).strftime("%Y-%m-%d"),
        timezone.localtime(candidate.published_at).strftime("%H:%M:%S"),
    )
    data.pop("published_at", None)
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    candidate.refresh_from_db()
    assert candidate.thread == thread
    assert "Suggested stories" in change_form(candidate)[1]
    assert 'name="_add_to_thread"' not in change_form(candidate)[1]


def test_the_stories_list_comes_fifty_a_page(client):
    start = timezone.now() - datetime.timedelta(days=100)
    for n in range(51):
        thread = Thread.objects.create(name=f"Story {n:02d}", slug=f"story-{n:02d}")
        ArticleFactory(thread=thread, published_at=start + datetime.timedelta(days=n))
    first = client.get("/stories/").content.decode()
    assert "Story 50" in first and "Story 01" in first and "Story 00" not in first
    assert 'href="?page=2"' in first
    second = client.get("/stories/?page=2").content.decode()
    assert "Story 00" in second and "Story 01" not in second
    assert client.get("/stories/?page=3").status_code == 404
