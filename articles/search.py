"""Full-text search in PostgreSQL, with no extension beyond the core server.

What is indexed (``Article.search_vector``, a stored generated column with a GIN index):
headline with weight A; dek, original headline and source name with weight B; body with
weight C. Text goes through the ``english`` configuration (stemming: "elections" finds
"election") after accent folding (``translate()`` for the short fields; the body is folded in
Python when saved, into ``Article.search_body``), so "Mananera" finds "Mañanera" and "Perú"
finds "Peru". The query is folded with the very same table, in Python.

The query language is PostgreSQL's ``websearch_to_tsquery``: "quoted phrase", -excluded, or.
It accepts any input without error; a query with no searchable word matches nothing.

Phrases: the words' index cannot tell whether two words are adjacent, so PostgreSQL would
check a phrase of common words in nearly every article. A second index holds each article's
adjacent pairs of lexemes (``Pairs``); a phrase is looked up by its pairs (``needs``) and
checked only in the articles that hold them.

Common words: a GIN index cannot tell which articles lack a word, and finding the newest
matches of common words reads thousands of search vectors; each article's common words are
also kept as bits (``articles.models.words``), which a query made only of them reads instead.

Ranking (``ranked``): ``ts_rank`` over the whole vector (by the words wanted: the excluded
ones left out), on every match when there are up to ``CANDIDATES``; beyond that, on the most
recent matches only, and the page says so. How the matches are found (the plan) follows how
common the words are, from PostgreSQL's statistics (``parse``).

Highlighting: ``ts_headline`` runs on the folded opening of the body (its first 4,000
characters: ts_headline costs about a millisecond per long article otherwise); since folding
maps one character to one character, the passage is then cut from the original text at the
same offsets. A match deeper in the text shows the article's opening instead.
"""

