"""Serving readers: HTTP caching headers and 304s, the shared page cache and its
invalidation (against a real Redis), the database being away, and /healthz."""

import os
import socket
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.readers import caching
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def shared_cache(settings):
    """The real shared cache: Redis, as production runs it (CI starts redis-server)."""
    if not _redis_reachable():
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"Redis is not running at {REDIS_URL}")
        pytest.skip(f"Redis is not running at {REDIS_URL}")
    prefix = f"archive-tests-{os.getpid()}"
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "archive.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.PAGE_CACHE_SECONDS = 300
    clear_prefixed(prefix)
    yield cache
    clear_prefixed(prefix)


def redis_commands(monkeypatch) -> list:
    """The names of the commands this process sends Redis from now on, in order."""
    import redis

    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(
        redis.Redis,
        "execute_command",
        lambda self, *a, **k: sent.append(a[0]) or execute(self, *a, **k),
    )
    return sent


def clear_prefixed(prefix):
    """Delete this run's keys only: never FLUSHDB a Redis database others may use."""
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(match=f"{prefix}:*", count=1000):
        server.delete(key)


def redis_keys(prefix_start="archive-tests"):
    import redis

    return [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(f"{prefix_start}*")]


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


# -- Headers and conditional requests ------------------------------------------------------------


def test_reader_pages_are_public_with_a_strong_etag(client, settings):
    settings.HTTP_CACHE_MAX_AGE = 45
    settings.HTTP_CACHE_STALE_WHILE_REVALIDATE = 600
    article = ArticleFactory()
    for url in ["/", article.get_absolute_url(), "/feed/atom/", "/sitemap.xml", "/archive/"]:
        response = client.get(url)
        assert response["Cache-Control"] == "public, max-age=45, stale-while-revalidate=600"
        assert "Cookie" in response["Vary"]
        assert response["ETag"].startswith('"') and not response["ETag"].startswith("W/")


def test_a_matching_if_none_match_gets_304_with_nothing_else(client):
    article = ArticleFactory()
    first = client.get(article.get_absolute_url())
    second = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304 and second.content == b""
    assert second["ETag"] == first["ETag"]
    other = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_the_etag_changes_with_what_the_page_shows(client):
    article = ArticleFactory(dek="First dek.")
    before = client.get(article.get_absolute_url())["ETag"]
    article.dek = "Second dek."
    article.save()
    assert client.get(article.get_absolute_url())["ETag"] != before


def test_a_signed_in_editor_gets_private_pages_that_are_never_stored(editor_client, client):
    draft = ArticleFactory(draft=True)
    response = editor_client.get(draft.get_absolute_url())
    assert response.status_code == 200 and "Draft: readers cannot see this" in (
        response.content.decode()
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]
    home = editor_client.get("/")
    assert home["Cache-Control"] == "private, no-store"
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_share_previews_and_the_admin_are_never_public(editor_client):
    draft = ArticleFactory(draft=True)
    link = PreviewLink.objects.create(article=draft)
    preview = Client().get(link.get_absolute_url())
    assert preview["Cache-Control"] == "private, no-store"
    admin = editor_client.get(reverse("admin:articles_article_changelist"))
    assert "private" in admin["Cache-Control"] and "public" not in admin["Cache-Control"]


# -- The shared page cache ---------------------------------------------------------------------


