"""Counts of published articles shown to readers, cached for a few minutes.

Counting means visiting every published article, which at 100,000 articles costs tens of
milliseconds; the numbers (articles per source, topic, person and month) change slowly, so
they are computed at most once per ``COUNTS_CACHE_SECONDS`` (default 300) per process.
A newly published or scheduled article shows in the counts within that time; it shows in the
lists themselves at once.
"""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncMonth

from articles.models import Article, Person


def _cached(key, compute):
    return cache.get_or_set(f"archive-counts:{key}", compute, settings.COUNTS_CACHE_SECONDS)


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


def per_translator() -> dict[int, int]:
    return _cached("translators", lambda: _grouped("translators"))


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
