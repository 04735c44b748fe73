"""What the readers' cache does when content changes: a saved or deleted article, source,
topic, person, story, image, correction, related story, glossary term or update of the
original (every model marked ``ShownToReaders``), credits or topics set, or a bulk write
(``articles.signals.content_changed``) changes the content version (``caching.changed``),
so that no page keeps showing what was, and purges the surrogate keys of the pages that show
it (``surrogates``). Registered by ``ReadersConfig.ready()``; the models know nothing of it."""

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from articles.models import Article
from articles.models.subjects import ShownToReaders
from articles.readers import caching, surrogates
from articles.signals import content_changed


def _about_to_save(sender, instance, raw=False, **kwargs):
    if issubclass(sender, ShownToReaders) and not raw:
        instance._surrogate_keys_before = surrogates.keys_before_save(instance)


def _saved_or_deleted(sender, instance, **kwargs):
    if issubclass(sender, ShownToReaders):
        caching.changed()
        before = getattr(instance, "_surrogate_keys_before", None)
        surrogates.purge(surrogates.keys_for(instance, before=before))


def _relations_set(sender, instance, action, model, pk_set=None, **kwargs):
    if action.startswith("post_") and (
        isinstance(instance, ShownToReaders) or issubclass(model, ShownToReaders)
    ):
        caching.changed()
        # An article's topics or people, or a subject's articles: the article pages and lists.
        if isinstance(instance, Article):
            keys = {f"a{instance.pk}", surrogates.LISTS}
        elif issubclass(model, Article) and pk_set is not None:
            keys = {f"a{pk}" for pk in pk_set} | {surrogates.LISTS}
        else:  # cleared from a subject's side: which articles, it does not say
            keys = {surrogates.SITE}
        surrogates.purge(keys)


def _written_in_bulk(sender, article_ids=None, **kwargs):
    caching.changed()
    if article_ids:  # an import's batch: those articles' pages, their stories, the lists
        surrogates.purge(surrogates.keys_of_articles(article_ids))
    else:
        surrogates.purge({surrogates.SITE})


def register():
    """Connected to each model readers see, and their credits' and topics' tables, by name:
    a receiver of every model's deletions would make Django read every row it deletes (its
    "fast delete" is for models nobody listens to)."""
    for model in apps.get_models():
        if not issubclass(model, ShownToReaders):
            continue
        uid = model._meta.label_lower
        pre_save.connect(_about_to_save, sender=model, dispatch_uid=f"readers-saving-{uid}")
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"readers-saved-{uid}")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"readers-gone-{uid}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _relations_set, sender=through, dispatch_uid=f"readers-m2m-{through._meta.label}"
            )
    content_changed.connect(_written_in_bulk, dispatch_uid="readers-content-bulk")
