"""The translation memory: every article's original and translation, paragraph by paragraph
(``articles.pairing``), kept as rows, so that a translator's suggestions and the concordance
read an index, never every article. Built when an article is saved (``articles.memory``,
from ``articles.signal_handlers``) and for a whole archive by ``manage.py
build_paragraph_pairs``. Rows of articles readers cannot see are kept too, but nothing reads
them but their own article: suggestions and the concordance join the published ones. Rows
are written only there, vectors and all."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F
from django.db.models.lookups import Exact


class RegConfigField(models.TextField):
    """A text search configuration ("spanish"), as PostgreSQL's own type, ``regconfig``: a
    column a generated search vector may read its language from."""

    def db_type(self, connection):
        return "regconfig"


@RegConfigField.register_lookup
class RegConfigExact(Exact):
    """``config="spanish"``: the name read as a configuration (a bare string would be read
    as the configuration's number)."""

    def process_rhs(self, compiler, connection):
        sql, params = super().process_rhs(compiler, connection)
        return f"{sql}::regconfig", params


class ParagraphPair(models.Model):
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="paragraph_pairs"
    )
    position = models.PositiveIntegerField(help_text="The pair's place in the article, from 0.")
    original = models.TextField(blank=True, help_text="Markdown; empty: no original paragraph.")
    translation = models.TextField(blank=True, help_text="Markdown; empty: not translated.")
    config = RegConfigField(help_text="The original's language, as PostgreSQL reads it.")
    published_at = models.DateTimeField(help_text="The article's: the newest come first.")
    original_key = models.CharField(
        max_length=32, help_text="A hash of the original as compared (case, spaces, accents)."
    )
    # Written with the row by articles.memory.rebuild, from the text folded in Python (accents
    # taken out): PostgreSQL's translate() over every paragraph took half a build's time.
    original_vector = SearchVectorField(
        help_text="The original, folded, as its language's configuration reads it."
    )
    translation_vector = SearchVectorField(help_text="The translation, folded, read as English.")

    class Meta:
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="paragraph_pair_unique")
        ]
        indexes = [
            GinIndex(fields=["original_vector"], name="pair_original_idx"),
            GinIndex(fields=["translation_vector"], name="pair_translation_idx"),
            models.Index(fields=["original_key"], name="pair_original_key_idx"),
            models.Index(F("published_at").desc(), name="pair_published_idx"),
        ]

    def __str__(self):
        return f"paragraph {self.position + 1} of article {self.article_id}"
