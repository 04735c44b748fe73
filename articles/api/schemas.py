"""What the API answers: the shapes (for validation and the OpenAPI document) and the
functions that fill them from the models. Addresses are absolute: ``url`` is the reader's
page on this site, ``api_url`` the same thing in the API."""

import functools
from datetime import date, datetime

from django.urls import reverse
from ninja import Schema


class Named(Schema):
    name: str
    slug: str
    url: str


class Subject(Named):
    api_url: str
    description: str = ""
    articles_url: str


class SubjectList(Schema):
    results: list[Subject]
    next: str | None


class Original(Schema):
    headline: str
    url: str
    published_on: date | None
    language: str
    dateline: str


class Image(Schema):
    url: str
    alt: str
    caption: str
    credit: str
    width: int | None
    height: int | None


class ArticleSummary(Schema):
    id: int
    headline: str
    dek: str
    url: str
    api_url: str
    published_at: datetime
    updated_at: datetime
    source: Named | None
    original: Original
    authors: list[Named]
    translators: list[Named]
    topics: list[Named]
    story: Named | None
    lead_image: Image | None


class ArticleList(Schema):
    results: list[ArticleSummary]
    next: str | None


class Correction(Schema):
    date: date
    text: str


class OriginalUpdate(Schema):
    date: date
    note: str
    translation_revised: bool


class RelatedArticle(Schema):
    id: int
    headline: str
    url: str
    api_url: str


class Related(Schema):
    title: str
    summary: str
    url: str
    article: RelatedArticle | None


class ArticleDetail(ArticleSummary):
    body_html: str
    corrections: list[Correction]
    original_updates: list[OriginalUpdate]
    related: list[Related]


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


ROUTES = {
    "Source": "articles:source-detail",
    "Topic": "articles:topic-detail",
    "Person": "articles:person-detail",
    "Thread": "articles:thread-detail",
}
SLUG = "__slug__"


@functools.cache
def _route(model_name: str) -> str:
    """A subject's page address with a place for its slug: reversed once, not per item (a
    list of 20 articles names a hundred subjects)."""
    return reverse(ROUTES[model_name], kwargs={"slug": SLUG})


def _named(request, item) -> dict:
    path = _route(type(item).__name__).replace(SLUG, item.slug)
    return {"name": item.name, "slug": item.slug, "url": _absolute(request, path)}


def _subject(request, item, description: str, kind: str, filter_name: str) -> dict:
    return {
        **_named(request, item),
        "api_url": _absolute(request, reverse(f"api:{kind}_detail", kwargs={"slug": item.slug})),
        "description": description,
        "articles_url": _absolute(request, reverse("api:article_list"))
        + f"?{filter_name}={item.slug}",
    }


def source(request, item) -> dict:
    return _subject(request, item, item.description, "source", "source")


def topic(request, item) -> dict:
    return _subject(request, item, item.description, "topic", "topic")


def person(request, item) -> dict:
    return _subject(request, item, item.bio, "person", "person")


def story(request, item) -> dict:
    return _subject(request, item, item.description, "story", "story")


def _article_api_url(request, pk: int) -> str:
    return _absolute(request, reverse("api:article_detail", kwargs={"article_id": pk}))


def _image(request, image) -> dict | None:
    if image is None:
        return None
    return {
        "url": _absolute(request, image.src),
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "width": image.width,
        "height": image.height,
    }


def article_summary(request, article) -> dict:
    """An article as lists give it (read with ``with_page_data()``, its source, story and
    lead image selected: no query here)."""
    story_box = None
    if article.thread_id:
        story_box = _named(request, article.thread)
    return {
        "id": article.pk,
        "headline": article.headline,
        "dek": article.dek,
        "url": _absolute(request, article.get_absolute_url()),
        "api_url": _article_api_url(request, article.pk),
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "source": _named(request, article.source) if article.source_id else None,
        "original": {
            "headline": article.original_headline,
            "url": article.original_url,
            "published_on": article.original_published_on,
            "language": article.original_language,
            "dateline": article.dateline,
        },
        "authors": [_named(request, p) for p in article.credited_authors],
        "translators": [_named(request, p) for p in article.credited_translators],
        "topics": [_named(request, t) for t in article.filed_topics],
        "story": story_box,
        "lead_image": _image(request, article.lead_image),
    }


def article_detail(request, article) -> dict:
    related = []
    for item in article.related_list:
        target = None
        if item.target_id and item.target_is_public:
            target = {
                "id": item.target_id,
                "headline": item.target.headline,
                "url": _absolute(request, item.target.get_absolute_url()),
                "api_url": _article_api_url(request, item.target_id),
            }
        related.append(
            {"title": item.title, "summary": item.summary, "url": item.url, "article": target}
        )
    return {
        **article_summary(request, article),
        "body_html": article.body_html,
        "corrections": [{"date": c.published_on, "text": c.text} for c in article.correction_list],
        "original_updates": [
            {"date": u.changed_on, "note": u.note, "translation_revised": u.translation_revised}
            for u in article.original_update_list
        ],
        "related": related,
    }
