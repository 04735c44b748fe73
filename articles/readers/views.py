from datetime import date

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import CharField, Value
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import (
    DayArchiveView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from articles.dates import PUBLISHED_YEARS
from articles.models import (
    Article,
    Filing,
    GlossaryTerm,
    Page,
    Person,
    Source,
    Thread,
    Topic,
)
from articles.readers import counts, front, identity, metadata
from articles.readers.pagination import PagedByIds, UncountedPaginator


class PageMixin:
    """What every page's head needs: title, description, canonical address, feeds."""

    page_title = ""
    page_description = ""
    feed_name = None  # route-name prefix of this page's feeds, e.g. "source-feed"

    def get_page_title(self):
        return self.page_title

    def get_page_description(self):
        return self.page_description or metadata.SITE_DESCRIPTION

    def get_feed_kwargs(self):
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_obj = context.get("page_obj")
        title = self.get_page_title()
        if page_obj is not None and page_obj.number > 1:
            title = f"{title} (page {page_obj.number})"
        feeds = metadata.site_feeds(self.request)
        if self.feed_name:
            feeds = metadata.feeds_for(self.feed_name, title, self.get_feed_kwargs()) + feeds
        context["page"] = {
            "title": title,
            "description": self.get_page_description(),
            "canonical": metadata.canonical_url(self.request, page_obj),
            "feeds": feeds,
            "type": "website",
        }
        return context


class UncountedPaginationMixin:
    """A page at a time, never counted (``UncountedPaginator``); a page that is not there
    is a 404."""

    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = UncountedPaginator
    allow_empty = True

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except InvalidPage as error:  # "?page=last", a page beyond the archive
            raise Http404(str(error)) from None


class PublishedArticlesMixin(UncountedPaginationMixin, PageMixin):
    """Published articles with their source, newest first, a page at a time."""

    def get_queryset(self):
        return Article.objects.published().for_reading().select_related("source")


class HomeView(PublishedArticlesMixin, ListView):
    """The front page (``front``); its later pages are the plain listing of the latest."""

    template_name = "articles/home.html"

    def get_page_title(self):
        site = identity.current(self.request)
        return f"{site.name}: {site.tagline}" if site.tagline else site.name

    def get_page_description(self):
        return identity.current(self.request).description or metadata.SITE_DESCRIPTION

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            lead, latest = front.lead_story(
                list(context["object_list"]), identity.current(self.request).lead_article_id
            )
            around = front.around_the_latest()
            context.update(
                front_page=True,
                lead=lead,
                latest=latest,
                stories=around["stories"],
                source_sections=around["sources"],
                topic_sections=around["topics"],
            )
        return context


class SourceListView(PageMixin, ListView):
    """Every source with published articles, with their number."""

    model = Source

    def get_queryset(self):
        return Source.objects.with_published_articles()

    page_title = "Sources"
    page_description = "The publications whose articles this archive translates."
    count_articles = staticmethod(counts.per_source)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article_counts = self.count_articles()
        for subject in context["object_list"]:
            subject.article_count = article_counts.get(subject.pk, 0)
        return context


class TopicListView(SourceListView):
    model = Topic

    def get_queryset(self):
        return Topic.objects.with_published_articles()

    page_title = "Topics"
    page_description = "Every subject in the archive, with the number of its articles."
    count_articles = staticmethod(counts.per_topic)


class FilteredArticlesView(PublishedArticlesMixin, ListView):
    """The published articles of one source, topic or person."""

    model = None
    context_name = None

    def get_queryset(self):
        self.subject = get_object_or_404(self.subjects(), slug=self.kwargs["slug"])
        return self.filter_articles(super().get_queryset())

    def subjects(self):
        """Only subjects readers may see: those with a published article."""
        return self.model.objects.with_published_articles()

    def get_feed_kwargs(self):
        return {"slug": self.subject.slug}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_name: self.subject}, **kwargs)

    def article_count(self, per_subject):
        return per_subject().get(self.subject.pk, 0)


