"""What the search reads, as the database keeps it: the search vectors of ``Article`` (stored
generated columns, each with a GIN index) and the index of adjacent word pairs, for phrases.

Weights: headline A; dek, original headline and source name B; body C. Text goes through
PostgreSQL's ``english`` configuration (stemming: "elections" finds "election") after accent
folding (``translate()`` for the short fields; the body is folded in Python when saved, into
``Article.search_body``), with the very table the query is folded with
(``articles.text.fold``). How queries are answered is ``articles.search``'s.
"""

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce

from articles.text import FOLD_FROM, FOLD_TO, fold

CONFIG = "english"


def folded(expression) -> Func:
    """SQL: the expression's text with accents folded (immutable, so it can be indexed)."""
    return Func(
        Coalesce(expression, Value(""), output_field=TextField()),
        Value(FOLD_FROM),
        Value(FOLD_TO),
        function="translate",
        output_field=TextField(),
    )


def title_vector():
    """The expression of ``Article.title_vector``: headline (A), dek, original headline and
    source name (B). Small, so ranking on it is cheap."""
    return (
        SearchVector(folded(F("headline")), config=CONFIG, weight="A")
        + SearchVector(folded(F("dek")), config=CONFIG, weight="B")
        + SearchVector(folded(F("original_headline")), config=CONFIG, weight="B")
        + SearchVector(folded(F("source_name")), config=CONFIG, weight="B")
    )


def search_vector():
    """The expression of ``Article.search_vector``: the title vector plus the body (C). The
    body comes folded already (``Article.search_body``, folded in Python when the article is
    saved): ``translate()`` over a long multibyte body costs PostgreSQL about a millisecond,
    a third of writing an article."""
    return title_vector() + SearchVector(F("search_body"), config=CONFIG, weight="C")


class Pairs(Func):
    """SQL: the pairs of lexemes at adjacent positions in a search vector, as a vector of
    lexemes "a b" (without positions). Indexed (``article_pairs_idx``) so that a phrase is
    found from its pairs, as Elasticsearch's ``index_phrases`` does with its shingles; the
    function ``article_pairs`` is created by migration 0009 (``PAIRS_FUNCTION``)."""

    function = "article_pairs"
    output_field = SearchVectorField()


PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION article_pairs(vector tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH word AS (SELECT lexeme, unnest(positions) AS position FROM unnest(vector))
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT one.lexeme || ' ' || two.lexeme)), '')
    FROM word one JOIN word two ON two.position = one.position + 1
$$
"""


INDEX_CHECK_FROM = 100_000  # characters: shorter texts cannot reach the 1 MB vector limit


def indexable(text: str) -> bool:
    """Whether PostgreSQL can index ``text``: a search vector may not exceed 1 MB, and a long
    text of many distinct words does. (Only long texts are tried, in a savepoint.)"""
    if len(text) < INDEX_CHECK_FROM:
        return True
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector(%s::regconfig, %s) IS NULL", [CONFIG, fold(text)])
    except DatabaseError:
        return False
    return True


class ParsedQuery(SearchQuery):
    """A query in PostgreSQL's tsquery form, used as it is (no parsing, no stemming)."""

    def as_sql(self, compiler, connection, **extra):
        return "%s::tsquery", [self.value]

    @property
    def value(self):
        return self.source_expressions[0].value
