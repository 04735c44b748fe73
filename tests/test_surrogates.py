"""Pages name what they show (surrogate keys), and a save purges only the pages that show
what it changed, in the shared page cache (Redis, real) and in the HTTP caches in front; a
purge that cannot be done at once is owed in the database until it is done."""

import datetime
import time

import pytest
import redis
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Correction, PendingPurge, Thread
from articles.readers import caching, surrogates
from tests.factories import (
    ArticleFactory,
    PersonFactory,
    RelatedStoryFactory,
    SourceFactory,
    TopicFactory,
)
from tests.test_serving import REDIS_URL, redis_commands, shared_cache  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def keys_of(response) -> set[str]:
    return set(response["Surrogate-Key"].split())


def test_an_article_page_names_everything_it_shows(client, shared_cache):  # noqa: F811
    story = Thread.objects.create(name="The strike", slug="strike")
    topic, author, translator = TopicFactory(), PersonFactory(), PersonFactory()
    linked = ArticleFactory()
    article = ArticleFactory(
        thread=story, topics=[topic], authors=[author], translators=[translator]
    )
    RelatedStoryFactory(article=article, target=linked)
    response = client.get(article.get_absolute_url())
    expected = {
        f"a{article.pk}",
        f"a{linked.pk}",
        f"s{article.source_id}",
        f"st{story.pk}",
        f"t{topic.pk}",
        f"p{author.pk}",
        f"p{translator.pk}",
        "site",
    }
    assert keys_of(response) == expected
    assert response["xkey"] == response["Surrogate-Key"]
    assert set(response["Cache-Tag"].split(",")) == expected
    again = client.get(article.get_absolute_url())
    assert again["X-Cache"] == "hit" and keys_of(again) == expected  # kept with its keys
    assert keys_of(client.get("/")) == {"lists", "site"}
    assert keys_of(client.get("/feed/atom/")) == {"lists", "site"}


def test_editors_pages_name_nothing(editor_client):
    response = editor_client.get(ArticleFactory().get_absolute_url())
    assert "Surrogate-Key" not in response and "xkey" not in response


