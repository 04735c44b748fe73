"""What the archive does when what articles show changes, registered by
``ArticlesConfig.ready()``: saving an article (or writing articles in bulk) pairs its
paragraphs again for the translation memory (``articles.memory``); editing an image renders
again the articles that show it (its alt text, caption, credit or copies are in their HTML);
adding, editing or deleting a glossary term renders again the articles that use it, or whose
text now could, and checks their renderings again. Both are writes in bulk: they send
``content_changed`` for the readers' cache."""

import re

from django.core.cache import cache
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save

from articles import glossary, memory
from articles.models import Article, GlossaryTerm, Image
from articles.models.search_index import folded
from articles.models.subjects import GLOSSARY_CACHE_KEY, RENDERINGS_CACHE_KEY
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
    cache.delete_many([GLOSSARY_CACHE_KEY, RENDERINGS_CACHE_KEY])
    term = GlossaryTerm.objects.filter(slug=slug).values_list("term", flat=True).first()
    affected = Q(glossary_terms__contains=[slug])
    if term:
        affected |= Q(search_body__iregex=_whole_words(term))
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
    renderings_changed(slug)
    content_changed.send(sender=GlossaryTerm)


def renderings_changed(slug: str) -> int:
    """Check again the renderings of the articles whose originals use the term's forms, or
    that were flagged for it. Returns how many changed."""
    forms = GlossaryTerm.objects.filter(slug=slug).values_list("original_forms", flat=True)
    wanted = Q(rendering_gaps__contains=[{"term": slug}])
    for form in (forms.first() or "").splitlines():
        if form.strip():
            wanted |= Q(folded_original__iregex=_whole_words(form))
    folded_original = folded(F("original_body"))
    articles = (
        Article.objects.alias(folded_original=folded_original)
        .filter(wanted)
        .only("pk", "body", "original_body", "original_headline", "rendering_gaps")
    )
    changed = []
    for article in articles.iterator(chunk_size=BATCH_SIZE):
        before = article.rendering_gaps
        article.check_renderings()
        if article.rendering_gaps != before:
            changed.append(article)
    Article.objects.bulk_update(changed, ["rendering_gaps"], batch_size=BATCH_SIZE)
    return len(changed)


def _whole_words(phrase: str) -> str:
    """A PostgreSQL pattern for ``phrase`` as whole words, accents aside where folded text
    is searched (its characters escaped: a form may hold regex syntax, "(4T)")."""
    words = r"\s+".join(re.escape(word) for word in fold(phrase).split())
    return rf"(^|\W){words}($|\W)"


def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        memory.rebuild([instance.pk])


def _written_in_bulk(sender, article_ids=(), **kwargs):
    memory.rebuild(article_ids)


def _image_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        image_changed(instance)


def _term_saved_or_deleted(sender, instance, raw=False, **kwargs):
    if not raw:
        term_changed(instance.slug)


def register():
    post_save.connect(_article_saved, sender=Article, dispatch_uid="articles-article-pairs")
    content_changed.connect(_written_in_bulk, dispatch_uid="articles-articles-pairs")
    post_save.connect(_image_saved, sender=Image, dispatch_uid="articles-image-saved")
    post_save.connect(_term_saved_or_deleted, sender=GlossaryTerm, dispatch_uid="articles-term")
    post_delete.connect(
        _term_saved_or_deleted, sender=GlossaryTerm, dispatch_uid="articles-term-deleted"
    )