class SourceDetailView(FilteredArticlesView):
    model = Source
    context_name = "source"
    template_name = "articles/source_detail.html"
    feed_name = "source-feed"

    def filter_articles(self, articles):
        return articles.filter(source=self.subject)

    def get_context_data(self, **kwargs):
        return super().get_context_data(article_count=self.article_count(counts.per_source))

    def get_page_title(self):
        return f"{self.subject.name} in translation"

    def get_page_description(self):
        described = f", {self.subject.description}" if self.subject.description else ""
        return f"English translations of articles from {self.subject.name}{described}."


class TopicDetailView(FilteredArticlesView):
    model = Topic
    context_name = "topic"
    template_name = "articles/topic_detail.html"
    feed_name = "topic-feed"

    def filter_articles(self, articles):
        # A page's ids from the topic's filings, newest first (``PagedByIds``).
        return PagedByIds(articles, Filing.objects.newest_published(self.subject))

    def get_context_data(self, **kwargs):
        return super().get_context_data(article_count=self.article_count(counts.per_topic))

    def get_page_title(self):
        return f"{self.subject.name}: translated articles"

    def get_page_description(self):
        return self.subject.description or (
            f"Translated articles about {self.subject.name}, newest first."
        )


class ThreadListView(UncountedPaginationMixin, PageMixin, ListView):
    """The stories with published articles, the most recently continued first, 50 a page."""

    paginate_by = 50
    template_name = "articles/thread_list.html"
    page_title = "Stories"
    page_description = "Developing stories, followed across sources and over time."

    def get_queryset(self):
        return Thread.objects.with_published_articles().order_by("-latest", "name")


class ThreadDetailView(FilteredArticlesView):
    """A story's timeline: its published articles, newest first or (``?order=oldest``)
    from the beginning."""

    model = Thread
    context_name = "thread"
    template_name = "articles/thread_detail.html"
    feed_name = "thread-feed"

    def subjects(self):
        return super().subjects().select_related("image")

    def oldest_first(self):
        return self.request.GET.get("order") == "oldest"

    def filter_articles(self, articles):
        articles = articles.filter(thread=self.subject)
        return articles.order_by("published_at", "id") if self.oldest_first() else articles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            article_count=self.subject.article_count, oldest_first=self.oldest_first()
        )
        # The story's picture: the editors' choice, or its newest article's lead image.
        image = self.subject.image
        if image is None and not self.oldest_first() and context["page_obj"].number == 1:
            image = next((a.lead_image for a in context["object_list"] if a.lead_image), None)
        context["story_image"] = image
        if image is not None:
            context["page"]["image"] = metadata.share_image(image, self.request)
        return context

    def get_page_title(self):
        return f"{self.subject.name}: the story so far"

    def get_page_description(self):
        return self.subject.description or (
            f"Every translated article on {self.subject.name}, in order."
        )


class GlossaryView(PageMixin, ListView):
    """Every glossary term with its explanation and the articles that explain it."""

    template_name = "articles/glossary.html"
    page_title = "Glossary"
    page_description = "Recurring terms from the Mexican and Latin American press, explained."

    def get_queryset(self):
        return GlossaryTerm.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        terms = list(context["object_list"])
        used = explained_by([term.slug for term in terms])
        for term in terms:
            term.articles = used.get(term.slug, [])
        return context


