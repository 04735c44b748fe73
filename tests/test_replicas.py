"""Readers read from the replicas, editors from the primary, and a replica that is down is
left out. Against a real streaming replica when ``TEST_REPLICA_URL`` names one (``.ci/run``
makes it with pg_basebackup -R), else against a second connection to the test server."""

import os
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from django.core.cache import cache
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext, override_settings

from archive import routers
from articles.models import Article
from tests.factories import ArticleFactory
from tests.hung_server import HungServer

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
REPLICA_URL = os.environ.get("TEST_REPLICA_URL", "")


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup):
    """A ``replica_0`` database alias, made before each test's database set-up counts the
    aliases. Marked as a test mirror of the primary so that the tests' clean-up never tries
    to empty a read-only standby."""
    if not REPLICA_URL and os.environ.get("REQUIRE_SERVICES") and os.environ.get("DATABASE_URL"):
        pytest.fail("TEST_REPLICA_URL is not set: .ci/run starts a replica for this run")
    primary = connections.settings["default"]
    settings = {**primary, "TEST": {**primary.get("TEST", {}), "MIRROR": "default"}}
    if REPLICA_URL:
        parts = urlsplit(REPLICA_URL)
        settings.update(HOST=parts.hostname, PORT=str(parts.port or 5432))
    connections.settings["replica_0"] = settings
    yield
    connections["replica_0"].close()
    del connections["replica_0"]
    del connections.settings["replica_0"]


@pytest.fixture
def replica():
    routers.mark_up("replica_0")
    saved = dict(connections.settings["replica_0"])
    yield "replica_0"
    connections["replica_0"].close()
    connections.settings["replica_0"].update(saved)
    routers.mark_up("replica_0")


def connect_directly(alias):
    """A connection of its own to ``alias``'s server, outside Django's."""
    settings = connections.settings[alias]
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


def wait_until_replicated(alias, article, seconds=10.0):
    deadline = time.monotonic() + seconds
    with connect_directly(alias) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT 1 FROM articles_article WHERE id = %s", [article.pk]
            ).fetchone()
            if row:
                return
            time.sleep(0.05)
    raise AssertionError(f"article {article.pk} did not reach {alias} in {seconds} s")


