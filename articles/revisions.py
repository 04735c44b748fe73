"""Versions of an article: kept at every save made through the admin, the importers and the
publishing actions; compared field by field; restored as a new version.

A version is a JSON snapshot of the article's own fields (its story and lead image among
them), its credits and topics (as ids), its related stories, corrections and updates of the
original. A comparison names people, topics, the source, the story and the lead image (not
their ids) and shows times in the site's time zone. Restoring brings back the article's own
fields, credits, topics and related stories; corrections and updates of the original, which
are notices to readers, are shown in comparisons but never taken back.
"""

import datetime
import difflib

from django.db import transaction
from django.utils import timezone

from articles.models import (
    Article,
    Correction,
    Image,
    OriginalUpdate,
    Person,
    RelatedStory,
    Revision,
    Source,
    Thread,
    Topic,
)

FIELDS = [field.attname for field in Article.versioned_fields()]
RELATIONS = ["authors", "translators", "topics"]
STORY_FIELDS = ["position", "target_id", "title", "summary", "url"]
NOTICES = ["corrections", "original_updates"]


def snapshot(article) -> dict:
    return snapshots([article.pk])[article.pk]


def snapshots(article_ids) -> dict[int, dict]:
    """The snapshot of each article, in seven queries however many articles there are."""
    ids = list(article_ids)
    data = {}
    for row in Article.objects.filter(pk__in=ids).values("pk", *FIELDS):
        data[row.pop("pk")] = {name: _json(value) for name, value in row.items()}
    for entry in data.values():
        for name in RELATIONS:
            entry[name] = []
        entry["related_stories"] = []
    for name in RELATIONS:
        through = getattr(Article, name).through
        target = "person_id" if name != "topics" else "topic_id"
        pairs = through.objects.filter(article_id__in=ids).values_list("article_id", target)
        for article_id, pk in pairs:
            data[article_id][name].append(pk)
        for entry in data.values():
            entry[name].sort()
    stories = (
        RelatedStory.objects.filter(article_id__in=ids)
        .order_by("article_id", "position", "id")
        .values("article_id", *STORY_FIELDS)
    )
    for story in stories:
        data[story.pop("article_id")]["related_stories"].append(story)
    for entry in data.values():
        for name in NOTICES:
            entry[name] = []
    for article_id, day, text in (
        Correction.objects.filter(article_id__in=ids)
        .order_by("published_on", "id")
        .values_list("article_id", "published_on", "text")
    ):
        data[article_id]["corrections"].append(f"{day.isoformat()}: {text}")
    for article_id, day, note, revised in (
        OriginalUpdate.objects.filter(article_id__in=ids)
        .order_by("changed_on", "id")
        .values_list("article_id", "changed_on", "note", "translation_revised")
    ):
        done = " (translation revised)" if revised else ""
        data[article_id]["original_updates"].append(f"{day.isoformat()}: {note}{done}")
    return data


def record(article, user=None, note="") -> Revision | None:
    """Keep the article as it is now as a new version (none if nothing changed)."""
    return record_many([article.pk], user, note).get(article.pk)


def record_many(article_ids, user=None, note="", insert=None) -> dict[int, Revision]:
    """Keep each article as it is now as a new version, skipping those whose newest version
    is the same; a fixed number of queries for any number of articles. ``insert(model,
    rows)`` writes the new versions (default: ``bulk_create``; the importers use COPY)."""
    current = snapshots(article_ids)
    latest = {
        revision.article_id: revision
        for revision in Revision.objects.filter(article_id__in=list(current))
        .order_by("article_id", "-number")
        .distinct("article_id")
    }
    user = user if user and user.pk else None
    new = []
    for article_id, data in current.items():
        previous = latest.get(article_id)
        if previous is not None and previous.data == data:
            continue
        number = previous.number + 1 if previous else 1
        new.append(Revision(article_id=article_id, number=number, user=user, note=note, data=data))
    if insert is None:
        Revision.objects.bulk_create(new)
    else:
        insert(Revision, new)
    return {revision.article_id: revision for revision in new}


def _json(value):
    """A field's value as the snapshot keeps it: times to the second, as the admin's form
    shows and sends them (so that saving the form unchanged changes nothing)."""
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else value


def _lines(value) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return str("" if value is None else value).splitlines()


# What a field's ids name, for a comparison: (model, the field shown).
NAMED = {
    "source_id": (Source, "name"),
    "thread_id": (Thread, "name"),
    "lead_image_id": (Image, "alt"),
    "authors": (Person, "name"),
    "translators": (Person, "name"),
    "topics": (Topic, "name"),
}
LABELS = {"thread_id": "story", "lead_image_id": "lead image"}


