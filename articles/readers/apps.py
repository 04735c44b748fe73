from django.apps import AppConfig


class ReadersConfig(AppConfig):
    name = "articles.readers"
    label = "readers"
    verbose_name = "Readers' pages"
