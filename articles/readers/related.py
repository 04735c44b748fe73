"""“More on this story”: up to three archive articles chosen automatically.

Used when editors picked no related stories. A story develops over weeks, so candidates come
from the month before and the month after the article: those sharing the most topics first,
then, if that leaves room, those whose headline, dek or source matches its headline's words.
"""

import datetime
import re

from django.db import connections, router

from archive.compiled import prepared
from articles.models import Article, Source
from articles.models.page_data import loaded
from articles.models.search_index import CONFIG
from articles.text import fold

LIMIT = 3
WINDOW = datetime.timedelta(days=30)  # how far before and after the article to look
MIN_WORD = 4
NEIGHBOURS = 100  # candidates on each side: the nearest in time, however busy the month


def more_on_this_story(article, limit=LIMIT):
    """Up to ``limit`` published articles from the weeks around ``article``: those sharing the
    most topics first, then those whose headline, dek or source match its headline's words.

    Chosen afresh on each render, among articles published now: one statement (two when
    topics leave room), prepared on the server, about 1 ms at 100,000 articles. Not cached on
    its own: the page that shows the choice is (``article_views``, under the picks' surrogate
    keys), and a cache of its own cost two round trips to Redis on every first view (about
    0.8 ms, as much as choosing) for hits that every save threw away.
    """
    return [_teaser(row) for row in _choose(article, limit)]


SHOWN = ("pk", "headline", "slug", "dek", "published_at", "source__name")


def _teaser(row) -> Article:
    teaser = loaded(
        Article,
        id=row["pk"],
        headline=row["headline"],
        slug=row["slug"],
        dek=row["dek"],
        published_at=row["published_at"],
    )
    teaser.source = Source(name=row["source__name"])
    return teaser


# In SQL, as the rest of this module asks it (one statement for a choice by topics, a second
# only when topics left room): Django building the queries cost more than PostgreSQL running
# them, and reading the 200 candidates' rows into Python cost as much again.
ARTICLES = Article._meta.db_table
FILINGS = Article.topics.through._meta.db_table
SOURCES = Source._meta.db_table
# The rule of ``published()`` (``published_condition``: published, its time come by the
# database's clock), for the articles table's columns; its one parameter is the status.
PUBLISHED = "(status = %s AND published_at <= now())"

CANDIDATES = f"""
candidates AS MATERIALIZED (
    (SELECT id, published_at FROM {ARTICLES}
     WHERE {PUBLISHED} AND id <> %(pk)s
       AND published_at <= %(when)s AND published_at >= %(earliest)s
     ORDER BY published_at DESC LIMIT %(neighbours)s)
    UNION ALL
    (SELECT id, published_at FROM {ARTICLES}
     WHERE {PUBLISHED} AND id <> %(pk)s
       AND published_at > %(when)s AND published_at <= %(latest)s
     ORDER BY published_at LIMIT %(neighbours)s)
)""".replace("%s", "%(status)s")

SHOWN_SQL = f"""
SELECT a.id, a.headline, a.slug, a.dek, a.published_at, s.name
FROM chosen JOIN {ARTICLES} a ON a.id = chosen.id LEFT JOIN {SOURCES} s ON s.id = a.source_id
ORDER BY chosen.place"""

# The candidates sharing the most topics, newest first among equals. Their filings are read
# from the topics' index over the candidates' time span (the filings hold each article's
# publication time), not probed candidate by candidate.
BY_TOPICS = (
    f"""
WITH {CANDIDATES},
chosen AS (
    SELECT c.id, row_number() OVER (ORDER BY count(*) DESC, c.published_at DESC, c.id DESC)
        AS place
    FROM {FILINGS} f JOIN candidates c ON c.id = f.article_id
    WHERE f.topic_id = ANY(%(topics)s)
      AND f.published_at >= (SELECT min(published_at) FROM candidates)
      AND f.published_at <= (SELECT max(published_at) FROM candidates)
    GROUP BY c.id, c.published_at
    ORDER BY place LIMIT %(limit)s
)"""
    + SHOWN_SQL
)

# The candidates whose headline, dek or source match the headline's words, best first.
BY_WORDS = (
    f"""
WITH {CANDIDATES},
query AS (SELECT websearch_to_tsquery(%(config)s::regconfig, %(words)s) AS q),
chosen AS (
    SELECT a.id, row_number() OVER (ORDER BY ts_rank(a.title_vector, query.q) DESC,
                                    a.published_at DESC, a.id DESC) AS place
    FROM candidates c JOIN {ARTICLES} a ON a.id = c.id, query
    WHERE a.id <> ALL(%(chosen)s) AND a.title_vector @@ query.q
    ORDER BY place LIMIT %(limit)s
)"""
    + SHOWN_SQL
)


def _choose(article, limit):
    """Over at most 200 candidates (the ``NEIGHBOURS`` nearest in time on each side, within
    the window), so the cost does not grow with the archive: those sharing topics, then,
    when that leaves room, those matching the headline's words."""
    when = article.published_at
    values = {
        "status": Article.Status.PUBLISHED,
        "pk": article.pk,
        "when": when,
        "earliest": when - WINDOW,
        "latest": when + WINDOW,
        "neighbours": NEIGHBOURS,
        "limit": limit,
    }
    connection = connections[router.db_for_read(Article)]
    chosen = []
    topic_ids = [topic.pk for topic in article.filed_topics]
    if topic_ids:
        chosen = prepared(connection, BY_TOPICS, {**values, "topics": topic_ids})
    if len(chosen) < limit:
        headline = fold(article.headline).lower()
        words = {word for word in re.findall(r"\w+", headline) if len(word) >= MIN_WORD}
        if words:
            values.update(
                limit=limit - len(chosen),
                config=CONFIG,
                words=" or ".join(sorted(words)),
                chosen=[row[0] for row in chosen],
            )
            chosen += prepared(connection, BY_WORDS, values)
    return [dict(zip(SHOWN, row, strict=True)) for row in chosen]
