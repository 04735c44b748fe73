from django.contrib.admin.apps import AdminConfig


class ArchiveAdminConfig(AdminConfig):
    """Django's admin, with the desk as its first page (``articles.desk``)."""

    default_site = "articles.desk.site.DeskAdminSite"