def test_a_save_changes_only_the_pages_that_show_it(
    client,
    shared_cache,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    edited, linking = ArticleFactory(), ArticleFactory()
    long_ago = timezone.now() - datetime.timedelta(days=400)  # not "More on this story"
    other = ArticleFactory(published_at=long_ago)
    RelatedStoryFactory(article=linking, target=edited, title="")  # shows its headline
    pages = {
        "edited": edited.get_absolute_url(),
        "linking": linking.get_absolute_url(),
        "other": other.get_absolute_url(),
        "front": "/",
        "source": other.source.get_absolute_url(),
    }
    for url in pages.values():
        client.get(url)
    assert all(client.get(url)["X-Cache"] == "hit" for url in pages.values())
    with django_capture_on_commit_callbacks(execute=True):
        edited.headline = "A corrected headline"
        edited.save()
    after = {name: client.get(url) for name, url in pages.items()}
    assert {name: r["X-Cache"] for name, r in after.items()} == {
        "edited": "miss",
        "linking": "miss",  # it shows the edited article's headline
        "other": "hit",
        "front": "miss",
        "source": "miss",  # every list
    }
    assert "A corrected headline" in after["edited"].content.decode()
    assert "A corrected headline" in after["linking"].content.decode()


def test_an_article_leaving_a_story_leaves_its_old_story_box_too(
    client,
    shared_cache,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    old, new = (Thread.objects.create(name=n, slug=n) for n in ("old-story", "new-story"))
    long_ago = timezone.now() - datetime.timedelta(days=100)  # not "More on this story"
    staying = ArticleFactory(thread=old, published_at=long_ago)
    moving = ArticleFactory(thread=old)
    assert "(2 articles)" in client.get(staying.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        moving.thread = new
        moving.save()
    page = client.get(staying.get_absolute_url())
    assert page["X-Cache"] == "miss" and "(1 article)" in page.content.decode()


def test_a_subjects_rename_reaches_the_article_pages_that_name_it(
    client,
    shared_cache,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    source = SourceFactory(name="La Jornada")
    article, elsewhere = ArticleFactory(source=source), ArticleFactory()
    client.get(article.get_absolute_url()), client.get(elsewhere.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        source.name = "La Jornada de Oriente"
        source.save()
    assert "La Jornada de Oriente" in client.get(article.get_absolute_url()).content.decode()
    assert client.get(elsewhere.get_absolute_url())["X-Cache"] == "hit"


def test_an_article_given_a_topic_leaves_the_lists_and_its_page(
    client,
    shared_cache,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    article, topic = ArticleFactory(), TopicFactory(name="Water rights")
    client.get(article.get_absolute_url()), client.get(topic.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        article.topics.add(topic)
    assert "Water rights" in client.get(article.get_absolute_url()).content.decode()
    assert article.headline in client.get(topic.get_absolute_url()).content.decode()


@pytest.mark.parametrize("change", ["correction", "related story"])
def test_a_correction_or_related_story_changes_only_its_articles_page(
    client,
    shared_cache,  # noqa: F811
    django_capture_on_commit_callbacks,
    change,
):
    article = ArticleFactory()
    other = ArticleFactory(published_at=article.published_at.replace(year=2000))
    for page in (article, other):
        client.get(page.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        if change == "correction":
            Correction.objects.create(article=article, text="The date was wrong.")
        else:
            RelatedStoryFactory(article=article, title="A story told elsewhere")
    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert client.get(other.get_absolute_url())["X-Cache"] == "hit"


def test_a_page_rendered_while_a_purge_happened_is_not_kept(shared_cache):  # noqa: F811
    purges, kept = caching.fetch_tagged("page", "x")
    assert kept is None
    caching.purge_keys(["a1"])  # a save, while the page was being rendered from what was
    caching.keep_tagged(purges, "what was", 300, ["a1", "site"], "page", "x")
    assert caching.fetch_tagged("page", "x")[1] is None
    purges, _ = caching.fetch_tagged("page", "x")
    caching.keep_tagged(purges, "what is", 300, ["a1", "site"], "page", "x")
    assert caching.fetch_tagged("page", "x")[1] == "what is"
    caching.purge_keys(["a2"])  # another article's key: this entry stays
    assert caching.fetch_tagged("page", "x")[1] == "what is"
    caching.purge_keys(["a1"])
    assert caching.fetch_tagged("page", "x")[1] is None


def test_an_entry_whose_key_version_was_evicted_is_not_served(shared_cache):  # noqa: F811
    purges, _ = caching.fetch_tagged("page", "y")
    caching.keep_tagged(purges, "kept", 300, ["a7", "site"], "page", "y")
    assert caching.fetch_tagged("page", "y")[1] == "kept"
    redis.Redis.from_url(REDIS_URL).delete(cache.make_key("sk:a7"))  # as allkeys-lru may
    assert caching.fetch_tagged("page", "y")[1] is None
    caching.purge_keys(["a7"])  # starts again from the clock, above anything kept
    assert caching.fetch_tagged("page", "y")[1] is None


def test_a_key_purged_after_its_eviction_never_comes_back_to_a_kept_version(
    shared_cache,  # noqa: F811
):
    caching.purge_keys(["a8"])  # its first version: Redis's clock
    purges, _ = caching.fetch_tagged("page", "z")
    caching.keep_tagged(purges, "kept", 300, ["a8"], "page", "z")
    redis.Redis.from_url(REDIS_URL).delete(cache.make_key("sk:a8"))
    time.sleep(0.002)
    caching.purge_keys(["a8"])
    assert caching.fetch_tagged("page", "z")[1] is None


def test_keeping_and_finding_an_entry_cost_one_round_trip_each(shared_cache, monkeypatch):  # noqa: F811
    """The versions of keys never purged (an article read for the first time) are started in
    Redis in the same round trip that keeps the entry: not one ``add`` per key; and an entry
    is found with its versions compared in Redis."""
    purges, _ = caching.fetch_tagged("page", "w")
    sent = redis_commands(monkeypatch)
    keys = ["a901", "a902", "t903", "s904", "site"]
    caching.keep_tagged(purges, "kept", 300, keys, "page", "w")
    assert sent == ["EVALSHA"], sent
    server = redis.Redis.from_url(REDIS_URL)
    started = [int(server.get(cache.make_key(f"sk:{key}"))) for key in keys]
    assert all(abs(value - time.time() * 1000) < 60_000 for value in started), started
    sent.clear()
    assert caching.fetch_tagged("page", "w")[1] == "kept"
    assert sent == ["EVALSHA"], sent
    caching.purge_keys(["t903"])
    assert caching.fetch_tagged("page", "w")[1] is None
    caching.keep_tagged(purges, "kept again", 300, keys, "page", "w")  # a purge since
    assert caching.fetch_tagged("page", "w")[1] is None


def test_a_kept_entry_is_served_only_with_every_version_it_was_kept_at(shared_cache):  # noqa: F811
    """The entry and its versions are separate Redis keys: either gone (evicted), or a
    version changed, and the entry is not served; its own keys' versions only."""
    server = redis.Redis.from_url(REDIS_URL)
    purges, _ = caching.fetch_tagged("page", "u")
    caching.keep_tagged(purges, {"html": "x"}, 300, ["a911", "site"], "page", "u")
    caching.keep_tagged(purges, 17, 300, ["a912", "site"], "page", "t")
    assert caching.fetch_tagged("page", "u")[1] == {"html": "x"}
    assert caching.fetch_tagged("page", "t")[1] == 17  # kept as Redis keeps numbers
    caching.purge_keys(["a912"])
    assert caching.fetch_tagged("page", "u")[1] == {"html": "x"}
    assert caching.fetch_tagged("page", "t")[1] is None
    server.delete(cache.make_key("kept:page:u:versions"))
    assert caching.fetch_tagged("page", "u")[1] is None
    purges, _ = caching.fetch_tagged("page", "u")
    caching.keep_tagged(purges, {"html": "y"}, 300, ["a911", "site"], "page", "u")
    server.delete(cache.make_key("kept:page:u"))
    assert caching.fetch_tagged("page", "u")[1] is None
    assert server.ttl(cache.make_key("kept:page:u:versions")) <= 300


def test_keeping_while_redis_is_away_keeps_in_the_process(shared_cache, monkeypatch):  # noqa: F811
    purges, _ = caching.fetch_tagged("page", "v")
    _redis_unreachable(monkeypatch)
    caching.keep_tagged(purges, "kept here", 300, ["a905", "site"], "page", "v")
    assert not cache.available
    assert caching.fetch_tagged("page", "v")[1] == "kept here"


def test_an_entry_kept_while_redis_is_away_stays_in_the_process_and_leaves_redis_alone(
    shared_cache,  # noqa: F811
    monkeypatch,
):
    server = redis.Redis.from_url(REDIS_URL)
    _redis_unreachable(monkeypatch)
    purges, _ = caching.fetch_tagged("page", "s")
    caching.keep_tagged(purges, "here", 300, ["a906"], "page", "s")
    assert not cache.available  # the next calls do not wait on Redis
    assert caching.fetch_tagged("page", "s")[1] == "here"
    assert server.get(cache.make_key("kept:page:s")) is None
    assert server.get(cache.make_key("sk:a906")) is None


def _redis_unreachable(monkeypatch):
    """This process's connection to Redis refused from now on (a blip), Redis itself fine."""
    unreachable = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.25)
    monkeypatch.setattr(cache._cache, "get_client", lambda *a, **k: unreachable)


def test_a_purge_that_fails_is_owed_and_done_once_redis_is_back(
    client,
    shared_cache,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    article = ArticleFactory(headline="Before the blip")
    client.get(article.get_absolute_url())
    PendingPurge.objects.all().delete()
    with monkeypatch.context() as blip:
        _redis_unreachable(blip)
        with django_capture_on_commit_callbacks(execute=True):
            article.headline = "Saved during the blip"
            article.save()
    cache._down_until = 0.0  # the process tries Redis again
    stale = client.get(article.get_absolute_url())
    assert "Before the blip" in stale.content.decode()  # the purge did not reach Redis
    assert PendingPurge.objects.filter(keys__contains=[f"a{article.pk}"]).exists()
    version = caching.version()
    assert surrogates.run_pending(delay=datetime.timedelta(0)) >= 1
    assert caching.version() > version  # the counts and other parts are brought up to date
    assert "Saved during the blip" in client.get(article.get_absolute_url()).content.decode()
    assert not PendingPurge.objects.exists()


def test_an_owed_purge_stays_owed_while_an_http_cache_cannot_be_reached(
    shared_cache,  # noqa: F811
    settings,
):
    settings.HTTP_CACHE_PURGE_URLS = ["http://127.0.0.1:1/"]
    PendingPurge.objects.create(keys=["a1", "lists"])
    with pytest.raises(OSError):
        surrogates.run_pending(delay=datetime.timedelta(0))
    assert PendingPurge.objects.count() == 1
    settings.HTTP_CACHE_PURGE_URLS = []
    assert surrogates.run_pending(delay=datetime.timedelta(0)) == 1
    assert not PendingPurge.objects.exists()


def test_an_owed_purge_waits_for_the_replicas_moment(shared_cache):  # noqa: F811
    PendingPurge.objects.create(keys=["a1"])
    assert surrogates.run_pending() == 0  # less than a second old
    PendingPurge.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=2))
    assert surrogates.run_pending() == 1


@pytest.mark.django_db(transaction=True)
def test_each_web_process_does_the_owed_purges_in_the_background(settings):
    settings.PURGE_INTERVAL = 0.05
    PendingPurge.objects.create(keys=["a1"])
    PendingPurge.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=2))
    purger = surrogates.Purger()
    purger.ensure_running()
    try:
        for _ in range(100):
            if not PendingPurge.objects.exists():
                break
            time.sleep(0.05)
        assert not PendingPurge.objects.exists()
    finally:
        purger.stop()


def test_a_scheduled_articles_time_purges_its_story_and_the_lists(shared_cache):  # noqa: F811
    when = timezone.now() - datetime.timedelta(seconds=5)
    story = Thread.objects.create(name="s", slug="s")
    article = ArticleFactory(thread=story, published_at=when)
    PendingPurge.objects.all().delete()
    surrogates.scheduled_time_came(when.timestamp())
    assert set(PendingPurge.objects.get().keys) == {f"a{article.pk}", f"st{story.pk}", "lists"}


def test_an_article_in_no_story_purges_its_page_and_the_lists():
    article = Article(pk=5, thread_id=None)
    assert surrogates.keys_for(article) == {"a5", "lists"}


def test_a_purge_does_not_wait_on_a_redis_known_to_be_away(shared_cache):  # noqa: F811
    cache._down_until = time.monotonic() + 5  # as after a failed call
    with pytest.raises(redis.ConnectionError):
        caching.purge_keys(["a1"])  # owed at once, though this Redis would have answered
    cache._down_until = 0.0
    caching.purge_keys(["a1"])
