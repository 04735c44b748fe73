"""Settings, read from the environment.

ARCHIVE_ENVIRONMENT  "production", "development" or "test"; by default "development" when
             DEBUG is on, else "production". The test suite's settings (``settings_test``)
             say "test" explicitly.
DEBUG        "1"/"true" for local development. Off by default.
SECRET_KEY   required in production; never committed.
DATABASE_URL postgres://user:password@host:port/name; required in production. Without it a
             local checkout runs an embedded PostgreSQL (``EMBEDDED_DATABASE`` names its
             database; setting it is also how a production-like benchmark asks for it).
ALLOWED_HOSTS comma-separated host names (default: localhost names only).
TIME_ZONE    the site's time zone for dates and archive pages (default UTC).

A local checkout keeps its own settings in ``var/local.env`` (KEY=value lines, git-ignored),
which ``make run`` writes with DEBUG=1 and a generated key, so that the README's commands work
as written. The environment always wins over that file; tests never read it.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from archive.database import database_settings, replica_settings

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_SETTINGS = Path(os.environ.get("ARCHIVE_LOCAL_SETTINGS") or BASE_DIR / "var" / "local.env")


def load_local_settings(path: Path) -> None:
    """KEY=value lines from ``path`` into the environment, where not set already."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name and not name.startswith("#"):
            os.environ.setdefault(name.strip(), value.strip())


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


if os.environ.get("ARCHIVE_ENVIRONMENT") != "test":
    load_local_settings(LOCAL_SETTINGS)

DEBUG = env_bool("DEBUG")
ENVIRONMENT = os.environ.get("ARCHIVE_ENVIRONMENT") or ("development" if DEBUG else "production")
if ENVIRONMENT not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"ARCHIVE_ENVIRONMENT is {ENVIRONMENT!r}: use production, development or test."
    )
TESTING = ENVIRONMENT == "test"
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (a local checkout: run "
            "`make run` once, which writes var/local.env with DEBUG=1 and a generated key)."
        )
    SECRET_KEY = "not-for-production-" + "x" * 40
