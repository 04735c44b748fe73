"""The admin site: Django's, with the desk's panels on its first page (``dashboard``)."""

from django.contrib.admin import AdminSite
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path

from articles.desk import dashboard, exports
from articles.models import Article


class DeskAdminSite(AdminSite):
    """The admin, with the desk on its first page."""

    site_header = "Archive editors"
    site_title = "Archive admin"
    index_title = "The desk"
    index_template = "admin/desk.html"

    def index(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["desk_for"] = dashboard.audience(request.user)
        extra_context["panels"] = dashboard.render_panels(request.user)
        extra_context["may_export"] = exports.may_export(request.user)
        return super().index(request, extra_context)

    def get_urls(self):
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            path(
                "export/",
                self.admin_view(exports.export_page),
                {"admin_site": self},
                name="export",
            ),
            path(
                "export/<slug:format>/",
                self.admin_view(exports.export_download),
                {"admin_site": self},
                name="export-download",
            ),
            *super().get_urls(),
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "view on site" redirect, for what this user may see: any staff member
        could otherwise learn the public address of anyone's draft from its id."""
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
            int(object_id)
        except (ValueError, ContentType.DoesNotExist):
            raise Http404("No such object.") from None
        if model is None or not request.user.has_perm(
            f"{model._meta.app_label}.view_{model._meta.model_name}"
        ):
            raise Http404("No such object.")
        if model is Article and not (
            Article.objects.visible_to(request.user).filter(pk=object_id).exists()
        ):
            raise Http404("No such object.")
        return shortcut(request, content_type_id, object_id)
