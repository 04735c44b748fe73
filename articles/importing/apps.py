from django.apps import AppConfig


class ImportingConfig(AppConfig):
    name = "articles.importing"
    label = "importing"
    verbose_name = "Importing"
