"""What each reader page shows, named by surrogate keys, and purges by those keys.

Every public answer names what it shows in ``Surrogate-Key`` and ``xkey`` (read by Fastly and
Varnish; space-separated) and ``Cache-Tag`` (Cloudflare; comma-separated):

* an article page: ``a<id>`` for itself and each article it links by headline (its related
  stories, "More on this story"), ``st<id>`` for its story (the story box), ``s<id>``,
  ``t<id>`` and ``p<id>`` for its source, topics and people;
* every other page (the front page, listings, archives, feeds, sitemaps, pages): ``lists``;
* every page: ``site`` (the name, navigation and footer).

A save purges the keys of what it changed (:func:`keys_for`): an article, ``a<id>``, its story
(before and after) and ``lists``; a source, topic, person or story, its key and ``lists``; a
correction, an update of the original or a related story, its article's page; anything else
(the site's identity, a page, an image, a glossary term, a bulk write), ``site``: every page;
an import's batch, its articles' pages, their stories and the lists. So the pages of the
other 99,999 articles stay cached when one is edited. ("More on this story" picks newly
published neighbours when the article's page is next rendered, within
``ARTICLE_CACHE_SECONDS``; a pick that is unpublished leaves at once.)

A purge is never lost. It is written to ``PendingPurge`` in the transaction of the save; the
shared page cache (``caching.purge_keys``) and every HTTP cache in ``HTTP_CACHE_PURGE_URLS``
(Varnish, with ``xkey-purge``) are purged at once, again once the save commits, and once more a
second later by :func:`run_pending` (a replica a moment behind may have served a page of what
was in between), which deletes the row only when both succeed. A web process runs
:func:`run_pending` every ``PURGE_INTERVAL`` seconds in a thread of its own, so a purge that
failed (Redis or Varnish away for a moment, the process gone) is done by any process within
that interval of their coming back.
"""

import contextvars
import logging
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from articles.models import (
    Article,
    Correction,
    OriginalUpdate,
    PendingPurge,
    Person,
    RelatedStory,
    Source,
    Thread,
    Topic,
)
from articles.readers import caching

logger = logging.getLogger("archive.cache")

SITE = "site"
LISTS = "lists"
PURGE_DELAY = timedelta(seconds=1)  # the second purge, after a replica's lag
PURGE_INTERVAL = 1.0
HTTP_PURGE_TIMEOUT = 1.0
PREFIXES = {Source: "s", Topic: "t", Person: "p", Thread: "st"}

_shown: contextvars.ContextVar[set | None] = contextvars.ContextVar("surrogate_keys", default=None)


# What a page shows ---------------------------------------------------------------------------


def collecting():
    """Start collecting the keys of the response being made; returns the token to
    :func:`stop_collecting`."""
    return _shown.set(set())


def stop_collecting(token) -> list[str]:
    """The keys collected (``lists`` if the view named none) and ``site``, sorted."""
    keys = _shown.get() or {LISTS}
    _shown.reset(token)
    return sorted(keys | {SITE})


def show(*keys) -> None:
    """The page being made shows these (``article_keys`` for an article)."""
    collected = _shown.get()
    if collected is not None:
        collected.update(keys)


def article_keys(article, context) -> list[str]:
    """The keys of an article page: see the module's docstring."""
    keys = {f"a{article.pk}", f"s{article.source_id}"}
    if article.thread_id:
        keys.add(f"st{article.thread_id}")
    keys.update(f"t{topic.pk}" for topic in article.filed_topics)
    keys.update(f"p{person.pk}" for person in article.credited_authors)
    keys.update(f"p{person.pk}" for person in article.credited_translators)
    for story in article.related_list:
        if story.target_id:
            keys.add(f"a{story.target_id}")
    keys.update(f"a{other.pk}" for other in context.get("more_on_this_story") or ())
    return sorted(keys)


def headers(response, keys) -> None:
    response["Surrogate-Key"] = response["xkey"] = " ".join(keys)
    response["Cache-Tag"] = ",".join(keys)


# What a change purges ------------------------------------------------------------------------


