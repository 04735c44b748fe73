import re
import threading
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Max, Min, Subquery
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.generic import TemplateView

from articles import search
from articles.dates import PUBLISHED_YEARS
from articles.models import Article, Source, Topic
from articles.readers.views import PageMixin

RELEVANCE, NEWEST = "relevance", "newest"
MAX_PAGES = 50  # newest first: 500 results at 10 a page


# Searches under way in this process (see settings.SEARCH_CONCURRENCY).
searching = threading.BoundedSemaphore(settings.SEARCH_CONCURRENCY)


def busy() -> HttpResponse:
    """A search refused because enough are running: at once, and not kept by any cache."""
    response = render_to_string("articles/search_busy.html")
    answer = HttpResponse(response, status=503)
    answer["Retry-After"] = str(settings.SEARCH_RETRY_AFTER)
    answer["Cache-Control"] = "no-store"
    return answer


class SearchView(PageMixin, TemplateView):
    """The results page: ranked, highlighted, filtered by source, topic and year.

    Costs a fixed number of queries: the query parsed, the ranked ids, the page's articles,
    their passages, and the filter choices. When more articles match than can be ranked
    (``Tuning.CANDIDATES``), the page says so in a line under the results and links each
    year, which narrows the search. Readers choose the order: most relevant (the default) or
    newest first, over all the matches (``?order=newest``: read newest first through the
    same indexes, up to ``MAX_PAGES`` pages).
    """

    template_name = "articles/search.html"
    paginate_by = settings.SEARCH_RESULTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        if not request.GET.get("q", "").strip():  # the empty form: nothing searched
            return super().get(request, *args, **kwargs)
        if not searching.acquire(blocking=False):
            return busy()
        try:
            response = super().get(request, *args, **kwargs)
            return response.render()  # the passages are read while rendering: inside
        finally:
            searching.release()

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

    def get_order(self) -> str:
        return NEWEST if self.request.GET.get("order") == NEWEST else RELEVANCE

    def get_page_number(self) -> int:
        page = self.request.GET.get("page", "")
        return min(int(page), MAX_PAGES) if page.isdigit() and int(page) >= 1 else 1

    def get_context_data(self, **kwargs):
        query = search.clean_query(self.request.GET.get("q", ""))
        filters = self.get_filters()
        order = self.get_order()
        number = self.get_page_number()
        ranking = (
            search.ranked(
                self.get_articles(filters),
                query,
                topic=filters["topic"],
                year=int(filters["year"]) if filters["year"] else None,
                # newest first: the matches up to this page's, and one more (is there a next?)
                newest=number * self.paginate_by if order == NEWEST else None,
            )
            if query
            else None
        )
        ids = ranking.ids if ranking else []
        if order == NEWEST and ranking and not ranking.complete and not ranking.bounded:
            ids = [*ids, None]  # more after these: the next page's link
        paginator = Paginator(ids, self.paginate_by)
        page_obj = paginator.get_page(number)
        shown = [pk for pk in page_obj.object_list if pk is not None]
        found = Article.objects.for_reading().select_related("source").in_bulk(shown)
        results = [found[pk] for pk in shown if pk in found]
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
            order=order,
            # the address of these results, without a page, in each order
            in_order={
                name: urlencode(
                    [("q", query), *((k, v) for k, v in filters.items() if v)]
                    + ([("order", NEWEST)] if name == NEWEST else [])
                )
                for name in (RELEVANCE, NEWEST)
            },
            many_matches=bool(
                ranking and not ranking.complete and not ranking.bounded and order == RELEVANCE
            ),
            total_known=order == RELEVANCE or bool(ranking and ranking.complete),
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
