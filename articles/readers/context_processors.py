import functools
import re

from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from articles.readers import identity


@functools.cache
def _links() -> dict:
    """The frame's addresses, found once per process: the same on every page, and about a
    tenth of a millisecond each to reverse."""
    return {
        "home": reverse("articles:home"),
        "topics": reverse("articles:topic-list"),
        "stories": reverse("articles:thread-list"),
        "glossary": reverse("articles:glossary"),
        "sources": reverse("articles:source-list"),
        "archive": reverse("articles:archive-index"),
        "search": reverse("articles:search"),
        "atom": reverse("articles:feed-atom"),
        "rss": reverse("articles:feed-rss"),
        "stylesheet": static("css/site.css"),
        "headline_font": static("fonts/newsreader-latin-600-normal.woff2"),
        "favicon": static("favicon.svg"),
    }


_DATE_ARCHIVE = re.compile(r"/[0-9]{4}/(?:[0-9]{2}/(?:[0-9]{2}/)?)?")


def _navigation(path: str) -> list[dict]:
    """The main navigation, its current item marked: ``page`` on the section's own page,
    ``true`` inside it (a topic's page under Topics, a month under Archive)."""
    links = _links()
    sections = [
        ("Latest", links["home"], path == links["home"]),
        ("Stories", links["stories"], path.startswith(links["stories"])),
        ("Topics", links["topics"], path.startswith(links["topics"])),
        ("Sources", links["sources"], path.startswith(links["sources"])),
        (
            "Archive",
            links["archive"],
            path.startswith(links["archive"]) or bool(_DATE_ARCHIVE.fullmatch(path)),
        ),
    ]
    return [
        {
            "label": label,
            "url": url,
            "current": ("page" if path == url else "true") if inside else None,
        }
        for label, url, inside in sections
    ]


def site(request):
    """The frame of every reader page. The identity is read only by a page that shows it
    (the admin's pages do not): see ``identity``."""
    return {
        "identity": SimpleLazyObject(lambda: identity.current(request)),
        # Not ``lazy(...)()``: that makes a new class on each call (0.1 ms a page).
        "site_name": SimpleLazyObject(lambda: identity.current(request).name),
        "site": _links(),
        "site_nav": _navigation(request.path),
    }
