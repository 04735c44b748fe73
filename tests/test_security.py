"""Hostile input and hostile visitors: XSS through every path that reaches HTML, security
headers, production settings, login throttling, drafts never reachable, health check."""

import os
import re
import secrets
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from articles.importing.files import import_file
from articles.models import Article
from tests.factories import ArticleFactory, RelatedStoryFactory
from tests.test_sanitize import XSS_VECTORS, assert_inert

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def main_of(html):
    """The page's own content: <main> without the site's search form (its controls are
    checked with the rest of the page)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'<form class="search-form".*?</form>', "", main, flags=re.S)


def page_is_inert(client, url):
    """The page answers (an error page would be inert too, and prove nothing) and nothing in
    it can run."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert_inert(html, page_chrome=True)
    assert_inert(main_of(html))
    # no script but the page's own JSON-LD block
    assert html.lower().count("<script") == html.count('<script type="application/ld+json">')


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_dek_and_related_summary(client, vector):
    article = ArticleFactory(dek=vector[:500], body="Safe body.")
    RelatedStoryFactory(article=article, title="Story", summary=vector)
    page_is_inert(client, article.get_absolute_url())
    page_is_inert(client, "/")  # the dek is the card's teaser


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_file_import(client, tmp_path, vector):
    path = tmp_path / "hostile.txt"
    path.write_text(
        f"Headline {vector}\n\nThis article originally appeared in the May 1, 2025 edition "
        f"of La Jornada, {vector}.\n\n{vector}\n\nA closing paragraph.\n\n"
        f"  • {vector}\n\n    {vector}\n",
        encoding="utf-8",
    )
    import_file(path)
    page_is_inert(client, Article.objects.get().get_absolute_url())


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_paste_import(editor_client, vector):
    text = f"Pasted {vector}\n\n{vector}\n\nMore text.\n\n  • Related\n\n    {vector}\n"
    response = editor_client.post(reverse("admin:articles_article_paste"), {"text": text})
    assert response.status_code == 302
    article = Article.objects.get()
    page_is_inert(editor_client, article.get_absolute_url())


@pytest.mark.parametrize("vector", XSS_VECTORS[:20])
def test_search_results_and_feeds(client, vector):
    ArticleFactory(headline=f"Lithium {vector}"[:300], dek=vector[:500], body=f"lithium {vector}")
    page_is_inert(client, "/search/?q=lithium")
    page_is_inert(client, "/search/?q=" + vector[:200])
    for url in ("/feed/atom/", "/feed/rss/"):
        # What a feed reader renders as HTML: the text of descriptions and summaries, and the
        # full content, once the XML is parsed.
        root = ET.fromstring(client.get(url).content)
        for element in root.iter():
            name = element.tag.rsplit("}", 1)[-1]
            if name in ("description", "summary"):
                assert "<" not in (element.text or ""), (url, element.text)
            elif name in ("content", "encoded"):
                assert_inert(element.text or "")


# -- Headers -------------------------------------------------------------------------------


def directives(policy):
    return dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part
    )


READER_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'none'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
ADMIN_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def test_reader_pages_send_security_headers(client):
    article = ArticleFactory()
    for url in ["/", article.get_absolute_url(), "/search/?q=x", "/nope/"]:
        response = client.get(url)
        policy = directives(response["Content-Security-Policy"])
        assert {name: policy.get(name) for name in READER_DIRECTIVES} == READER_DIRECTIVES
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]


def test_admin_headers_agree_and_allow_no_inline_script(editor_client):
    response = editor_client.get("/admin/")
    policy = directives(response["Content-Security-Policy"])
    assert {name: policy.get(name) for name in ADMIN_DIRECTIVES} == ADMIN_DIRECTIVES
    assert "'unsafe-inline'" not in policy["script-src"]
    # X-Frame-Options and the CSP say the same: no framing at all.
    assert response["X-Frame-Options"] == "DENY"
    assert "microphone=()" in response["Permissions-Policy"]


PRODUCTION_NAMES = {
    "DEBUG",
    "SECRET_KEY",
    "ARCHIVE_ENVIRONMENT",
    "DATABASE_URL",
    "EMBEDDED_DATABASE",
    "ARCHIVE_LOCAL_SETTINGS",
    "DJANGO_SETTINGS_MODULE",
}


