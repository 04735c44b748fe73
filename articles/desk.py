"""The desk: the admin's first page, what editors and translators need to act on.

Editors see the articles in review (oldest first, how long each has waited, who translated
it), drafts per translator, scheduled articles, stale drafts (untouched for 14 days), the
translation lag (median days from the original to publication here) per source and per month
for the last twelve months, the latest corrections, and the translations to revisit because
their original changed (until someone ticks "translation revised"). Translators see their
drafts, what came back from review, and what waits for an editor. Each list is one query,
whatever the archive's size.
"""

import datetime

from django.contrib.admin import AdminSite
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, OuterRef
from django.http import Http404
from django.urls import path
from django.utils import timezone

from articles.models import Article, Correction, OriginalUpdate, Person

STALE_AFTER = datetime.timedelta(days=14)
LAG_MONTHS = 12
LIST_SIZE = 25


def _translator_names():
    return ArraySubquery(
        Person.objects.filter(translations=OuterRef("pk")).order_by("name").values("name")
    )


def editor_desk(now=None) -> dict:
    now = now or timezone.now()
    articles = Article.objects.only(
        "headline", "status", "published_at", "updated_at", "status_changed_at", "created_by"
    )
    in_review = list(
        articles.filter(status=Article.Status.REVIEW)
        .select_related("created_by")
        .annotate(translator_names=_translator_names())
        .order_by(F("status_changed_at").asc(nulls_first=True), "updated_at")[:LIST_SIZE]
    )
    for article in in_review:
        article.waiting = now - (article.status_changed_at or article.updated_at)
    return {
        "in_review": in_review,
        "drafts_per_translator": list(
            Article.objects.filter(status=Article.Status.DRAFT)
            .values("created_by__username")
            .annotate(n=Count("pk"))
            .order_by("-n", "created_by__username")
        ),
        "scheduled": list(
            articles.filter(status=Article.Status.PUBLISHED, published_at__gt=now).order_by(
                "published_at"
            )[:LIST_SIZE]
        ),
        "stale": list(
            articles.filter(status=Article.Status.DRAFT, updated_at__lt=now - STALE_AFTER)
            .select_related("created_by")
            .order_by("updated_at")[:LIST_SIZE]
        ),
        "lag_by_source": lag_by("source"),
        "lag_chart": lag_chart(lag_by("month"), now),
        "corrections": list(
            Correction.objects.select_related("article").order_by("-created_at")[:10]
        ),
        "to_revisit": list(
            OriginalUpdate.objects.filter(translation_revised=False)
            .select_related("article")
            .order_by("-changed_on")[:LIST_SIZE]
        ),
    }


def translator_desk(user) -> dict:
    mine = Article.objects.filter(created_by=user).only(
        "headline", "status", "updated_at", "returned_at", "returned_note"
    )
    return {
        "returned": list(
            mine.filter(status=Article.Status.DRAFT, returned_at__isnull=False).order_by(
                "-returned_at"
            )[:LIST_SIZE]
        ),
        "my_drafts": list(
            mine.filter(status=Article.Status.DRAFT, returned_at__isnull=True).order_by(
                "-updated_at"
            )[:LIST_SIZE]
        ),
        "my_in_review": list(
            mine.filter(status=Article.Status.REVIEW).order_by("-updated_at")[:LIST_SIZE]
        ),
    }


def lag_by(grouping: str) -> list[dict]:
    """Median days from the original's date to publication here, for the articles published
    in the last twelve months, per source or per month (in the site's time zone)."""
    group = {
        "source": "s.name",
        "month": "date_trunc('month', a.published_at AT TIME ZONE %(zone)s)",
    }[grouping]
    join = "JOIN articles_source s ON s.id = a.source_id" if grouping == "source" else ""
    sql = f"""
        SELECT {group} AS label,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY (a.published_at AT TIME ZONE %(zone)s)::date - a.original_published_on
               ) AS median_days,
               count(*) AS articles
        FROM articles_article a {join}
        WHERE a.status = 'published' AND a.published_at <= now()
          AND a.published_at > now() - interval '{LAG_MONTHS} months'
          AND a.original_published_on IS NOT NULL
        GROUP BY 1 ORDER BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"zone": timezone.get_current_timezone_name()})
        return [
            {"label": label, "median_days": float(median), "articles": n}
            for label, median, n in cursor.fetchall()
        ]


CHART_WIDTH, CHART_HEIGHT, CHART_BOTTOM = 640, 180, 24


def lag_chart(rows: list[dict], now) -> dict:
    """The months' medians as bars of a small SVG chart (computed here; the template only
    draws): every one of the last twelve months, empty months as gaps."""
    local = timezone.localtime(now)
    months = []
    year, month = local.year, local.month
    for _ in range(LAG_MONTHS):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    by_month = {row["label"].date().replace(day=1): row for row in rows}
    top = max([row["median_days"] for row in rows] + [1.0])
    slot = CHART_WIDTH / LAG_MONTHS
    bars = []
    for index, first in enumerate(months):
        row = by_month.get(first)
        days = row["median_days"] if row else None
        height = 0 if days is None else max(2.0, (CHART_HEIGHT - CHART_BOTTOM - 14) * days / top)
        bars.append(
            {
                "month": first,
                "days": days,
                "articles": row["articles"] if row else 0,
                "x": round(index * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(CHART_HEIGHT - CHART_BOTTOM - height, 1),
                "height": round(height, 1),
                "label_x": round(index * slot + slot / 2, 1),
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "baseline": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - 8,
        "has_data": bool(rows),
    }


class DeskAdminSite(AdminSite):
    """The admin, with the desk on its first page."""

    site_header = "Archive editors"
    site_title = "Archive admin"
    index_title = "The desk"
    index_template = "admin/desk.html"

    def index(self, request, extra_context=None):
        extra_context = extra_context or {}
        if request.user.has_perm("articles.publish_article"):
            extra_context["desk"] = editor_desk()
            extra_context["desk_for"] = "editor"
        elif request.user.has_perm("articles.add_article"):
            extra_context["desk"] = translator_desk(request.user)
            extra_context["desk_for"] = "translator"
        return super().index(request, extra_context)

    def get_urls(self):
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            ),
            *super().get_urls(),
        ]

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "view on site" redirect, for what this user may see: any staff member
        could otherwise learn the public address of anyone's draft from its id."""
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
            int(object_id)
        except (ValueError, ContentType.DoesNotExist):
            raise Http404("No such object.") from None
        if model is None or not request.user.has_perm(
            f"{model._meta.app_label}.view_{model._meta.model_name}"
        ):
            raise Http404("No such object.")
        if model is Article and not (
            Article.objects.visible_to(request.user).filter(pk=object_id).exists()
        ):
            raise Http404("No such object.")
        return shortcut(request, content_type_id, object_id)
