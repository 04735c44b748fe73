from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView

from articles.models import Article, RelatedStory, Source


class PublishedArticlesMixin:
    """Published articles with their source, newest first, a page at a time."""

    paginate_by = settings.ARTICLES_PER_PAGE
    allow_empty = True

    def get_queryset(self):
        return Article.objects.published().select_related("source").defer("body")


class HomeView(PublishedArticlesMixin, ListView):
    template_name = "articles/home.html"


class SourceListView(ListView):
    """Every source with the number of its published articles."""

    def get_queryset(self):
        counts = (
            Article.objects.published()
            .filter(source=OuterRef("pk"))
            .order_by()
            .values("source")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Source.objects.annotate(article_count=Coalesce(Subquery(counts), 0))


class SourceDetailView(PublishedArticlesMixin, ListView):
    template_name = "articles/source_detail.html"

    def get_queryset(self):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        return super().get_queryset().filter(source=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(source=self.source, **kwargs)


class ArticleYearArchiveView(PublishedArticlesMixin, YearArchiveView):
    date_field = "published_at"
    make_object_list = True
    allow_empty = False


class ArticleMonthArchiveView(PublishedArticlesMixin, MonthArchiveView):
    date_field = "published_at"
    month_format = "%m"
    allow_empty = False


class ArticleDetailView(DetailView):
    """An article at its dated address. Drafts are 404 except for staff, who see a banner.

    The date in the address is the publication date on this site; an address with the right
    slug but an outdated date redirects permanently to the current one.
    """

    def get_object(self, queryset=None):
        public_targets = Article.objects.published().filter(pk=OuterRef("target_id"))
        related = RelatedStory.objects.select_related("target").annotate(
            target_is_public=Exists(public_targets)
        )
        article = get_object_or_404(
            Article.objects.visible_to(self.request.user)
            .select_related("source")
            .prefetch_related(Prefetch("related_stories", queryset=related)),
            slug=self.kwargs["slug"],
        )
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        local = timezone.localtime(self.object.published_at)
        if (local.year, local.month, local.day) != (
            int(kwargs["year"]),
            int(kwargs["month"]),
            int(kwargs["day"]),
        ):
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))
