"""Full-text search in PostgreSQL, with no extension beyond the core server.

What is indexed (``Article.search_vector``, a stored generated column with a GIN index):
headline with weight A; dek, original headline and source name with weight B; body with
weight C. Text goes through the ``english`` configuration (stemming: "elections" finds
"election") after accent folding (``translate()`` for the short fields; the body is folded in
Python when saved, into ``Article.search_body``), so "Mananera" finds "Mañanera" and "Perú"
finds "Peru". The query is folded with the very same table, in Python.

The query language is PostgreSQL's ``websearch_to_tsquery``: "quoted phrase", -excluded, or.
It accepts any input without error; a query with no searchable word matches nothing.

Highlighting: ``ts_headline`` runs on the folded opening of the body (its first 4,000
characters: ts_headline costs about a millisecond per long article otherwise); since folding
maps one character to one character, the passage is then cut from the original text at the
same offsets. A match deeper in the text shows the article's opening instead.
"""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce, Left

CONFIG = "english"
MAX_QUERY_CHARS = 200
CANDIDATES = 1000
PASSAGE_SOURCE_CHARS = 4000  # passages come from the opening of the body (about 650 words)

# One character for one character: offsets in folded text are offsets in the original.
FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇçÝýÿ"
FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCcYyy"
assert len(FOLD_FROM) == len(FOLD_TO)
_FOLD_MAP = dict(zip(FOLD_FROM, FOLD_TO, strict=True))
_ACCENTED = re.compile(f"[{FOLD_FROM}]")

START, STOP = "\x02", "\x03"  # markers ts_headline puts around matches; never in article text


def fold(text: str) -> str:
    """The text with accents folded. (A substitution that visits only the accented letters:
    ``str.translate`` looks up every character, ten times slower on an article.)"""
    return _ACCENTED.sub(lambda match: _FOLD_MAP[match[0]], text)


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


def clean_query(text: str) -> str:
    """The query as searched: trimmed, control characters removed, at most 200 characters;
    a run of "-" is one "-" (32 of them in a row overflow PostgreSQL's query parser)."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text or "")
    text = re.sub(r"-(?:[\s-]*-)+", "-", text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def make_query(text: str) -> SearchQuery:
    return SearchQuery(fold(clean_query(text)), config=CONFIG, search_type="websearch")


def ranked_ids(queryset, text: str) -> list[int]:
    """Ids of the articles of ``queryset`` matching ``text``, best first, newest on a tie.

    Relevance is the weighted match in the title vector: headline (A) above dek, original
    headline and source name (B); a match in the body alone (C) ranks below both, newest
    first. So that a word found in most of the archive costs no more than a rare one, the
    candidates are bounded: the 1,000 most recent matches anywhere, plus the 1,000 most recent
    matches in the title vector. Two queries, each a GIN index scan.
    """
    query = make_query(text)
    found = {}
    for vector in ("search_vector", "title_vector"):
        candidates = (
            queryset.filter(**{vector: query})
            .annotate(rank=SearchRank(F("title_vector"), query))
            .order_by("-published_at")
            .values_list("pk", "rank", "published_at")[:CANDIDATES]
        )
        found.update(
            (pk, (-rank, -published.timestamp(), -pk)) for pk, rank, published in candidates
        )
    return sorted(found, key=found.__getitem__)


def passages(ids, text: str) -> dict[int, str]:
    """For each article id, its best matching passage with matches between START and STOP.

    The opening of each body is folded here, in Python (PostgreSQL's ``translate()`` is slow
    on long multibyte text), and ``ts_headline`` runs over the folded texts in one query.
    """
    from articles.models import Article  # this module is imported by the models

    if not ids:
        return {}
    openings = dict(
        Article.objects.filter(pk__in=ids)
        .annotate(opening=Left("body", PASSAGE_SOURCE_CHARS))
        .values_list("pk", "opening")
    )
    order = list(openings)
    options = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=20, ShortWord=3, MaxFragments=1"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, t.body, websearch_to_tsquery(%s::regconfig, %s), %s)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS t(body, n) ORDER BY t.n",
            [
                CONFIG,
                CONFIG,
                fold(clean_query(text)),
                options,
                [fold(openings[pk]) for pk in order],
            ],
        )
        found = [row[0] for row in cursor.fetchall()]
    return {
        pk: _unfold_passage(openings[pk], passage) for pk, passage in zip(order, found, strict=True)
    }


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
    before = "… " if body[:offset].strip() else ""
    after = " …" if body[offset + len(plain) :].strip() else ""
    return before + "".join(out).strip() + after
