"""The article page, and the same page at a share-preview link.

Rendering an article costs one large query (its SQL built once per process and prepared on
the server: ``archive.compiled``; "More on this story" is chosen in it, ``related``) and most
of a page's template work:
about 8 ms in the process at 100,000 articles (docs/performance.md); the most read pages are
articles. So for anonymous readers the view keeps each article's rendered page in the cache
under the surrogate keys of what it shows (``surrogates``), with its date: a warm article
costs two round trips to the cache (the page cache's look-up, then its own) and no query,
whatever the address's query string (the page cache in ``serving`` keys by the whole
address, and can be off). A publish, an edit or an unpublish
purges those keys, so nobody is served an article as it was. Signed-in editors and previews
always render afresh, and are never kept.
"""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.generic import DetailView

from archive.compiled import Compiled
from articles import languages, pairing
from articles.markup import render_markdown
from articles.models import Article, PreviewLink, SlugRedirect
from articles.readers import (
    caching,
    context_processors,
    identity,
    metadata,
    serving,
    surrogates,
)
from articles.readers.related import MoreOnThisStory, more_on_this_story
from articles.readers.templatetags.archive import render_frame
from articles.readers.views import PageMixin


def article_pages(articles):
    """``articles`` with all an article page shows, in one query."""
    return articles.for_reading().select_related("source").with_page_data()


def _reader_article(with_identity: bool) -> Compiled:
    """A reader's article by its slug, its SQL built once per process (``archive.compiled``):
    the array subqueries cost Django more to build (3 ms) than PostgreSQL to run;
    ``published()`` reads the clock in the database, so the SQL holds. Not .first(): its
    ORDER BY would lead PostgreSQL away from the slug's unique index. ``with_identity``: the
    site's identity in the same statement (``identity.column``)."""

    def build(slug):
        articles = article_pages(Article.objects.published()).annotate(
            **{MoreOnThisStory.name: MoreOnThisStory()}
        )
        if with_identity:
            articles = articles.annotate(**{identity.COLUMN: identity.column()})
        return articles.filter(slug=slug).order_by()

    return Compiled(build, slug="\x00slug")


reader_article = _reader_article(with_identity=False)
reader_article_and_identity = _reader_article(with_identity=True)


def _rendered(paragraph: str) -> str:
    return render_markdown(paragraph) if paragraph else ""


def local_date(article) -> tuple[int, int, int]:
    """The day in the article's address: its publication day here (``TIME_ZONE``)."""
    local = timezone.localtime(article.published_at)
    return (local.year, local.month, local.day)


