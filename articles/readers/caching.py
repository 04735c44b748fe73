"""When what readers see changes: one content version for every cache a reader page uses.

Counts, "More on this story" and whole anonymous pages are cached under keys that include the
**content version**, a number kept in the shared cache (Redis when ``REDIS_URL`` is set, so
every process and server agrees). The version is bumped

* when an article, correction, related story, source, topic or person is saved or deleted
  (at once, and again after the transaction commits, so that no process keeps the old state
  under the newest number), and by the importers after each batch;
* when a scheduled article's time comes: the time of the next scheduled publication is kept
  beside the version, and the first request after it bumps the version. Nobody has to touch
  anything for a scheduled article to appear.

Old entries are never deleted one by one: they stop being asked for and expire.

Whole pages and articles' rendered parts are not kept under that one version, which every save
changes, but under **surrogate keys**: the things they show (``articles.readers.surrogates``).
Each key has a version of its own (``sk:<key>``); an entry is kept with the versions of its
keys, read once it is rendered, and is served only while none has changed (with Redis, each
way in one round trip: ``archive.cache.fetch_tagged``, ``keep_tagged``); a purge bumps the
versions of the keys it names, so a save changes only the pages that show what it saved. A
purge also bumps ``content:purges``, read when a page is looked for and again before it is
kept: a page rendered while a purge happened may hold what was, and is not kept. A key's
version missing from the cache (evicted) is taken as changed: its entries are not served.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.db.models.functions import Now

from archive import cache as tagged
from articles.models import Article

VERSION_KEY = "content:version"
NEXT_KEY = "content:next-scheduled"
NO_SCHEDULE = -1.0  # stored when nothing is scheduled
NEXT_CHECK_SECONDS = 3600  # look for newly scheduled articles at least this often
PURGES_KEY = "content:purges"
KEY_VERSION_SECONDS = 2 * 86400  # longer than any entry is kept


def version() -> int:
    """The current content version (one cache round trip; a query only when the next
    scheduled time is unknown or has come)."""
    return _resolve(cache.get_many([VERSION_KEY, NEXT_KEY]))


def fetch(*parts) -> tuple[int, object]:
    """The current version, and what was kept under ``parts`` at that version (None if
    nothing was, or it was kept at an older version), in one cache round trip."""
    name = _kept_name(parts)
    found = cache.get_many([VERSION_KEY, NEXT_KEY, name])
    current = _resolve(found)
    entry = found.get(name)
    return current, (entry[1] if entry and entry[0] == current else None)


def keep(current: int, value, timeout: int, *parts) -> None:
    """Keep ``value`` under ``parts`` for the version ``current`` (see :func:`fetch`)."""
    cache.set(_kept_name(parts), (current, value), timeout)


def fetch_tagged(*parts) -> tuple[object, object]:
    """What was kept under ``parts`` by :func:`keep_tagged` while none of its keys has been
    purged since (None if nothing was), and the purges' count to give back to
    :func:`keep_tagged`. One round trip to Redis (``archive.cache.fetch_tagged``)."""
    purges, value, _ = fetch_tagged_along((), *parts)
    return purges, value


def fetch_tagged_along(along, *parts) -> tuple[object, object, list]:
    """:func:`fetch_tagged`, and in the same round trip what :func:`keep` kept under each of
    ``along`` (a list of parts) at the current version (None for each that it did not)."""
    names = [_kept_name(other) for other in along]
    found, value = tagged.fetch_tagged(
        cache, [VERSION_KEY, NEXT_KEY, PURGES_KEY, *names], _kept_name(parts)
    )
    if _time_came(found):  # its keys purged after the entry's versions were compared
        value = None
    current = _resolve(found)
    others = [found.get(name) or (None, None) for name in names]
    return found.get(PURGES_KEY), value, [kept if at == current else None for at, kept in others]


def keep_tagged(purges, value, timeout: int, keys, *parts) -> None:
    """Keep ``value`` under ``parts``, valid until one of ``keys`` is purged; not kept if a
    purge happened since :func:`fetch_tagged` gave ``purges`` (it was rendered meanwhile).
    One round trip to Redis; the versions of keys never purged (or evicted) are started in
    it (``archive.cache.keep_tagged``)."""
    tagged.keep_tagged(
        cache,
        PURGES_KEY,
        purges,
        _kept_name(parts),
        value,
        timeout,
        [_key_version_name(key) for key in keys],
        KEY_VERSION_SECONDS,
    )


def purge_keys(keys) -> None:
    """Bump the versions of ``keys`` (and the purges' count first, and the content version:
    a purge owed since a moment Redis was away brings the counts and other parts up to date
    too), so that no entry kept with them is served again. Raises if the shared cache cannot
    be reached: the caller keeps the purge owed (``surrogates``)."""
    names = [PURGES_KEY, VERSION_KEY, *(_key_version_name(key) for key in keys)]
    bump = getattr(cache, "bump_versions", None)
    if bump is not None:  # Redis: one atomic round trip, and no silent fallback
        bump(names, KEY_VERSION_SECONDS)
        return
    for name in names:  # one process's own memory (no REDIS_URL)
        try:
            cache.incr(name)
        except ValueError:
            cache.set(name, _clock(), KEY_VERSION_SECONDS)


def _key_version_name(key: str) -> str:
    return f"sk:{key}"


def _clock() -> int:
    return int(time.time() * 1000)


def _kept_name(parts) -> str:
    return ":".join(["kept", *map(str, parts)])


def _time_came(found: dict) -> bool:
    """Whether a scheduled article's time has come (``_resolve`` then purges)."""
    upcoming = found.get(NEXT_KEY)
    return upcoming is not None and upcoming != NO_SCHEDULE and upcoming <= time.time()


def _resolve(found: dict) -> int:
    current = found.get(VERSION_KEY)
    upcoming = found.get(NEXT_KEY)
    if current is None:
        current = _start()
    if upcoming is None or _time_came(found):
        if upcoming is not None:  # a scheduled article's time has come
            current = _bump()
            from articles.readers import surrogates  # which purges through this module

            surrogates.scheduled_time_came(upcoming)
        _remember_next_scheduled()
    return current


def changed() -> None:
    """Something readers see has changed: bump the version now, and again once the
    transaction commits. (The second bump is the one that matters to other processes: one
    that rendered a page between the first bump and the commit saw the old data, and cached
    it under a version nobody asks for any more. The first serves this transaction itself,
    which sees its own changes at once.)"""
    _changed_now()
    transaction.on_commit(_changed_now)


def _changed_now() -> None:
    _bump()
    cache.delete(NEXT_KEY)  # a save may have scheduled (or unscheduled) an article


def _start() -> int:
    """A version that no earlier process can have used: the clock, in milliseconds."""
    start = int(time.time() * 1000)
    cache.add(VERSION_KEY, start, None)
    return cache.get(VERSION_KEY) or start


def _bump() -> int:
    try:
        bumped = cache.incr(VERSION_KEY)
    except ValueError:  # the key was evicted: start again from the clock
        bumped = None
    return bumped if bumped is not None else _start()


def _remember_next_scheduled() -> None:
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=Now())
        .aggregate(first=Min("published_at"))
        .get("first")
    )
    value = upcoming.timestamp() if upcoming else NO_SCHEDULE
    cache.set(NEXT_KEY, value, NEXT_CHECK_SECONDS)


def key(*parts) -> str:
    """A cache key under the current content version: ``key("counts", "sources")``."""
    return ":".join(["v", str(version()), *map(str, parts)])
