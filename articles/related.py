"""“More on this story”: up to three archive articles chosen automatically.

Used when editors picked no related stories. Articles that share the most topics come first;
if that leaves room, articles whose text is like this headline fill it. Each step is one
query whose work is bounded (the most recent candidates only), so the cost of an article page
does not grow with the archive.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, Exists, F, OuterRef, Q

from articles import search
from articles.models import Article

LIMIT = 3
CANDIDATES = 300  # the most recent candidates considered by each step
MIN_WORD = 4


def more_on_this_story(article, limit=LIMIT):
    base = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .select_related("source")
        .defer("body", "body_html")
    )
    picks = []
    topic_ids = [topic.pk for topic in article.topics.all()]
    if topic_ids:
        tagged = Article.topics.through.objects.filter(
            article_id=OuterRef("pk"), topic_id__in=topic_ids
        )
        recent = base.filter(Exists(tagged)).order_by("-published_at").values("pk")[:CANDIDATES]
        picks = list(
            base.filter(pk__in=recent)
            .annotate(shared=Count("topics", filter=Q(topics__in=topic_ids)))
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
            recent = (
                base.filter(search_vector=query)
                .exclude(pk__in=[p.pk for p in picks])
                .order_by("-published_at")
                .values("pk")[:CANDIDATES]
            )
            picks += list(
                base.filter(pk__in=recent)
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", "-published_at")[: limit - len(picks)]
            )
    return picks
