"""The desk's first page: a list of panels, each a small component with its own query and
template (as Wagtail's admin home panels are), so that each costs what it costs, whatever
the archive's size, and can be tested alone.

Editors see the articles in review (oldest first, how long each has waited, who translated
it), what is scheduled, drafts per translator, stale drafts (untouched for 14 days), the
translation lag (median days from the original to publication here) per source and per month
over the last twelve months, the translations to revisit because their original changed
(until someone ticks "translation revised"), and the latest corrections. Translators see
their drafts, what came back from review, and what waits for an editor.
"""

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Article, Correction, OriginalUpdate, Person

STALE_AFTER = datetime.timedelta(days=14)
LAG_MONTHS = 12
LIST_SIZE = 25
EDITOR, TRANSLATOR = "editor", "translator"


class Panel:
    """One part of the desk. ``audiences``: who sees it (editors, who may publish, and/or
    translators); ``order``: where (smaller first); ``wide``: across the page."""

    name = ""
    title = ""
    audiences = (EDITOR,)
    order = 100
    wide = False

    @property
    def template_name(self):
        return f"admin/desk/{self.name}.html"

    def get_context_data(self, user, now) -> dict:
        return {}

    def render(self, user, now) -> str:
        context = {"panel": self, **self.get_context_data(user, now)}
        return render_to_string(self.template_name, context)


def _articles():
    return Article.objects.only(
        "headline", "status", "published_at", "updated_at", "status_changed_at", "created_by"
    )


def _translator_names():
    return ArraySubquery(
        Person.objects.filter(translations=OuterRef("pk")).order_by("name").values("name")
    )


class InReviewPanel(Panel):
    name, title, order = "review", "In review, oldest first", 10

    def get_context_data(self, user, now):
        in_review = list(
            _articles()
            .filter(status=Article.Status.REVIEW)
            .select_related("created_by")
            .annotate(translator_names=_translator_names())
            .order_by(F("status_changed_at").asc(nulls_first=True), "updated_at")[:LIST_SIZE]
        )
        for article in in_review:
            article.waiting = now - (article.status_changed_at or article.updated_at)
        return {"articles": in_review}


class RenderingsPanel(Panel):
    """Articles in review whose translation lacks a glossary term's agreed rendering where
    the original uses the term (``Article.rendering_gaps``)."""

    name, title, order = "renderings", "In review: renderings to check", 15

    def get_context_data(self, user, now):
        flagged = (
            Article.objects.filter(status=Article.Status.REVIEW)
            .exclude(rendering_gaps=[])
            .only("headline", "rendering_gaps")
            .order_by("-updated_at")[:LIST_SIZE]
        )
        return {"articles": list(flagged)}


class ConcordancePanel(Panel):
    """A search of the translation memory: how did we translate …? (no query)."""

    name, title, order, audiences = (
        "concordance",
        "How did we translate…?",
        90,
        (EDITOR, TRANSLATOR),
    )


class ScheduledPanel(Panel):
    name, title, order = "scheduled", "Scheduled", 20

    def get_context_data(self, user, now):
        scheduled = _articles().filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        return {"articles": list(scheduled.order_by("published_at")[:LIST_SIZE])}


class DraftsPerTranslatorPanel(Panel):
    name, title, order = "drafts", "Drafts per translator", 30

    def get_context_data(self, user, now):
        rows = (
            Article.objects.filter(status=Article.Status.DRAFT)
            .values("created_by__username")
            .annotate(n=Count("pk"))
            .order_by("-n", "created_by__username")
        )
        return {"rows": list(rows)}


class StalePanel(Panel):
    name, title, order = "stale", "Stale drafts (untouched for 14 days)", 40

    def get_context_data(self, user, now):
        stale = (
            _articles()
            .filter(status=Article.Status.DRAFT, updated_at__lt=now - STALE_AFTER)
            .select_related("created_by")
            .order_by("updated_at")[:LIST_SIZE]
        )
        return {"articles": list(stale)}


class LagPanel(Panel):
    name, title, order, wide = "lag", "Translation lag, last 12 months", 50, True

    def get_context_data(self, user, now):
        return {"chart": lag_chart(lag_by("month"), now), "by_source": lag_by("source")}


class ToRevisitPanel(Panel):
    name, title, order = "revisit", "Translations to revisit (the original changed)", 60

    def get_context_data(self, user, now):
        updates = (
            OriginalUpdate.objects.filter(translation_revised=False)
            .select_related("article")
            .order_by("-changed_on")[:LIST_SIZE]
        )
        return {"updates": list(updates)}


class CorrectionsPanel(Panel):
    name, title, order = "corrections", "Latest corrections", 70

    def get_context_data(self, user, now):
        latest = Correction.objects.select_related("article").order_by("-created_at")[:10]
        return {"corrections": list(latest)}


def _mine(user):
    return Article.objects.filter(created_by=user).only(
        "headline", "status", "updated_at", "returned_at", "returned_note"
    )


class ReturnedPanel(Panel):
    name, title, order = "returned", "Back from review: changes asked", 10
    audiences = (TRANSLATOR,)

    def get_context_data(self, user, now):
        returned = _mine(user).filter(status=Article.Status.DRAFT, returned_at__isnull=False)
        return {"articles": list(returned.order_by("-returned_at")[:LIST_SIZE])}


class MyDraftsPanel(Panel):
    name, title, order, audiences = "mine", "My drafts", 20, (TRANSLATOR,)

    def get_context_data(self, user, now):
        drafts = _mine(user).filter(status=Article.Status.DRAFT, returned_at__isnull=True)
        return {"articles": list(drafts.order_by("-updated_at")[:LIST_SIZE])}


class MyInReviewPanel(Panel):
    name, title, order, audiences = "waiting", "Waiting for an editor", 30, (TRANSLATOR,)

    def get_context_data(self, user, now):
        waiting = _mine(user).filter(status=Article.Status.REVIEW).order_by("-updated_at")
        return {"articles": list(waiting[:LIST_SIZE])}


PANELS = [
    InReviewPanel(),
    RenderingsPanel(),
    ConcordancePanel(),
    ScheduledPanel(),
    DraftsPerTranslatorPanel(),
    StalePanel(),
    LagPanel(),
    ToRevisitPanel(),
    CorrectionsPanel(),
    ReturnedPanel(),
    MyDraftsPanel(),
    MyInReviewPanel(),
]


def audience(user) -> str | None:
    """Which desk ``user`` gets: an editor's (who may publish), a translator's, or none."""
    if user.has_perm("articles.publish_article"):
        return EDITOR
    if user.has_perm("articles.add_article"):
        return TRANSLATOR
    return None


def panels_for(user) -> list[Panel]:
    shown = audience(user)
    return sorted((p for p in PANELS if shown in p.audiences), key=lambda p: p.order)


def render_panels(user, now=None) -> list[dict]:
    """The panels ``user`` sees, rendered: ``{"panel", "html"}`` each."""
    now = now or timezone.now()
    return [{"panel": panel, "html": panel.render(user, now)} for panel in panels_for(user)]


# -- The translation lag ---------------------------------------------------------------------


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
