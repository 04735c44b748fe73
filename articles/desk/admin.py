import re
from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html_join

from articles import revisions
from articles.desk import (  # noqa: F401 (registers their admin)
    image_library,
    publication_admin,
    stories,
    views,
)
from articles.desk.forms import (
    URL_FIELDS,
    ArticleForm,
    CorrectionInline,
    OriginalUpdateInline,
    RelatedStoryInline,
    SafeAutocomplete,
)
from articles.importing.names import key
from articles.models import (
    Article,
    GlossaryTerm,
    Image,
    LegacyAddress,
    Person,
    SlugRedirect,
    Source,
    Thread,
    Topic,
)


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


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["term", "explanation", "url"]
    search_fields = ["term", "explanation"]
    prepopulated_fields = {"slug": ["term"]}


@admin.register(Thread)
class ThreadAdmin(SafeAutocomplete, admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "image"]
    autocomplete_fields = ["image"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, thread):
        return thread.article_count


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LegacyAddress)
class LegacyAddressAdmin(SafeAutocomplete, admin.ModelAdmin):
    """Addresses of the site an archive was imported from, redirecting to what they became."""

    list_display = ["old_path", "article", "topic", "page"]
    search_fields = ["old_path", "article__headline", "topic__name", "page__title"]
    autocomplete_fields = ["article", "topic", "page"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(SafeAutocomplete, admin.ModelAdmin):
    list_display = ["old_slug", "article"]
    search_fields = ["old_slug", "article__headline"]
    autocomplete_fields = ["article"]


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


def _waiting_people(article) -> list[str]:
    """The people the imported text credits who are not on the article (a translator's paste
    names people the archive does not know yet; an editor adds them)."""
    imported = article.imported or {}
    named = imported.get("authors", []) + imported.get("translators", [])
    if not named:
        return []
    credited = {key(p.name) for p in [*article.authors.all(), *article.translators.all()]}
    return [name for name in dict.fromkeys(named) if key(name) not in credited]


@admin.register(Article)
class ArticleAdmin(SafeAutocomplete, admin.ModelAdmin):
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
    autocomplete_fields = ["source", "authors", "translators", "topics", "thread", "lead_image"]
    list_per_page = 25
    inlines = [RelatedStoryInline, OriginalUpdateInline, CorrectionInline]
    actions = ["submit_for_review", "return_to_translator", "publish", "unpublish"]
    # One row of buttons, below the form, kept in sight on a wide screen (workspace.css), and
    # Ctrl+S (workspace.js): the form's fields come first in the tab order.
    save_on_top = False
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"
    # The headline, dek and credits first; then the translation beside its original (the
    # workspace, static/articles/admin/workspace.js, pairs them paragraph by paragraph; without
    # script, two text areas); then the original's record, filing and publishing.
    fieldsets = [
        (None, {"fields": ["headline", "dek", "authors", "translators"]}),
        (
            "The translation",
            {
                "fields": ["original_body", "body", "lead_image"],
                "description": (
                    "The original and the translation, paragraph for paragraph (a blank line "
                    "between paragraphs): the workspace shows each paragraph beside its "
                    "original, with suggestions from the archive's published translations."
                ),
                "classes": ["translation-fieldset"],
            },
        ),
        (
            "The original",
            {
                "fields": [
                    "source",
                    "source_description",
                    "original_headline",
                    "original_url",
                    "original_language",
                    "original_published_on",
                    "dateline",
                ],
            },
        ),
        ("Topics and story", {"fields": ["topics", "thread", "suggested_threads"]}),
        (
            "Publishing",
            {
                "fields": ["slug", "status", "published_at", "returned_note"],
                "description": (
                    "Published articles appear to readers at their publication time: set a "
                    "time in the future to schedule one. Sending an article back to its "
                    "translator (status: draft), say what to change."
                ),
            },
        ),
    ]

    class Media:
        css = {"all": ["articles/admin/workspace.css"]}
        js = ["articles/admin/workspace.js"]

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
            return ["suggested_threads"]
        return ["published_at", "returned_note", "suggested_threads"]

    @admin.display(description="Suggested stories")
    def suggested_threads(self, article):
        """Stories whose published articles share a topic and a headline word with this
        one, each with a button that puts the article in it (and saves)."""
        if not article.pk or article.thread_id:
            return "—"
        suggestions = stories.suggested_for(article)
        if not suggestions:
            return "None: no story shares a topic and a headline word with this article."
        return format_html_join(
            "",
            '<p class="suggested-thread">{} <button type="submit" name="_add_to_thread" '
            'value="{}" class="button">Add to this story and save</button></p>',
            ((thread.name, thread.pk) for thread in suggestions),
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        attributes = {"placeable_images": Image.objects.visible_to(request.user)}
        if not self.has_publish_permission(request):
            attributes["can_publish"] = False
        return type(form.__name__, (form,), attributes)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A lead image the user may see (a posted id of another's picture is refused)."""
        if db_field.name == "lead_image":
            kwargs["queryset"] = Image.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        """Django fills a new article's fields from the address ("?source=3"); a value its
        field would refuse ("?source='") is left out, as the form could not show it."""
        initial = super().get_changeform_initial_data(request)
        fields = self.get_form(request).base_fields
        for name, value in list(initial.items()):
            field = fields.get(name)
            try:
                if field is None or "\x00" in str(value):
                    raise ValidationError("not a field")
                field.clean(value)
            except (ValidationError, ValueError, TypeError, OverflowError):
                del initial[name]
        return initial

    def get_inlines(self, request, obj):
        if obj is None or not request.user.has_perm("articles.view_correction"):
            return [RelatedStoryInline]
        return self.inlines

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "original_body":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 12, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # -- Saving keeps a version ---------------------------------------------------------

    def save_model(self, request, obj, form, change):
        chosen = request.POST.get("_add_to_thread", "")
        if re.fullmatch(r"[0-9]{1,18}", chosen):  # not "²", which isdigit() lets through
            obj.thread = Thread.objects.filter(pk=int(chosen)).first() or obj.thread
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

    @admin.action(
        description="Return selected articles in review to their translator (back to draft)",
        permissions=["publish"],
    )
    def return_to_translator(self, request, queryset):
        in_review = queryset.filter(status=Article.Status.REVIEW)
        count = self._set_status(request, in_review, Article.Status.DRAFT, "Returned for changes")
        self.message_user(
            request, f"{count} article(s) returned to their translator.", messages.SUCCESS
        )

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
            path("paste/", view(views.paste_import), name="articles_article_paste"),
            path(
                "markdown-preview/",
                view(views.markdown_preview),
                name="articles_article_markdown_preview",
            ),
            path(
                "translation-memory/",
                view(views.translation_memory),
                name="articles_article_translation_memory",
            ),
            path("concordance/", view(views.concordance), name="articles_article_concordance"),
            path(
                "<int:pk>/versions/",
                view(views.revision_list),
                name="articles_article_revisions",
            ),
            path(
                "<int:pk>/versions/<int:number>/restore/",
                view(views.revision_restore),
                name="articles_article_revision_restore",
            ),
            path(
                "<int:pk>/preview-links/",
                view(views.preview_link_create),
                name="articles_article_preview_link_create",
            ),
            path(
                "<int:pk>/preview-links/<int:link_pk>/revoke/",
                view(views.preview_link_revoke),
                name="articles_article_preview_link_revoke",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The article form is the translation workspace: the whole window (no navigation
        sidebar, whose links would come before the headline), with what its script needs."""
        extra_context = extra_context or {}
        extra_context["is_nav_sidebar_enabled"] = False
        terms = GlossaryTerm.objects.for_translating()
        extra_context["editor_config"] = {
            "previewUrl": reverse("admin:articles_article_markdown_preview"),
            "memoryUrl": reverse("admin:articles_article_translation_memory"),
            "concordanceUrl": reverse("admin:articles_article_concordance"),
            "readerCss": static("css/site.css"),
            "article": object_id if object_id and str(object_id).isdigit() else "",
            "terms": [
                {"slug": slug, "forms": forms, "rendering": rendering}
                for slug, forms, rendering in terms
                if rendering
            ],
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context["preview_links"] = article.preview_links.valid()
            extra_context["can_share"] = request.user.has_perm("articles.add_previewlink")
            named = (article.imported or {}).get("source_named")
            if named and article.source_id is None:
                extra_context["waiting_source"] = named
            extra_context["waiting_people"] = _waiting_people(article)
        return super().change_view(request, object_id, form_url, extra_context)
