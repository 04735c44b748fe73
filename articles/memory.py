"""The translation memory, read and written: every article's paragraphs paired with its
original's (``ParagraphPair`` rows, rebuilt when the article is saved), suggestions for a
paragraph being translated, and the concordance ("how did we translate …?").

Suggestions are found from the paragraph's rarest words, in the original's language (its
PostgreSQL stemmer: Spanish for Spanish; word for word where there is none), or its exact
text: an index lookup of the pairs whose original holds them, at most ``CANDIDATES`` of
them, then each scored by how many words it shares with the paragraph (Dice's coefficient
over the words, the share a translation-memory tool calls a "fuzzy match"). Trigram
similarity (``pg_trgm``) would score better but reads every trigram's posting list of a
long paragraph, and it is no part of the embedded PostgreSQL a newcomer runs. Only
published articles' pairs are read, never a draft's: a translator never sees another's
unpublished work.
"""

import hashlib
import re
import time
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import DateTimeField, F, Func, Q

from articles import languages, pairing
from articles.models import Article, ParagraphPair
from articles.models.archive import published_condition
from articles.models.search_index import ParsedQuery
from articles.text import clean_text, fold

CANDIDATES = 300  # pairs scored for one paragraph, at most
SUGGESTIONS = 5
LEAST_SHARE = 0.3  # a suggestion shares at least this much of the paragraph's words
RARE_WORDS = 6  # the paragraph's rarest words looked up
STATISTICS_SECONDS = 600  # how long a process keeps the words' frequencies
WALK_SHARE = 0.01  # the concordance reads the newest pairs when every word is this common
_WORD = re.compile(r"\w+")
_statistics: dict[str, tuple[float, dict]] = {}


def original_key(text: str) -> str:
    """The hash exact matches are found by: case, spaces and accents do not matter."""
    words = " ".join(_WORD.findall(fold(text).casefold()))
    return hashlib.md5(words.encode(), usedforsecurity=False).hexdigest()


def config_for(article) -> str:
    language = article.original_language or (article.source.language if article.source else "")
    return languages.search_config(language)


def rebuild(article_ids) -> int:
    """Pair again the paragraphs of these articles (those with an original); returns how many
    pairs were written. Three statements, whatever the number of articles."""
    ids = list(article_ids)
    if not ids:
        return 0
    articles = (
        Article.objects.filter(pk__in=ids)
        .exclude(original_body="")
        .select_related("source")
        .only(
            "body",
            "original_body",
            "original_headline",
            "original_language",
            "published_at",
            "source__language",
        )
    )
    rows = [pair for article in articles for pair in pairs_of(article)]
    ParagraphPair.objects.filter(article_id__in=ids).delete()
    write(rows)
    return len(rows)


_COLUMNS = ["article_id", "position", "original", "translation", "config", "published_at"]
_INSERT = (
    "INSERT INTO {table} ({columns}, original_key, original_vector, translation_vector)"
    " SELECT r.article_id, r.position, r.original, r.translation, r.config::regconfig,"
    " r.published_at, r.original_key, to_tsvector(r.config::regconfig, r.folded_original),"
    " to_tsvector('english'::regconfig, r.folded_translation)"
    " FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::text[], %s::text[],"
    " %s::timestamptz[], %s::text[], %s::text[], %s::text[])"
    " AS r({columns}, original_key, folded_original, folded_translation)"
)


def write(pairs: list[ParagraphPair]) -> None:
    """Insert these pairs, their vectors read by PostgreSQL from their text folded here (one
    statement: the rows go as arrays)."""
    if not pairs:
        return
    columns = [[getattr(pair, name) for pair in pairs] for name in _COLUMNS]
    columns.append([pair.original_key for pair in pairs])
    columns.append([fold(pair.original) for pair in pairs])
    columns.append([fold(pair.translation) for pair in pairs])
    table = connection.ops.quote_name(ParagraphPair._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT.format(table=table, columns=", ".join(_COLUMNS)), columns)


def pairs_of(article) -> list[ParagraphPair]:
    """The article's pairs; none when its original has no paragraph (nothing to pair)."""
    if not pairing.original_paragraphs(article.original_body, article.original_headline):
        return []
    config = config_for(article)
    return [
        ParagraphPair(
            article_id=article.pk,
            position=pair.position,
            original=pair.original,
            translation=pair.translation,
            config=config,
            published_at=article.published_at,
            original_key=original_key(pair.original) if pair.original else "",
        )
        for pair in pairing.align(article.original_body, article.body, article.original_headline)
    ]


