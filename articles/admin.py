from django.contrib import admin, messages
from django.db import models
from django.utils import timezone

from articles.models import Article, Person, RelatedStory, SlugRedirect, Source, Topic

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


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article"]
    search_fields = ["old_slug", "article__headline"]
    autocomplete_fields = ["article"]


class RelatedStoryInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS
    model = RelatedStory
    fk_name = "article"
    extra = 1
    autocomplete_fields = ["target"]
    fields = ["position", "target", "title", "summary", "url"]
    verbose_name = "related story"
    verbose_name_plural = (
        "Related stories (pick an archive article, or type the title and summary of a story "
        "not yet in the archive: it links itself when that story arrives)"
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = [
        "headline",
        "status",
        "source",
        "published_at",
        "original_published_on",
        "updated_at",
    ]
    list_filter = ["status", "source", "topics"]
    list_select_related = ["source"]
    date_hierarchy = "published_at"
    search_fields = ["headline", "dek", "original_headline"]
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["source", "authors", "translators", "topics"]
    inlines = [RelatedStoryInline]
    actions = ["publish", "unpublish"]
    save_on_top = True
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
                ]
            },
        ),
        ("Publishing", {"fields": ["status", "published_at"]}),
    ]

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.exclude(status=Article.Status.PUBLISHED).update(
            status=Article.Status.PUBLISHED, updated_at=timezone.now()
        )
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.exclude(status=Article.Status.DRAFT).update(
            status=Article.Status.DRAFT, updated_at=timezone.now()
        )
        self.message_user(request, f"{count} article(s) returned to draft.", messages.SUCCESS)
