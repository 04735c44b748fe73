"""Finding and ranking a search's matches (see the package's docstring): the plan the
words call for (``plan``), within a time budget per statement, past which the most recent
articles are searched one by one and the page says so."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.lookups import SearchVectorExact
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import OperationalError, connections, transaction
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
    Value,
    When,
)
from django.db.models.lookups import Exact
from psycopg.errors import QueryCanceled

from articles.models import CommonWords, Filing
from articles.models.search_index import CONFIG, Pairs, ParsedQuery
from articles.search.plan import Parsed, _walks, parse
from articles.search.query import Unindexed, Wanted, clean_query, needs
from articles.search.tuning import tuning
from articles.text import fold


@dataclass
class Ranking:
    ids: list[int]  # best first
    complete: bool  # False: more than Tuning.CANDIDATES match, ranked among the most recent
    # Not searched in full: ``NOTHING_WANTED`` (only words left out), or ``RECENT`` (the
    # search ran out of its time, ``Tuning.BUDGET_MS``, and looked among the most recent articles)
    bounded: str = ""


NOTHING_WANTED = "nothing wanted"
RECENT = "recent"


class Unordered(Func):
    """SQL: the same time, in a form no index is ordered by, so that PostgreSQL finds the
    matches in their index and sorts them, instead of reading the newest articles until
    enough match (which it prices as cheap, and is not when few match)."""

    template = "(%(expressions)s + interval '0 seconds')"
    output_field = DateTimeField()


def ranked(
    queryset, text: str, topic: str = "", year: int | None = None, newest: int | None = None
) -> Ranking:
    """The articles of ``queryset`` (filed under ``topic``, a slug, and published in
    ``year``, if given) matching ``text``, best first, newest on a tie; or, given
    ``newest``, that many of all the matches, newest first (read by the same plans, without
    ranking: ``complete`` says whether there are no more).

    Relevance is PostgreSQL's ``ts_rank`` over the whole search vector: a word in the
    headline (A) outweighs any number of mentions in the dek (B), which outweigh any number
    in the body (C); among body matches, more mentions rank higher.

    When up to ``Tuning.CANDIDATES`` articles match, all of them are ranked: the best matches of the
    whole archive. When more match, ranking every one would read most of the archive (each
    vector from disk), so the candidates are the ``Tuning.CANDIDATES`` most recent matches plus the
    ``Tuning.CANDIDATES`` most recent matches in the headline or dek, and the page says so (with the
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
            if newest:
                return _newest_first(queryset, query, parsed, topic, period, newest)
            return _ranked(queryset, query, parsed, topic, period)
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
    # Out of time: a shape no plan answers quickly (words left out that nearly always come
    # with the others, say). The most recent articles are searched instead, one by one.
    settings = tuning()
    if topic:
        queryset = queryset.filter(topics=parsed.topic_id)
    recent = queryset.order_by("-published_at").values("pk")[: settings.RECENT_ARTICLES]
    matches = queryset.model.objects.filter(pk__in=recent).filter(
        SearchVectorExact(Unindexed(F("search_vector")), query)
    )
    if newest:
        by_date = matches.order_by("-published_at", "-pk").values_list("pk", flat=True)
        return Ranking(list(by_date[:newest]), False, bounded=RECENT)
    return Ranking(_best_first(matches, query, settings.CANDIDATES), False, bounded=RECENT)


def _best_first(articles, query, limit: int | None = None) -> list[int]:
    """The ids of ``articles``, ranked (``ts_rank`` over the whole search vector, by the words
    wanted; the newest first on a tie), in SQL: ranking reads each article's whole vector,
    so it comes once the candidates are chosen."""
    ranked_ids = (
        articles.annotate(rank=SearchRank(F("search_vector"), Wanted(query)))
        .order_by("-rank", "-published_at", "-pk")
        .values_list("pk", flat=True)
    )
    return list(ranked_ids if limit is None else ranked_ids[:limit])


@contextmanager
def _budget(alias):
    """A read-only transaction whose statements may take ``Tuning.BUDGET_MS`` each, on the
    database ``alias`` names (a replica, for a reader: the budget is enforced where the
    search runs); rolled back at the end (it only reads), which also undoes the setting
    inside a caller's transaction (read-only only when it is the outermost one)."""
    outermost = not connections[alias].in_atomic_block
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            if outermost:
                cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("SET LOCAL statement_timeout = %s", [f"{tuning().BUDGET_MS}ms"])
        yield
        transaction.set_rollback(True, using=alias)


def _ranked(queryset, query, parsed: Parsed, topic: str, period: Q) -> Ranking:
    """The newest matches found by the plan the words call for, ranked (see ``ranked``)."""
    candidates = tuning().CANDIDATES
    if parsed.bits and not topic:  # common words: from their bits (titles: if not rare)
        in_text = _newest_by_words(queryset, period, parsed.bits, candidates + 1)
        if _walks(parsed.walk_titles, tuning().WORDS_WALK_LIMIT):
            in_title = _newest_by_words(queryset, period, parsed.bits, candidates, titled=True)
        else:
            in_title = _newest(queryset, query, parsed, topic)[1]
    else:
        in_text, in_title = _newest(queryset, query, parsed, topic)
    # The newest matches: one more than ranked, to tell whether older ones are left out.
    newest_ids = [next(iter(row.values())) for row in in_text]
    if not newest_ids:  # nothing matches (a match in a title is a match in the text)
        return Ranking([], complete=True)
    newest = queryset.model.objects.filter(pk__in=newest_ids[:candidates]).values("pk")
    chosen = queryset.model.objects.filter(pk__in=newest.union(in_title))
    return Ranking(_best_first(chosen, query), complete=len(newest_ids) <= candidates)


def _newest_first(queryset, query, parsed: Parsed, topic: str, period: Q, limit: int):
    """The ``limit`` newest matches, by the plans that find the newest for ranking."""
    if parsed.bits and not topic:
        found = _newest_by_words(queryset, period, parsed.bits, limit + 1)
    else:
        found = _newest(queryset, query, parsed, topic, text_limit=limit + 1)[0]
    ids = [next(iter(row.values())) for row in found]
    return Ranking(ids[:limit], complete=len(ids) <= limit)


def _newest(queryset, query, parsed: Parsed, topic: str, text_limit: int | None = None) -> tuple:
    """The newest matches in the text and in the titles (see ``ranked``), each part by its
    plan: read newest-first ("walk"; a topic's from its filings), found in the indexes and
    sorted ("index"), or as PostgreSQL sees fit ("planner")."""
    in_text, filed_with_words = [Q(search_vector=query)], []
    need = needs(parsed.text)
    bits = parsed.bits
    # The text: with a topic, its newest articles read until enough match when few need
    # reading; otherwise the indexes (or for common words, their bits) find the matches.
    settings = tuning()
    if topic and _walks(parsed.walk, settings.BITS_WALK_LIMIT if bits else settings.WALK_LIMIT):
        text_plan = "walk"
    else:
        text_plan = "index" if bits else "planner"
    title_plan = "walk" if _walks(parsed.walk_titles, settings.TITLE_WALK_LIMIT) else "index"
    if bits:
        # Common words only, with a topic: each article's common words answer (see
        # ``_newest_by_words``), found among all articles' (a join) or looked up for each
        # article read (PostgreSQL would make any other form of the look-up a join)
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
        newest(in_text, text_plan, text_limit or settings.CANDIDATES + 1, filed_with_words),
        newest(in_title, title_plan, settings.CANDIDATES),
    )


def _newest_by_words(queryset, period: Q, bits: tuple[int, int], limit: int, titled=False):
    """The newest articles of ``queryset`` matching a query of common words (``Parsed.bits``;
    ``titled``: in their titles too), read from the common words' index, newest first (from
    the end of the ``period`` the queryset covers, if any, a condition on ``published_at``): each
    article's bits are in the index, and the article is looked up only when they match
    (whether it lacks a word too: no search vector read). At most every article's bits are
    read, in about 10 ms for 100,000; the common words are common, so it is mostly far
    fewer."""
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
