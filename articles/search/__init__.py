"""Full-text search in PostgreSQL, with no extension beyond the core server: ``query`` (what
the reader typed, parsed), ``plan`` (how the matches are found, from the words' frequency),
``ranking`` (finding and ranking them within a time budget), ``passages`` (the highlighted
passage of each result), ``tuning`` (the tunables, ``settings.SEARCH``); what is indexed is
beside the models (``articles.models.search_index``).

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

from articles.search.passages import START, STOP, passages
from articles.search.query import clean_query
from articles.search.ranking import NOTHING_WANTED, RECENT, Ranking, ranked
from articles.search.tuning import Tuning, tuning

__all__ = [
    "NOTHING_WANTED",
    "RECENT",
    "START",
    "STOP",
    "Ranking",
    "Tuning",
    "clean_query",
    "passages",
    "ranked",
    "tuning",
]
