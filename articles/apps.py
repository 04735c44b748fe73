from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """The archive's domain: its models and what derives from them. The audiences are apps of
    their own inside it: ``articles.readers``, ``articles.desk``, ``articles.importing`` and
    (outside production) ``articles.devtools``."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Archive"

    def ready(self):
        from articles import signal_handlers

        signal_handlers.register()
