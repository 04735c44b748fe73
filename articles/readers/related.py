"""“More on this story”: up to three archive articles chosen automatically.

Used when editors picked no related stories. A story develops over weeks, so candidates come
from the month before and the month after the article: those sharing the most topics first,
then, if that leaves room, those whose headline, dek or source matches its headline's words.

The choice is one SQL statement about the article's own columns (``CHOICE``): a reader's
article page reads it in the article's own statement (``MoreOnThisStory``, an annotation of
``articles.readers.article_views.reader_article``), so a first view costs no statement and
no round trip for it; anything else (an editor's view, a share preview) runs it on its own
(``more_on_this_story``).
"""

import datetime
import re

from django.db import connections, router
from django.db.models import Expression, F, Field

from archive.compiled import prepared
from articles.models import Article, RelatedStory, Source
from articles.models.page_data import loaded
from articles.models.search_index import CONFIG
from articles.text import FOLD_FROM, FOLD_TO

LIMIT = 3
WINDOW = datetime.timedelta(days=30)  # how far before and after the article to look
MIN_WORD = 4
NEIGHBOURS = 100  # candidates on each side: the nearest in time, however busy the month


def more_on_this_story(article, limit=LIMIT):
    """Up to ``limit`` published articles from the weeks around ``article``: those sharing the
    most topics first, then those whose headline, dek or source match its headline's words.

    Chosen afresh on each render, among articles published now: read along with the article
    when it was read by ``reader_article`` (``more_on_rows``), else one statement of its own,
    prepared on the server, about 1 ms at 100,000 articles. Not cached on its own: the page
    that shows the choice is (``article_views``, under the picks' surrogate keys).
    """
    rows = getattr(article, MoreOnThisStory.name, None)
    if rows is not None and limit == LIMIT:
        return [_teaser(*row[:4], datetime.datetime.fromisoformat(row[4]), row[5]) for row in rows]
    return [_teaser(*(row[name] for name in SHOWN)) for row in _choose(article, limit)]


SHOWN = ("pk", "headline", "slug", "dek", "published_at", "source__name")


def _teaser(pk, headline, slug, dek, published_at, source_name) -> Article:
    teaser = loaded(
        Article, id=pk, headline=headline, slug=slug, dek=dek, published_at=published_at
    )
    teaser.source = Source(name=source_name)
    return teaser


# In SQL, in one statement: Django building the queries cost more than PostgreSQL running
# them, and reading the 200 candidates' rows into Python cost as much again.
ARTICLES = Article._meta.db_table
FILINGS = Article.topics.through._meta.db_table
SOURCES = Source._meta.db_table
RELATED = RelatedStory._meta.db_table


def _published(alias: str) -> str:
    """The rule of ``published()`` (``published_condition``: published, its time come by the
    database's clock) for the articles table under ``alias``; its parameter is the status."""
    return f"({alias}.status = %(status)s AND {alias}.published_at <= now())"


# The choice for the article whose id, publication time and headline are ``{pk}``, ``{when}``
# and ``{headline}`` (parameters, or the columns of an enclosing statement: every table here
# has an alias, so that the enclosing statement's articles table stays in sight).
#
# Over at most 200 candidates (the ``NEIGHBOURS`` nearest in time on each side, within the
# window), so the cost does not grow with the archive. First those sharing the most of the
# article's topics, newest first among equals: their filings are read from the topics' index
# over the candidates' time span (the filings hold each article's publication time), not
# probed candidate by candidate. Then, only when that left room (a one-time condition: the
# search is not run otherwise), those whose headline, dek or source match the headline's
# words (those of ``MIN_WORD`` letters or more, accents folded, as ``articles.text.fold``),
# best first.
CHOICE = f"""
WITH candidates AS MATERIALIZED (
    (SELECT c.id, c.published_at FROM {ARTICLES} c
     WHERE {_published("c")} AND c.id <> {{pk}}
       AND c.published_at <= {{when}} AND c.published_at >= {{when}} - %(window)s
     ORDER BY c.published_at DESC LIMIT %(neighbours)s)
    UNION ALL
    (SELECT c.id, c.published_at FROM {ARTICLES} c
     WHERE {_published("c")} AND c.id <> {{pk}}
       AND c.published_at > {{when}} AND c.published_at <= {{when}} + %(window)s
     ORDER BY c.published_at LIMIT %(neighbours)s)
),
by_topics AS MATERIALIZED (
    SELECT c.id, row_number() OVER (ORDER BY count(*) DESC, c.published_at DESC, c.id DESC)
        AS place
    FROM {FILINGS} f JOIN candidates c ON c.id = f.article_id
    WHERE f.topic_id IN (SELECT own.topic_id FROM {FILINGS} own WHERE own.article_id = {{pk}})
      AND f.published_at >= (SELECT min(c.published_at) FROM candidates c)
      AND f.published_at <= (SELECT max(c.published_at) FROM candidates c)
    GROUP BY c.id, c.published_at
    ORDER BY place LIMIT %(limit)s
),
words AS (
    SELECT websearch_to_tsquery(%(config)s::regconfig, string_agg(w.word, ' or ')) AS q
    FROM (SELECT DISTINCT m.found[1] AS word
          FROM regexp_matches(lower(translate({{headline}}, %(fold_from)s, %(fold_to)s)),
                              '\\w+', 'g') AS m(found)
          WHERE char_length(m.found[1]) >= %(min_word)s) AS w
),
by_words AS (
    SELECT a.id, (SELECT count(*) FROM by_topics) + row_number() OVER (
        ORDER BY ts_rank(a.title_vector, words.q) DESC, a.published_at DESC, a.id DESC
    ) AS place
    FROM candidates c JOIN {ARTICLES} a ON a.id = c.id, words
    WHERE (SELECT count(*) FROM by_topics) < %(limit)s
      AND a.id NOT IN (SELECT t.id FROM by_topics t) AND a.title_vector @@ words.q
    ORDER BY place LIMIT %(limit)s
),
chosen AS (
    SELECT t.id, t.place FROM by_topics t
    UNION ALL
    SELECT w.id, w.place FROM by_words w
    ORDER BY place LIMIT %(limit)s
)"""

