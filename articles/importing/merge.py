"""An imported item as an article: a new one, or a three-way merge into the article an
earlier import made.

``Article.imported`` keeps what the last import said of each field. On a re-import, a field
whose current value is still what the import said takes the new value; a field an editor
changed keeps the editor's value. Articles imported before this record existed keep their
slug, status, credits and an edited publication time, as the first importer did, and take the
import's text, source, original date and related stories.
"""

import dataclasses
import re
from datetime import datetime, time

from django.db.models import CharField, TextField
from django.utils import timezone

from articles.importing.items import ImportItem
from articles.importing.parsed import ParsedArticle
from articles.models import Article, RelatedStory, Source
from articles.text import clean_text, headline_key

# The article's texts an import fills, from the fields of the same name of what it read,
# compared with ``Article.imported`` on a re-import: every versioned text field that a parsed
# article has (the others, its date, source, time and status, are merged one by one below).
TEXT_FIELDS = [
    field.name
    for field in Article.versioned_fields()
    if isinstance(field, CharField | TextField)
    and field.name in {parsed.name for parsed in dataclasses.fields(ParsedArticle)}
]
RELATIONS = ("authors", "translators", "topics")


def original_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def imported_record(item: ImportItem, source: Source | None) -> dict:
    parsed = item.parsed
    return {
        **{name: getattr(parsed, name) for name in TEXT_FIELDS},
        "source": source.name if source else "",
        "source_named": parsed.source_name,  # even when it waits for an editor to add it
        "original_published_on": (
            parsed.original_published_on.isoformat() if parsed.original_published_on else None
        ),
        "published_at": None,  # filled in by the caller
        "status": item.status,
        "authors": list(parsed.authors),
        "translators": list(parsed.translators),
        "topics": list(parsed.topics),
        "related": [[s.title, s.summary, s.url] for s in parsed.related],
        "lead_image": item.lead_image["url"] if item.lead_image else "",
        "origin": item.origin,
    }


def lead_image_value(article) -> str:
    """The article's lead image as the import record says it: an address, an upload's id."""
    if not article.lead_image_id:
        return ""
    return article.lead_image.url or f"upload:{article.lead_image_id}"


def publication_time(item: ImportItem):
    parsed = item.parsed
    if parsed.published_at:
        return parsed.published_at
    if parsed.original_published_on:
        return original_midnight(parsed.original_published_on)
    return None


def new_article(item: ImportItem, source: Source | None) -> Article:
    parsed = item.parsed
    article = Article(
        import_key=item.key,
        status=item.status,
        created_by=item.user if item.user and item.user.pk else None,
        source=source,
        original_published_on=parsed.original_published_on,
        import_fingerprint=item.fingerprint,
        **{name: getattr(parsed, name) for name in TEXT_FIELDS},
    )
    when = publication_time(item)
    if when is not None:
        article.published_at = when
    article.derive_fields(body_html=item.body_html)
    record = imported_record(item, source)
    record["published_at"] = article.published_at.isoformat()
    article.imported = record
    return article


def current_relations(article_ids) -> dict[int, dict]:
    """For articles being updated: their credits, topics (as names) and related stories."""
    if not article_ids:
        return {}
    current = {
        pk: {"authors": [], "translators": [], "topics": [], "related": []} for pk in article_ids
    }
    for relation in ("authors", "translators", "topics"):
        through = getattr(Article, relation).through
        target = "topic" if relation == "topics" else "person"
        rows = (
            through.objects.filter(article_id__in=article_ids)
            .order_by(f"{target}__name")
            .values_list("article_id", f"{target}__name")
        )
        for article_id, name in rows:
            current[article_id][relation].append(name)
    stories = (
        RelatedStory.objects.filter(article_id__in=article_ids)
        .order_by("article_id", "position", "id")
        .values_list("article_id", "title", "summary", "url")
    )
    for article_id, title, summary, url in stories:
        current[article_id]["related"].append([title, summary, url])
    return current


def _same(a, b) -> bool:
    """Whether the article holds what the import says: names and lists by their ``_key``,
    texts as the archive keeps them (``clean_text``) and without the whitespace at either end
    (the admin's form strips it), everything else exactly."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(_key, map(str, a))) == sorted(map(_key, map(str, b)))
    if isinstance(a, str) and isinstance(b, str):
        return clean_text(a).strip() == clean_text(b).strip()
    return a == b


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def update_article(article, item: ImportItem, source, relations) -> None:
    """Three-way merge: take the import's value where the article still holds what the last
    import said, keep the editor's value where it differs. Marks which relations change in
    ``article._import_changes``."""
    parsed = item.parsed
    new = imported_record(item, source)
    when = publication_time(item)
    new["published_at"] = when.isoformat() if when else None
    previous = article.imported
    now = {
        **{name: getattr(article, name) for name in TEXT_FIELDS},
        "source": article.source.name if article.source_id else "",
        "original_published_on": (
            article.original_published_on.isoformat() if article.original_published_on else None
        ),
        "published_at": article.published_at.isoformat(),
        "status": article.status,
        "lead_image": lead_image_value(article),
        **relations,
    }
    if previous is None:
        # Imported before the import was recorded: the import owned the text, the source, the
        # original date and the related stories; the rest is filled only where empty.
        previous = {
            name: now[name]
            for name in ("headline", "body", "source", "original_published_on", "related")
        }
        untouched = article.original_published_on and article.published_at == (
            original_midnight(article.original_published_on)
        )
        if untouched:
            previous["published_at"] = now["published_at"]
        for name in (
            "dek",
            "original_url",
            "original_language",
            "dateline",
            "original_body",
            *RELATIONS,
        ):
            if not now[name]:
                previous[name] = now[name]
    previous = {"lead_image": "", **previous}  # recorded before lead images were imported
    changes = set()
    for name, value in new.items():
        if name not in now or name not in previous or _same(now[name], value):
            continue
        if _same(now[name], previous[name]):
            changes.add(name)
    for name in changes & set(TEXT_FIELDS):
        setattr(article, name, parsed.__dict__[name])
    if "source" in changes:
        article.source = source
    if "original_published_on" in changes:
        article.original_published_on = parsed.original_published_on
    if "published_at" in changes and when is not None:
        article.published_at = when
    if "status" in changes:
        article.status = item.status
    article.derive_fields(body_html=item.body_html if "body" in changes else None)
    article.imported = new
    article.import_fingerprint = item.fingerprint
    article.updated_at = timezone.now()
    article._import_changes = changes


def stories(article, item: ImportItem) -> list[RelatedStory]:
    return [
        RelatedStory(
            article_id=article.pk,
            position=position,
            title=story.title,
            summary=story.summary,
            url=story.url,
            title_key=headline_key(story.title),
        )
        for position, story in enumerate(item.parsed.related)
    ]
