from django.apps import AppConfig


class ReadersConfig(AppConfig):
    name = "articles.readers"
    label = "readers"
    verbose_name = "Readers' pages"

    def ready(self):
        from articles.readers import signal_handlers

        signal_handlers.register()