# -- Suggestions --------------------------------------------------------------------------------


@dataclass
class Suggestion:
    original: str
    translation: str
    share: float  # of the paragraph's words (Dice's coefficient), 1.0 for the same text
    article_id: int
    headline: str
    url: str
    position: int


def _words(text: str) -> Counter:
    return Counter(_WORD.findall(fold(text).casefold()))


def share(one: Counter, other: Counter) -> float:
    """Dice's coefficient of two bags of words: 1.0 for the same words, 0 for none shared."""
    total = sum(one.values()) + sum(other.values())
    return 2 * sum((one & other).values()) / total if total else 0.0


def _frequencies(column: str = "original_vector") -> dict:
    """The commonest lexemes of the pairs' originals (or translations) and the share of pairs
    holding each (the statistics PostgreSQL's ANALYZE keeps), read again every
    ``STATISTICS_SECONDS``."""
    kept = _statistics.get((connection.alias, column))
    if kept is None or time.monotonic() - kept[0] > STATISTICS_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT u.e, u.f FROM pg_stats AS s CROSS JOIN LATERAL unnest("
                "s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)"
                " WHERE s.schemaname = current_schema() AND s.tablename = %s"
                " AND s.attname = %s AND u.e IS NOT NULL",
                [ParagraphPair._meta.db_table, column],
            )
            kept = (time.monotonic(), dict(cursor.fetchall()))
        _statistics[(connection.alias, column)] = kept
    return kept[1]


class _Unordered(Func):
    """The publication time in a form no index is ordered by: PostgreSQL then finds the
    matches in the index of words and sorts them, instead of reading the newest pairs until
    enough match (quick when the words are common, slow when they are not)."""

    template = "(%(expressions)s + interval '0 seconds')"
    output_field = DateTimeField()


def _walks(query: str, column: str) -> bool:
    """Whether the newest pairs are read until enough match: only when every word wanted
    is common (the statistics count it in at least ``WALK_SHARE`` of the pairs)."""
    wanted = [lexeme for negated, lexeme in _LEXEME.findall(query) if not negated]
    frequency = _frequencies(column)
    return bool(wanted) and all(frequency.get(lexeme, 0) >= WALK_SHARE for lexeme in wanted)


