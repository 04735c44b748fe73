"""The search's tunables, in one place: ``settings.SEARCH`` (a dict) overrides any of them
(tests set small values with pytest-django's ``settings`` fixture instead of patching
module globals)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Tuning:
    # A query is cut, between words, at this many characters.
    MAX_QUERY_CHARS: int = 200
    # Every match is ranked up to this many; past it, the most recent matches and the most
    # recent matches in titles, this many each (the page says so).
    CANDIDATES: int = 200
    # The time a statement may take to find the candidates; past it, the most recent
    # articles (of those the filters allow, this many) are searched one by one instead.
    BUDGET_MS: int = 100
    RECENT_ARTICLES: int = 2000
    # Each process reads the words' statistics again after this long (reading them costs
    # 2–3 ms; they change when PostgreSQL analyzes the table, after a tenth of it changed).
    STATISTICS_SECONDS: int = 600
    # How many articles may be read newest-first, before the indexes are the better way:
    # titles (small, in the row: reading W of them costs about what finding the matches in
    # the index costs when 200 / W of the titles match, 3% of 100,000), and a topic's
    # articles for the whole text (each one's search vector read from its own pages: ten
    # times a title's cost).
    TITLE_WALK_LIMIT: int = 6_000
    WALK_LIMIT: int = 2_000
    BITS_WALK_LIMIT: int = 5_000  # articles whose common words' bits are read (Parsed.bits)
    WORDS_WALK_LIMIT: int = 20_000  # entries of the common words' index (_newest_by_words)
    # Passages come from the opening of the body (about 650 words; ts_headline costs about a
    # millisecond per long article otherwise).
    PASSAGE_SOURCE_CHARS: int = 4000


def tuning() -> Tuning:
    return Tuning(**getattr(settings, "SEARCH", {}))
