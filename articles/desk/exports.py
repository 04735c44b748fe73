"""Export from the admin: an editor downloads the whole archive, as the JSON-lines dump this
archive reads back or as a WordPress export (``articles.exporting``). Streamed as it is
written, so the archive's size costs no memory; editors only (a dump holds the drafts)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from articles import dump
from articles.exporting import wxr

FORMATS = {
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl", dump.lines),
    "wxr": ("application/rss+xml; charset=utf-8", "xml", wxr.document),
}


def may_export(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("articles.publish_article")


def export_page(request, admin_site):
    if not may_export(request.user):
        raise PermissionDenied
    context = {**admin_site.each_context(request), "title": "Export the archive"}
    return TemplateResponse(request, "admin/desk/export.html", context)


def export_download(request, format, admin_site):
    if not may_export(request.user):
        raise PermissionDenied
    if format not in FORMATS:
        raise Http404("No such format.")
    content_type, extension, write = FORMATS[format]
    site = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(write(site), content_type=content_type)
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="archive-{day}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    return response