def test_an_anonymous_reader_reads_from_the_replica(client, replica):
    article = ArticleFactory(headline="Replicated story")
    wait_until_replicated(replica, article)
    with (
        CaptureQueriesContext(connections[replica]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "Replicated story" in response.content.decode()
    assert len(on_replica) > 0 and len(on_primary) == 0
    if REPLICA_URL:
        with connections[replica].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is True  # a real standby


def test_a_signed_in_editor_reads_from_the_primary_and_sees_a_save_at_once(editor_client, replica):
    article = ArticleFactory(headline="Before")
    Article.objects.filter(pk=article.pk).update(headline="Saved a moment ago")
    with (
        CaptureQueriesContext(connections[replica]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = editor_client.get(article.get_absolute_url())
    assert "Saved a moment ago" in response.content.decode()
    assert len(on_replica) == 0 and len(on_primary) > 0


def test_a_replica_that_is_down_is_left_out_and_readers_get_the_primary(client, replica):
    article = ArticleFactory(headline="Served anyway")
    wait_until_replicated(replica, article)
    client.get(article.get_absolute_url())  # a connection to the replica is open now
    connections[replica].close()
    connections.settings[replica]["HOST"] = "127.0.0.1"
    connections.settings[replica]["PORT"] = "1"  # nothing listens there: the replica is gone
    for _ in range(3):
        cache.clear()  # a page kept in the cache would not need the database at all
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200 and "Served anyway" in response.content.decode()
    assert replica not in routers.available_replicas()


@pytest.mark.parametrize("order", ["", "&order=newest"])
def test_a_readers_search_runs_wholly_on_the_replica_read_only_within_its_budget(
    client, replica, order
):
    """Search's heaviest statements (its parse and statistics, the ranking, the passages) are
    the replica's: with the primary away, searches are still answered."""
    article = ArticleFactory(
        headline="Glaciers retreat on the volcanoes", body="The glaciers of Iztaccíhuatl are gone."
    )
    wait_until_replicated(replica, article)
    with (
        CaptureQueriesContext(connections[replica]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(f"/search/?q=glaciers{order}")
    page = response.content.decode()
    assert response.status_code == 200 and "Glaciers retreat on the volcanoes" in page
    assert "Iztaccíhuatl" in page  # the passage, cut on the replica too
    assert len(on_primary) == 0
    statements = [query["sql"] for query in on_replica]
    assert "SET TRANSACTION READ ONLY" in statements
    assert any(s.startswith("SET LOCAL statement_timeout") for s in statements)


@override_settings(DATABASE_READER_DEADLINE=0.5)
@pytest.mark.parametrize("kept", ["checked", "trusted"])
def test_a_replica_that_hangs_is_cut_off_and_set_aside_and_readers_get_the_primary(
    client, replica, tmp_path, kept
):
    """A replica whose processes are stopped (SIGSTOP) keeps its connections open and answers
    nothing: the reader's request cuts its wait at the deadline (its kept connection's check,
    or, when the connection served a request a moment ago and is trusted, the page's own
    statement), and reads from the primary with a deadline of its own; the next readers do
    not wait at all."""
    hung = HungServer(tmp_path / "replica")
    try:
        article = ArticleFactory(headline="Served while the replica hangs")
        connections[replica].close()
        connections.settings[replica].update(hung.settings(connections.settings[replica]))
        connections[replica].ensure_connection()  # kept from an earlier request
        connections[replica].health_check_done = False
        if kept == "trusted":
            connections[replica].served_at = time.monotonic()
        slow = {"first": True}

        def first_read_takes_a_while(execute, sql, params, many, context):
            if slow.pop("first", False):  # the primary's first read: 0.3 s, past the deadline
                execute("SELECT pg_sleep(0.3)", None, False, context)
            return execute(sql, params, many, context)

        with hung.stopped(), connections["default"].execute_wrapper(first_read_takes_a_while):
            started = time.monotonic()
            first = client.get(article.get_absolute_url())
            waited = time.monotonic() - started
            cache.clear()
            started = time.monotonic()
            second = client.get(article.get_absolute_url())
            then = time.monotonic() - started
        for response in (first, second):
            assert response.status_code == 200
            assert "Served while the replica hangs" in response.content.decode()
        assert waited < 0.5 + 2 + 1.0, waited
        assert then < 0.5, then
        assert replica not in routers.available_replicas()
    finally:
        connections[replica].close()
        hung.close()


def test_a_kept_connection_that_served_a_moment_ago_is_not_checked_again(
    client, replica, monkeypatch
):
    """Under load a replica's kept connection serves request after request: the check
    (``SELECT 1``, a round trip) runs again only once it has been idle ``TRUSTED_SECONDS``."""
    article = ArticleFactory(headline="Read often")
    wait_until_replicated(replica, article)
    # Kept and checked, as the project sets up a server (archive.database); the embedded
    # database's settings keep nothing.
    connections.settings[replica].update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    connections[replica].close()
    checks = []
    wrapper = connections[replica]
    usable = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda: checks.append(1) or usable())

    def read():
        cache.clear()
        wrapper.health_check_done = False  # as each request's start does outside the test client
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200 and "Read often" in response.content.decode()

    read()  # a new connection: nothing to check
    assert checks == []
    wrapper.served_at -= routers.TRUSTED_SECONDS + 0.1  # idle for longer than trusted
    read()
    assert checks == [1]
    read()
    read()
    assert checks == [1]


def _end_the_connection_from_the_server(alias):
    """What a replica's restart or a conflict with recovery does to a kept connection."""
    with connect_directly(alias) as other:
        pid = connections[alias].connection.info.backend_pid
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("replica_is", ["back", "gone"])
def test_a_trusted_connection_that_broke_off_has_the_request_answered_again(
    client, replica, replica_is
):
    """The replica ended its kept connection while it was trusted: the page's statement fails
    on it, and the request is answered again, not with a 503: from the replica on a new
    connection when it answers (a restart, a conflict with recovery), else from the primary,
    the replica set aside."""
    article = ArticleFactory(headline="Served after the replica broke off")
    wait_until_replicated(replica, article)
    client.get(article.get_absolute_url())
    assert routers._trusted(connections[replica])
    _end_the_connection_from_the_server(replica)
    if replica_is == "gone":
        connections.settings[replica]["HOST"] = "127.0.0.1"
        connections.settings[replica]["PORT"] = "1"  # nothing listens there
    cache.clear()
    with (
        CaptureQueriesContext(connections["default"]) as on_primary,
        CaptureQueriesContext(connections[replica]) as on_replica,
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Served after the replica broke off" in response.content.decode()
    if replica_is == "back":
        assert len(on_primary) == 0 and len(on_replica) > 0
        assert replica in routers.available_replicas()
    else:
        assert len(on_primary) > 0
        assert replica not in routers.available_replicas()


@override_settings(DATABASE_READER_DEADLINE=0.3)
def test_a_statement_cut_at_the_deadline_on_a_working_replica_is_a_503_not_a_fall_back(
    client, replica
):
    """A statement too slow for the request's deadline on a replica that answers (a heavy
    search, say) is cut and answered 503, as before: the replica is not set aside, and the
    primary is not given the same statement."""
    article = ArticleFactory(headline="Too slow for the deadline")
    wait_until_replicated(replica, article)
    client.get(article.get_absolute_url())
    assert routers._trusted(connections[replica])

    tries = []

    def too_slow(execute, sql, params, many, context):
        tries.append(sql)
        return execute("SELECT pg_sleep(2)", None, False, context)

    cache.clear()
    started = time.monotonic()
    with (
        connections[replica].execute_wrapper(too_slow),
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 503 and len(tries) == 1  # not tried again
    assert time.monotonic() - started < 1.5
    assert len(on_primary) == 0
    assert replica in routers.available_replicas()


def test_a_statement_that_fails_on_a_working_replica_is_not_run_again_on_the_primary(
    client, replica
):
    """Only a connection that broke off sends a reader to the primary: a statement past its
    time on a working replica would take as long on the primary, so it is a 503."""
    article = ArticleFactory(headline="Too slow")
    wait_until_replicated(replica, article)

    def too_slow(execute, sql, params, many, context):
        execute("SET statement_timeout = 1", None, False, context)
        try:
            return execute("SELECT pg_sleep(0.2)", None, False, context)
        finally:
            execute("SET statement_timeout = 0", None, False, context)

    cache.clear()
    with (
        connections[replica].execute_wrapper(too_slow),
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert len(on_primary) == 0
    assert replica in routers.available_replicas()


@override_settings(DATABASE_READER_DEADLINE=0.3)
def test_the_primarys_own_failure_after_a_cut_replica_is_logged_as_itself(client, replica, caplog):
    """A replica cut at the deadline and then unreachable sends the reader to the primary;
    if the primary fails too, the log names the primary's failure, not the replica's
    deadline (the deadline was the first attempt's)."""
    article = ArticleFactory(headline="Nobody answers")
    wait_until_replicated(replica, article)
    client.get(article.get_absolute_url())
    connections.settings[replica]["HOST"] = "127.0.0.1"
    connections.settings[replica]["PORT"] = "1"  # the kept connection hangs, no new one

    def hangs(execute, sql, params, many, context):
        return execute("SELECT pg_sleep(2)", None, False, context)

    def away(execute, sql, params, many, context):
        raise OperationalError("the primary is away too")

    cache.clear()
    with (
        connections[replica].execute_wrapper(hangs),
        connections["default"].execute_wrapper(away),
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert replica not in routers.available_replicas()
    last = caplog.text.strip().splitlines()[-1]
    assert "the primary is away too" in last and "deadline" not in last