SHOWN_COLUMNS = "a.id, a.headline, a.slug, a.dek, a.published_at, s.name"
CHOSEN_ROWS = f"""
FROM chosen JOIN {ARTICLES} a ON a.id = chosen.id LEFT JOIN {SOURCES} s ON s.id = a.source_id"""


def _values(limit=LIMIT) -> dict:
    return {
        "status": Article.Status.PUBLISHED,
        "window": WINDOW,
        "neighbours": NEIGHBOURS,
        "limit": limit,
        "config": CONFIG,
        "fold_from": FOLD_FROM,
        "fold_to": FOLD_TO,
        "min_word": MIN_WORD,
    }


# On its own, about an article given by its values: the picks' rows, best first.
ALONE = (
    CHOICE.format(pk="%(pk)s", when="%(when)s", headline="%(headline)s")
    + f"\nSELECT {SHOWN_COLUMNS}{CHOSEN_ROWS}\nORDER BY chosen.place"
)


def _choose(article, limit):
    """The picks' rows (``SHOWN``), best first."""
    values = {
        **_values(limit),
        "pk": article.pk,
        "when": article.published_at,
        "headline": article.headline,
    }
    connection = connections[router.db_for_read(Article)]
    return [dict(zip(SHOWN, row, strict=True)) for row in prepared(connection, ALONE, values)]


class MoreOnThisStory(Expression):
    """The choice as a column of the article's own statement: a JSON array of the picks'
    ``[id, headline, slug, dek, published_at, source name]``, best first (``[]`` for none;
    NULL for an article with related stories of its own). Annotated as ``more_on_rows``,
    which ``more_on_this_story`` reads."""

    name = "more_on_rows"
    output_field = Field()  # JSON as psycopg reads it: lists, no converter

    def __init__(self):
        super().__init__()
        self.columns = [F("pk"), F("published_at"), F("headline")]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, expressions):
        self.columns = expressions

    def as_sql(self, compiler, connection):
        pk, when, headline = (compiler.compile(column)[0] for column in self.columns)
        # Not chosen (NULL) for an article with related stories of its own: editors' picks
        # replace the choice. (When none of them can be shown, ``more_on_this_story`` then
        # chooses with a statement of its own.)
        sql = (
            f"CASE WHEN EXISTS (SELECT FROM {RELATED} r WHERE r.article_id = {pk}) THEN NULL"
            f" ELSE ({CHOICE.format(pk=pk, when=when, headline=headline)}"
            + f"\nSELECT COALESCE(json_agg(json_build_array({SHOWN_COLUMNS})"
            + f" ORDER BY chosen.place), '[]'){CHOSEN_ROWS}) END"
        )
        # Django's statements take positional parameters: each %(name)s in turn.
        values, names = _values(), _NAMED.findall(sql)
        return f"({_NAMED.sub('%s', sql)})", [values[name] for name in names]


_NAMED = re.compile(r"%\((\w+)\)s")