if PRODUCTION and not (os.environ.get("DATABASE_URL") or os.environ.get("EMBEDDED_DATABASE")):
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Production needs its PostgreSQL server "
        "(postgres://user:password@host:5432/name); it never starts an empty embedded one."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "archive.apps.ArchiveAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "axes",
    "ninja",  # the API's browsable page and its scripts, from this site (articles/api/)
    "articles",
    "articles.importing",
    "articles.desk",
    "articles.readers",
    "articles.api",
    "articles.exporting",
    "articles.newsletter",
    "procrastinate.contrib.django",
]
# Benchmarks, synthetic archives, the load test and the local admin account: outside
# production, or where ARCHIVE_DEVTOOLS says so (a production-like benchmark).
DEVTOOLS = env_bool("ARCHIVE_DEVTOOLS", not PRODUCTION)
if DEVTOOLS:
    INSTALLED_APPS.append("articles.devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "archive.middleware.RejectNullCharactersMiddleware",
    "articles.readers.serving.DatabaseDeadlineMiddleware",
    "articles.api.middleware.ApiHeadersMiddleware",
    "articles.readers.serving.ReaderCacheMiddleware",
    "articles.readers.serving.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "archive.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "articles.readers.middleware.LegacyAddressMiddleware",
    "archive.middleware.DatabaseUnavailableMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login throttling: after 5 failed attempts for a user name from one address, that
# pair is locked out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
# How many proxies stand in front (a CDN and a load balancer: 2): the client's address is
# read from X-Forwarded-For accordingly (``archive.client_address``).
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "archive.client_address.client_address"

ROOT_URLCONF = "archive.urls"

# Widgets' templates are looked up like every other template, so that templates/ can
# override one (templates/admin/widgets/split_datetime.html labels both of its inputs).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.readers.context_processors.site",
            ],
        },
    },
    # The article's own part, rendered on every first view of an article: Jinja2 renders it
    # in half the time (``articles.readers.jinja``); asked for by this engine's name.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "articles.readers.jinja.environment"},
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {"default": database_settings(BASE_DIR), **replica_settings()}
DATABASE_ROUTERS = ["archive.routers.ReplicaRouter"]
# Reader pages' hottest statements as server-side prepared statements (``archive.compiled``).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
# How long a request may wait on its databases (``archive.deadline``), in seconds.
DATABASE_READER_DEADLINE = float(os.environ.get("DATABASE_READER_DEADLINE", "2.5"))
DATABASE_REQUEST_DEADLINE = float(os.environ.get("DATABASE_REQUEST_DEADLINE", "30"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = False  # an English-only site: skips translation lookups in every template
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic's destination (production); a checkout serves from static/ directly.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or (BASE_DIR / "var" / "static" if PRODUCTION else None)
WHITENOISE_USE_FINDERS = not PRODUCTION
# Static files are served by the app itself (WhiteNoise), compressed; in production under
# hashed names (collectstatic) with a far-future, immutable Cache-Control.
#
# Uploaded images (articles.uploads): on local disk under MEDIA_ROOT, served at /media/ by the
# app (names are random and never reused, so they are cached for a year), or, when
# MEDIA_S3_BUCKET is set, on any S3-compatible object store (django-storages), so that app
# servers keep no state. Credentials come from the environment as boto3 reads them
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); the bucket's objects must be publicly readable.
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_S3_BUCKET = os.environ.get("MEDIA_S3_BUCKET", "").strip()
if MEDIA_S3_BUCKET:
    MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_S3_REGION") or None,
            # e.g. a CDN in front of the bucket: addresses become https://<domain>/<name>
            "custom_domain": os.environ.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("MEDIA_S3_PREFIX", "media"),
            "querystring_auth": False,  # plain, cacheable addresses
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_MEGABYTES", "15")) * 1024 * 1024
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SITE_NAME = os.environ.get("SITE_NAME", "Translated Press Archive")
ARTICLES_PER_PAGE = 20
SEARCH_RESULTS_PER_PAGE = 10
# Searches running at once in one process, at most: past them a search answers 503 with
# Retry-After at once, so that searches never take every thread that serves articles.
SEARCH_CONCURRENCY = int(os.environ.get("SEARCH_CONCURRENCY", "2"))
SEARCH_RETRY_AFTER = 2  # seconds, in that answer
# The newsletter (articles/newsletter/): the site's address for links in messages; the
# sender; how fast messages go; when editions are sent (site time; weekly on a weekday, 0:
# Monday); how long a confirmation link works; limits on the subscribe form.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", "newsletter@localhost")
NEWSLETTER_MESSAGES_PER_SECOND = float(os.environ.get("NEWSLETTER_MESSAGES_PER_SECOND", "20"))
NEWSLETTER_SEND_HOUR = int(os.environ.get("NEWSLETTER_SEND_HOUR", "7"))
NEWSLETTER_WEEKLY_DAY = int(os.environ.get("NEWSLETTER_WEEKLY_DAY", "0"))
NEWSLETTER_JOB_MESSAGES = int(os.environ.get("NEWSLETTER_JOB_MESSAGES", "500"))
NEWSLETTER_RETRY_SECONDS = int(os.environ.get("NEWSLETTER_RETRY_SECONDS", "10"))  # then 20, 40…
NEWSLETTER_SENDERS = int(os.environ.get("NEWSLETTER_SENDERS", "8"))  # SMTP connections at once
NEWSLETTER_MAX_ARTICLES = int(os.environ.get("NEWSLETTER_MAX_ARTICLES", "40"))
NEWSLETTER_CONFIRM_HOURS = int(os.environ.get("NEWSLETTER_CONFIRM_HOURS", "48"))
NEWSLETTER_CONFIRM_INTERVAL = int(os.environ.get("NEWSLETTER_CONFIRM_INTERVAL", "15"))  # minutes
NEWSLETTER_SUBSCRIBES_PER_HOUR = int(os.environ.get("NEWSLETTER_SUBSCRIBES_PER_HOUR", "10"))
# Email goes through SMTP (EMAIL_HOST…); in local development without EMAIL_HOST, messages
# are printed on the console instead.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
if DEBUG and "EMAIL_HOST" not in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# The public read API (articles/api/): requests a minute per client (0: no limit).
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "300"))
PREVIEW_LINK_DAYS = 7
COUNTS_CACHE_SECONDS = int(os.environ.get("COUNTS_CACHE_SECONDS", "300"))

# The cache every process shares (Redis), or each process's own memory without REDIS_URL.
# See articles/readers/caching.py (what is cached, and when it goes stale) and
# articles/readers/serving.py.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "archive.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "archive"),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# HTTP caching of reader pages (browsers, CDNs) and the shared page cache.
HTTP_CACHE_MAX_AGE = int(os.environ.get("HTTP_CACHE_MAX_AGE", "60"))
HTTP_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("HTTP_CACHE_STALE_WHILE_REVALIDATE", "300"))
# How long an article's rendered part is kept for anonymous readers (under the content
# version: a change shows at once whatever this says; see articles/article_views.py).
ARTICLE_CACHE_SECONDS = int(os.environ.get("ARTICLE_CACHE_SECONDS", "3600"))
# The HTTP caches in front (Varnish), purged by surrogate key after a save: their addresses,
# comma-separated (e.g. http://127.0.0.1:6081/); and how often each web process does the
# purges still owed (articles/readers/surrogates.py; 0: never, as in tests).
HTTP_CACHE_PURGE_URLS = env_list("HTTP_CACHE_PURGE_URLS", "")
PURGE_INTERVAL = float(os.environ.get("PURGE_INTERVAL", "0" if TESTING else "1"))
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0"))

# Security headers everywhere; HTTPS-only cookies, HSTS and the redirect to HTTPS in
# production (not in local development or tests, which run over plain HTTP). No page may be
# framed (X-Frame-Options and the CSPs' frame-ancestors agree; the admin's pop-ups are
# windows, not frames). HSTS for subdomains and the browsers' preload list are hard to undo,
# so they are opt-in.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    # check --deploy recommends both; leaving them off is this project's decision, not an
    # oversight (they commit every subdomain, and the preload list is slow to leave).
    SILENCED_SYSTEM_CHECKS = [
        check
        for check, enabled in (
            ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
            ("security.W021", SECURE_HSTS_PRELOAD),
        )
        if not enabled
    ]
    if env_bool("BEHIND_HTTPS_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
