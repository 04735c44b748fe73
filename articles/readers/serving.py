"""How readers' requests are served: HTTP caching headers, answers to conditional requests,
a shared page cache, and reads from the replicas.

An **anonymous reader** request is a GET or HEAD without a session cookie, outside the admin
and the share-preview links. Its successful answers are the same for everyone, so they say so:

* ``Cache-Control: public, max-age=HTTP_CACHE_MAX_AGE, stale-while-revalidate=…`` (60 s and
  300 s by default), ``Vary: Cookie``, and a strong ``ETag``: a hash of the page itself;
* ``If-None-Match`` with that ETag gets ``304 Not Modified``, from the page cache without
  rendering anything;
* ``Surrogate-Key``, ``xkey`` and ``Cache-Tag``: what the page shows (``surrogates``);
* the page itself is kept in the shared cache for ``PAGE_CACHE_SECONDS`` under those keys
  (see ``caching``), unless its query string holds more than a page number
  (``_page_parts``: searches and made-up parameters are not kept); a publish, an edit, an
  unpublish or a scheduled article's time coming purges the keys of what it changed, so no
  process serves a page that showed it after that. (Without a shared
  cache, ``REDIS_URL``, the page cache is off: one process could not tell the others.)

Everything else, a signed-in editor's view first of all, is ``private, no-store`` and never
stored: a CDN in front can never keep an editor's draft banner. An answer that sets a cookie
is never stored either.
"""

import hashlib
import re

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers

from archive import deadline, routers
from articles.readers import caching, identity, surrogates

PERSONAL_PREFIXES = ("/admin/", "/preview/", "/healthz")


def is_anonymous_reader(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not request.path.startswith(PERSONAL_PREFIXES)
    )


class ReaderCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_anonymous_reader(request):
            return _personal(self.get_response(request))
        surrogates.purger.ensure_running()
        parts = _page_parts(request) if settings.PAGE_CACHE_SECONDS else None
        purges, stored = None, None
        if parts:  # and the identity, which a page rendered on a miss shows, at once
            purges, stored, (site,) = caching.fetch_tagged_along([identity.KEPT], *parts)
            identity.remember(request, site)
        if stored is not None:
            response = _rebuild(stored)
            response["X-Cache"] = "hit"
        else:
            token = surrogates.collecting()
            try:
                response = self.get_response(request)
            finally:
                keys = surrogates.stop_collecting(token)
            if not _public(response):
                return response
            response["ETag"] = _etag(response.content)
            surrogates.headers(response, keys)
            if parts:
                kept = _stored(response)
                caching.keep_tagged(purges, kept, settings.PAGE_CACHE_SECONDS, keys, *parts)
            response["X-Cache"] = "miss" if parts else "off"
        return get_conditional_response(request, etag=response["ETag"], response=response)


def _public(response) -> bool:
    """Mark a reader's successful answer as cacheable by anyone; False if it is not one."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if "Cache-Control" in response:  # the view decided (share previews: private)
        return False
    response["Cache-Control"] = (
        f"public, max-age={settings.HTTP_CACHE_MAX_AGE}, "
        f"stale-while-revalidate={settings.HTTP_CACHE_STALE_WHILE_REVALIDATE}"
    )
    patch_vary_headers(response, ["Cookie"])
    return True


def _personal(response):
    if "Cache-Control" not in response:
        response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


def _etag(content: bytes) -> str:
    return '"' + hashlib.blake2b(content, digest_size=12).hexdigest() + '"'


# The query parameters a kept page may have, and the values it has: a listing's page, a
# story's order, a sitemap's page. Any other value (``?order=a``, ``?page=02``, ``?p=x1``) is
# served but not kept, so that made-up values cannot fill the shared cache (a page number
# beyond the archive is a 404, never kept).
KEPT_PARAMETERS = {
    "page": re.compile(r"[1-9][0-9]{0,4}"),
    "p": re.compile(r"[1-9][0-9]{0,4}"),
    "order": re.compile(r"oldest"),
}


def _page_parts(request) -> tuple | None:
    """A page is kept per address: scheme, host (its links and canonical URL are absolute),
    path and the query parameters above, sorted; ``None`` (not kept, still served with its
    HTTP caching headers) for any other query string, so that the entries stay bounded by
    the archive's pages: a search, a tracking parameter (``?utm_source=…``) or a made-up
    cache-buster would otherwise each add a page to the shared cache."""
    query = request.GET
    for name, values in query.lists():
        shape = KEPT_PARAMETERS.get(name)
        if shape is None or len(values) > 1 or not shape.fullmatch(values[0]):
            return None
    address = (
        request.build_absolute_uri(request.path)
        + "?"
        + "&".join(f"{name}={query[name]}" for name in sorted(query))
    )
    return ("page", request.method, hashlib.blake2b(address.encode(), digest_size=16).hexdigest())


def _stored(response) -> dict:
    return {
        "status": response.status_code,
        "content": response.content,
        "headers": [(k, v) for k, v in response.items() if k.lower() != "set-cookie"],
    }


def _rebuild(stored: dict) -> HttpResponse:
    response = HttpResponse(stored["content"], status=stored["status"])
    for header, value in stored["headers"]:
        response[header] = value
    return response


class ReplicaMiddleware:
    """Anonymous readers read from a replica (see ``archive.routers``). The replica is chosen
    and checked when the request first reads from the database, not before: a page served
    from the cache costs no database round trip at all. If the replica's connection broke
    off during the request (its kept connection was trusted, not checked), the request is
    answered again, from the primary when the replica cannot be reached
    (``ReplicaChoice.recover``): a reader's GET changes nothing, so it can be."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        choice = routers.ReplicaChoice() if is_anonymous_reader(request) else None
        token = routers.reading_from.set(choice)
        try:
            response = self.get_response(request)
            if choice is None:
                return response
            if not choice.broke_off():
                choice.served()
            elif choice.recover(getattr(request, "database_deadline_passed", False)):
                request.database_deadline_passed = False
                response = self.get_response(request)
            return response
        finally:
            routers.reading_from.reset(token)


class DatabaseDeadlineMiddleware:
    """Each request waits on its databases for a bounded time (``archive.deadline``):
    ``DATABASE_READER_DEADLINE`` for an anonymous reader, ``DATABASE_REQUEST_DEADLINE`` for
    everyone else (an editor's import may take a while)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_anonymous_reader(request):
            seconds = settings.DATABASE_READER_DEADLINE
        else:
            seconds = settings.DATABASE_REQUEST_DEADLINE
        key = deadline.watchdog.watch(request, seconds)
        try:
            return self.get_response(request)
        finally:
            deadline.watchdog.forget(key)