import re
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.lookups import SearchVectorExact
from django.contrib.postgres.search import (
    SearchQuery,
    SearchQueryField,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import DatabaseError, OperationalError, connection, connections, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Left
from django.db.models.lookups import Exact
from psycopg.errors import QueryCanceled

CONFIG = "english"
MAX_QUERY_CHARS = 200
CANDIDATES = 200
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


def clean_query(text: str) -> str:
    """The query as searched: composed (NFC: "ñ" typed as "n" and a combining tilde is "ñ"),
    trimmed, control characters removed, at most 200 characters, never a word cut in two; a
    run of "-" is one "-" (32 of them in a row overflow PostgreSQL's query parser)."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", unicodedata.normalize("NFC", text or ""))
    text = re.sub(r"-(?:[\s-]*-)+", "-", text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:  # whole words only: the last one cut off is left out
        cut = text[: MAX_QUERY_CHARS + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_CHARS]
    return text


def make_query(text: str) -> SearchQuery:
    return SearchQuery(fold(clean_query(text)), config=CONFIG, search_type="websearch")


TSQUERY_TOKEN = re.compile(r"\s*('(?:[^']|'')*'(?::[*A-D]+)?|<->|<[0-9]+>|[&|!()])")


@dataclass
class Needs:
    """What every article matching a query holds: ``words`` (a query over the search vector
    with no phrase in it) and ``pairs`` (a query over ``article_pairs(search_vector)``);
    None where it asks nothing. ``alone``: the query is exactly ``pairs`` and ``loose`` (the
    words outside its phrases), as for an AND of words and two-word phrases."""

    words: str | None = None
    pairs: str | None = None
    alone: bool = False
    loose: str | None = None


def needs(tsquery: str) -> Needs:
    """What every article matching ``tsquery`` (PostgreSQL's text form of a parsed query)
    holds: its words, and the pairs of its phrases.

    A phrase "a b" needs the pair "a b" (two lexemes at adjacent positions) and both words;
    a longer phrase needs each of its adjacent pairs; what is excluded (!) or offered as an
    alternative to something that needs nothing (|) needs nothing. Both answers are exact in
    their indexes (no phrase, no weight), so PostgreSQL never rechecks a row against them.
    """
    tokens = TSQUERY_TOKEN.findall(tsquery)
    if "".join(tokens).replace(" ", "") != tsquery.replace(" ", ""):
        return Needs()  # not a form this parser knows: ask nothing, the main query decides
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take():
        nonlocal position
        position += 1
        return tokens[position - 1]

    # Each parser returns a Part: lexemes (first, last) only for phrases and words.
    def either():
        part = both()
        while peek() == "|":
            take()
            other = both()
            part = Part(_any(part.words, other.words), _any(part.pairs, other.pairs))
        return part

    def both():
        part = phrase()
        while peek() == "&":
            take()
            other = phrase()
            part = Part(
                _all(part.words, other.words),
                _all(part.pairs, other.pairs),
                alone=part.alone and other.alone,
                loose=_all(part.loose, other.loose),
            )
        return part

    def phrase():
        part = unary()
        while peek() is not None and peek().startswith("<"):
            distance = take()
            other = unary()
            pair = None
            if distance == "<->" and part.last and other.first:
                pair = f"'{part.last[1:-1]} {other.first[1:-1]}'"
            two_words = pair is not None and part.loose and other.loose  # not a longer phrase
            part = Part(
                _all(part.words, other.words),
                _all(part.pairs, other.pairs, pair),
                first=part.first,
                last=other.last,
                alone=bool(two_words),
            )
        return part

    def unary():
        token = take()
        if token == "!":
            unary()
            return Part()
        if token == "(":
            inner = either()
            take()  # ")"
            return inner
        lexeme = token if token.endswith("'") else None  # a prefix or weight: no pair
        return Part(token, first=lexeme, last=lexeme, alone=True, loose=token)

    try:
        part = either()
    except IndexError:
        return Needs()
    if position != len(tokens):
        return Needs()
    return Needs(part.words, part.pairs, alone=part.alone and bool(part.pairs), loose=part.loose)


@dataclass
class Part:
    words: str | None = None
    pairs: str | None = None
    first: str | None = None
    last: str | None = None
    alone: bool = False
    loose: str | None = None


def _any(one, other):
    return f"( {one} | {other} )" if one and other else None


def _all(*parts):
    present = [part for part in parts if part]
    return " & ".join(present) if present else None


@dataclass
class Ranking:
    ids: list[int]  # best first
    complete: bool  # False: more than CANDIDATES match, ranked among the most recent
    # Not searched in full: ``NOTHING_WANTED`` (only words left out), or ``RECENT`` (the
    # search ran out of its time, ``BUDGET_MS``, and looked among the most recent articles)
    bounded: str = ""


NOTHING_WANTED = "nothing wanted"
RECENT = "recent"
# The time a search may take to find its candidates; past it, the most recent articles
# (``RECENT_ARTICLES``, of those the filters allow) are searched instead, and the page says so.
BUDGET_MS = 100
RECENT_ARTICLES = 2000


class Wanted(Func):
    """SQL: the query without what it excludes (``querytree``), to rank by: ``ts_rank`` ranks
    every match of a query with an exclusion alike (1e-20)."""

    template = "querytree(%(expressions)s)::tsquery"
    output_field = SearchQueryField()


class Unindexed(Func):
    """SQL: the same search vector, in a form no index matches, so that PostgreSQL checks a
    condition on it row by row, after the indexes found the rows."""

    template = "(%(expressions)s || ''::tsvector)"
    output_field = SearchVectorField()


class ParsedQuery(SearchQuery):
    """A query in PostgreSQL's tsquery form, used as it is (no parsing, no stemming)."""

    def as_sql(self, compiler, connection, **extra):
        return "%s::tsquery", [self.value]

    @property
    def value(self):
        return self.source_expressions[0].value


# The query parsed and, in the same statement, what the plan depends on: the topic's id and
# how many articles it files (with a topic filter), and now and then (see
# ``STATISTICS_SECONDS``) the frequency of the commonest words among the articles' words and
# among their titles' (the statistics' most common lexemes, which ANALYZE keeps; a word
# missing from them is rare).
PARSE = "SELECT websearch_to_tsquery(%s::regconfig, %s)::text, {filed}{statistics}"
FILED = (
    "(SELECT array[t.id, count(f.article_id)] FROM {topic} AS t LEFT JOIN {through} AS f"
    " ON f.topic_id = t.id WHERE t.slug = %s GROUP BY t.id)"
)
STATISTICS = r"""
, (SELECT json_object_agg(s.attname || ' ' || u.e, u.f)
   FROM pg_stats AS s
   CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
       AS u(e, f)
   WHERE s.schemaname = current_schema() AND s.tablename = %s
       AND s.attname IN ('search_vector', 'title_vector')
       AND u.e IS NOT NULL)  -- the frequencies end with three that are not a word's
, (SELECT json_object_agg(w.lexeme, w.bit) FROM {words} AS w)
"""
# Each process reads the statistics again after this long (reading them costs 2–3 ms; they
# change when PostgreSQL analyzes the table, after a tenth of it changed).
STATISTICS_SECONDS = 600
# database alias -> (read at, frequencies, common words' bits: see ``articles.models.words``;
# the list only grows, and each article's bits with it, so a word known here stays true)
_statistics: dict[str, tuple[float, dict, dict]] = {}
LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")

# How many articles may be read newest-first, before the indexes are the better way: titles
# (small, in the row: reading W of them costs about what finding the matches in the index
# costs when 200 / W of the titles match, 3% of 100,000), and a topic's articles for the whole
# text (each one's search vector read from its own pages: ten times a title's cost).
TITLE_WALK_LIMIT = 6_000
WALK_LIMIT = 2_000
BITS_WALK_LIMIT = 5_000  # articles whose common words' bits are read (see Parsed.bits)
WORDS_WALK_LIMIT = 20_000  # entries of the common words' index (see _newest_by_words)


@dataclass
class Parsed:
    text: str  # PostgreSQL's text form of the query ('' if it has no searchable word)
    # How many articles, read newest-first (the topic's, if any), give enough matches in the
    # whole text and in titles (None: the indexes are the better way; at most all the topic's)
    walk: float | None = None
    walk_titles: float | None = None
    topic_id: int | None = None  # the topic filter's, if it names a topic
    # Words (some excluded) that are all common words: their bits, and the value the bits of
    # an article's common words (``CommonWords.bits``) take there when it matches
    bits: tuple[int, int] | None = None
    # Common words, some excluded, fewer articles holding them than titles with the words:
    # the titles' matches are best found among those articles
    titles_by_bits: bool = False
    # No word to look for ("-government -president"), or a word both wanted and left out
    # ("government -government"): nothing can match, and nothing need be read
    wants_nothing: bool = False
    impossible: bool = False


# A query of words, some excluded, and nothing else (no phrase, no alternative, no prefix)
ONLY_WORDS = re.compile(r"!?'(?:[^']|'')+'(?: & !?'(?:[^']|'')+')*")


def common_bits(text: str, needed: set, excluded: set, bits: dict) -> tuple[int, int] | None:
    """The (mask, value) of a query of common words, all needed or excluded (see Parsed)."""
    if not ONLY_WORDS.fullmatch(text) or needed & excluded:
        return None
    if not all(lexeme in bits for lexeme in needed | excluded):
        return None
    value = mask = 0
    for lexeme in needed:
        value |= 1 << bits[lexeme]
    for lexeme in needed | excluded:
        mask |= 1 << bits[lexeme]
    return mask, value


def parse(folded_text: str, topic: str, model) -> Parsed:
    """The query parsed, and how many articles would be read newest-first to find
    ``CANDIDATES`` matches, estimated from the words' frequencies: for words (some excluded),
    all of them; for alternatives, the commonest; a phrase, rarer than its words, goes to the
    indexes. One query, whatever is known already."""
    from articles.models import CommonWord  # this module is imported by the models

    through = model.topics.through
    kept = _statistics.get(connection.alias)
    stale = kept is None or time.monotonic() - kept[0] > STATISTICS_SECONDS
    sql = PARSE.format(
        filed=FILED.format(
            through=connection.ops.quote_name(through._meta.db_table),
            topic=connection.ops.quote_name(through.topic.field.related_model._meta.db_table),
        )
        if topic
        else "NULL",
        statistics=STATISTICS.format(words=connection.ops.quote_name(CommonWord._meta.db_table))
        if stale
        else "",
    )
    params = [CONFIG, folded_text, *([topic] if topic else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params + ([model._meta.db_table] if stale else []))
        row = cursor.fetchone()
    text, (topic_id, filed) = row[0], row[1] or (None, 0)
    if stale:
        kept = (time.monotonic(), row[2] or {}, row[3] or {})
        _statistics[connection.alias] = kept
    found = kept[1]
    every = LEXEME.findall(text or "")
    needed = {lexeme.replace("''", "'") for negated, lexeme in every if not negated}
    excluded = {lexeme.replace("''", "'") for negated, lexeme in every if negated}
    bits = common_bits(text or "", needed, excluded, kept[2])
    if text and not needed:
        return Parsed(text, topic_id=topic_id, wants_nothing=True)
    if needed & excluded and not re.search(r"[|<]", text):  # every word is required
        return Parsed(text, topic_id=topic_id, impossible=True)
    excluded -= needed
    if not needed or "<" in text or (topic and not filed):
        return Parsed(text, topic_id=topic_id)

    def share(column, excluding=True):
        """The share of the articles that match in ``column`` (None: too rare to tell)."""
        known = [found.get(f"{column} {lexeme}") for lexeme in needed]
        if "|" in text:  # matches at least as often as its commonest alternative
            return max((f for f in known if f is not None), default=None)
        if None in known:
            return None  # a rare word: its index is the way
        part = 1.0
        for frequency in known:
            part *= frequency
        for lexeme in excluded if excluding else ():  # from the whole text, titles' too
            part *= 1 - found.get(f"search_vector {lexeme}", 0.0)
        return part or None

    def walk(share):
        if not share:
            return None
        read = (CANDIDATES + 1) / share
        return min(read, filed) if topic else read

    in_text, in_titles = share("search_vector"), share("title_vector")
    return Parsed(
        text,
        walk=walk(in_text),
        walk_titles=walk(in_titles),
        topic_id=topic_id,
        bits=bits,
        titles_by_bits=bool(bits and excluded)
        and (in_text or 0) <= (share("title_vector", excluding=False) or 0),
    )


def _walks(estimate: float | None, limit: int) -> bool:
    return estimate is not None and estimate <= limit


class Unordered(Func):
    """SQL: the same time, in a form no index is ordered by, so that PostgreSQL finds the
    matches in their index and sorts them, instead of reading the newest articles until
    enough match (which it prices as cheap, and is not when few match)."""

    template = "(%(expressions)s + interval '0 seconds')"
    output_field = DateTimeField()


def ranked(queryset, text: str, topic: str = "", year: int | None = None) -> Ranking:
    """The articles of ``queryset`` (filed under ``topic``, a slug, and published in
    ``year``, if given) matching ``text``, best first, newest on a tie.

    Relevance is PostgreSQL's ``ts_rank`` over the whole search vector: a word in the
    headline (A) outweighs any number of mentions in the dek (B), which outweigh any number
    in the body (C); among body matches, more mentions rank higher.

    When up to ``CANDIDATES`` articles match, all of them are ranked: the best matches of the
    whole archive. When more match, ranking every one would read most of the archive (each
    vector from disk), so the candidates are the ``CANDIDATES`` most recent matches plus the
    ``CANDIDATES`` most recent matches in the headline or dek, and the page says so (with the
    filters that narrow the search). Two queries: the query parsed (its text decides which
    pairs of words a phrase needs, see ``needs``), then the candidates ranked.

    The plan follows the words' frequency (see ``parse``), for the text and for the titles
    apart. Titles: when the words are common enough that a few thousand of the newest titles
    hold enough matches, they are read newest-first; otherwise the titles' index finds the
    matches, which are sorted. With a topic, the same for the text: its newest articles are
    read from its filings (``Filing``: the topic's articles, newest first, in one index),
    until enough match; otherwise the indexes find the matches and the topic filters them.
    (PostgreSQL, pricing a search vector as free to read, would read the whole archive's
    newest articles, and thousands of vectors, looking for the topic's.) A query made only of
    common words, some perhaps excluded, is answered by each article's common words' bits
    (``articles.models.words``) instead of its search vector: read newest-first from their
    own index (``_newest_by_words``), or with a topic, looked up for each of its filings.
    Whichever the plan, the same articles are ranked (tests/test_search.py checks each).
    """
    folded_text = fold(clean_query(text))
    parsed = parse(folded_text, topic, queryset.model)
    if not parsed.text or (topic and parsed.topic_id is None):  # no word, or no such topic
        return Ranking([], complete=True)
    if parsed.wants_nothing:
        return Ranking([], complete=True, bounded=NOTHING_WANTED)
    if parsed.impossible:
        return Ranking([], complete=True)
    query = SearchQuery(folded_text, config=CONFIG, search_type="websearch")
    period = Q(published_at__year=year) if year else Q()
    queryset = queryset.filter(period)
    try:
        with _budget(queryset.db):
            return _ranked(queryset, query, parsed, topic, period)
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
    # Out of time: a shape no plan answers quickly (words left out that nearly always come
    # with the others, say). The most recent articles are searched instead, one by one.
    if topic:
        queryset = queryset.filter(topics=parsed.topic_id)
    recent = queryset.order_by("-published_at").values("pk")[:RECENT_ARTICLES]
    matches = queryset.model.objects.filter(pk__in=recent).filter(
        SearchVectorExact(Unindexed(F("search_vector")), query)
    )
    ids = list(
        matches.annotate(rank=SearchRank(F("search_vector"), Wanted(query)))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    return Ranking(ids, complete=False, bounded=RECENT)


@contextmanager
def _budget(alias):
    """A transaction whose statements may take ``BUDGET_MS`` each; rolled back at the end
    (it only reads), which also undoes the setting inside a caller's transaction."""
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [f"{BUDGET_MS}ms"])
        yield
        transaction.set_rollback(True, using=alias)


def _ranked(queryset, query, parsed: Parsed, topic: str, period: Q) -> Ranking:
    """The newest matches found by the plan the words call for, ranked (see ``ranked``)."""
    if parsed.bits and not topic:  # common words: from their bits (titles: if not rare)
        in_text = _newest_by_words(queryset, period, parsed.bits, CANDIDATES + 1)
        if _walks(parsed.walk_titles, WORDS_WALK_LIMIT):
            in_title = _newest_by_words(queryset, period, parsed.bits, CANDIDATES, titled=True)
        else:
            in_title = _newest(queryset, query, parsed, topic)[1]
    else:
        in_text, in_title = _newest(queryset, query, parsed, topic)
    # The newest matches: one more than ranked, to tell whether older ones are left out.
    newest_ids = [next(iter(row.values())) for row in in_text]
    if not newest_ids:  # nothing matches (a match in a title is a match in the text)
        return Ranking([], complete=True)
    newest = queryset.model.objects.filter(pk__in=newest_ids[:CANDIDATES]).values("pk")
    # Ranked once chosen (ranking reads each article's whole search vector), in SQL.
    ids = list(
        queryset.model.objects.filter(pk__in=newest.union(in_title))
        .annotate(rank=SearchRank(F("search_vector"), Wanted(query)))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", flat=True)
    )
    return Ranking(ids, complete=len(newest_ids) <= CANDIDATES)


def _newest(queryset, query, parsed: Parsed, topic: str) -> tuple:
    """The newest matches in the text and in the titles (see ``ranked``), each part by its
    plan: read newest-first ("walk"; a topic's from its filings), found in the indexes and
    sorted ("index"), or as PostgreSQL sees fit ("planner")."""
    in_text, filed_with_words = [Q(search_vector=query)], []
    need = needs(parsed.text)
    bits = parsed.bits
    # The text: with a topic, its newest articles read until enough match when few need
    # reading; otherwise the indexes (or for common words, their bits) find the matches.
    if topic and _walks(parsed.walk, BITS_WALK_LIMIT if bits else WALK_LIMIT):
        text_plan = "walk"
    else:
        text_plan = "index" if bits else "planner"
    title_plan = "walk" if _walks(parsed.walk_titles, TITLE_WALK_LIMIT) else "index"
    if bits:
        # Common words only, with a topic: each article's common words answer (see
        # ``_newest_by_words``), found among all articles' (a join) or looked up for each
        # article read (PostgreSQL would make any other form of the look-up a join)
        from articles.models import CommonWords  # this module is imported by the models

        mask, value = bits
        words = CommonWords.objects.filter(article_id=OuterRef("pk"))
        has_words = Exists(words.filter(_holding(bits)))

        def holds(article):  # the words in the bits of the article ``article`` names
            held = CommonWords.objects.filter(article_id=OuterRef(article)).values("bits")[:1]
            its_bits = Subquery(held, output_field=BigIntegerField())
            return Exact(its_bits.bitand(mask), value)

        has_words_here = _as_if_common(holds("pk"))
        if text_plan == "walk":  # a topic's filings: the bits first, then the article
            filed_with_words, in_text = [holds("article_id")], []
        else:
            in_text = [has_words]
    elif text_plan == "walk":
        pass  # the text is checked row by row: no index leads
    elif need.pairs and need.alone:
        # Words and two-word phrases: the pairs' index and the words' index answer exactly.
        in_text = [SearchVectorExact(Pairs("search_vector"), ParsedQuery(need.pairs))]
        if need.loose:
            in_text.append(Q(search_vector=ParsedQuery(need.loose)))
    elif need.pairs:
        # A longer phrase, or one with exclusions: its pairs find the articles, exactly, in
        # their index; the query itself is then checked on those alone. (Left to the words'
        # index, a phrase is checked on every article holding its words; and with the words'
        # index beside the pairs', each row would be rechecked by computing its pairs again.)
        in_text = [
            SearchVectorExact(Pairs("search_vector"), ParsedQuery(need.pairs)),
            SearchVectorExact(Unindexed(F("search_vector")), query),
        ]
    # A match in the headline or dek is a match of the whole text (the search vector holds
    # the title vector), except where a word is excluded and the body has it. The title is
    # checked first: it is small and in the row, the search vector is read from its own pages.
    if bits and title_plan == "index" and parsed.titles_by_bits:
        # Common words, some excluded: among the articles that hold them, those whose titles
        # hold the words needed (and so lack those excluded), from the bits alone
        in_title = [Exists(words.filter(_holding(bits, titled=True)))]
    else:
        in_title = [Q(title_vector=query)]
        if "!" in parsed.text:
            in_title += [has_words_here] if bits else in_text

    def newest(conditions, plan, limit, filed=()):
        articles, order = queryset, F("published_at").desc()
        if plan == "walk" and topic:
            from articles.models import Filing  # this module is imported by the models

            # each filing's article looked up and checked, after what the filing alone tells
            # (``filed``), in a subquery per row: PostgreSQL would make an EXISTS a join, and
            # read every article to find the topic's few
            match = articles.filter(pk=OuterRef("article_id")).filter(*conditions)
            return (
                Filing.objects.filter(topic_id=parsed.topic_id)
                .alias(match=Subquery(match.order_by().values("pk")[:1]))
                .filter(_as_if_common(Q(*filed, match__isnull=False)))
                .order_by(F("published_at").desc())
                .values("article_id")[:limit]
            )
        if topic:
            articles = articles.filter(topics=parsed.topic_id)
        if plan == "index":
            order = Unordered(F("published_at")).desc()
        return articles.filter(*conditions).order_by(order).values("pk")[:limit]

    return (
        newest(in_text, text_plan, CANDIDATES + 1, filed_with_words),
        newest(in_title, title_plan, CANDIDATES),
    )


def _newest_by_words(queryset, period: Q, bits: tuple[int, int], limit: int, titled=False):
    """The newest articles of ``queryset`` matching a query of common words (``Parsed.bits``;
    ``titled``: in their titles too), read from the common words' index, newest first (from
    the end of the ``period`` the queryset covers, if any, a condition on ``published_at``): each
    article's bits are in the index, and the article is looked up only when they match
    (whether it lacks a word too: no search vector read). At most every article's bits are
    read, in about 10 ms for 100,000; the common words are common, so it is mostly far
    fewer."""
    from articles.models import CommonWords  # this module is imported by the models

    match = queryset.filter(pk=OuterRef("article_id")).order_by().values("pk")[:1]
    return (
        CommonWords.objects.filter(period, _as_if_common(_holding(bits, titled)))
        .alias(match=Subquery(match))
        .filter(match__isnull=False)
        .order_by(F("published_at").desc())
        .values("article_id")[:limit]
    )


def _holding(bits: tuple[int, int], titled: bool = False) -> Q:
    """On ``CommonWords``: the article's bits match (``Parsed.bits``), and with ``titled``,
    its title's hold the words needed (and so lack those excluded, which the text lacks)."""
    mask, value = bits
    holding = Q(Exact(F("bits").bitand(mask), value))
    if titled:
        holding &= Q(Exact(F("title_bits").bitand(value), value))
    return holding


def _as_if_common(condition) -> Case:
    """The condition, in a form PostgreSQL takes to hold for half the rows (it cannot
    estimate it), so that it reads the newest rows until enough match instead of reading
    them all, as it would for a condition it took to be rare."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


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
