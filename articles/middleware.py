"""Old addresses answer with permanent redirects.

An archive moved in from WordPress brings its old links with it (``LegacyAddress``): post
permalinks, ``/?p=123``, category and tag pages. The lookup costs a query only when the site
would answer 404, or for the home page with WordPress's query parameters (``/?p=…``,
``/?cat=…``, ``/?tag=…``, ``/?page_id=…``), which the home page would otherwise ignore.
An address is only redirected to what readers may see: a draft's old address stays 404.
"""

from urllib.parse import quote, unquote

from django.http import HttpResponsePermanentRedirect

from articles.models import LegacyAddress
from articles.models.addresses import normalized_path

WORDPRESS_QUERY_KEYS = ("p", "page_id", "cat", "tag")
MAX_PATH = LegacyAddress._meta.get_field("old_path").max_length


class LegacyAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        readable = request.method in ("GET", "HEAD")
        wordpress_query = any(key in request.GET for key in WORDPRESS_QUERY_KEYS)
        if readable and request.path == "/" and wordpress_query:
            redirect = self.redirect_for(request)
            if redirect is not None:
                return redirect
        response = self.get_response(request)
        if readable and response.status_code == 404:
            return self.redirect_for(request) or response
        return response

    def redirect_for(self, request):
        path = request.path
        # The path as stored: decoded once by Django, or still percent-encoded as WordPress
        # wrote non-ASCII permalinks, or decoded once more ("%2500" is "%00" after Django's
        # decoding: a NUL, which no stored path holds and PostgreSQL refuses in a query).
        candidates = {path, unquote(path), normalized_path(path), quote(path, safe="/")}
        candidates |= {c.rstrip("/") if c.endswith("/") else c + "/" for c in set(candidates)}
        for key in WORDPRESS_QUERY_KEYS:
            if path in ("/", "/index.php") and key in request.GET:
                candidates.add(f"/?{key}={request.GET[key]}")
                candidates.add(f"/index.php?{key}={request.GET[key]}")
        candidates = {c for c in candidates if "\x00" not in c and len(c) <= MAX_PATH}
        if not candidates:
            return None
        found = (
            LegacyAddress.objects.filter(old_path__in=candidates)
            .visible()
            .select_related("article", "topic")
            .first()
        )
        if found is None:
            return None
        return HttpResponsePermanentRedirect(found.target.get_absolute_url())
