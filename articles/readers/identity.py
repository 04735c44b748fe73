"""The publication's identity as pages show it: name, tagline, description, logo, and the
pages its footer lists. Kept in the cache under the content version (``caching``): two
queries when it is not there (the identity with its logo, the footer's pages), none after;
an editor's change shows at once (the models are ``ShownToReaders``).

A reader's article read from the database brings the identity along in its own statement
(``column``) when the page cache's look-up did not: the page then costs no round trip
to the cache for it (about 0.3 ms of a worker's time, a tenth of an uncached article's).
"""

from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Subquery
from django.db.models.functions import JSONObject

from articles.models import Image, Page, SiteIdentity
from articles.models.page_data import loaded
from articles.readers import caching

LOGO_HEIGHT = 44  # CSS pixels, in the header
KEEP_SECONDS = 3600


@dataclass(frozen=True)
class Logo:
    url: str
    srcset: str
    sizes: str
    width: int
    height: int


@dataclass(frozen=True)
class Identity:
    name: str
    tagline: str
    description: str
    logo: Logo | None
    lead_article_id: int | None
    footer_pages: tuple[tuple[str, str], ...]  # (title, address)


KEPT = ("identity",)  # its name in the cache (``caching.keep``)


def current(request=None) -> Identity:
    """The identity; with ``request``, read once for the whole request (the page's title,
    description, feed links and frame all ask), or found by the page cache's look-up in
    the same round trip (``remember``)."""
    found = getattr(request, "_site_identity", None)
    if found is not None:
        return found
    version, kept = caching.fetch(*KEPT)
    if kept is None:
        kept = _read()
        caching.keep(version, kept, KEEP_SECONDS, *KEPT)
    if request is not None:
        request._site_identity = kept
    return kept


def remember(request, kept: Identity | None) -> None:
    """The identity as the cache kept it at the current version, read along with something
    else (None: not kept, ``current`` reads it if a page asks)."""
    if kept is not None:
        request._site_identity = kept


def remembered(request) -> bool:
    """Whether the identity is already known for this request (``remember``, ``current``)."""
    return getattr(request, "_site_identity", None) is not None


def _read() -> Identity:
    site = SiteIdentity.get_solo()
    pages = _footer_pages().only("title", "slug")
    return _identity(site, site.logo if site.logo_id else None, pages)


def _footer_pages():
    return Page.objects.published().filter(in_footer=True)  # in their order (Meta.ordering)


def _identity(site, logo, pages) -> Identity:
    return Identity(
        name=site.name,
        tagline=site.tagline,
        description=site.description,
        logo=_logo(logo) if logo else None,
        lead_article_id=site.lead_article_id,
        footer_pages=tuple((page.title, page.get_absolute_url()) for page in pages),
    )


COLUMN = "site_identity_row"  # the annotation ``column()`` is read under
_SITE_FIELDS = ("id", "name", "tagline", "description", "lead_article_id")
_LOGO_FIELDS = ("id", "file", "width", "height", "rendition_widths")


def column() -> JSONObject:
    """The identity as a column of another statement (a reader's article's): what ``_read``
    reads, as JSON: the identity's row with its logo's (null while editors never saved one:
    ``from_column`` then takes the defaults, as ``SiteIdentity.get_solo`` does) and the
    footer's pages, in order."""
    row = {name: name for name in _SITE_FIELDS}
    row.update({f"logo_{name}": f"logo__{name}" for name in _LOGO_FIELDS})
    site = SiteIdentity.objects.filter(pk=1).values(row=JSONObject(**row))
    pages = _footer_pages().values(row=JSONObject(title="title", slug="slug"))
    return JSONObject(site=Subquery(site), pages=ArraySubquery(pages))


def from_column(value) -> Identity:
    """The identity from ``column()``'s value."""
    row, image = value["site"], None
    if row is None:
        site = SiteIdentity(pk=1)
    else:
        site = loaded(SiteIdentity, **{name: row[name] for name in _SITE_FIELDS})
        if row["logo_id"] is not None:
            image = loaded(Image, **{name: row[f"logo_{name}"] for name in _LOGO_FIELDS})
    pages = [loaded(Page, title=page["title"], slug=page["slug"]) for page in value["pages"]]
    return _identity(site, image, pages)


def _logo(image) -> Logo | None:
    """The logo at its header height, with copies for sharper screens."""
    if not (image.file and image.width and image.height):
        return None
    width = round(image.width * LOGO_HEIGHT / image.height)
    return Logo(
        url=image.src_at_most(width * 2),
        srcset=image.srcset if image.rendition_widths else "",
        sizes=f"{width}px",
        width=width,
        height=LOGO_HEIGHT,
    )
