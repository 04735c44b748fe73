"""How a search's matches are found: from the query as PostgreSQL parses it and the words'
frequencies (its statistics, read in the same statement), how many articles would be read
newest-first to find enough matches, and whether a query made only of common words can be
answered by their bits (``articles.models.words``)."""

import re
import time
from dataclasses import dataclass

from django.db import connections, router

from articles.models import CommonWord
from articles.models.search_index import CONFIG
from articles.search.tuning import tuning

# The query parsed and, in the same statement, what the plan depends on: the topic's id and
# how many articles it files (with a topic filter), and now and then (see
# ``Tuning.STATISTICS_SECONDS``) the frequency of the commonest words among the articles' words and
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
# database alias -> (read at, frequencies, common words' bits: see ``articles.models.words``;
# the list only grows, and each article's bits with it, so a word known here stays true)
_statistics: dict[str, tuple[float, dict, dict]] = {}
LEXEME = re.compile(r"(!?)'((?:[^']|'')*)'")


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
    ``Tuning.CANDIDATES`` matches, estimated from the words' frequencies: for words (some excluded),
    all of them; for alternatives, the commonest; a phrase, rarer than its words, goes to the
    indexes. One query, whatever is known already."""
    through = model.topics.through
    connection = connections[router.db_for_read(model)]  # a replica's, for a reader
    kept = _statistics.get(connection.alias)
    settings = tuning()
    stale = kept is None or time.monotonic() - kept[0] > settings.STATISTICS_SECONDS
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
        read = (settings.CANDIDATES + 1) / share
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