def _run(argv, **env):
    """A fresh process with production's environment: no DEBUG, no key, no local file."""
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_NAMES}
    base.update(ARCHIVE_LOCAL_SETTINGS="/nonexistent/local.env")
    base.update(env)
    return subprocess.run(
        argv,
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _manage(*args, **env):
    env.setdefault("DATABASE_URL", "postgres://nobody@localhost:1/none")
    return _run([sys.executable, "manage.py", *args], **env)


def _setting(*names, **env):
    """The values of settings, as production computes them."""
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'archive.settings'; "
        "import pytest; django.setup(); from django.conf import settings; "
        f"print(*[repr(getattr(settings, n, None)) for n in {list(names)!r}])"
    )
    env.setdefault("DATABASE_URL", "postgres://nobody@localhost:1/none")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    result = _run([sys.executable, "-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="archive.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    result = _run(
        [sys.executable, "manage.py", "check"],
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr
    assert not (ROOT / "var" / "pgdata-should-not-exist").exists()


def test_the_readme_commands_work_with_the_local_settings_file(tmp_path):
    """`make run` writes var/local.env; manage.py then works with no variable set."""
    local = tmp_path / "local.env"
    made = subprocess.run(
        ["make", "-s", f"LOCAL_ENV={local}", str(local)], cwd=ROOT, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    lines = local.read_text().splitlines()
    assert lines[0] == "DEBUG=1" and lines[1].startswith("SECRET_KEY=") and len(lines[1]) > 50
    result = _run(
        [sys.executable, "manage.py", "check"],
        ARCHIVE_LOCAL_SETTINGS=str(local),
        DATABASE_URL="postgres://nobody@localhost:1/none",
    )
    assert result.returncode == 0, result.stderr


def test_production_is_production_even_when_pytest_is_imported():
    assert _setting("PRODUCTION", "TESTING", "SECURE_SSL_REDIRECT") == ["True", "False", "True"]


def test_hsts_for_subdomains_and_preload_are_opt_in():
    assert _setting("SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD") == ["False", "False"]
    assert _setting(
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
    ) == ["True", "True"]


def test_the_test_suite_runs_in_its_explicit_environment(settings):
    assert settings.ENVIRONMENT == "test" and settings.TESTING and not settings.PRODUCTION


# -- Login throttling ---------------------------------------------------------------------


def test_repeated_failed_logins_lock_out(django_user_model, settings):
    django_user_model.objects.create_superuser("boss", "b@example.org", "right-password-1")
    client = Client()
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "boss", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post(login, {"username": "boss", "password": "wrong"}).status_code == 429
    locked = client.post(login, {"username": "boss", "password": "right-password-1"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "paused for 15 minutes." in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_behind_proxies_failures_count_per_client_not_per_proxy(django_user_model, settings):
    """Two proxies (a CDN, then a load balancer at 10.0.0.1): the client is the address the
    CDN wrote; what the client wrote itself further left counts for nothing."""
    settings.PROXY_COUNT = 2
    django_user_model.objects.create_superuser("boss", "b@example.org", "right-password-1")
    login = reverse("admin:login")

    def attempt(client_ip, password, forged=""):
        chain = f"{forged}, {client_ip}, 198.51.100.7" if forged else f"{client_ip}, 198.51.100.7"
        return Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=chain).post(
            login, {"username": "boss", "password": password}
        )

    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("203.0.113.5", "wrong", forged=f"192.0.2.{n}")  # a new forged address each time
    assert attempt("203.0.113.5", "right-password-1").status_code == 429
    assert attempt("203.0.113.5", "right-password-1", forged="192.0.2.99").status_code == 429
    assert attempt("203.0.113.9", "right-password-1").status_code == 302  # someone else


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "203.0.113.5", "192.0.2.1", "203.0.113.5"),  # no proxy: the header is ignored
        (1, "10.0.0.1", "192.0.2.1, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.1", "192.0.2.1, 203.0.113.5, 198.51.100.7", "203.0.113.5"),
        (2, "10.0.0.1", "203.0.113.5", "10.0.0.1"),  # did not pass through both proxies
        (1, "10.0.0.1", "", "10.0.0.1"),
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (1, "10.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_behind_proxies(rf, settings, proxies, remote, forwarded, expected):
    from archive.client_address import client_address

    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_good_login_still_works_before_the_limit(django_user_model):
    django_user_model.objects.create_superuser("boss", "b@example.org", "right-password-1")
    client = Client()
    login = reverse("admin:login")
    client.post(login, {"username": "boss", "password": "wrong"})
    response = client.post(login, {"username": "boss", "password": "right-password-1"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


# -- Drafts, in review and scheduled articles never reach anonymous readers ----------------


@pytest.mark.parametrize("state", ["draft", "review", "scheduled"])
def test_hidden_articles_are_unreachable(client, state, editor_client):
    if state == "scheduled":
        article = ArticleFactory(headline="Hidden lithium", scheduled=True)
    else:
        article = ArticleFactory(headline="Hidden lithium", status=state)
    ArticleFactory(headline="Public lithium")
    slug = article.slug
    assert client.get(article.get_absolute_url()).status_code == 404
    for url in [
        "/",
        "/search/?q=hidden",
        "/search/?q=lithium",
        "/feed/rss/",
        "/feed/atom/",
        f"/sources/{article.source.slug}/",
        f"/sources/{article.source.slug}/feed/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sources.xml",
        "/sitemap-topics.xml",
        "/sitemap-people.xml",
        "/news-sitemap.xml",
        "/archive/",
    ]:
        body = client.get(url).content.decode()
        assert slug not in body and "Hidden lithium" not in body, url
    assert client.get("/preview/" + "x" * 43 + "/").status_code == 404