class PageView(PageMixin, TemplateView):
    """A page of the publication (About, Contact…), at the site's top level. Readers see
    it once published; an editor sees a draft, marked as such (one query either way)."""

    template_name = "articles/page.html"

    def get(self, request, *args, **kwargs):
        pages = Page.objects.all()
        if not request.user.has_perm("articles.view_page"):
            pages = pages.published()
        self.object = get_object_or_404(pages, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return self.object.title

    def get_page_description(self):
        return self.object.summary or super().get_page_description()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(object=self.object, **kwargs)
        if not self.object.is_published:
            context["page"]["noindex"] = True
        return context


class PersonDetailView(FilteredArticlesView):
    """A person's work: a translator's portfolio and the originals they wrote."""

    model = Person
    context_name = "person"
    template_name = "articles/person_detail.html"
    feed_name = "translator-feed"

    def filter_articles(self, articles):
        return articles.credited_to(self.subject)

    def get_context_data(self, **kwargs):
        return super().get_context_data(counts=counts.for_person(self.subject), **kwargs)

    def get_page_title(self):
        return f"{self.subject.name}: translations and articles"

    def get_page_description(self):
        return self.subject.bio or f"Articles translated or written by {self.subject.name}."


def explained_by(slugs) -> dict[str, list]:
    """For the glossary page: each term's slug -> the published articles that explain it,
    newest first (at most five each), in one query: a part per term, so that PostgreSQL
    plans each by how common the term is (the index of ``glossary_terms`` for a rare one, the
    newest articles for a common one)."""

    def newest(slug):
        return (
            Article.objects.published()
            .filter(glossary_terms__contains=[slug])
            .annotate(term=Value(slug, output_field=CharField()))
            .order_by("-published_at")
            .values_list("pk", "headline", "slug", "published_at", "term")[:5]
        )

    parts = [newest(slug) for slug in slugs]
    if not parts:
        return {}
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: dict[str, list] = {}
    for pk, headline, slug, published_at, term in rows:
        article = Article(pk=pk, headline=headline, slug=slug, published_at=published_at)
        found.setdefault(term, []).append(article)
    return found


# -- Date archives -------------------------------------------------------------------------


class ArchiveIndexView(PageMixin, TemplateView):
    """Years and months that have articles, with their counts."""

    template_name = "articles/archive_index.html"
    page_title = "Archive by date"
    page_description = "Every month of the archive, with the number of articles translated."

    def get_context_data(self, **kwargs):
        years = {}
        for row in counts.per_month():
            year = years.setdefault(row["month"].year, {"year": row["month"].year, "count": 0})
            year["count"] += row["count"]
            year.setdefault("months", []).append(row)
        return super().get_context_data(years=list(years.values()), **kwargs)


class DateArchiveMixin(PublishedArticlesMixin):
    date_field = "published_at"
    month_format = "%m"
    allow_empty = False

    def get(self, request, *args, **kwargs):
        # Articles are dated between 1800 and 2200 (see ``dates.PUBLISHED_RANGE``): other
        # years have nothing, and a period next to year 9999 would overflow Python's dates.
        if not PUBLISHED_YEARS[0] <= int(kwargs["year"]) <= PUBLISHED_YEARS[1]:
            raise Http404("No articles in that year")
        return super().get(request, *args, **kwargs)

    def get_period(self):
        """The period in words: "in 2025", "in November 2025", "on November 4, 2025"."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        months = self.get_months_with_articles()
        return super().get_context_data(months_with_articles=months, **kwargs)

    def get_months_with_articles(self):
        """From the cached month counts (see ``counts``)."""
        year = int(self.get_year())
        return [
            row["month"].date() for row in reversed(counts.per_month()) if row["month"].year == year
        ]

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """The year's months from the cached counts, rather than a scan of the period. (The
        view has already answered 404 if the period has no articles.)"""
        return self.get_months_with_articles()

    def get_page_title(self):
        return f"Translations published {self.get_period()}"

    def get_page_description(self):
        return f"Every article this archive published {self.get_period()}."


class ArticleYearArchiveView(DateArchiveMixin, YearArchiveView):
    make_object_list = True

    def get_period(self):
        return f"in {self.get_year()}"


class ArticleMonthArchiveView(DateArchiveMixin, MonthArchiveView):
    def get_period(self):
        return f"in {date(int(self.get_year()), int(self.get_month()), 1):%B %Y}"


class ArticleDayArchiveView(DateArchiveMixin, DayArchiveView):
    def get_period(self):
        day = date(int(self.get_year()), int(self.get_month()), int(self.get_day()))
        return f"on {day:%B} {day.day}, {day.year}"


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