def keys_for(instance, *, before=None) -> set[str]:
    """The keys whose pages show ``instance`` (``before``: the keys it had before a save)."""
    keys = set(before or ())
    if isinstance(instance, Article):
        keys |= {f"a{instance.pk}", LISTS}
        if instance.thread_id:
            keys.add(f"st{instance.thread_id}")
    elif type(instance) in PREFIXES:
        keys |= {f"{PREFIXES[type(instance)]}{instance.pk}", LISTS}
    elif isinstance(instance, Correction | OriginalUpdate | RelatedStory):
        keys.add(f"a{instance.article_id}")
    else:
        keys.add(SITE)
    return keys


def keys_before_save(instance) -> set[str]:
    """An article's story before a save (it leaves the old story's box too)."""
    if isinstance(instance, Article) and instance.pk:
        old = Article.objects.filter(pk=instance.pk).values_list("thread_id", flat=True).first()
        if old:
            return {f"st{old}"}
    return set()


def keys_of_articles(ids) -> set[str]:
    """The keys of the pages showing these articles (after a bulk write): one query."""
    keys = {LISTS, *(f"a{pk}" for pk in ids)}
    threads = Article.objects.filter(pk__in=ids, thread__isnull=False).values_list("thread_id")
    keys.update(f"st{thread_id}" for (thread_id,) in threads.distinct())
    return keys


def scheduled_time_came(since: float) -> None:
    """The articles whose publication time has come since ``since`` (a timestamp) appear:
    purge their pages' keys and the lists (``caching`` calls this)."""
    came = Article.objects.published().filter(
        published_at__gte=datetime.fromtimestamp(since, tz=UTC)
    )
    purge(keys_of_articles(list(came.values_list("pk", flat=True))))


def purge(keys) -> None:
    """Purge ``keys`` now and once the current transaction commits (the pages rendered in
    between showed what was), and keep the purge owed until it is done once more a moment
    later (see the module's docstring)."""
    keys = sorted(set(keys))
    if not keys:
        return
    PendingPurge.objects.create(keys=keys)
    if transaction.get_connection().in_atomic_block:
        _purge_at_once(keys)  # for this transaction itself, which sees its change at once
    transaction.on_commit(lambda: _purge_at_once(keys))  # at once outside a transaction


def _purge_at_once(keys) -> None:
    try:
        purge_now(keys)
    except Exception as error:  # kept owed: run_pending tries again
        logger.warning("purge of %s failed, owed until it succeeds: %s", " ".join(keys), error)


def purge_now(keys) -> None:
    """The shared page cache's entries and every HTTP cache's pages with these keys; raises
    if any of them cannot be reached."""
    caching.purge_keys(keys)
    for address in settings.HTTP_CACHE_PURGE_URLS:
        request = urllib.request.Request(
            address, method="PURGE", headers={"xkey-purge": " ".join(keys)}
        )
        with urllib.request.urlopen(request, timeout=HTTP_PURGE_TIMEOUT) as answer:
            if answer.status >= 300:
                raise urllib.error.HTTPError(address, answer.status, "purge refused", None, None)


def run_pending(delay: timedelta = PURGE_DELAY, limit: int = 500) -> int:
    """Do the owed purges at least ``delay`` old, and forget them once done; how many were
    done. Several processes may run this at once: each takes rows the others have not."""
    with transaction.atomic():
        owed = list(
            PendingPurge.objects.filter(created_at__lte=timezone.now() - delay)
            .select_for_update(skip_locked=True)
            .order_by("id")[:limit]
        )
        if not owed:
            return 0
        purge_now(sorted({key for row in owed for key in row.keys}))
        PendingPurge.objects.filter(pk__in=[row.pk for row in owed]).delete()
    return len(owed)


class Purger:
    """The thread that runs :func:`run_pending` in a web process (started by the first
    reader request; each forked worker starts its own)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._thread = None
        self._stopping = threading.Event()

    def ensure_running(self) -> None:
        if not settings.PURGE_INTERVAL or (self._thread and self._thread.is_alive()):
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="purger", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self):
        while not self._stopping.wait(settings.PURGE_INTERVAL):
            try:
                close_old_connections()
                run_pending()
            except Exception as error:
                logger.warning("owed purges not done yet: %s", error)
        connections.close_all()


purger = Purger()