def diff(older: Revision, newer: Revision) -> list[dict]:
    """The fields that differ, each with its unified diff lines (+ added, - removed): names,
    not ids; times in the site's time zone."""
    changes = []
    for name in [*FIELDS, *RELATIONS, "related_stories", *NOTICES]:
        before, after = older.data.get(name), newer.data.get(name)
        if before == after:
            continue
        if name == "related_stories":
            targets = _headlines(before, after)
            before = [_story_line(story, targets) for story in before or []]
            after = [_story_line(story, targets) for story in after or []]
        elif name in NAMED:
            before, after = _named(name, before, after)
        elif name == "published_at":
            before, after = _local_time(before), _local_time(after)
        lines = _unified(_lines(before), _lines(after))
        label = LABELS.get(name, name.removesuffix("_id").replace("_", " "))
        changes.append({"field": label, "lines": lines})
    return changes


def _named(name: str, *values) -> list:
    """Each value's ids as what they name ("Ana Ruiz (#12)"; an id deleted since, as such),
    looked up in one query."""
    model, shown = NAMED[name]

    def ids(value):
        return value if isinstance(value, list) else ([value] if value else [])

    wanted = {pk for value in values for pk in ids(value)}
    found = dict(model.objects.filter(pk__in=wanted).values_list("pk", shown))

    def lines(value):
        named = [
            f"{found[pk]} (#{pk})" if pk in found else f"#{pk}, deleted since" for pk in ids(value)
        ]
        return named if isinstance(value, list) else (named[0] if named else None)

    return [lines(value) for value in values]


def _local_time(value):
    """An ISO time as the site's clock says it: "December 4, 2026, 05:35 (America/…)"."""
    if not value:
        return value
    local = timezone.localtime(datetime.datetime.fromisoformat(value))
    zone = timezone.get_current_timezone_name()
    return f"{local:%B} {local.day}, {local.year}, {local:%H:%M} ({zone})"


def _unified(before: list[str], after: list[str]) -> list[str]:
    """Changed lines with one line of context; "…" between distant changes instead of
    unified diff's ``@@`` headers, which mean nothing to an editor."""
    lines = []
    for line in list(difflib.unified_diff(before, after, lineterm="", n=1))[2:]:
        if line.startswith("@@"):
            if lines:
                lines.append("…")
        else:
            lines.append(line)
    return lines


def _headlines(*story_lists) -> dict[int, str]:
    ids = {s["target_id"] for stories in story_lists for s in stories or [] if s["target_id"]}
    return dict(Article.objects.filter(pk__in=ids).values_list("pk", "headline"))


def _story_line(story: dict, headlines: dict[int, str]) -> str:
    """A related story as one line of the diff: what it shows and what it links to, so a
    change of the archive article alone is visible too."""
    line = story["title"] or ""
    if story["target_id"]:
        target = headlines.get(story["target_id"], "a deleted article")
        line += f" → archive article “{target}” (#{story['target_id']})"
    if story["url"]:
        line += f" → {story['url']}"
    return f"{line}: {story['summary']}" if story["summary"] else line


@transaction.atomic
def restore(revision: Revision, user=None) -> tuple[Article, list[str]]:
    """Put the article back as it was in ``revision``; the result is kept as a new version.
    Returns the article and what could not be brought back (people, topics or linked
    articles deleted since), or raises ``ValidationError`` (the version's address is now
    another article's, say)."""
    article = Article.objects.select_for_update().get(pk=revision.article_id)
    stored_slug = article.slug
    data = revision.data
    missing = []
    for name in FIELDS:
        if name in data:  # (a version kept before the field was: left as it is)
            setattr(article, name, data[name])
    for name in ("thread_id", "lead_image_id"):
        chosen = getattr(article, name)
        if chosen and not NAMED[name][0].objects.filter(pk=chosen).exists():
            setattr(article, name, None)
            missing.append(f"its {LABELS[name]} (deleted since)")
    # A slug that changes back is checked like any new one: unique, no other article's old one.
    article.full_clean(exclude=["slug"] if article.slug == stored_slug else None)
    article.save()
    for name in RELATIONS:
        model = getattr(Article, name).field.related_model
        wanted = data[name]
        existing = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        if len(existing) < len(set(wanted)):
            missing.append(f"{len(set(wanted) - existing)} of its {name}")
        getattr(article, name).set(sorted(existing))
    article.related_stories.all().delete()
    for story in data["related_stories"]:
        target = story["target_id"]
        if target and not Article.objects.filter(pk=target).exists():
            story = {**story, "target_id": None}  # that article was deleted since
            missing.append("an article a related story pointed at")
        if story["target_id"] or story["title"]:
            RelatedStory(article=article, **story).save()
    record(article, user, note=f"Restored version {revision.number}")
    return article, missing
