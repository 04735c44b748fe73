"""Images in the admin: upload one (checked and cleaned, see ``articles.uploads``), describe
it (alt text, caption, credit), see where it is used; an image an article shows cannot be
deleted."""

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.desk.forms import URL_FIELDS
from articles.models import Article, Image


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ImageForm(forms.ModelForm):
    class Meta:
        model = Image
        formfield_callback = _formfield
        fields = ["file", "url", "alt", "caption", "credit"]
        widgets = {
            "file": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
            ),
            "alt": forms.TextInput(attrs={"class": "vLargeTextField wide-field"}),
            "caption": forms.TextInput(attrs={"class": "vLargeTextField wide-field"}),
        }


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    formfield_overrides = URL_FIELDS
    list_display = ["thumbnail", "alt", "credit", "uploaded_at"]
    list_display_links = ["alt"]
    search_fields = ["alt", "caption", "credit"]
    readonly_fields = ["preview", "placing", "dimensions", "used_by"]
    list_per_page = 25

    def get_fieldsets(self, request, obj=None):
        described = (None, {"fields": ["alt", "caption", "credit"]})
        if obj is None:
            return [
                (
                    "The image",
                    {
                        "fields": ["file", "url"],
                        "description": "Upload a file, or give the address of an image kept "
                        "elsewhere.",
                    },
                ),
                described,
            ]
        return [
            ("The image", {"fields": ["preview", "dimensions", "file", "url"]}),
            described,
            ("Where it is used", {"fields": ["placing", "used_by"]}),
        ]

    @admin.display(description="image")
    def thumbnail(self, image):
        return format_html(
            '<img src="{}" alt="" width="96" class="image-thumbnail">',
            image.src_at_most(320),
        )

    @admin.display(description="preview")
    def preview(self, image):
        return format_html(
            '<img src="{}" alt="{}" class="image-preview">', image.src_at_most(640), image.alt
        )

    @admin.display(description="size")
    def dimensions(self, image):
        if not image.width:
            return "Unknown (kept elsewhere)."
        copies = ", ".join(f"{w}" for w in image.rendition_widths) or "none"
        return f"{image.width} × {image.height} pixels; copies {copies} pixels wide."

    @admin.display(description="In an article’s text")
    def placing(self, image):
        return format_html(
            "Write <code>![](image:{})</code> on a line of its own where the image belongs, or "
            "choose it as an article’s lead image.",
            image.pk,
        )

    @admin.display(description="Shown by")
    def used_by(self, image):
        """The articles showing the image that the viewer may read: their own and published
        ones for a translator (never the headline of someone else's draft)."""
        viewer = getattr(image, "_viewer", None)
        if viewer is None:
            return "—"
        showing = _articles_showing(image, viewer)
        if not showing:
            return "No article yet."
        return format_html_join(
            ", ", '<a href="{}">{}</a>', ((article.link, article) for article in showing)
        )

    def get_queryset(self, request):
        """A translator opens (and picks, in the lead image's autocomplete) only the images
        ``ImageQuerySet.visible_to`` gives them."""
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        image = super().get_object(request, object_id, from_field)
        if image is not None:
            image._viewer = request.user  # for ``used_by``
        return image

    def has_change_permission(self, request, obj=None):
        """An editor changes any image; a translator only one they uploaded that no
        published article shows (changing it would change published pages at once).
        Others they may view, and pick."""
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.has_perm("articles.publish_article"):
            return True
        return obj.uploaded_by_id == request.user.pk and not _shown_by_published(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        """An image an article shows in its text is protected too (the lead image is, by
        its foreign key): deleting it would leave a hole in a published page."""
        deleted, counts, missing, protected = super().get_deleted_objects(objs, request)
        for image in objs:
            for article in Article.objects.showing_image(image):
                protected.append(f"Article (shows it in its text): {article}")
        return deleted, counts, missing, protected


def _shown_by_published(image) -> bool:
    published = Article.objects.published()
    return published.showing_image(image).exists() or published.filter(lead_image=image).exists()


def _articles_showing(image, viewer):
    """Up to 40 articles showing ``image`` that ``viewer`` may read, each with a ``link``: its
    change page where the viewer may open it, else its page on the site."""
    readable = Article.objects.visible_to(viewer).only(
        "pk", "headline", "slug", "published_at", "created_by"
    )
    showing = list(readable.showing_image(image)[:20])
    showing += list(readable.filter(lead_image=image)[:20])
    may_open_all = viewer.has_perm("articles.publish_article")
    for article in showing:
        if may_open_all or article.created_by_id == viewer.pk:
            article.link = reverse("admin:articles_article_change", args=[article.pk])
        else:
            article.link = article.get_absolute_url()
    return list({article.pk: article for article in showing}.values())
