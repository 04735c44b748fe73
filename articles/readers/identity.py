"""The publication's identity as pages show it: name, tagline, description, logo, and the
pages its footer lists. Kept in the cache under the content version (``caching``): two
queries when it is not there (the identity with its logo, the footer's pages), none after;
an editor's change shows at once (the models are ``ShownToReaders``)."""

from dataclasses import dataclass

from articles.models import Page, SiteIdentity
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


def _read() -> Identity:
    site = SiteIdentity.get_solo()
    pages = Page.objects.published().filter(in_footer=True).only("title", "slug")
    return Identity(
        name=site.name,
        tagline=site.tagline,
        description=site.description,
        logo=_logo(site.logo) if site.logo_id and site.logo else None,
        lead_article_id=site.lead_article_id,
        footer_pages=tuple((page.title, page.get_absolute_url()) for page in pages),
    )


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