class ArticleDetailView(PageMixin, DetailView):
    """An article at its dated address. Drafts are 404 except for staff, who see a banner.

    The date in the address is the publication date on this site: any other date, or a slug
    the article used to have, redirects permanently to the current address.
    """

    def get_object(self, queryset=None):
        if not self.request.user.is_staff:
            if identity.remembered(self.request):  # found along with the page cache's look-up
                return next(iter(reader_article(slug=self.kwargs["slug"])), None)
            found = next(iter(reader_article_and_identity(slug=self.kwargs["slug"])), None)
            if found is not None:
                identity.remember(
                    self.request, identity.from_column(getattr(found, identity.COLUMN))
                )
            return found
        articles = article_pages(Article.objects.visible_to(self.request.user))
        # Not .first(): its ORDER BY would lead PostgreSQL away from the slug's unique index.
        return next(iter(articles.filter(slug=self.kwargs["slug"]).order_by()), None)

    def get(self, request, *args, **kwargs):
        keeping = serving.is_anonymous_reader(request) and settings.ARTICLE_CACHE_SECONDS > 0
        purges, kept = caching.fetch_tagged(*self.cache_parts()) if keeping else (None, None)
        if kept is None:
            self.object = self.get_object()
            if self.object is None:
                moved = get_object_or_404(
                    SlugRedirect.objects.filter(
                        article__in=Article.objects.visible_to(request.user)
                    ).select_related("article"),
                    old_slug=kwargs["slug"],
                )
                return redirect(moved.article, permanent=True)
            if local_date(self.object) != self.requested_date():
                # Before rendering: the page kept is the one at the article's own address.
                return redirect(self.object, permanent=True)
            context = self.get_context_data(object=self.object)
            kept = self.render_article(context)
            kept["keys"] = surrogates.article_keys(self.object, context)
            if keeping:
                seconds = settings.ARTICLE_CACHE_SECONDS
                keys = [*kept["keys"], surrogates.SITE]
                caching.keep_tagged(purges, kept, seconds, keys, *self.cache_parts())
        surrogates.show(*kept["keys"])
        if kept["date"] != self.requested_date():
            return redirect(kept["url"], permanent=True)
        return HttpResponse(kept["html"])

    def requested_date(self):
        return (int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"]))

    def cache_parts(self):
        host = f"{self.request.scheme}://{self.request.get_host()}"
        return ("article", self.kwargs["slug"], host)

    def render_article(self, context) -> dict:
        """The whole page, with the date and address it belongs at: the article's parts and
        the frame around them, rendered by Jinja2 (``articles.readers.jinja``)."""
        article = context["article"]
        jinja = engines["jinja2"]
        parts = {
            "content": mark_safe(jinja.get_template("articles/_article.html").render(context)),
            "meta": mark_safe(jinja.get_template("articles/_article_meta.html").render(context)),
            "main_class": "wrap wrap-wide",
        }
        frame = context_processors.site(self.request)
        return {
            "date": local_date(article),
            "url": article.get_absolute_url(),
            "html": render_frame(self.request, context["page"], parts, frame),
        }

    def get_context_data(self, **kwargs):
        article = self.object
        context = super().get_context_data(**kwargs)
        article.stories = article.related_list
        if not article.stories:
            context["more_on_this_story"] = more_on_this_story(article)
        context["page"].update(
            title=article.headline,
            description=article.teaser,
            canonical=self.request.build_absolute_uri(article.get_absolute_url()),
            type="article",
            image=metadata.share_image(article.lead_image, self.request),
            json_ld=metadata.article_json_ld(article, self.request),
        )
        return context


class PreviewView(ArticleDetailView):
    """An article as it stands, at a share-preview link: for a reviewer without an account.
    Never indexed, never cached by shared caches; 404 once the link expires or is revoked."""

    def get(self, request, *args, **kwargs):
        link = get_object_or_404(PreviewLink.objects.valid(), token=kwargs["token"])
        self.object = get_object_or_404(article_pages(Article.objects.all()), pk=link.article_id)
        context = self.get_context_data(object=self.object)
        context["page"].update(noindex=True, canonical=None, preview=link)
        response = HttpResponse(self.render_article(context)["html"])
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response


class ArticleOriginalView(PageMixin, DetailView):
    """An article beside its original, paragraph by paragraph, at ``…/slug/original/``:
    each pair a row (stacked on a phone), each side marked with its language. Only for
    published articles that have their original; feeds and search keep the translation."""

    template_name = "articles/article_original.html"

    def get_object(self, queryset=None):
        articles = Article.objects.published().exclude(original_body="").select_related("source")
        return next(iter(articles.filter(slug=self.kwargs["slug"]).order_by()), None)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object is None:  # a slug the article used to have: where the article went
            moved = get_object_or_404(
                SlugRedirect.objects.filter(
                    article__in=Article.objects.published().exclude(original_body="")
                ).select_related("article"),
                old_slug=kwargs["slug"],
            )
            return redirect(moved.article.get_absolute_url() + "original/", permanent=True)
        requested = (int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
        if local_date(self.object) != requested:
            return redirect(self.object.get_absolute_url() + "original/", permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        article = self.object
        context = super().get_context_data(**kwargs)
        # Paired as the workspace pairs them (``articles.pairing``): the translation's images
        # are its own, and an original's own headline is shown above.
        pairs = pairing.align(article.original_body, article.body, article.original_headline)
        language = article.original_language or (article.source.language if article.source else "")
        context.update(
            pairs=[(_rendered(pair.original), _rendered(pair.translation)) for pair in pairs],
            original_language=language or "und",
            original_language_name=languages.name(language),
        )
        context["page"].update(
            title=f"{article.headline}: with the original",
            description=f"The translation beside its original, paragraph by paragraph: "
            f"{article.teaser}",
            canonical=self.request.build_absolute_uri(article.get_absolute_url()),
            type="article",
        )
        return context
