"""The front page: a lead story, the latest, the stories being followed, and sections by
source and by topic, every part from the one ``published()`` rule, in a fixed number of
queries whatever the archive's size (pinned in ``tests/test_queries.py``); the page is
cached like every page (``serving``).

* The lead: the article editors pin (``SiteIdentity.lead_article``) while it is published,
  else the newest article with a lead image, else the newest.
* The latest: the first page of the listing (the lead taken out).
* The stories followed: those most recently continued (found from the newest articles in a
  story), each with its newest article.
* Sections: the sources and the topics with the most published articles (from the cached
  counts), each with its newest articles, read through one statement each.

The stories and the sections are kept in the cache under the content version, as the counts
are (``around_the_latest``).
"""

from dataclasses import dataclass, field

from django.db.models import IntegerField, Value
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, Source, Thread, Topic
from articles.readers import caching, counts

STORIES = 5
STORY_SCAN = 100  # the newest articles in a story read to find them
KEEP_SECONDS = 300
SECTIONS = 3  # sources, and topics
SECTION_ARTICLES = 3


@dataclass
class Section:
    subject: object  # a Source or a Topic
    articles: list = field(default_factory=list)


def lead_story(latest: list, pinned_id: int | None):
    """The lead, and the latest without it (at most one query)."""
    lead = None
    if pinned_id:
        lead = next((a for a in latest if a.pk == pinned_id), None)
        lead = lead or _reading().filter(pk=pinned_id).first()
    if lead is None:
        lead = next((a for a in latest if a.lead_image_id), None)
    if lead is None and latest:
        with_image = _reading().filter(lead_image__isnull=False)
        lead = with_image.order_by("-published_at", "-id").first() or latest[0]
    return lead, [a for a in latest if lead is None or a.pk != lead.pk]


def around_the_latest() -> dict:
    """The stories followed and the sections, as the page shows them (plain values: names,
    addresses, dates written out), kept in the cache under the content version as the counts
    are: they change only when what readers see does."""
    version, kept = caching.fetch("front")
    if kept is None:
        by_source, by_topic = sections()
        kept = {
            "stories": [
                {
                    "name": story.name,
                    "url": story.get_absolute_url(),
                    "count": story.article_count,
                    "newest": _line(story.newest) if story.newest else None,
                }
                for story in stories_followed()
            ],
            "sources": [_section(section) for section in by_source],
            "topics": [_section(section) for section in by_topic],
        }
        caching.keep(version, kept, KEEP_SECONDS, "front")
    return kept


def _section(section: Section) -> dict:
    subject = section.subject
    return {
        "name": subject.name,
        "slug": subject.slug,
        "url": subject.get_absolute_url(),
        "articles": [_line(article) for article in section.articles],
    }


def _line(article) -> dict:
    local = timezone.localtime(article.published_at)
    return {
        "headline": article.headline,
        "url": article.get_absolute_url(),
        "source": article.source.name if article.source_id else "",
        "time": local.replace(microsecond=0).isoformat(),
        "date": date_format(local, "F j, Y"),
        "day": date_format(local, "F j"),
    }


def stories_followed() -> list:
    """The stories most recently continued, each with its newest article (``newest``): found
    by reading the newest published articles that are in a story (from the index of
    publication times: a few hundred rows at most) rather than by counting every story's
    articles; the stories are then counted alone."""
    recent = (
        Article.objects.published()
        .filter(thread__isnull=False)
        .order_by("-published_at", "-id")
        .values_list("thread_id", "pk")[:STORY_SCAN]
    )
    newest_of: dict[int, int] = {}
    for thread_id, pk in recent:
        newest_of.setdefault(thread_id, pk)
        if len(newest_of) == STORIES:
            break
    if not newest_of:
        return []
    threads = {
        t.pk: t
        for t in Thread.objects.with_published_articles()
        .filter(pk__in=newest_of)
        .select_related("image")
    }
    articles = _headlines().in_bulk(newest_of.values())
    followed = []
    for thread_id, pk in newest_of.items():  # most recently continued first
        if thread_id in threads:
            threads[thread_id].newest = articles.get(pk)
            followed.append(threads[thread_id])
    return followed


def sections() -> tuple[list[Section], list[Section]]:
    """The largest sources' and topics' newest articles."""
    sources = _largest(counts.per_source())
    topics = _largest(counts.per_topic())
    by_source = _newest_of(sources, "source_id")
    by_topic = _newest_of(topics, "topics")
    found = _headlines().in_bulk(
        {pk for ids in [*by_source.values(), *by_topic.values()] for pk in ids}
    )
    named = {
        **{("source", s.pk): s for s in Source.objects.filter(pk__in=sources)},
        **{("topic", t.pk): t for t in Topic.objects.filter(pk__in=topics)},
    }

    def build(kind, ids, newest):
        return [
            Section(named[(kind, pk)], [found[a] for a in newest.get(pk, []) if a in found])
            for pk in ids
            if (kind, pk) in named
        ]

    return build("source", sources, by_source), build("topic", topics, by_topic)


def _largest(per_subject: dict[int, int]) -> list[int]:
    return [pk for pk, _ in sorted(per_subject.items(), key=lambda i: (-i[1], i[0]))][:SECTIONS]


def _newest_of(subject_ids: list[int], lookup: str) -> dict[int, list[int]]:
    """The newest published articles' ids of each subject, in one statement (a UNION ALL of
    one part a subject, each reading its own index newest first)."""
    parts = [
        Article.objects.published()
        .filter(**{lookup: pk})
        .annotate(subject=Value(pk, output_field=IntegerField()))
        .order_by("-published_at", "-id")
        .values_list("subject", "published_at", "pk")[:SECTION_ARTICLES]
        for pk in subject_ids
    ]
    if not parts:
        return {}
    newest: dict[int, list[int]] = {}
    for subject, _, pk in sorted(parts[0].union(*parts[1:], all=True), reverse=True):
        newest.setdefault(subject, []).append(pk)
    return newest


def _reading():
    return Article.objects.published().for_reading().select_related("source")


def _headlines():
    """Articles as a headline links them: no text read (a section or a story's line)."""
    return Article.objects.select_related("source").only(
        "headline", "slug", "published_at", "source__name", "source__slug"
    )
