"""“More on this story”: up to three archive articles chosen automatically.

Used when editors picked no related stories. A story develops over weeks, so candidates come
from the month before and the month after the article: those sharing the most topics first,
then, if that leaves room, those whose headline, dek or source matches its headline's words.
"""

import datetime
import re
from collections import Counter

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import BooleanField, ExpressionWrapper, F

from articles.models import Article, Source
from articles.models.archive import published_condition
from articles.models.search_index import CONFIG
from articles.readers import caching
from articles.text import fold

LIMIT = 3
WINDOW = datetime.timedelta(days=30)  # how far before and after the article to look
MIN_WORD = 4
NEIGHBOURS = 100  # candidates on each side: the nearest in time, however busy the month


def more_on_this_story(article, limit=LIMIT):
    """Up to ``limit`` published articles from the weeks around ``article``: those sharing the
    most topics first, then those whose headline, dek or source match its headline's words.

    The choice, with what the page shows of each pick (headline, dek, date, source), is cached
    under the content version like the counts; which of the picks are still published is asked
    on every view (one small query), so a pick that is unpublished meanwhile, by any means,
    disappears at once.
    """
    name = caching.key("more-on-this-story", article.pk)
    rows = cache.get(name)
    if rows is None:  # chosen now, among published articles
        rows = _choose(article, limit)
        cache.set(name, rows, settings.COUNTS_CACHE_SECONDS)
        return [_teaser(row) for row in rows]
    if not rows:
        return []
    # Each pick's row by its key, and the rule of published() read for it (as a filter, the
    # rule would lead PostgreSQL to read every published article's index entry).
    public = {
        pk
        for pk, is_public in Article.objects.filter(pk__in=[row["pk"] for row in rows])
        .annotate(is_public=ExpressionWrapper(published_condition(), output_field=BooleanField()))
        .values_list("pk", "is_public")
        if is_public
    }
    return [_teaser(row) for row in rows if row["pk"] in public]


SHOWN = ("pk", "headline", "slug", "dek", "published_at", "source__name")


def _teaser(row) -> Article:
    teaser = Article(
        pk=row["pk"],
        headline=row["headline"],
        slug=row["slug"],
        dek=row["dek"],
        published_at=row["published_at"],
    )
    teaser.source = Source(name=row["source__name"])
    return teaser


def _choose(article, limit):
    """Over at most 200 candidates (the 100 nearest in time on each side, within the
    window), so the cost does not grow with the archive: the candidates, with what the page
    shows of each, in one query; their topics in a second (counted here: PostgreSQL would
    count them with one small index scan per candidate); the headline's words over the same
    candidates only when topics left room."""
    published = Article.objects.published().exclude(pk=article.pk).order_by()
    when = article.published_at
    before = (
        published.filter(published_at__lte=when, published_at__gte=when - WINDOW)
        .order_by("-published_at")
        .values(*SHOWN)[:NEIGHBOURS]
    )
    after = (
        published.filter(published_at__gt=when, published_at__lte=when + WINDOW)
        .order_by("published_at")
        .values(*SHOWN)[:NEIGHBOURS]
    )
    candidates = {row["pk"]: row for row in before.union(after, all=True)}
    if not candidates:
        return []
    chosen = []
    topic_ids = {topic.pk for topic in article.filed_topics}
    if topic_ids:
        shared = Counter(
            article_id
            for article_id, topic_id in Article.topics.through.objects.filter(
                article_id__in=list(candidates)
            ).values_list("article_id", "topic_id")
            if topic_id in topic_ids
        )
        newest = {pk: row["published_at"] for pk, row in candidates.items()}
        chosen = sorted(shared, key=lambda pk: (shared[pk], newest[pk]), reverse=True)
        chosen = chosen[:limit]
    if len(chosen) < limit:
        words = {
            word
            for word in re.findall(r"\w+", fold(article.headline).lower())
            if len(word) >= MIN_WORD
        }
        if words:
            query = SearchQuery(" or ".join(sorted(words)), config=CONFIG, search_type="websearch")
            chosen += list(
                Article.objects.filter(pk__in=[pk for pk in candidates if pk not in chosen])
                .filter(title_vector=query)
                .annotate(rank=SearchRank(F("title_vector"), query))
                .order_by("-rank", "-published_at")
                .values_list("pk", flat=True)[: limit - len(chosen)]
            )
    return [candidates[pk] for pk in chosen]
