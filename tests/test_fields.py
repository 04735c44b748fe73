"""One source for each list of an article's fields: derived from the model, with the split
between what a version keeps (versioned) and what the archive computes or records itself
(derived) pinned here, so that a new field must be put in one of the two."""

import dataclasses

import pytest

from articles import revisions
from articles.desk.admin import ArticleAdmin
from articles.importing import merge, store
from articles.importing.parsed import ParsedArticle
from articles.models import Article
from tests.factories import ArticleFactory

VERSIONED = {
    "headline", "slug", "dek", "body", "status", "published_at", "lead_image", "thread",
    "source", "source_description", "original_headline", "original_url", "original_language",
    "original_published_on", "dateline", "original_body",
}  # fmt: skip
DERIVED = {
    "id", "body_html", "glossary_terms", "body_images", "headline_key", "source_name",
    "search_body", "search_vector", "title_vector", "import_key", "import_fingerprint",
    "imported", "created_by", "created_at", "updated_at", "status_changed_at", "returned_at",
    "returned_note", "rendering_gaps",
}  # fmt: skip


def names(fields):
    return [field.name for field in fields]


def test_every_column_of_an_article_is_versioned_or_derived_never_both():
    versioned, derived = names(Article.versioned_fields()), names(Article.derived_fields())
    assert set(versioned) == VERSIONED
    assert set(derived) == DERIVED
    assert not set(versioned) & set(derived)
    assert sorted(versioned + derived) == sorted(names(Article._meta.concrete_fields))


@pytest.mark.django_db
def test_a_version_keeps_every_versioned_field():
    article = ArticleFactory()
    assert set(revisions.FIELDS) == {f.attname for f in Article.versioned_fields()}
    data = revisions.snapshot(article)
    assert set(revisions.FIELDS) <= set(data)
    assert not {f.attname for f in Article.derived_fields()} & set(data)


def test_the_article_form_offers_every_versioned_field_exactly_once():
    listed = [name for _, options in ArticleAdmin.fieldsets for name in options["fields"]]
    for name in VERSIONED | {"returned_note"}:
        assert listed.count(name) == 1, name
    assert not DERIVED - {"returned_note"} & set(listed)


def test_an_import_fills_every_versioned_text_it_reads_and_writes_what_it_derives():
    parsed_fields = {field.name for field in dataclasses.fields(ParsedArticle)}
    texts = {
        "headline", "dek", "body", "source_description", "original_headline", "original_url",
        "original_language", "dateline", "original_body",
    }  # fmt: skip
    assert set(merge.TEXT_FIELDS) == texts and texts <= parsed_fields
    # what derive_fields computes is written back on an update
    assert {"body_html", "glossary_terms", "body_images", "headline_key", "source_name"} <= set(
        store.UPDATED_FIELDS
    )
    assert {"search_body", "imported", "import_fingerprint", "updated_at"} <= set(
        store.UPDATED_FIELDS
    )
    assert not {"slug", "thread", "created_by", "import_key"} & set(store.UPDATED_FIELDS)
