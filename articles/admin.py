from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.urls import path

from articles import admin_views, revisions, search
from articles.importing.items import MAX_RELATED_STORIES
from articles.models import (
    Article,
    Correction,
    LegacyAddress,
    Person,
    RelatedStory,
    SlugRedirect,
    Source,
    Topic,
)

# Editors paste addresses without a scheme ("www.jornada.com.mx/…"): assume https.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "description", "language", "url"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LegacyAddress)
class LegacyAddressAdmin(admin.ModelAdmin):
    """Addresses of the site an archive was imported from, redirecting to what they became."""

    list_display = ["old_path", "article", "topic"]
    search_fields = ["old_path", "article__headline", "topic__name"]
    autocomplete_fields = ["article", "topic"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article"]
    search_fields = ["old_slug", "article__headline"]
    autocomplete_fields = ["article"]


class RelatedStoryInline(admin.TabularInline):
    model = RelatedStory
    fk_name = "article"
    formfield_overrides = URL_FIELDS
    extra = 1
    autocomplete_fields = ["target"]
    fields = ["position", "target", "title", "summary", "url"]
    verbose_name = "related story"
    max_num = MAX_RELATED_STORIES
    verbose_name_plural = (
        "Related stories (pick an archive article, or type the title and summary of a story "
        "not yet in the archive: it links itself when that story arrives)"
    )

    def get_formset(self, request, obj=None, **kwargs):
        # Refuse more than max_num stories (by default the admin only stops adding rows).
        return super().get_formset(request, obj, validate_max=True, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An archive article to point at: one the user may read (a translator: published
        articles and their own), so a posted id cannot reveal someone else's draft."""
        if db_field.name == "target":
            kwargs["queryset"] = Article.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CorrectionInline(admin.StackedInline):
    """Editors append corrections; readers see them at the foot of the article."""

    model = Correction
    extra = 0
    fields = ["published_on", "text"]


class ArticleForm(forms.ModelForm):
    """The article form; for someone who may not publish, the status offers draft and
    review only, so a posted "published" is refused like any invalid choice."""

    can_publish = True

    class Meta:
        model = Article
        fields = ["headline", "slug", "dek", "body", "status", "published_at"]  # + fieldsets

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not search.indexable(body):
            raise forms.ValidationError(
                "This text is too long to be indexed for search (PostgreSQL's limit is 1 MB "
                "of distinct words): split it into parts."
            )
        return body

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.can_publish and "status" in self.fields:
            self.fields["status"].choices = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
            self.fields["status"].help_text = "An editor publishes articles in review."


class ArticleChangeList(ChangeList):
    """Django's change list, but a date drill-down past year 9999 (or another impossible
    date) is an invalid filter (the list reloads without it) instead of a crash."""

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


def _is_target_autocomplete(request) -> bool:
    return (
        request.path.endswith("/autocomplete/")
        and request.GET.get("model_name") == "relatedstory"
        and request.GET.get("field_name") == "target"
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    formfield_overrides = URL_FIELDS
    list_display = [
        "headline",
        "status",
        "source",
        "published_at",
        "original_published_on",
        "created_by",
        "updated_at",
    ]
    list_filter = ["status", "source", "topics"]
    list_select_related = ["source", "created_by"]
    date_hierarchy = "published_at"
    search_fields = ["headline", "dek", "original_headline"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["source", "authors", "translators", "topics"]
    inlines = [RelatedStoryInline, CorrectionInline]
    actions = ["submit_for_review", "publish", "unpublish"]
    save_on_top = True
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body"]}),
        ("Credits and topics", {"fields": ["authors", "translators", "topics"]}),
        (
            "The original",
            {
                "fields": [
                    "source",
                    "original_headline",
                    "original_url",
                    "original_language",
                    "original_published_on",
                    "dateline",
                ]
            },
        ),
        (
            "Publishing",
            {
                "fields": ["status", "published_at"],
                "description": (
                    "Published articles appear to readers at their publication time: set a "
                    "time in the future to schedule one."
                ),
            },
        ),
    ]

    class Media:
        css = {"all": ["articles/admin/markdown-preview.css"]}
        js = ["articles/admin/markdown-preview.js"]

    # -- Who may do what ------------------------------------------------------------------

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def get_queryset(self, request):
        articles = super().get_queryset(request)
        if self.has_publish_permission(request):
            return articles
        return articles.filter(created_by=request.user)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or self.has_publish_permission(request):
            return True
        return obj.created_by_id == request.user.pk and obj.status != Article.Status.PUBLISHED

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        if obj is None or self.has_publish_permission(request):
            return True
        return obj.created_by_id == request.user.pk

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_search_results(self, request, queryset, search_term):
        """The related-story autocomplete offers what the user may read: for a translator,
        published articles as well as their own (this admin's list shows only their own)."""
        if _is_target_autocomplete(request):
            queryset = Article.objects.visible_to(request.user)
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request, obj=None):
        if self.has_publish_permission(request):
            return []
        return ["published_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if self.has_publish_permission(request):
            return form
        return type("TranslatorArticleForm", (form,), {"can_publish": False})

    def get_inlines(self, request, obj):
        if obj is None or not request.user.has_perm("articles.view_correction"):
            return [RelatedStoryInline]
        return self.inlines

    # -- Saving keeps a version ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif "status" in form.changed_data and obj.status == Article.Status.PUBLISHED:
            # The form shows whole seconds: a time within a second of the stored one is the
            # same time, left as it was.
            before = form.initial.get("published_at")
            if before and abs(obj.published_at - before) < timedelta(seconds=1):
                obj.published_at = before
                obj.status = form.initial["status"]
                obj.publish()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        revisions.record(form.instance, request.user, note="Edited" if change else "Created")

    # -- Actions ------------------------------------------------------------------------

    def _set_status(self, request, queryset, status, note):
        changed = 0
        for article in queryset.exclude(status=status):
            if status == Article.Status.PUBLISHED:
                article.publish()
            else:
                article.status = status
            article.save()
            revisions.record(article, request.user, note=note)
            changed += 1
        return changed

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        drafts = queryset.filter(status=Article.Status.DRAFT)
        if not self.has_publish_permission(request):
            drafts = drafts.filter(created_by=request.user)
        count = self._set_status(request, drafts, Article.Status.REVIEW, "Submitted for review")
        self.message_user(request, f"{count} article(s) submitted for review.", messages.SUCCESS)

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish(self, request, queryset):
        count = self._set_status(request, queryset, Article.Status.PUBLISHED, "Published")
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = self._set_status(request, queryset, Article.Status.DRAFT, "Unpublished")
        self.message_user(request, f"{count} article(s) returned to draft.", messages.SUCCESS)

    # -- Extra pages ----------------------------------------------------------------------

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, model_admin=self))

        return [
            path("paste/", view(admin_views.paste_import), name="articles_article_paste"),
            path(
                "markdown-preview/",
                view(admin_views.markdown_preview),
                name="articles_article_markdown_preview",
            ),
            path(
                "<int:pk>/versions/",
                view(admin_views.revision_list),
                name="articles_article_revisions",
            ),
            path(
                "<int:pk>/versions/<int:number>/restore/",
                view(admin_views.revision_restore),
                name="articles_article_revision_restore",
            ),
            path(
                "<int:pk>/preview-links/",
                view(admin_views.preview_link_create),
                name="articles_article_preview_link_create",
            ),
            path(
                "<int:pk>/preview-links/<int:link_pk>/revoke/",
                view(admin_views.preview_link_revoke),
                name="articles_article_preview_link_revoke",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context["preview_links"] = article.preview_links.valid()
            extra_context["can_share"] = request.user.has_perm("articles.add_previewlink")
            named = (article.imported or {}).get("source_named")
            if named and article.source_id is None:
                extra_context["waiting_source"] = named
        return super().change_view(request, object_id, form_url, extra_context)
