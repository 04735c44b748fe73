"""What the readers' cache does when content changes: a saved or deleted article, source,
topic, person, story, image, correction, related story, glossary term or update of the
original (every model marked ``ShownToReaders``), credits or topics set, or a bulk write
(``articles.signals.content_changed``) changes the content version (``caching.changed``),
so that no page keeps showing what was. Registered by ``ReadersConfig.ready()``; the models
know nothing of it."""

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
    post_save.connect(_saved_or_deleted, dispatch_uid="readers-content-saved")
    post_delete.connect(_saved_or_deleted, dispatch_uid="readers-content-deleted")
    m2m_changed.connect(_relations_set, dispatch_uid="readers-content-related")
    content_changed.connect(_written_in_bulk, dispatch_uid="readers-content-bulk")
