"""Varnish in front of the app, with the VCL the project ships (archive/varnish/archive.vcl):
pages kept and served from it, purged by surrogate key after a save (only the pages that show
what changed), served stale while the app is down, never kept for signed-in editors, and
purged only by the app servers. varnishd (Debian's varnish and varnish-modules) is started by
the test in front of the test server, through a relay the test can cut."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)
VCL = Path(django_settings.BASE_DIR) / "archive" / "varnish" / "archive.vcl"
TTL_SECONDS = 2  # the shipped hour, shortened so that the test can see a page expire


class Relay:
    """A TCP relay from a port of its own to the test server: ``cut()`` stops it answering
    and closes every connection through it, as an app server that has gone away."""

    def __init__(self, target_port: int, port: int = 0):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", port))
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, destination):
        try:
            while data := source.recv(65536):
                destination.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, destination):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.open = False
        self.listener.close()
        for end in self.sockets:
            try:
                end.shutdown(socket.SHUT_RDWR)
                end.close()
            except OSError:
                pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def varnish(request, live_server, settings):
    """Varnish in front of the test server; with the parameter True, the app answers only
    once Varnish has started (as `make serve-cached` starts them)."""
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    if not os.path.exists(varnishd):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("varnishd is not installed (apt-get install varnish varnish-modules)")
        pytest.skip("varnishd is not installed")
    app_port, app_late = int(live_server.url.rsplit(":", 1)[1]), getattr(request, "param", False)
    relay_port = _free_port()
    relay = None if app_late else Relay(app_port, relay_port)
    vcl = VCL.read_text()
    vcl = vcl.replace('.port = "8001"', f'.port = "{relay_port}"')
    vcl = re.sub(r"beresp\.ttl = 1h", f"beresp.ttl = {TTL_SECONDS}s", vcl)
    # A folder Varnish's own unprivileged user can read (pytest's are its owner's only).
    folder = Path(tempfile.mkdtemp(prefix="archive-varnish-"))
    folder.chmod(0o755)
    (folder / "test.vcl").write_text(vcl)
    port = _free_port()
    started = subprocess.run(
        [
            varnishd,
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(folder / "test.vcl"),
            "-n",
            str(folder / "work"),
            "-s",
            "malloc,32m",
            "-P",
            str(folder / "varnishd.pid"),
        ],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        relay and relay.cut()
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"varnishd did not start: {started.stderr or started.stdout}")
    settings.HTTP_CACHE_PURGE_URLS = [f"http://127.0.0.1:{port}/"]
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        if app_late:
            time.sleep(0.5)  # Varnish's first look at the app found nothing
            relay = Relay(app_port, relay_port)
        yield {"port": port, "relay": relay}
    finally:
        relay and relay.cut()
        os.kill(int((folder / "varnishd.pid").read_text()), signal.SIGTERM)
        time.sleep(0.5)  # a request the app was still answering ends before the tables are emptied
        shutil.rmtree(folder, ignore_errors=True)


def get(varnish, path, source="127.0.0.1", **headers):
    connection = http.client.HTTPConnection(
        "127.0.0.1", varnish["port"], timeout=10, source_address=(source, 0)
    )
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    return response, body


def test_a_page_is_kept_and_a_save_purges_only_the_pages_that_show_it(varnish):
    edited = ArticleFactory(headline="Before the edit")
    other = ArticleFactory(published_at=edited.published_at.replace(year=2000))
    for article in (edited, other):
        first, _ = get(varnish, article.get_absolute_url())
        again, _ = get(varnish, article.get_absolute_url())
        assert (first.getheader("X-HTTP-Cache"), again.getheader("X-HTTP-Cache")) == (
            "miss",
            "hit",
        )
        assert again.getheader("xkey") is None  # the keys are for the caches, not readers
    edited.headline = "After the edit"
    edited.save()  # commits: the app purges its keys in Varnish
    response, body = get(varnish, edited.get_absolute_url())
    assert response.getheader("X-HTTP-Cache") == "miss" and "After the edit" in body
    assert get(varnish, other.get_absolute_url())[0].getheader("X-HTTP-Cache") == "hit"


def test_a_kept_page_is_served_stale_while_the_app_is_down(varnish):
    article = ArticleFactory(headline="Still here")
    get(varnish, article.get_absolute_url())
    never_asked = ArticleFactory()
    time.sleep(TTL_SECONDS + 0.5)  # expired, within its grace
    varnish["relay"].cut()
    response, body = get(varnish, article.get_absolute_url())
    assert response.status == 200 and "Still here" in body
    assert get(varnish, never_asked.get_absolute_url())[0].status == 503


def test_signed_in_editors_are_never_served_from_nor_kept_in_the_cache(varnish, editor):
    draft = ArticleFactory(headline="Not yet for readers", draft=True)
    browser = Client()
    browser.force_login(editor)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    for _ in range(2):
        response, body = get(varnish, draft.get_absolute_url(), Cookie=cookie)
        assert response.status == 200 and "Not yet for readers" in body
        assert response.getheader("X-HTTP-Cache") == "miss"
        assert "private" in response.getheader("Cache-Control")
    assert get(varnish, draft.get_absolute_url())[0].status == 404  # readers: nothing kept


def test_only_the_app_servers_may_purge(varnish):
    def purge(source):
        connection = http.client.HTTPConnection(
            "127.0.0.1", varnish["port"], timeout=5, source_address=(source, 0)
        )
        connection.request("PURGE", "/", headers={"xkey-purge": "site"})
        status = connection.getresponse().status
        connection.close()
        return status

    assert purge("127.0.0.2") == 403  # any other address
    assert purge("127.0.0.1") == 200


@pytest.mark.parametrize("varnish", [True], indirect=True)
def test_an_app_that_starts_after_varnish_is_served_at_once(varnish):
    article = ArticleFactory(headline="Served from the first moment")
    response, body = get(varnish, article.get_absolute_url())
    assert response.status == 200 and "Served from the first moment" in body
