"""Which stories an article could belong to: those whose published articles share one of its
topics and one of its headline's words (shown to editors in the admin; they decide)."""

import re

from django.contrib.postgres.search import SearchQuery

from articles.models import Article, Thread
from articles.models.search_index import CONFIG
from articles.text import fold

MAX_SUGGESTIONS = 5


def suggested_for(article) -> list[Thread]:
    words = {word for word in re.findall(r"\w{4,}", fold(article.headline))}
    topics = list(article.topics.values_list("pk", flat=True))
    if not words or not topics:
        return []
    shares_a_word = SearchQuery(" or ".join(sorted(words)), config=CONFIG, search_type="websearch")
    related = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .filter(thread__isnull=False, topics__in=topics, title_vector=shares_a_word)
    )
    return list(
        Thread.objects.filter(pk__in=related.values("thread")).order_by("name")[:MAX_SUGGESTIONS]
    )
