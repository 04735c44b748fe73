import re

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Max, Min, Subquery
from django.utils import timezone
from django.views.generic import TemplateView

from articles import search
from articles.dates import PUBLISHED_YEARS
from articles.models import Article, Source, Topic
from articles.readers.views import PageMixin


class SearchView(PageMixin, TemplateView):
    """The results page: ranked, highlighted, filtered by source, topic and year.

    Costs a fixed number of queries: the query parsed, the ranked ids, the page's articles,
    their passages, and the filter choices. When more articles match than can be ranked
    (``Tuning.CANDIDATES``), the page says so and links each year, which narrows the search.
    """

    template_name = "articles/search.html"
    paginate_by = settings.SEARCH_RESULTS_PER_PAGE

    def get_filters(self):
        year = self.request.GET.get("year", "").strip()
        plausible = re.fullmatch(r"[0-9]{4}", year) and (
            PUBLISHED_YEARS[0] <= int(year) <= PUBLISHED_YEARS[1]
        )
        return {
            "source": self.request.GET.get("source", "").strip()[:200],
            "topic": self.request.GET.get("topic", "").strip()[:100],
            "year": year if plausible else "",
        }

    def get_articles(self, filters):
        """What the search covers; the topic and the year are ``search.ranked``'s to apply
        (how depends on the words)."""
        articles = Article.objects.published()
        if filters["source"]:
            # by its id, found first (a constant to PostgreSQL: the source's newest articles
            # are read from their index, not the whole archive's newest checked one by one)
            source = Source.objects.filter(slug=filters["source"]).values("pk")[:1]
            articles = articles.filter(source=Subquery(source))
        return articles

    def get_context_data(self, **kwargs):
        query = search.clean_query(self.request.GET.get("q", ""))
        filters = self.get_filters()
        ranking = (
            search.ranked(
                self.get_articles(filters),
                query,
                topic=filters["topic"],
                year=int(filters["year"]) if filters["year"] else None,
            )
            if query
            else None
        )
        paginator = Paginator(ranking.ids if ranking else [], self.paginate_by)
        page_obj = paginator.get_page(self.request.GET.get("page"))
        found = Article.objects.for_reading().select_related("source").in_bulk(page_obj.object_list)
        results = [found[pk] for pk in page_obj.object_list if pk in found]
        passages = search.passages([a.pk for a in results], query)
        for article in results:
            article.passage = passages.get(article.pk, "")
        context = super().get_context_data(
            query=query,
            filters=filters,
            results=results,
            paginator=paginator,
            page_obj=page_obj,
            is_paginated=page_obj.has_other_pages(),
            many_matches=bool(ranking and not ranking.complete and not ranking.bounded),
            searched_recent=bool(ranking and ranking.bounded == search.RECENT),
            wants_nothing=bool(ranking and ranking.bounded == search.NOTHING_WANTED),
            recent_articles=f"{search.tuning().RECENT_ARTICLES:,}",
            candidates=f"{search.tuning().CANDIDATES:,}",
            sources=Source.objects.with_published_articles().only("name", "slug"),
            topics=Topic.objects.with_published_articles().only("name", "slug"),
            years=self.get_years(),
            **kwargs,
        )
        context["page"]["title"] = f"Search: {query}" if query else "Search"
        context["page"]["noindex"] = True
        return context

    def get_years(self):
        """The years the archive spans, newest first (two index look-ups, no scan)."""
        span = Article.objects.published().aggregate(
            first=Min("published_at"), last=Max("published_at")
        )
        if not span["first"]:
            return []
        last = timezone.localtime(span["last"]).year
        first = timezone.localtime(span["first"]).year
        return list(range(last, first - 1, -1))
