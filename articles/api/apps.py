from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "articles.api"
    label = "api"
    verbose_name = "Public read API"
