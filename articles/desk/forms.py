"""The article form and its inlines in the admin."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from articles import figures
from articles.importing.items import MAX_RELATED_STORIES
from articles.models import Article, Correction, Image, OriginalUpdate, RelatedStory
from articles.models.search_index import indexable


def _is_key(model_field, value) -> bool:
    """Whether ``value`` could be a key of the rows ``model_field`` points to."""
    target = model_field.target_field
    try:
        target.run_validators(target.to_python(value))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return "\x00" not in str(value)


class _ShowingOnlyKeys:
    """Django's autocomplete widget looks up the rows it shows as chosen; a value that is no
    key ("x", "²", a 30-digit number, posted or in the address) would make that look-up
    crash the page instead of the form saying the choice is invalid."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_key(self.field, v)], attr)


class SafeAutocompleteSelect(_ShowingOnlyKeys, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ShowingOnlyKeys, AutocompleteSelectMultiple):
    pass


class SafeAutocomplete:
    """For model admins and inlines with ``autocomplete_fields``: the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# Editors paste addresses without a scheme ("www.jornada.com.mx/…"): assume https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class RelatedStoryForm(forms.ModelForm):
    """A related story; its position may be left empty: it goes after the others."""

    position = forms.IntegerField(
        required=False, min_value=0, help_text="Order in the list; empty: at the end."
    )

    class Meta:
        model = RelatedStory
        fields = ["target", "position", "title", "summary", "url"]


class RelatedStoriesFormSet(forms.BaseInlineFormSet):
    def save(self, commit=True):
        taken = [
            form.cleaned_data.get("position")
            for form in self.forms
            if form.has_changed() and form.cleaned_data.get("position") is not None
        ]
        following = max([*taken, *self._stored_positions(), -1]) + 1
        for form in self.forms:
            if form.has_changed() and form.cleaned_data.get("position") is None:
                form.instance.position = following
                following += 1
        return super().save(commit)

    def _stored_positions(self):
        if self.instance.pk is None:
            return []
        return list(self.instance.related_stories.values_list("position", flat=True))


class RelatedStoryInline(SafeAutocomplete, admin.StackedInline):
    model = RelatedStory
    fk_name = "article"
    formfield_overrides = URL_FIELDS
    form = RelatedStoryForm
    formset = RelatedStoriesFormSet
    extra = 1
    autocomplete_fields = ["target"]
    fields = [("target", "position"), "title", "summary", "url"]
    verbose_name = "related story"
    max_num = MAX_RELATED_STORIES
    verbose_name_plural = (
        "Related stories (pick an archive article, or type the title and summary of a story "
        "not yet in the archive: it links itself when that story arrives)"
    )

    def get_formset(self, request, obj=None, **kwargs):
        # Refuse more than max_num stories (by default the admin only stops adding rows), and
        # a posted count beyond it at once: Django builds up to max_num + 1,000 forms first.
        return super().get_formset(
            request, obj, validate_max=True, absolute_max=MAX_RELATED_STORIES, **kwargs
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An archive article to point at: one the user may read (a translator: published
        articles and their own), so a posted id cannot reveal someone else's draft."""
        if db_field.name == "target":
            kwargs["queryset"] = Article.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BoundedInline(admin.StackedInline):
    """At most ``max_num`` rows, and a posted count beyond it refused at once (Django would
    build up to max_num + 1,000 forms, seconds of work and megabytes of page, first)."""

    max_num = 100

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(
            request, obj, validate_max=True, absolute_max=self.max_num, **kwargs
        )


class OriginalUpdateInline(BoundedInline):
    """Editors note that the original changed after it was translated: readers see it in the
    attribution, and the desk lists the translation to revisit."""

    model = OriginalUpdate
    extra = 0
    fields = ["changed_on", "note", "translation_revised"]
    verbose_name_plural = "Updates of the original after this translation"


class CorrectionInline(BoundedInline):
    """Editors append corrections; readers see them at the foot of the article."""

    model = Correction
    extra = 0
    fields = ["published_on", "text"]


def publication_time_help() -> str:
    """Which clock the publication time is on: the site's (``TIME_ZONE``), named with its
    offset now, and the same moment in UTC, so that an editor elsewhere schedules right."""
    now = timezone.localtime()
    offset = now.strftime("%z")
    return (
        "Readers see the article from this moment once it is published. "
        f"In the site's time zone, {timezone.get_current_timezone_name()} "
        f"(UTC{offset[:3]}:{offset[3:]} now; {now:%H:%M} there as this page was opened, "
        f"{timezone.now():%H:%M} UTC). A time to come schedules the article: it appears "
        "everywhere at that moment."
    )


class ArticleForm(forms.ModelForm):
    """The article form; for someone who may not publish, the status offers draft and
    review only, so a posted "published" is refused like any invalid choice."""

    can_publish = True
    # The images the writer may place (set by ``ArticleAdmin.get_form``); None: all of them.
    placeable_images = None

    class Meta:
        model = Article
        fields = ["headline", "slug", "dek", "body", "status", "published_at"]  # + fieldsets
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField wide-field"}),
            "slug": forms.TextInput(attrs={"class": "vLargeTextField wide-field"}),
            "dek": forms.TextInput(attrs={"class": "vLargeTextField wide-field"}),
            "original_headline": forms.TextInput(attrs={"class": "vLargeTextField wide-field"}),
        }

    def clean_body(self):
        body = self.cleaned_data["body"]  # line endings: Article.derive_fields
        if not indexable(body):
            raise forms.ValidationError(
                "This text is too long to be indexed for search (PostgreSQL's limit is 1 MB "
                "of distinct words): split it into parts."
            )
        placeable = Image.objects.all() if self.placeable_images is None else self.placeable_images
        wanted = figures.referenced(body)
        known = set(placeable.filter(pk__in=wanted).values_list("pk", flat=True))
        problems = figures.line_problems(body, known)
        if problems:
            raise forms.ValidationError(problems)
        return body

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "published_at" in self.fields:
            self.fields["published_at"].help_text = publication_time_help()
        if not self.can_publish and "status" in self.fields:
            self.fields["status"].choices = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
            self.fields["status"].help_text = "An editor publishes articles in review."
