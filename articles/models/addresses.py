"""The addresses articles and topics used to have: an article's old slugs, and the
addresses of the site an archive was imported from. Both answer with permanent redirects."""

from urllib.parse import quote, unquote

from django.db import models
from django.db.models import Q

from articles.models.archive import Article, Topic
from articles.models.publication import Page


def normalized_path(path: str) -> str:
    """An old address as it is kept and looked up: percent-encoded, in capitals ("%D0%BF"),
    however the export or the browser wrote it (WordPress writes a Cyrillic or Chinese
    permalink in small letters, "%d0%bf")."""
    return quote(unquote(path), safe="/?=&+:@!$,;~*'()")


class SlugRedirect(models.Model):
    """An address an article used to have. Changing a slug records the old one here; the
    article view answers it with a permanent redirect. (A changed date needs no record: the
    view redirects any date to the article's current one.)"""

    old_slug = models.SlugField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self):
        return f"{self.old_slug} → {self.article.slug}"


class LegacyAddressQuerySet(models.QuerySet):
    def visible(self):
        """Addresses whose target readers may see: a topic with a published article, or a
        published article."""
        return self.filter(
            Q(topic__in=Topic.objects.with_published_articles())
            | Q(article__in=Article.objects.published().values("pk"))
            | Q(page__in=Page.objects.published().values("pk"))
        )


class LegacyAddress(models.Model):
    """An address on the site an archive came from (a WordPress permalink, "/?p=123", a
    category or tag page, a page). Requests for it are answered with a permanent redirect to
    the article, topic or page it became (``articles.readers.middleware``)."""

    old_path = models.CharField(
        max_length=500, unique=True, help_text="Path and query, e.g. “/2014/03/07/slug/”."
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="legacy_addresses"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, related_name="legacy_addresses"
    )
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, null=True, blank=True, related_name="legacy_addresses"
    )

    objects = LegacyAddressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "legacy addresses"
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, topic__isnull=True, page__isnull=True)
                | Q(article__isnull=True, topic__isnull=False, page__isnull=True)
                | Q(article__isnull=True, topic__isnull=True, page__isnull=False),
                name="legacy_address_has_one_target",
            )
        ]

    def __str__(self):
        return self.old_path

    @property
    def target(self):
        return self.article or self.topic or self.page
