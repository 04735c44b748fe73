from django.apps import AppConfig


class ExportingConfig(AppConfig):
    name = "articles.exporting"
    label = "exporting"
    verbose_name = "Exports"
