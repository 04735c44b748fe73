"""Full-text search in PostgreSQL, with no extension beyond the core server.

What is indexed (``Article.search_vector``, a stored generated column with a GIN index):
headline with weight A; dek, original headline and source name with weight B; body with
weight C. Text goes through the ``english`` configuration (stemming: "elections" finds
"election") after accent folding with ``translate()``, so "Mananera" finds "Mañanera" and
"Perú" finds "Peru". The query is folded with the very same table, in Python.

The query language is PostgreSQL's ``websearch_to_tsquery``: "quoted phrase", -excluded, or.
It accepts any input without error; a query with no searchable word matches nothing.

Highlighting: ``ts_headline`` runs on the folded body, and since folding maps one character
to one character, the passage is then cut from the original text at the same offsets.
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce

CONFIG = "english"
MAX_QUERY_CHARS = 200

# One character for one character: offsets in folded text are offsets in the original.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýÿ"
FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCcYyy"
assert len(FOLD_FROM) == len(FOLD_TO)
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)

START, STOP = "\x02", "\x03"  # markers ts_headline puts around matches; never in article text


def fold(text: str) -> str:
    return text.translate(_FOLD_TABLE)


def folded(expression) -> Func:
    """SQL: the expression's text with accents folded (immutable, so it can be indexed)."""
    return Func(
        Coalesce(expression, Value(""), output_field=TextField()),
        Value(FOLD_FROM),
        Value(FOLD_TO),
        function="translate",
        output_field=TextField(),
    )


def search_vector():
    """The expression of ``Article.search_vector``."""
    return (
        SearchVector(folded(F("headline")), config=CONFIG, weight="A")
        + SearchVector(folded(F("dek")), config=CONFIG, weight="B")
        + SearchVector(folded(F("original_headline")), config=CONFIG, weight="B")
        + SearchVector(folded(F("source_name")), config=CONFIG, weight="B")
        + SearchVector(folded(F("body")), config=CONFIG, weight="C")
    )


def clean_query(text: str) -> str:
    """The query as searched: trimmed, control characters removed, at most 200 characters."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text or "")
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def make_query(text: str) -> SearchQuery:
    return SearchQuery(fold(clean_query(text)), config=CONFIG, search_type="websearch")


def search(queryset, text: str):
    """``queryset`` narrowed to articles matching ``text``, best first, newest on a tie."""
    query = make_query(text)
    return (
        queryset.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-published_at", "-id")
    )


def passages(queryset, ids, text: str) -> dict[int, str]:
    """For each article id, its best matching passage with matches between START and STOP.

    One query for the whole page of results.
    """
    if not ids:
        return {}
    query = make_query(text)
    rows = (
        queryset.filter(pk__in=ids)
        .annotate(
            passage=SearchHeadline(
                folded(F("body")),
                query,
                config=CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=40,
                min_words=20,
                short_word=3,
                highlight_all=False,
            )
        )
        .values_list("pk", "body", "passage")
    )
    return {pk: _unfold_passage(body, passage) for pk, body, passage in rows}


def _unfold_passage(body: str, passage: str) -> str:
    """Put the original (accented) characters back into a passage cut from the folded body."""
    plain = passage.replace(START, "").replace(STOP, "")
    offset = fold(body).find(plain)
    if offset < 0:
        return passage
    original = body[offset : offset + len(plain)]
    out, i = [], 0
    for ch in passage:
        if ch in (START, STOP):
            out.append(ch)
        else:
            out.append(original[i])
            i += 1
    return "".join(out)
