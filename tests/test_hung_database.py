"""A database that stops answering never stalls a request past its deadline (``archive.
deadline``), and ``/healthz`` answers within a second whatever the databases do. Each test
stops a PostgreSQL server of its own with SIGSTOP (``tests.hung_server``), in the suite."""

import time

import pytest
from django.db import connections
from django.test.utils import override_settings

from archive import database, deadline
from tests.factories import ArticleFactory
from tests.hung_server import HungServer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def hung(tmp_path_factory):
    server = HungServer(tmp_path_factory.mktemp("hung-postgres"))
    yield server
    server.close()


@pytest.fixture
def primary_on(hung):
    """The request's primary database is the server of the test's own: a connection to it,
    made and kept before it is stopped, stands in for Django's for the test's duration."""
    connections.settings["hung_primary"] = hung.settings(connections.settings["default"])
    wrapper = connections.create_connection("hung_primary")
    del connections.settings["hung_primary"]
    wrapper.alias = "default"  # it stands in for the primary
    saved = connections["default"]
    connections["default"] = wrapper
    yield wrapper
    connections["default"] = saved
    try:
        wrapper.close()
    except Exception:  # cut at the deadline: already closed
        pass


def test_a_server_database_gives_up_connecting_quickly_and_keeps_its_connections_alive():
    options = database._server("postgres://archive@db.example.org:5432/archive")["OPTIONS"]
    assert options["connect_timeout"] == 2
    assert options["keepalives"] == 1 and options["tcp_user_timeout"] == 10000


@override_settings(DATABASE_READER_DEADLINE=0.5)
def test_a_readers_request_whose_database_hangs_is_answered_503_at_its_deadline(
    client, hung, primary_on, caplog
):
    primary_on.ensure_connection()  # kept from an earlier request
    with hung.stopped():
        started = time.monotonic()
        response = client.get("/")
        waited = time.monotonic() - started
    assert response.status_code == 503 and response["Retry-After"]
    assert response["Cache-Control"] == "no-store"
    assert 0.4 <= waited < 1.5, waited
    assert "no answer by the request's deadline" in caplog.text


@override_settings(DATABASE_READER_DEADLINE=0.5)
def test_a_new_connection_to_a_hung_database_gives_up_at_the_connect_timeout(
    client, hung, primary_on
):
    with hung.stopped():
        started = time.monotonic()
        response = client.get("/")
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert waited < 2 + 1.0, waited


def test_a_connection_that_is_not_waiting_is_never_cut(hung, primary_on):
    primary_on.ensure_connection()
    assert deadline.cut_if_waiting(primary_on) is False
    with primary_on.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_readers_get_the_short_deadline_and_everyone_else_the_long_one(
    client, editor_client, monkeypatch
):
    given = []
    watch = deadline.watchdog.watch
    monkeypatch.setattr(deadline.watchdog, "watch", lambda r, s: given.append(s) or watch(r, s))
    article = ArticleFactory()
    with override_settings(DATABASE_READER_DEADLINE=1.5, DATABASE_REQUEST_DEADLINE=20):
        client.get(article.get_absolute_url())
        editor_client.get(article.get_absolute_url())
        client.post("/search/")
    assert given == [1.5, 20, 20]


def test_health_answers_within_a_second_when_the_primary_hangs(client, hung, monkeypatch):
    monkeypatch.setitem(
        connections.settings, "default", hung.settings(connections.settings["default"])
    )
    with hung.stopped():
        started = time.monotonic()
        response = client.get("/healthz")
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["database"].startswith("timeout")
    assert waited < 1.5, waited


def test_health_says_degraded_within_a_second_when_a_replica_hangs(client, hung, monkeypatch):
    monkeypatch.setitem(
        connections.settings, "replica_9", hung.settings(connections.settings["default"])
    )
    with hung.stopped():
        started = time.monotonic()
        response = client.get("/healthz")
        waited = time.monotonic() - started
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["replicas"]["replica_9"].startswith("timeout")
    assert waited < 1.5, waited