def test_a_cached_page_costs_no_query_and_a_304_no_rendering(client, shared_cache):
    article = ArticleFactory()
    first, first_queries = queries(client, article.get_absolute_url())
    assert first["X-Cache"] == "miss" and first_queries > 0
    again, again_queries = queries(client, article.get_absolute_url())
    assert again["X-Cache"] == "hit" and again_queries == 0
    assert again.content == first.content
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    not_modified, n = queries(client, article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304 and n == 0


def test_each_host_gets_its_own_cached_page(client, shared_cache, settings):
    settings.ALLOWED_HOSTS = ["archive.example.org", "www.archive.example.org"]
    article = ArticleFactory()
    for host in ["archive.example.org", "www.archive.example.org", "archive.example.org"]:
        page = client.get(article.get_absolute_url(), HTTP_HOST=host).content.decode()
        assert f'<link rel="canonical" href="http://{host}/' in page


def _sets_a_cookie(request):
    response = HttpResponse("<p>Hello</p>")
    response.set_cookie("visited", "yes")
    return response


def _answers_posts(request):
    return HttpResponse(f"<p>{request.method} answered</p>")


def _private_by_itself(request):
    response = HttpResponse("<p>Only for you</p>")
    response["Cache-Control"] = "private, max-age=0"
    return response


urlpatterns = [
    path("cookie/", _sets_a_cookie),
    path("echo/", _answers_posts),
    path("own-header/", _private_by_itself),
]


@pytest.mark.urls("tests.test_serving")
def test_a_post_is_never_a_readers_cacheable_request(client, shared_cache):
    posted = client.post("/echo/")
    assert posted.status_code == 200 and posted["Cache-Control"] == "private, no-store"
    got = client.get("/echo/")
    assert got.content == b"<p>GET answered</p>" and got["X-Cache"] == "miss"


@pytest.mark.urls("tests.test_serving")
def test_a_views_own_cache_control_is_kept_and_its_page_never_stored(client, shared_cache):
    for _ in range(2):
        response = client.get("/own-header/")
        assert response["Cache-Control"] == "private, max-age=0"
        assert "X-Cache" not in response


def test_share_previews_are_personal_never_looked_up_in_the_page_cache(
    client, shared_cache, editor
):
    article = ArticleFactory(draft=True)
    link = PreviewLink.objects.create(article=article, created_by=editor)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Cookie" in response["Vary"]  # answered as a personal page, not a reader's


def test_pages_and_articles_are_kept_for_their_own_times(client, shared_cache, settings):
    import redis

    settings.PAGE_CACHE_SECONDS, settings.ARTICLE_CACHE_SECONDS = 120, 3000
    article = ArticleFactory()
    client.get(article.get_absolute_url())
    server = redis.Redis.from_url(REDIS_URL)
    ttls = {key: server.ttl(key) for key in redis_keys(shared_cache.key_prefix) if ":kept:" in key}
    pages = [ttl for key, ttl in ttls.items() if ":kept:page:" in key]
    articles = [ttl for key, ttl in ttls.items() if ":kept:article:" in key]
    assert pages and all(100 < ttl <= 120 for ttl in pages), ttls
    assert articles and all(2900 < ttl <= 3000 for ttl in articles), ttls


def test_with_kept_articles_off_an_article_is_neither_kept_nor_looked_for(
    client, shared_cache, settings, monkeypatch
):
    from articles.readers import article_views

    settings.PAGE_CACHE_SECONDS, settings.ARTICLE_CACHE_SECONDS = 120, 0
    article = ArticleFactory()
    looked = []
    fetch = article_views.caching.fetch_tagged
    monkeypatch.setattr(
        article_views.caching, "fetch_tagged", lambda *p: looked.append(p) or fetch(*p)
    )
    assert client.get(article.get_absolute_url()).status_code == 200
    keys = redis_keys(shared_cache.key_prefix)
    assert any(":kept:page:" in key for key in keys), keys
    assert not any(":kept:article:" in key for key in keys), keys
    assert not [parts for parts in looked if parts[0] == "article"]


def test_saving_a_scheduled_article_is_seen_when_its_time_comes(client, monkeypatch):
    """A save may schedule an article: what was known of the next scheduled time is
    forgotten, so that the version moves when the time comes."""
    from articles.readers import caching

    ArticleFactory()
    before = caching.version()  # nothing scheduled: remembered as such
    ArticleFactory(headline="Scheduled", scheduled=True)  # two days ahead
    settled = caching.version()
    later = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(caching, "time", SimpleNamespace(time=lambda: later))
    assert caching.version() != settled != before


def test_while_redis_is_away_entries_live_briefly_in_each_process(settings):
    from archive import cache as resilient

    backend = resilient.ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    backend.set("key", "value", 3600)  # Redis is away: kept in the process
    assert backend.get("key") == "value"
    expiry = backend._fallback._expire_info[backend._fallback.make_and_validate_key("key")]
    assert expiry - time.time() <= resilient.FALLBACK_SECONDS + 1


@pytest.mark.urls("tests.test_serving")
def test_an_answer_that_sets_a_cookie_is_neither_public_nor_kept(client, shared_cache):
    for _ in range(2):
        response = client.get("/cookie/")
        assert response.cookies["visited"].value == "yes"
        assert "public" not in response.get("Cache-Control", "")
        assert "X-Cache" not in response


def test_publishing_shows_on_every_page_at_once(
    client, shared_cache, django_capture_on_commit_callbacks
):
    source = SourceFactory(name="La Jornada", slug="la-jornada")
    ArticleFactory(source=source, headline="First story")
    assert "First story" in client.get("/").content.decode()
    assert "1 article" in client.get("/sources/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        draft = ArticleFactory(source=source, headline="Second story", draft=True)
    assert "Second story" not in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        draft.publish()
        draft.save()
    home = client.get("/")
    assert home["X-Cache"] == "miss" and "Second story" in home.content.decode()
    assert "2 articles" in client.get("/sources/").content.decode()  # counts too
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Article.Status.DRAFT
        draft.save()
    assert "Second story" not in client.get("/").content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_scheduled_article_appears_at_its_time_with_nobody_touching_anything(
    client, shared_cache, time_comes
):
    ArticleFactory(headline="Already out")
    when = timezone.now() + timezone.timedelta(hours=2)
    scheduled = ArticleFactory(headline="Scheduled lithium", published_at=when)
    assert "Scheduled lithium" not in client.get("/").content.decode()
    assert client.get("/")["X-Cache"] == "hit"
    time_comes(scheduled)
    home = client.get("/")
    assert home["X-Cache"] == "miss" and "Scheduled lithium" in home.content.decode()


def test_without_a_shared_cache_no_page_is_stored(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    ArticleFactory()
    assert client.get("/")["X-Cache"] == "off"
    assert client.get("/")["X-Cache"] == "off"


def test_pages_are_served_when_redis_is_away(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "archive.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.PAGE_CACHE_SECONDS = 300
    article = ArticleFactory(headline="Still here")
    for url in ["/", article.get_absolute_url(), "/sources/", "/topics/", "/archive/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Still here" in client.get("/").content.decode()
    report = client.get("/healthz").json()
    assert report["status"] == "degraded" and report["cache"] == "unavailable"
    # Meanwhile each process keeps what it computes for a little while: no recount, no
    # re-render for every request while Redis is away.
    client.get("/sources/?page=1")
    again, n = queries(client, "/sources/?page=1")
    assert again["X-Cache"] == "hit" and n == 0


# -- The database away, and /healthz ---------------------------------------------------------------


def test_readers_get_a_503_with_retry_after_when_the_database_is_away(client, monkeypatch, caplog):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    ArticleFactory()
    monkeypatch.setattr(QuerySet, "_fetch_all", unreachable)
    with caplog.at_level("WARNING"):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in response.content.decode()
    lines = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert len(lines) == 1 and "database unavailable for GET /" in lines[0].getMessage()
    assert lines[0].exc_info is None  # a line, not a traceback


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_check_reports_a_database_that_refuses(client, monkeypatch):
    from django.db import connections

    monkeypatch.setitem(connections.settings["default"], "PORT", "1")
    monkeypatch.setitem(connections.settings["default"], "HOST", "127.0.0.1")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"].startswith("unavailable: ")


def test_health_check_reports_a_database_that_hangs_within_a_second(client, monkeypatch):
    """A server that accepts the connection and then says nothing."""
    from django.db import connections

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    monkeypatch.setitem(connections.settings["default"], "HOST", "127.0.0.1")
    monkeypatch.setitem(connections.settings["default"], "PORT", str(listener.getsockname()[1]))
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    listener.close()
    assert response.status_code == 503
    assert response.json()["database"].startswith("timeout")
    assert elapsed < 1.8


# -- The article page's kept part ------------------------------------------------------------------


def test_a_warm_article_page_costs_no_query_even_without_the_page_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(headline="Kept article")
    first, first_queries = queries(client, article.get_absolute_url())
    again, again_queries = queries(client, article.get_absolute_url())
    assert first_queries > 0 and again_queries == 0
    assert again.content == first.content and "Kept article" in again.content.decode()
    wrong_date = article.get_absolute_url().replace(
        timezone.localtime(article.published_at).strftime("/%Y/"), "/2001/"
    )
    moved, n = queries(client, wrong_date)
    assert moved.status_code == 301 and moved["Location"] == article.get_absolute_url() and n == 0


def test_an_edit_or_an_unpublish_shows_on_the_kept_article_at_once(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(dek="The first dek.")
    client.get(article.get_absolute_url())
    article.dek = "The corrected dek."
    article.save()
    assert "The corrected dek." in client.get(article.get_absolute_url()).content.decode()
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(article.get_absolute_url()).status_code == 404


def test_the_version_moves_again_when_the_change_commits(django_capture_on_commit_callbacks):
    """A page rendered between a save and its commit saw the old data: the commit moves the
    version past the one it was kept under."""
    from articles.readers import caching

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ArticleFactory()
        during = caching.version()
    for callback in callbacks:
        callback()
    assert caching.version() > during


def test_editors_never_get_a_kept_article(editor_client, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    client.get(article.get_absolute_url())  # kept for readers
    Article.objects.filter(pk=article.pk).update(dek="Changed behind the cache's back")
    assert (
        "Changed behind the cache" in editor_client.get(article.get_absolute_url()).content.decode()
    )


def test_database_connections_have_timeouts(monkeypatch):
    from archive.database import _server, replica_settings

    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "5s")
    monkeypatch.setenv("DATABASE_CONNECT_TIMEOUT", "2")
    settings = _server("postgres://u@db.example.org:5432/archive")
    assert settings["OPTIONS"]["connect_timeout"] == 2
    assert settings["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=5s"
    assert settings["CONN_MAX_AGE"] == 60 and settings["CONN_HEALTH_CHECKS"] is True
    monkeypatch.setenv("DATABASE_REPLICA_URLS", "postgres://u@r1/archive, postgres://u@r2/archive")
    replicas = replica_settings()
    assert sorted(replicas) == ["replica_0", "replica_1"]
    assert replicas["replica_1"]["HOST"] == "r2"
    assert replicas["replica_0"]["TEST"] == {"MIRROR": "default"}


def test_the_database_does_not_compile_queries(db):
    """JIT compilation costs 10–15 ms on a search PostgreSQL prices high and runs in 5."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_web_entry_point_sets_a_statement_timeout():
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('DATABASE_STATEMENT_TIMEOUT', None); "
        "import archive.wsgi; print(os.environ['DATABASE_STATEMENT_TIMEOUT'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_STATEMENT_TIMEOUT"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "5s", done.stderr


def test_a_kept_article_shows_related_stories_and_original_updates_as_they_change(client, settings):
    """Each is part of the article's page: adding or removing one moves the version."""
    import datetime

    from articles.models import OriginalUpdate, RelatedStory

    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory()
    url = article.get_absolute_url()
    client.get(url)  # kept

    def shown():
        return client.get(url).content.decode()

    story = RelatedStory.objects.create(article=article, title="The strike, day two")
    assert "The strike, day two" in shown()
    update = OriginalUpdate.objects.create(
        article=article, changed_on=datetime.date(2025, 3, 2), note="figures corrected"
    )
    assert "figures corrected" in shown()
    story.delete()
    assert "The strike, day two" not in shown()
    update.delete()
    assert "figures corrected" not in shown()


def test_another_users_redis_keys_survive_the_tests(shared_cache):
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    server.set("someone-else:key", "kept", ex=60)
    clear_prefixed(shared_cache.key_prefix)
    assert server.get("someone-else:key") == b"kept"
    server.delete("someone-else:key")


def test_only_pages_with_a_bounded_query_string_are_kept(client, shared_cache):
    ArticleFactory.create_batch(3)

    def kept_pages():
        return [
            k
            for k in redis_keys(shared_cache.key_prefix)
            if ":page:" in k and not k.endswith(":versions")  # an entry's versions: its own
        ]

    assert client.get("/")["X-Cache"] == "miss"
    assert client.get("/?page=1")["X-Cache"] == "miss"
    assert client.get("/?page=1")["X-Cache"] == "hit"
    assert len(kept_pages()) == 2
    for made_up in [
        "/?utm_source=x",
        "/?page=1&nonce=123",
        "/?page=1&page=1",
        "/?page=" + "1" * 13,
        "/?page=" + "0" * 12 + "1",  # page 1, under another address each time
        "/?page=01",
        "/?order=a",  # no page has this order: one entry per made-up value otherwise
        "/?order=b",
        "/sources/?p=x1",
        "/sources/?page=a",
    ]:
        response = client.get(made_up)
        assert response.status_code in (200, 404), made_up
        assert response.get("X-Cache") != "hit" and len(kept_pages()) == 2, made_up
    response = client.get("/search/?q=headline")
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    assert len(kept_pages()) == 2  # searches are not kept: a reader may type anything
    client.get("/?order=oldest")
    assert client.get("/?order=oldest")["X-Cache"] == "hit"  # a value pages have is kept


def test_a_wrong_date_is_redirected_before_anything_is_rendered(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    article = ArticleFactory(slug="real-story")
    caching.version()  # the content state is known (as it is after the first request)
    response, n = queries(client, "/1999/09/09/real-story/")
    assert response.status_code == 301 and n == 1  # the article, read; nothing rendered
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("page_cache_seconds", [0, 300])
def test_a_wrong_date_never_becomes_the_kept_pages_address(
    client, shared_cache, settings, page_cache_seconds
):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    article = ArticleFactory(slug="real-story")
    wrong = "/1999/09/09/real-story/"
    response = client.get(wrong)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    page = client.get(article.get_absolute_url()).content.decode()
    canonical = f"http://testserver{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert f'<meta property="og:url" content="{canonical}">' in page
    assert "1999/09/09" not in page


def test_a_first_view_of_an_article_costs_four_round_trips_to_redis(
    client, shared_cache, monkeypatch, django_capture_on_commit_callbacks
):
    """The page cache's look-up (which brings the identity the page shows), the kept
    article's, and keeping each: one round trip each, whatever the article shows. The
    identity so found is the current one: an editor's rename shows on the next page."""
    from articles.models import SiteIdentity

    first, second = ArticleFactory.create_batch(2)
    client.get(first.get_absolute_url())  # the identity kept, scripts loaded
    sent = redis_commands(monkeypatch)
    response = client.get(second.get_absolute_url())
    assert response["X-Cache"] == "miss" and response.status_code == 200
    assert sent == ["EVALSHA"] * 4, sent
    sent.clear()
    assert client.get(second.get_absolute_url())["X-Cache"] == "hit"
    assert sent == ["EVALSHA"], sent
    with django_capture_on_commit_callbacks(execute=True):
        SiteIdentity.objects.create(name="Renamed Archive")
    html = client.get(first.get_absolute_url()).content.decode()
    assert "Renamed Archive" in html
