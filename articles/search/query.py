"""A reader's query: cleaned, parsed as PostgreSQL's ``websearch_to_tsquery`` reads it
("quoted phrase", -excluded, or), and what every article matching it must hold (``needs``:
its words, and the adjacent pairs of its phrases, which ``Pairs``' index finds); with the
SQL forms of a query the plan and the ranking use."""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchVectorField
from django.db.models import Func

from articles.models.search_index import CONFIG
from articles.search.tuning import tuning
from articles.text import fold


def clean_query(text: str) -> str:
    """The query as searched: composed (NFC: "ñ" typed as "n" and a combining tilde is "ñ"),
    trimmed, control characters removed, at most 200 characters, never a word cut in two; a
    run of "-" is one "-" (32 of them in a row overflow PostgreSQL's query parser)."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", unicodedata.normalize("NFC", text or ""))
    text = re.sub(r"-(?:[\s-]*-)+", "-", text)
    text = " ".join(text.split())
    limit = tuning().MAX_QUERY_CHARS
    if len(text) > limit:  # whole words only: the last one cut off is left out
        cut = text[: limit + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:limit]
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
