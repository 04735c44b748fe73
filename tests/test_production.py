"""One production start, as the README documents it: collectstatic, then gunicorn with the
repository's configuration, production settings, against the test database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    settings = connection.settings_dict
    host = quote(settings["HOST"] or "", safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{settings['USER'] or 'postgres'}@{host}{port}/{settings['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def production(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "ARCHIVE_ENVIRONMENT", "DJANGO_SETTINGS_MODULE", "EMBEDDED_DATABASE"}
    }
    env.update(
        SECRET_KEY="production-test-" + "k" * 40,
        DATABASE_URL=database_url(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(tmp_path / "static"),
        ARCHIVE_LOCAL_SETTINGS="/nonexistent",
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="1",
        WEB_ACCESS_LOG=str(tmp_path / "access.log"),
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert collected.returncode == 0, collected.stderr
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "archive/gunicorn_config.py", "archive.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base, tmp_path
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_gunicorn_serves_reader_pages_static_files_and_health(production):
    article = ArticleFactory(headline="Served by gunicorn")
    base, tmp_path = production
    status, headers, body = get(base + article.get_absolute_url())
    assert status == 200 and b"Served by gunicorn" in body
    assert headers["Cache-Control"].startswith("public, max-age=")
    assert get(base + article.get_absolute_url(), **{"If-None-Match": headers["ETag"]})[0] == 304

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    status, headers, body = get(f"{base}/static/{hashed}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert "immutable" in headers["Cache-Control"]
    assert "max-age=315360000" in headers["Cache-Control"]
    assert headers.get("Content-Encoding") == "gzip"
    assert b"static/" + hashed.encode() in get(base + "/")[2]  # pages link the hashed name

    status, _, body = get(base + "/healthz")
    assert status == 200 and json.loads(body)["database"] == "ok"
    log = (tmp_path / "access.log").read_text()
    assert f'"GET {article.get_absolute_url()} HTTP/1.1" 200' in log
