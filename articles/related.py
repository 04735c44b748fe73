"""“More on this story”: up to three archive articles chosen automatically.

Used when editors picked no related stories. A story develops over weeks, so candidates come
from the six weeks before and after the article: those sharing the most topics first, then, if that
leaves room, those whose headline, dek or source matches the words of its headline.
"""

import datetime
import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, OuterRef, Subquery

from articles import search
from articles.models import Article

LIMIT = 3
WINDOW = datetime.timedelta(days=45)  # how far before and after the article to look
MIN_WORD = 4


def more_on_this_story(article, limit=LIMIT):
    """Up to ``limit`` published articles from the weeks around ``article``: those sharing the
    most topics first, then those whose headline, dek or source match its headline's words.

    Each step is one query over an index range (the window), so the cost does not grow with
    the size of the archive.
    """
    base = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(
            published_at__gte=article.published_at - WINDOW,
            published_at__lte=article.published_at + WINDOW,
        )
        .select_related("source")
        .defer("body", "body_html")
    )
    picks = []
    topic_ids = [topic.pk for topic in article.topics.all()]
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
            .order_by("-shared", "-published_at")[:limit]
        )
    if len(picks) < limit:
        words = {
            word
            for word in re.findall(r"\w+", search.fold(article.headline).lower())
            if len(word) >= MIN_WORD
        }
        if words:
            query = SearchQuery(
                " or ".join(sorted(words)), config=search.CONFIG, search_type="websearch"
            )
            picks += list(
                base.filter(title_vector=query)
                .exclude(pk__in=[pick.pk for pick in picks])
                .annotate(rank=SearchRank(F("title_vector"), query))
                .order_by("-rank", "-published_at")[: limit - len(picks)]
            )
    return picks
