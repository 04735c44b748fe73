"""The API's operations: articles (list, filtered and searched; one in full), and the
sources, topics, people and stories readers can see. Every list is paginated by a cursor
(``cursors``); every answer costs a fixed number of queries (tests/test_api.py pins them).

Bad parameters are answered 400 with what is wrong with which parameter, never 500 (django-
ninja's 422 for a parameter that does not validate becomes 400 here, as for the cursor)."""

from datetime import date, datetime, time

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import Field

from articles.api import cursors, schemas
from articles.api.throttling import PerClient
from articles.models import Article, Person, Source, Thread, Topic
from articles.readers import search_views, surrogates
from articles.search import ranked

MAX_LIMIT = 100
READ = ["GET", "HEAD"]  # as every page: HEAD answers GET's headers
MAX_QUERY = 200  # characters of a search


def _docs_policy(view):
    """The browsable page runs Swagger UI's scripts (from this site's static files); reader
    pages run none, so it gets a policy of its own."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        return response

    return wrapped


api = NinjaAPI(
    title="Translated archive API",
    version="1",
    description=(
        "Read-only JSON of the archive's published translations, with their provenance. "
        "Lists are newest first and paginated by cursor: follow `next` until it is null. "
        "Answers carry an ETag (send If-None-Match to get 304) and Cache-Control. At most "
        "`API_RATE_LIMIT` requests a minute per client (429 with Retry-After beyond)."
    ),
    urls_namespace="api",
    throttle=[PerClient()],
    docs_decorator=_docs_policy,
)


@api.exception_handler(ValidationError)
def _bad_parameters(request, error):
    problems = []
    for found in error.errors:
        where = ".".join(str(part) for part in found.get("loc", ()) if part != "query")
        problems.append(f"{where}: {found.get('msg', 'invalid')}")
    return api.create_response(request, {"detail": "; ".join(problems)}, status=400)


def _bad(message: str):
    raise HttpError(400, message)


# Articles ------------------------------------------------------------------------------------


class ArticleFilters(Schema):
    source: str | None = Field(None, max_length=200, description="A source's slug.")
    topic: str | None = Field(None, max_length=100, description="A topic's slug.")
    person: str | None = Field(
        None, max_length=200, description="A person's slug: articles they wrote or translated."
    )
    story: str | None = Field(None, max_length=200, description="A story's slug.")
    published_after: date | None = Field(None, description="Published on or after this day.")
    published_before: date | None = Field(None, description="Published on or before this day.")
    updated_since: datetime | None = Field(
        None, description="Changed at or after this moment (ISO 8601, with its offset)."
    )
    q: str | None = Field(
        None,
        max_length=MAX_QUERY,
        description='Words to search for (as the site\'s search: "a phrase", -excluded, or). '
        "Results are then ranked best first.",
    )
    cursor: str | None = Field(None, max_length=1000, description="From a list's `next`.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Articles per page.")


def _subject(model, slug: str | None, name: str):
    """The id of a subject readers can see, by slug; 400 if there is none."""
    if slug is None:
        return None
    found = model.objects.with_published_articles().filter(slug=slug).values_list("pk").first()
    if found is None:
        _bad(f"{name}: no {name} with slug {slug!r}")
    return found[0]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(filters: ArticleFilters):
    articles = Article.objects.published()
    if (source := _subject(Source, filters.source, "source")) is not None:
        articles = articles.filter(source_id=source)
    if (topic := _subject(Topic, filters.topic, "topic")) is not None:
        articles = articles.filter(topics=topic)
    if (person := _subject(Person, filters.person, "person")) is not None:
        credits = (Article.translators.through, Article.authors.through)
        articles = articles.filter(
            Q(
                *[Exists(c.objects.filter(article=OuterRef("pk"), person=person)) for c in credits],
                _connector=Q.OR,
            )
        )
    if (story := _subject(Thread, filters.story, "story")) is not None:
        articles = articles.filter(thread_id=story)
    try:
        if filters.published_after:
            articles = articles.filter(published_at__gte=_day_start(filters.published_after))
        if filters.published_before:
            end = _day_start(filters.published_before) + timezone.timedelta(days=1)
            articles = articles.filter(published_at__lt=end)
    except OverflowError:
        _bad("published_after/published_before: out of range")
    if filters.updated_since:
        if timezone.is_naive(filters.updated_since):
            _bad("updated_since: give the time's offset (2026-01-31T12:00:00Z)")
        articles = articles.filter(updated_at__gte=filters.updated_since)
    return articles


def _page_of(articles, full=False):
    """The articles with what the answer shows: credits and topics (and, ``full``, the
    corrections, updates and related stories), in the same query."""
    articles = articles.for_reading().with_credits().select_related("source", "thread")
    return list(articles.with_notices() if full else articles)


@api.api_operation(
    READ,
    "/articles",
    response=schemas.ArticleList,
    summary="Articles, newest first (or best first with q)",
    tags=["articles"],
)
def article_list(request, filters: Query[ArticleFilters]):
    articles = _filtered(filters)
    surrogates.show(surrogates.LISTS)
    if filters.q is not None and filters.q.strip():
        return _searched(request, articles, filters)
    ordered = articles.order_by("-published_at", "-id")
    if filters.cursor:
        when, last_id = _position(filters.cursor, "articles")
        ordered = ordered.filter(Q(published_at__lt=when) | Q(published_at=when, id__lt=last_id))
    page = _page_of(ordered[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    cursor = None
    if more:
        last = page[-1]
        cursor = cursors.make("articles", [last.published_at.isoformat(), last.pk])
    return _listing(request, [schemas.article_summary(request, a) for a in page], cursor)


def _position(cursor: str, kind: str):
    try:
        when, last_id = cursors.read(cursor, kind)
        return datetime.fromisoformat(when), int(last_id)
    except (cursors.BadCursor, TypeError, ValueError) as error:
        _bad(f"cursor: {error}")


def _searched(request, articles, filters):
    offset = 0
    if filters.cursor:
        try:
            (offset,) = cursors.read(filters.cursor, "search")
            offset = int(offset)
        except (cursors.BadCursor, TypeError, ValueError) as error:
            _bad(f"cursor: {error}")
    if not search_views.searching.acquire(blocking=False):
        raise HttpError(503, "busy: too many searches at once; try again in a moment")
    try:
        ids = ranked(articles.order_by(), filters.q, topic=filters.topic or "").ids
    finally:
        search_views.searching.release()
    chosen = ids[offset : offset + filters.limit]
    found = {a.pk: a for a in _page_of(Article.objects.filter(pk__in=chosen))}
    page = [found[pk] for pk in chosen if pk in found]
    more = offset + filters.limit < len(ids)
    cursor = cursors.make("search", [offset + filters.limit]) if more else None
    return _listing(request, [schemas.article_summary(request, a) for a in page], cursor)


def _listing(request, results, cursor):
    following = None
    if cursor:
        query = request.GET.copy()
        query["cursor"] = cursor
        following = request.build_absolute_uri(request.path + "?" + query.urlencode())
    return {"results": results, "next": following}


@api.api_operation(
    READ,
    "/articles/{int:article_id}",
    response=schemas.ArticleDetail,
    summary="One article in full, with its provenance",
    tags=["articles"],
)
def article_detail(request, article_id: int):
    if article_id > 2**31 - 1:
        raise HttpError(404, f"no published article {article_id}")
    found = _page_of(Article.objects.published().filter(pk=article_id), full=True)
    if not found:
        raise HttpError(404, f"no published article {article_id}")
    article = found[0]
    surrogates.show(*surrogates.article_keys(article, {}))
    return schemas.article_detail(request, article)


# Sources, topics, people, stories ------------------------------------------------------------


class Paging(Schema):
    cursor: str | None = Field(None, max_length=1000, description="From a list's `next`.")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


def _subjects(request, model, kind: str, paging: Paging, describe):
    """A list of one kind of subject readers can see, by slug (a unique, stable order)."""
    surrogates.show(surrogates.LISTS)
    found = model.objects.with_published_articles().order_by("slug")
    if paging.cursor:
        try:
            (after,) = cursors.read(paging.cursor, kind)
        except (cursors.BadCursor, TypeError, ValueError) as error:
            _bad(f"cursor: {error}")
        found = found.filter(slug__gt=str(after))
    page = list(found[: paging.limit + 1])
    cursor = cursors.make(kind, [page[paging.limit - 1].slug]) if len(page) > paging.limit else None
    return _listing(request, [describe(request, item) for item in page[: paging.limit]], cursor)


def _one(request, model, slug: str, describe):
    item = model.objects.with_published_articles().filter(slug=slug).first()
    if item is None:
        raise HttpError(404, f"no {model._meta.verbose_name} {slug!r} (with a published article)")
    surrogates.show(f"{surrogates.PREFIXES[model]}{item.pk}")
    return describe(request, item)


@api.api_operation(
    READ, "/sources", response=schemas.SubjectList, tags=["sources"], summary="Sources"
)
def source_list(request, paging: Query[Paging]):
    return _subjects(request, Source, "sources", paging, schemas.source)


@api.api_operation(
    READ, "/sources/{slug}", response=schemas.Subject, tags=["sources"], summary="A source"
)
def source_detail(request, slug: str):
    return _one(request, Source, slug, schemas.source)


@api.api_operation(READ, "/topics", response=schemas.SubjectList, tags=["topics"], summary="Topics")
def topic_list(request, paging: Query[Paging]):
    return _subjects(request, Topic, "topics", paging, schemas.topic)


@api.api_operation(
    READ, "/topics/{slug}", response=schemas.Subject, tags=["topics"], summary="A topic"
)
def topic_detail(request, slug: str):
    return _one(request, Topic, slug, schemas.topic)


@api.api_operation(
    READ, "/people", response=schemas.SubjectList, tags=["people"], summary="People credited"
)
def person_list(request, paging: Query[Paging]):
    return _subjects(request, Person, "people", paging, schemas.person)


@api.api_operation(
    READ, "/people/{slug}", response=schemas.Subject, tags=["people"], summary="A person"
)
def person_detail(request, slug: str):
    return _one(request, Person, slug, schemas.person)


@api.api_operation(
    READ, "/stories", response=schemas.SubjectList, tags=["stories"], summary="Stories"
)
def story_list(request, paging: Query[Paging]):
    return _subjects(request, Thread, "stories", paging, schemas.story)


@api.api_operation(
    READ, "/stories/{slug}", response=schemas.Subject, tags=["stories"], summary="A story"
)
def story_detail(request, slug: str):
    return _one(request, Thread, slug, schemas.story)
