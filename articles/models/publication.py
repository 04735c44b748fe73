"""The publication around the articles: its identity (name, tagline, logo, the front page's
pinned lead story), set by editors in the admin, and its pages (About, Contact, Donate…),
written in the same Markdown as articles, sanitized the same way, with versions."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from articles import markup
from articles.models.archive import MAX_TEXT_CHARS, Article
from articles.models.images import Image
from articles.models.subjects import ShownToReaders
from articles.text import clean_text

PAGE_VIEW = "articles:page"
# Addresses served outside the URL patterns (static files by WhiteNoise), or kept for what
# is coming: never a page's.
RESERVED_SLUGS = frozenset({"static", "media", "admin", "api", "accounts", "healthz", "ping"})


def default_site_name() -> str:
    return settings.SITE_NAME


class SiteIdentity(ShownToReaders, models.Model):
    """The publication's identity, one row (``SiteIdentity.objects.get_solo()``): what the
    header, the footer, feeds and link previews call the site."""

    name = models.CharField(max_length=80, default=default_site_name)
    tagline = models.CharField(
        max_length=120,
        blank=True,
        default="English translations of journalism from Mexico and Latin America",
        help_text="One line under the name in the header.",
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        default="English translations of foreign-language journalism. Each article names "
        "its original source and date.",
        help_text="What the site is, in a sentence or two: the footer, search engines, feeds.",
    )
    logo = models.ForeignKey(
        Image,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="An uploaded picture (JPEG, PNG, WebP or GIF; an SVG is refused, as it can "
        "carry scripts), shown 44 pixels high in the header beside the name.",
    )
    lead_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Pinned at the top of the front page while it is published. Empty: the "
        "newest article with a lead image leads.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site identity"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1  # one row, whatever the form sent
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.name = clean_text(self.name).strip()
        self.tagline = clean_text(self.tagline).strip()
        self.description = clean_text(self.description).strip()
        if not self.name:
            raise ValidationError({"name": "The site needs a name."})
        if self.logo_id and self.logo and not self.logo.file:
            raise ValidationError(
                {"logo": "A logo must be an uploaded picture, not an image given by address."}
            )

    @classmethod
    def get_solo(cls) -> "SiteIdentity":
        found = cls.objects.select_related("logo", "lead_article").filter(pk=1).first()
        return found or cls(pk=1)


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Page.Status.PUBLISHED)


def slug_is_taken(slug: str) -> str:
    """Why a page cannot have this address ("" when it can): an address of the archive's own
    (``/2025/``, ``/search/``, ``/feed/``, ``/sources/x/``…) is never a page's."""
    if slug in RESERVED_SLUGS:
        return f"/{slug}/ is kept for the site itself."
    if re.fullmatch(r"[0-9]+", slug):
        return f"/{slug}/ is an address of the archive (a year)."
    for path in (f"/{slug}/", f"/{slug}", f"/{slug}/x/", f"/{slug}/x"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.view_name != PAGE_VIEW:
            return f"{path.removesuffix('x/').removesuffix('x')} is an address of the archive."
    return ""


class Page(ShownToReaders, models.Model):
    """A page of the publication that is not an article: About, Contact, Donate, Masthead,
    Corrections policy. At the site's top level (``/about/``); the footer lists those marked
    for it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Its address: “about” is /about/. Addresses of the archive (years, "
        "/search/, /feed/, /sources/…) cannot be taken.",
    )
    summary = models.CharField(
        max_length=300, blank=True, help_text="One sentence: search engines and link previews."
    )
    body = models.TextField(
        max_length=MAX_TEXT_CHARS, help_text="Markdown, as in articles (## for subheadings)."
    )
    body_html = models.TextField(editable=False, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    in_footer = models.BooleanField(
        "listed in the footer", default=True, help_text="While published."
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the footer (smallest first)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title = clean_text(self.title).strip()
        self.summary = clean_text(self.summary).strip()
        self.body = clean_text(self.body)
        self.body_html = markup.render_markdown(self.body)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(PAGE_VIEW, kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.slug:
            reason = slug_is_taken(self.slug)
            if reason:
                raise ValidationError({"slug": reason})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @classmethod
    def versioned_fields(cls) -> list[str]:
        return ["title", "slug", "summary", "body", "status", "in_footer", "position"]

    def record_version(self, user=None, note: str = "") -> "PageRevision":
        """A version of the page as it is now, numbered after the last one."""
        with transaction.atomic():
            last = self.revisions.aggregate(last=Max("number"))["last"] or 0
            return PageRevision.objects.create(
                page=self,
                number=last + 1,
                user=user if user is not None and user.is_authenticated else None,
                note=note,
                data={name: getattr(self, name) for name in self.versioned_fields()},
            )


class PageRevision(models.Model):
    """A version of a page, kept at every save through the admin (compare, restore)."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="page_revision_number_unique")
        ]

    def __str__(self):
        return f"{self.page} (version {self.number})"
