"""The publication in the admin: its identity (one form: name, tagline, logo, the pinned lead
story) and its pages (About, Contact…), each save kept as a version that can be compared
and restored, with a live preview of the body as readers will see it."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse

from articles import revisions
from articles.desk.forms import SafeAutocomplete
from articles.models import Page, PageRevision, SiteIdentity


@admin.register(SiteIdentity)
class SiteIdentityAdmin(SafeAutocomplete, admin.ModelAdmin):
    """One row: the list goes straight to its form; it cannot be added twice or deleted."""

    fields = ["name", "tagline", "description", "logo", "lead_article"]
    autocomplete_fields = ["logo", "lead_article"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:articles_siteidentity_change", args=[1]))

    def get_object(self, request, object_id, from_field=None):
        if str(object_id) != "1":
            return None
        return SiteIdentity.get_solo()


def diff(older: PageRevision, newer: PageRevision) -> list[dict]:
    """The fields that differ between two versions, line by line."""
    changes = []
    for name in Page.versioned_fields():
        before, after = older.data.get(name), newer.data.get(name)
        if before != after:
            lines = revisions._unified(
                str(before if before is not None else "").splitlines(),
                str(after if after is not None else "").splitlines(),
            )
            changes.append({"field": Page._meta.get_field(name).verbose_name, "lines": lines})
    return changes


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "in_footer", "position", "updated_at"]
    list_filter = ["status", "in_footer"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "summary", "body", "status", "in_footer", "position"]
    change_form_template = "admin/articles/page/change_form.html"

    class Media:
        css = {"all": ["articles/admin/workspace.css"]}  # the preview's frame
        js = ["articles/admin/page.js"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.has_changed() or not change:
            obj.record_version(request.user)

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path(
                "<int:pk>/versions/",
                view(self.versions_view),
                name="articles_page_versions",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["page_config"] = {
            "previewUrl": reverse("admin:articles_article_markdown_preview"),
            "readerCss": static("css/site.css"),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def versions_view(self, request, pk):
        """Every version, newest first, each with what it changed; restoring one (POST)
        saves it as the page's newest version."""
        page = get_object_or_404(Page, pk=pk)
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        if request.method == "POST":
            if not self.has_change_permission(request, page):
                raise PermissionDenied
            revision = get_object_or_404(page.revisions, number=request.POST.get("number"))
            for name, value in revision.data.items():
                setattr(page, name, value)
            try:
                page.full_clean()
            except ValidationError as error:
                messages.error(
                    request,
                    f"Version {revision.number} cannot be restored: " + " ".join(error.messages),
                )
                return HttpResponseRedirect(reverse("admin:articles_page_versions", args=[pk]))
            page.save()
            page.record_version(request.user, note=f"Restored version {revision.number}")
            messages.success(request, f"Version {revision.number} restored as the newest.")
            return HttpResponseRedirect(reverse("admin:articles_page_change", args=[page.pk]))
        versions = list(page.revisions.select_related("user"))
        for newer, older in zip(versions, versions[1:], strict=False):
            newer.changes = diff(older, newer)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": page,
            "title": f"Versions of “{page.title}”",
            "versions": versions,
            "can_restore": self.has_change_permission(request, page),
        }
        return TemplateResponse(request, "admin/articles/page/versions.html", context)