def _lookup(text: str, config: str) -> str | None:
    """A tsquery finding the pairs that share the paragraph's rarest words: any of up to
    ``RARE_WORDS`` words the statistics do not count as common, or, with none, all of the
    three least common ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(to_tsvector(%s::regconfig, %s))", [config, fold(text)]
        )
        lexemes = cursor.fetchone()[0] or []
    if not lexemes:
        return None
    frequency = _frequencies()
    rare = sorted((lexeme for lexeme in lexemes if lexeme not in frequency), key=len, reverse=True)
    if rare:
        return " | ".join(_quoted(lexeme) for lexeme in rare[:RARE_WORDS])
    common = sorted(lexemes, key=lambda lexeme: frequency[lexeme])[:3]
    return " & ".join(_quoted(lexeme) for lexeme in common)


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''") + "'"


# What a suggestion or a concordance hit shows of a pair and its article (never the vectors)
_SHOWN = (
    "original",
    "translation",
    "position",
    "published_at",
    "article__headline",
    "article__slug",
    "article__published_at",
)


def suggestions(text: str, language: str, exclude_article=None) -> list[Suggestion]:
    """The published pairs whose originals come closest to ``text`` (a paragraph in the
    language ``language``), best first, the newest on a tie: at most ``SUGGESTIONS``, each
    sharing at least ``LEAST_SHARE`` of its words. Two queries."""
    text = clean_text(text or "").strip()[:5000]
    if not _WORD.search(text):
        return []
    config = languages.search_config(language)
    lookup = _lookup(text, config)
    found_by = Q(original_key=original_key(text))
    if lookup:
        found_by |= Q(original_vector=ParsedQuery(lookup))
    candidates = (
        ParagraphPair.objects.filter(found_by, published_condition("article__"))
        .exclude(translation="")
        .exclude(article_id=exclude_article)
        .select_related("article")
        .only(*_SHOWN)
        # in no order: found through the index of words, not by reading the newest articles
        # and checking each of their pairs (which PostgreSQL would choose, and which reads
        # thousands of pairs when few match)
        .order_by()[:CANDIDATES]
    )
    wanted = _words(text)
    scored = []
    for pair in candidates:
        found = share(wanted, _words(pair.original))
        if found >= LEAST_SHARE:
            scored.append((found, pair.published_at, pair))
    scored.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return [
        Suggestion(
            original=pair.original,
            translation=pair.translation,
            share=found,
            article_id=pair.article_id,
            headline=pair.article.headline,
            url=pair.article.get_absolute_url(),
            position=pair.position,
        )
        for found, _, pair in scored[:SUGGESTIONS]
    ]


# -- The concordance ---------------------------------------------------------------------------

ORIGINALS, TRANSLATIONS = "original", "translation"
CONCORDANCE_PAGE = 20
MAX_CONCORDANCE_PAGE = 50
START, STOP = "\x02", "\x03"  # ts_headline's marks around what matched
_LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")


@dataclass
class Hit:
    original: str  # the paragraph's text, with START/STOP around matches on the side searched
    translation: str
    article_id: int
    headline: str
    url: str
    source: str
    published_at: object
    position: int


def concordance(
    words: str,
    side: str = ORIGINALS,
    language: str = "es",
    source: int | None = None,
    year: int | None = None,
    page: int = 1,
) -> tuple[list[Hit], bool]:
    """The published pairs whose original (or translation) holds ``words`` (web search syntax:
    "a phrase", -word, or), newest first, a page of ``CONCORDANCE_PAGE`` at a time, and
    whether there is a next page. Originals are read in the language ``language``
    (its stemmer); translations in English. Two queries."""
    words = " ".join(clean_text(words or "").split())[:200]
    if not _WORD.search(words) or not 1 <= page <= MAX_CONCORDANCE_PAGE:
        return [], False
    config = languages.search_config(language) if side == ORIGINALS else "english"
    column = "original_vector" if side == ORIGINALS else "translation_vector"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [config, fold(words)]
        )
        query = cursor.fetchone()[0]
    if not any(not negated for negated, _ in _LEXEME.findall(query or "")):
        return [], False  # no word wanted ("-salarios"): nothing to look for
    pairs = ParagraphPair.objects.filter(
        published_condition("article__"), **{column: ParsedQuery(query)}
    )
    if side == ORIGINALS:
        pairs = pairs.filter(config=config)
    if source:
        pairs = pairs.filter(article__source_id=source)
    if year:
        pairs = pairs.filter(published_at__year=year)
    start = (page - 1) * CONCORDANCE_PAGE
    newest = (F if _walks(query, column) else _Unordered)("published_at").desc()
    found = list(
        pairs.select_related("article", "article__source")
        .only(*_SHOWN, "article__source__name")
        .order_by(newest, "-id")[start : start + CONCORDANCE_PAGE + 1]
    )
    more = len(found) > CONCORDANCE_PAGE
    found = found[:CONCORDANCE_PAGE]
    marked = _marked([getattr(pair, side) for pair in found], config, query)
    hits = []
    for pair, text in zip(found, marked, strict=True):
        hits.append(
            Hit(
                original=text if side == ORIGINALS else pair.original,
                translation=text if side == TRANSLATIONS else pair.translation,
                article_id=pair.article_id,
                headline=pair.article.headline,
                url=pair.article.get_absolute_url(),
                source=pair.article.source.name if pair.article.source else "",
                published_at=pair.published_at,
                position=pair.position,
            )
        )
    return hits, more


def _marked(texts: list[str], config: str, query: str) -> list[str]:
    """Each text with what the query matched between START and STOP (``ts_headline`` over the
    folded text; folding keeps every character in its place, so the marks go back into the
    text as written)."""
    if not texts:
        return []
    options = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(%s::regconfig, t.body, %s::tsquery, %s)"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS t(body, n) ORDER BY t.n",
            [config, query, options, [fold(text) for text in texts]],
        )
        folded = [row[0] for row in cursor.fetchall()]
    return [_unfold(text, marked) for text, marked in zip(texts, folded, strict=True)]


def _unfold(text: str, marked: str) -> str:
    out, i = [], 0
    for ch in marked:
        if ch in (START, STOP):
            out.append(ch)
        elif i < len(text):
            out.append(text[i])
            i += 1
    return "".join(out) if i == len(text) else marked
