"""A WordPress export's pages (About, Contact…) become the archive's pages: published ones
published, the others (private, draft, pending, scheduled) drafts; their old addresses
(permalink, ``/?page_id=``) redirect to them. A page imported before is kept as it is (an
editor's changes win); a slug the archive uses itself (``/search/``, a year) or another page
has is given a suffix ("about-2")."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from articles.models import LegacyAddress, Page
from articles.models.publication import slug_is_taken

IMPORTED = "Imported from WordPress"


@dataclass
class PageItem:
    """A page read from an export (plain values: made in worker processes)."""

    title: str
    slug: str
    body: str  # Markdown
    published: bool
    old_paths: list[str] = field(default_factory=list)
    label: str = ""


def free_slug(wanted: str) -> str:
    """``wanted``, or with the first suffix that neither the archive nor a page uses."""
    base = slugify(wanted)[:90] or "page"
    taken = set(Page.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for n in range(1, 1000):
        slug = base if n == 1 else f"{base}-{n}"
        if slug not in taken and not slug_is_taken(slug):
            return slug
    raise ValueError(f"no free address for the page {wanted!r}")


def write(item: PageItem) -> str:
    """Write the page; returns "imported" or "kept" (imported before: left as it is)."""
    known = LegacyAddress.objects.filter(old_path__in=item.old_paths, page__isnull=False)
    if known.exists():
        return "kept"
    with transaction.atomic():
        page = Page(
            title=item.title[:200],
            slug=free_slug(item.slug),
            body=item.body,
            status=Page.Status.PUBLISHED if item.published else Page.Status.DRAFT,
            in_footer=item.published,
        )
        page.save()
        page.record_version(note=IMPORTED)
        # Every old address, its own among them (/about/ may stay /about/): a later import
        # knows the page by them.
        for path in item.old_paths:
            LegacyAddress.objects.get_or_create(old_path=path, defaults={"page": page})
    return "imported"
