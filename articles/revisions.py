"""Versions of an article: kept at every save made through the admin, the importers and the
publishing actions; compared field by field; restored as a new version.

A version is a JSON snapshot of the article's own fields, its credits and topics (as ids)
and its related stories.
"""

import difflib

from django.db import transaction
from django.db.models import Max

from articles.models import Article, RelatedStory, Revision

FIELDS = [
    "headline",
    "slug",
    "dek",
    "body",
    "status",
    "published_at",
    "source_id",
    "original_headline",
    "original_url",
    "original_language",
    "original_published_on",
]
RELATIONS = ["authors", "translators", "topics"]
STORY_FIELDS = ["position", "target_id", "title", "summary", "url"]


def snapshot(article) -> dict:
    data = {}
    for name in FIELDS:
        value = getattr(article, name)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    for name in RELATIONS:
        data[name] = sorted(getattr(article, name).values_list("pk", flat=True))
    data["related_stories"] = [
        {name: getattr(story, name) for name in STORY_FIELDS}
        for story in article.related_stories.order_by("position", "id")
    ]
    return data


def record(article, user=None, note="") -> Revision | None:
    """Keep the article as it is now as a new version (none if nothing changed)."""
    data = snapshot(article)
    latest = article.revisions.first()
    if latest is not None and latest.data == data:
        return None
    number = (article.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    return Revision.objects.create(
        article=article,
        number=number,
        user=user if user and user.pk else None,
        note=note,
        data=data,
    )


def _lines(value) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return str("" if value is None else value).splitlines()


def diff(older: Revision, newer: Revision) -> list[dict]:
    """The fields that differ, each with its unified diff lines (+ added, - removed)."""
    changes = []
    for name in [*FIELDS, *RELATIONS, "related_stories"]:
        before, after = older.data.get(name), newer.data.get(name)
        if before == after:
            continue
        if name == "related_stories":
            before = [f"{s['title'] or s['target_id']}: {s['summary']}" for s in before or []]
            after = [f"{s['title'] or s['target_id']}: {s['summary']}" for s in after or []]
        lines = list(difflib.unified_diff(_lines(before), _lines(after), lineterm="", n=1))[
            2:
        ]  # without the ---/+++ header
        changes.append({"field": name.removesuffix("_id").replace("_", " "), "lines": lines})
    return changes


@transaction.atomic
def restore(revision: Revision, user=None) -> Article:
    """Put the article back as it was in ``revision``; the result is kept as a new version."""
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    data = revision.data
    for name in FIELDS:
        setattr(article, name, data[name])
    article.full_clean(exclude=["slug"] if article.slug == data["slug"] else None)
    article.save()
    for name in RELATIONS:
        getattr(article, name).set(data[name])
    article.related_stories.all().delete()
    for story in data["related_stories"]:
        target = story["target_id"]
        if target and not Article.objects.filter(pk=target).exists():
            story = {**story, "target_id": None}  # that article was deleted since
        if story["target_id"] or story["title"]:
            RelatedStory(article=article, **story).save()
    record(article, user, note=f"Restored version {revision.number}")
    return article
