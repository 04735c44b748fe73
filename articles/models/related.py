"""An article's related stories: an ordered list, each pointing at an archive article or,
until that article exists, holding the story's title and summary."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from articles.models.subjects import ShownToReaders
from articles.text import headline_key


class RelatedStoryQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(target__isnull=True)

    def link_to(self, article):
        """Point every unresolved item whose title matches ``article``'s headline at it."""
        return (
            self.unresolved()
            .filter(title_key=article.headline_key)
            .exclude(article=article)
            .update(target=article)
        )


class RelatedStory(ShownToReaders, models.Model):
    """One item in an article's ordered list of related stories.

    It points to an article in the archive, or, until that article exists, holds the story's
    title and summary. An unresolved item links itself when an article with that headline is
    saved (see ``RelatedStoryQuerySet.link_to``) or when the item itself is saved.
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="related_stories"
    )
    position = models.PositiveIntegerField(default=0)
    target = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="archive article",
    )
    title = models.CharField(max_length=300, blank=True)
    summary = models.TextField(blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    title_key = models.CharField(max_length=300, editable=False, db_index=True, default="")

    objects = RelatedStoryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "related stories"
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=False) | ~Q(title=""),
                name="related_story_has_target_or_title",
            )
        ]

    def __str__(self):
        return self.title or (self.target.headline if self.target_id else "")

    def save(self, *args, **kwargs):
        self.title_key = headline_key(self.title)
        if not self.target_id and self.title_key:
            articles = self._meta.get_field("target").related_model.objects
            self.target = (
                articles.filter(headline_key=self.title_key)
                .exclude(pk=self.article_id)
                .order_by("id")
                .first()
            )
        super().save(*args, **kwargs)

    def clean(self):
        if not self.target_id and not self.title.strip():
            raise ValidationError("Pick an archive article or type the story’s title.")
        if self.target_id and self.target_id == self.article_id:
            raise ValidationError({"target": "An article cannot be related to itself."})

    @property
    def display_title(self):
        return self.title or (self.target.headline if self.target else "")
