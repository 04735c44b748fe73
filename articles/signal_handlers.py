"""What the archive does when what articles show changes, registered by
``ArticlesConfig.ready()``: editing an image renders again the articles that show it (its
alt text, caption, credit or copies are in their HTML); adding, editing or deleting a
glossary term renders again the articles that use it, or whose text now could. Both are
writes in bulk: they send ``content_changed`` for the readers' cache."""

import re

from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from articles import glossary
from articles.models import Article, GlossaryTerm, Image
from articles.models.subjects import GLOSSARY_CACHE_KEY
from articles.signals import content_changed
from articles.text import fold

BATCH_SIZE = 200  # articles rendered again, and written, at a time


def image_changed(image) -> int:
    """Render again the bodies that show ``image``. Returns how many."""
    showing = Article.objects.showing_image(image).only(
        "pk", "body", "dateline", "body_html", "glossary_terms", "body_images"
    )
    changed = []
    for article in showing.iterator(chunk_size=BATCH_SIZE):
        article.render_body()
        changed.append(article)
    Article.objects.bulk_update(
        changed, ["body_html", "glossary_terms", "body_images"], batch_size=BATCH_SIZE
    )
    if changed:
        content_changed.send(sender=Image)
    return len(changed)


def term_changed(slug: str) -> None:
    """A term was added, edited or deleted: render again the articles that use it or whose
    text now could (found by a pattern over every article's text: a second or two at 100,000
    articles, once per edit of a term)."""
    cache.delete(GLOSSARY_CACHE_KEY)
    term = GlossaryTerm.objects.filter(slug=slug).values_list("term", flat=True).first()
    affected = Q(glossary_terms__contains=[slug])
    if term:
        words = r"\s+".join(map(re.escape, fold(term).split()))
        affected |= Q(search_body__iregex=rf"(^|\W){words}($|\W)")
    articles = Article.objects.filter(affected).only("pk", "body_html", "glossary_terms")
    terms = GlossaryTerm.objects.for_rendering()
    batch = []
    for article in articles.iterator(chunk_size=BATCH_SIZE):
        html = glossary.without_explanations(article.body_html)
        article.body_html, article.glossary_terms = glossary.explain(html, terms)
        batch.append(article)
        if len(batch) == BATCH_SIZE:
            Article.objects.bulk_update(batch, ["body_html", "glossary_terms"])
            batch = []
    Article.objects.bulk_update(batch, ["body_html", "glossary_terms"])
    content_changed.send(sender=GlossaryTerm)


def _image_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        image_changed(instance)


def _term_saved_or_deleted(sender, instance, raw=False, **kwargs):
    if not raw:
        term_changed(instance.slug)


def register():
    post_save.connect(_image_saved, sender=Image, dispatch_uid="articles-image-saved")
    post_save.connect(_term_saved_or_deleted, sender=GlossaryTerm, dispatch_uid="articles-term")
    post_delete.connect(
        _term_saved_or_deleted, sender=GlossaryTerm, dispatch_uid="articles-term-deleted"
    )
