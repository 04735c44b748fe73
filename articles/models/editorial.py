"""The editorial record around an article: its revisions, its corrections and the links that
let a reviewer without an account read it before it is published."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from articles.models.archive import Article
from articles.models.subjects import ShownToReaders


class Revision(models.Model):
    """A version of an article, kept at every save (see ``articles.revisions``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField(help_text="The article's fields, credits, topics and related stories.")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique")
        ]

    def __str__(self):
        return f"{self.article} · version {self.number}"


class Correction(ShownToReaders, models.Model):
    """A dated note appended to a published article: “Correction (date): …”."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    published_on = models.DateField("date", default=timezone.localdate)
    text = models.TextField(help_text="Plain text: what was wrong and what it now says.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["published_on", "id"]

    def __str__(self):
        return f"Correction ({self.published_on:%B %d, %Y})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The article changed for its readers: feeds and JSON-LD show a new updated date.
        Article.objects.filter(pk=self.article_id).update(updated_at=timezone.now())


def _new_token():
    return secrets.token_urlsafe(32)


def _default_expiry():
    return timezone.now() + timedelta(days=settings.PREVIEW_LINK_DAYS)


class PreviewLinkQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """An unguessable, expiring, revocable address at which anyone may read one article as
    it stands, published or not."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview of {self.article}"

    def get_absolute_url(self):
        return reverse("articles:preview", kwargs={"token": self.token})


class OriginalUpdate(ShownToReaders, models.Model):
    """The original was corrected or updated after it was translated: readers see it in the
    attribution, and the desk lists the translation to revisit."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="original_updates")
    changed_on = models.DateField("date of the change", default=timezone.localdate)
    note = models.TextField(
        blank=True, help_text="What changed in the original, e.g. “figures corrected”."
    )
    translation_revised = models.BooleanField(
        "translation revised",
        default=False,
        help_text="Tick once the translation has been checked against the changed original: "
        "the desk stops listing it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]
        verbose_name = "update of the original"
        verbose_name_plural = "updates of the original"

    def __str__(self):
        return f"Original updated on {self.changed_on:%B %d, %Y}"
