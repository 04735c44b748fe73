from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    name = "articles.devtools"
    label = "devtools"
    verbose_name = "Development tools"
