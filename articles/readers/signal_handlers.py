"""What the readers' cache does when content changes: a saved or deleted article, source,
topic, person, story, image, correction, related story, glossary term or update of the
original (every model marked ``ShownToReaders``), credits or topics set, or a bulk write
(``articles.signals.content_changed``) changes the content version (``caching.changed``),
so that no page keeps showing what was. Registered by ``ReadersConfig.ready()``; the models
know nothing of it."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.models.subjects import ShownToReaders
from articles.readers import caching
from articles.signals import content_changed


def _saved_or_deleted(sender, **kwargs):
    if issubclass(sender, ShownToReaders):
        caching.changed()


def _relations_set(sender, instance, action, model, **kwargs):
    if action.startswith("post_") and (
        isinstance(instance, ShownToReaders) or issubclass(model, ShownToReaders)
    ):
        caching.changed()


def _written_in_bulk(sender, **kwargs):
    caching.changed()


def register():
    """Connected to each model readers see, and their credits' and topics' tables, by name:
    a receiver of every model's deletions would make Django read every row it deletes (its
    "fast delete" is for models nobody listens to)."""
    for model in apps.get_models():
        if not issubclass(model, ShownToReaders):
            continue
        uid = model._meta.label_lower
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"readers-saved-{uid}")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"readers-gone-{uid}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _relations_set, sender=through, dispatch_uid=f"readers-m2m-{through._meta.label}"
            )
    content_changed.connect(_written_in_bulk, dispatch_uid="readers-content-bulk")
