"""Images: a lead image above an article and images in its body, each with alt text, caption
and credit. An image is a file uploaded in the admin (checked, cleaned and resized by
``articles.uploads``) or, for imported posts, an address elsewhere. Editing one renders the
articles that show it again (``articles.signal_handlers``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Exists, OuterRef, Q

from articles import uploads
from articles.models.subjects import ShownToReaders


class ImageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The images ``user`` may open, pick and place: every one for an editor; for others
        (translators), those they uploaded and those shown by a published article or by one
        of their own. (Another translator's picture for an article not yet published says,
        with its alt text and caption, what that article is about.)"""
        if user.has_perm("articles.publish_article"):
            return self.all()
        articles = self.model.lead_of.field.model.objects  # Article's (it imports this module)
        readable = articles.published() | articles.filter(created_by_id=user.pk)
        return self.filter(
            Q(uploaded_by_id=user.pk)
            | Exists(readable.filter(lead_image=OuterRef("pk")))
            | Exists(readable.filter(body_images__contains=[OuterRef("pk")]))
        )


class Image(ShownToReaders, models.Model):
    # A FileField, not an ImageField: articles.uploads.validate_upload checks the file and
    # says what is wrong with it (an ImageField's "Upload a valid image" says nothing).
    file = models.FileField(
        upload_to=uploads.upload_to,
        blank=True,
        max_length=200,
        validators=[uploads.validate_upload],
        help_text="JPEG, PNG, WebP or GIF, at most "
        f"{settings.IMAGE_MAX_BYTES // (1024 * 1024)} MB. Location and camera data are removed.",
    )
    url = models.URLField(
        "address",
        max_length=500,
        blank=True,
        help_text="An image kept elsewhere (such as one from an imported WordPress post), "
        "instead of a file.",
    )
    alt = models.CharField(
        "alt text",
        max_length=300,
        help_text="What the image shows, for readers who cannot see it (“Teachers march on "
        "the Zócalo under umbrellas”).",
    )
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(
        max_length=200, blank=True, help_text="As the source gives it: “Photo: Proceso”."
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    rendition_widths = models.JSONField(
        default=list,
        editable=False,
        help_text="The widths of the resized copies made when the file was uploaded.",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="image_has_file_or_address",
            ),
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="image_address_unique"
            ),
        ]

    def __str__(self):
        return self.alt

    def save(self, *args, **kwargs):
        """A new upload is cleaned (orientation applied, metadata removed) and resized
        before the row is written."""
        if self.file and not getattr(self.file, "_committed", True):
            uploads.prepare(self)
        elif not self.file:
            self.rendition_widths = []
        super().save(*args, **kwargs)

    def clean(self):
        if bool(self.file) == bool(self.url):
            raise ValidationError("Upload a file or give the image’s address (one of the two).")

    # What templates use.

    @property
    def src(self) -> str:
        """The address of the widest copy (or of the image elsewhere)."""
        if not self.file:
            return self.url
        widths = self.rendition_widths
        return self.rendition_url(widths[-1]) if widths else default_storage.url(self.file.name)

    def rendition_url(self, width: int) -> str:
        return default_storage.url(uploads.rendition_name(self.file.name, width))

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self.rendition_url(w)} {w}w" for w in self.rendition_widths)

    def src_at_most(self, width: int) -> str:
        """The smallest copy at least ``width`` pixels wide (or the widest there is)."""
        if not self.rendition_widths:
            return self.src
        chosen = next((w for w in self.rendition_widths if w >= width), self.rendition_widths[-1])
        return self.rendition_url(chosen)

    @property
    def original_url(self) -> str:
        """The cleaned file as uploaded, for previews that want the original format
        (OpenGraph, the admin)."""
        return default_storage.url(self.file.name) if self.file else self.url
