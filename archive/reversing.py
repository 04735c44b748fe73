"""``reverse`` that remembers its answers.

Reader pages ask for the same addresses over and over (an article's source, topics, people,
story, its neighbours), and Django's ``reverse`` costs about 30 µs each: a tenth of an
uncached article page's Python went into it. The same name and arguments give the same
address for as long as the URL configuration and the script prefix are the same, so the last
20,000 answers are kept per process, keyed by those too.

An address that ends in its slug (an article's, a topic's) is reversed without the slug,
which is then written in (:func:`reverse_slug`): on a long tail of articles each read for the
first time, their days repeat but their slugs do not, so only the day's part is reversed, and
kept.
"""

import functools
import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

# What Django's ``slug`` path converter accepts; its characters are never quoted in a URL.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_STAND_IN = "-"  # a slug the converter accepts, reversed in place of the real one


def reverse(viewname: str, **kwargs) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(viewname, tuple(kwargs.items()), urlconf, get_script_prefix())


def reverse_slug(viewname: str, slug: str, **kwargs) -> str:
    """``reverse(viewname, slug=slug, **kwargs)`` for a route that ends in ``<slug:slug>/``:
    the address is reversed with a stand-in slug (remembered) and the slug written in its
    place. A slug the converter would refuse, or a route with anything after its slug, is
    reversed in full (and refused as Django refuses it)."""
    if _SLUG.fullmatch(slug):
        stem = reverse(viewname, slug=_STAND_IN, **kwargs)
        if stem.endswith(f"/{_STAND_IN}/"):
            return stem[: -len(_STAND_IN) - 1] + slug + "/"
    return reverse(viewname, slug=slug, **kwargs)


@functools.lru_cache(maxsize=20_000)
def _reverse(viewname, kwargs, urlconf, prefix) -> str:
    return django_reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))
