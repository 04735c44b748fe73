"""Counts of published articles shown to readers, cached.

Counting means visiting every published article, which at 100,000 articles costs tens of
milliseconds; the numbers (articles per source, topic, person and month) change only when
content does. They are cached under the content version (see ``caching``): with a shared
cache, a publish, an edit or a scheduled article's time coming shows in every process's
counts at once. Entries also expire after ``COUNTS_CACHE_SECONDS`` (default 300), which bounds
how stale a process-local cache (no ``REDIS_URL``) can be.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncMonth

from articles.models import Article, Person
from articles.readers import caching


def _cached(name, compute):
    return cache.get_or_set(caching.key("counts", name), compute, settings.COUNTS_CACHE_SECONDS)


def _grouped(field):
    rows = (
        Article.objects.published()
        .filter(**{f"{field}__isnull": False})
        .order_by()
        .values(field)
        .annotate(n=Count("pk", distinct=True))
    )
    return {row[field]: row["n"] for row in rows}


def per_source() -> dict[int, int]:
    return _cached("sources", lambda: _grouped("source"))


def per_topic() -> dict[int, int]:
    return _cached("topics", lambda: _grouped("topics"))


def for_person(person) -> dict[str, int]:
    """{"translated": n, "authored": n}: from this person's own credit rows (the credit
    tables' person index), not from a pass over every published article."""

    def published_count(relation):
        return Coalesce(
            Subquery(
                Article.objects.published()
                .filter(**{relation: OuterRef("pk")})
                .order_by()
                .values(relation)
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )

    def compute():
        translated, authored = (
            Person.objects.filter(pk=person.pk)
            .annotate(
                translated_n=published_count("translators"), authored_n=published_count("authors")
            )
            .values_list("translated_n", "authored_n")
            .get()
        )
        return {"translated": translated, "authored": authored}

    return _cached(f"person:{person.pk}", compute)


def per_month() -> list[dict]:
    """[{"month": datetime, "count": n}, …], newest first."""

    def compute():
        return list(
            Article.objects.published()
            .annotate(month=TruncMonth("published_at"))
            .order_by()
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("-month")
        )

    return _cached("months", compute)
