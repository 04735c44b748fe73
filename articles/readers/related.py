"""“More on this story”: up to three archive articles chosen automatically.

Used when editors picked no related stories. A story develops over weeks, so candidates come
from the month before and the month after the article: those sharing the most topics first,
then, if that leaves room, those whose headline, dek or source matches its headline's words.
"""

import datetime
import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Subquery

from articles.models import Article
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

    The choice (ids only) is cached under the content version like the counts; the articles
    themselves are read through ``published()`` on every view, so a pick that is unpublished
    meanwhile disappears at once.
    """
    ids = cache.get_or_set(
        caching.key("more-on-this-story", article.pk),
        lambda: _choose(article, limit),
        settings.COUNTS_CACHE_SECONDS,
    )
    if not ids:
        return []
    found = (
        Article.objects.published()
        .for_reading()
        .defer("body_html")
        .select_related("source")
        .in_bulk(ids)
    )
    return [found[pk] for pk in ids if pk in found]


def _choose(article, limit):
    """Each step is one query over at most 200 candidates (the 100 nearest in time on each
    side, within the window), so the cost does not grow with the archive."""
    published = Article.objects.published().exclude(pk=article.pk).order_by()
    when = article.published_at
    before = (
        published.filter(published_at__lte=when, published_at__gte=when - WINDOW)
        .order_by("-published_at")
        .values("pk")[:NEIGHBOURS]
    )
    after = (
        published.filter(published_at__gt=when, published_at__lte=when + WINDOW)
        .order_by("published_at")
        .values("pk")[:NEIGHBOURS]
    )
    base = published.filter(pk__in=before.union(after, all=True))
    picks = []
    topic_ids = [topic.pk for topic in article.filed_topics]
    if topic_ids:
        # Counted per candidate with the (article, topic) index, rather than by joining
        # every article of these topics.
        shared = (
            Article.topics.through.objects.filter(article_id=OuterRef("pk"), topic_id__in=topic_ids)
            .order_by()
            .values("article_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        picks = list(
            base.annotate(shared=Subquery(shared))
            .filter(shared__gt=0)
            .order_by("-shared", "-published_at")
            .values_list("pk", flat=True)[:limit]
        )
    if len(picks) < limit:
        words = {
            word
            for word in re.findall(r"\w+", fold(article.headline).lower())
            if len(word) >= MIN_WORD
        }
        if words:
            query = SearchQuery(" or ".join(sorted(words)), config=CONFIG, search_type="websearch")
            picks += list(
                base.filter(title_vector=query)
                .exclude(pk__in=picks)
                .annotate(rank=SearchRank(F("title_vector"), query))
                .order_by("-rank", "-published_at")
                .values_list("pk", flat=True)[: limit - len(picks)]
            )
    return picks
