"""Old addresses answer with permanent redirects.

An archive moved in from WordPress brings its old links with it (``LegacyAddress``): post
permalinks, ``/?p=123``, category and tag pages, and their feeds (``/category/x/feed/``
leads to the topic's feed, ``/2014/03/07/slug/feed/`` to the article). The lookup costs a
query only when the site would answer 404, or for the home page with WordPress's query
parameters (``/?p=…``, ``/?cat=…``, ``/?tag=…``, ``/?page_id=…``): one that leads nowhere is a
404, not the home page. ``/?s=…``, WordPress's search, goes to the search. An address is only
redirected to what readers may see: a draft's old address stays 404.
"""

import re
from urllib.parse import quote, unquote, urlencode

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse

from articles.models import LegacyAddress, Topic
from articles.models.addresses import normalized_path

WORDPRESS_QUERY_KEYS = ("p", "page_id", "cat", "tag")
MAX_PATH = LegacyAddress._meta.get_field("old_path").max_length
# A WordPress feed under an old address: "/category/x/feed/", "…/slug/feed/atom/"
_FEED_SUFFIX = re.compile(r"^(?P<base>/.+?/)feed/(?:(?P<kind>rss2?|atom|rdf)/)?$")


class LegacyAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        readable = request.method in ("GET", "HEAD")
        wordpress_query = any(key in request.GET for key in WORDPRESS_QUERY_KEYS)
        if readable and request.path == "/" and "s" in request.GET:
            query = urlencode({"q": request.GET["s"][:200]})
            return HttpResponsePermanentRedirect(f"{reverse('articles:search')}?{query}")
        if readable and request.path == "/" and wordpress_query:
            redirect = self.redirect_for(request)
            if redirect is not None:
                return redirect
            raise Http404("No such post, page, category or tag.")
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
            .select_related("article", "topic", "page")
            .first()
        )
        if found is None:
            return self.feed_redirect_for(path)
        return HttpResponsePermanentRedirect(found.target.get_absolute_url())

    def feed_redirect_for(self, path):
        """A WordPress feed of an old address: a category's or tag's goes to its topic's feed
        (Atom or RSS, as asked), a post's (its comments') to the article."""
        match = _FEED_SUFFIX.match(path)
        if not match:
            return None
        base = normalized_path(match["base"])
        found = (
            LegacyAddress.objects.filter(old_path__in={base, base.rstrip("/")})
            .visible()
            .select_related("article", "topic", "page")
            .first()
        )
        if found is None:
            return None
        if found.topic_id is None:  # a post's or a page's
            return HttpResponsePermanentRedirect(found.target.get_absolute_url())
        kind = "atom" if match["kind"] == "atom" else "rss"
        topic: Topic = found.topic
        return HttpResponsePermanentRedirect(
            reverse(f"articles:topic-feed-{kind}", kwargs={"slug": topic.slug})
        )
