"""Django's Redis cache backend, made to tolerate Redis being away.

Everything the site keeps in the cache can be recomputed from the database, so when Redis is
down or slow the site should go on serving, not answer 500. On a Redis error this backend
logs one line and, for ``RETRY_SECONDS``, leaves Redis alone and uses a small cache in the
process's own memory instead, whose entries live at most ``FALLBACK_SECONDS``: without it,
every request would recompute counts and pages, and a busy site would fall over exactly when
its cache does. (While Redis is away, processes do not share what they cache, so a change
may take up to ``FALLBACK_SECONDS`` to show everywhere.)
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger("archive.cache")
RETRY_SECONDS = 5.0
FALLBACK_SECONDS = 30
WRITES = {"add", "set", "set_many", "touch"}


class _ReusedClient(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` object (and its table of response
    callbacks, a third of a millisecond) for every call; one per pool does, and is
    thread-safe."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClient
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._scripts = {}  # Lua scripts by their text
        self._fallback = LocMemCache(f"fallback-{id(self)}", {"OPTIONS": {"MAX_ENTRIES": 5000}})

    def _call(self, method, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return self._local(method, *args)
        try:
            return getattr(super(), method)(*args, **kwargs)
        except self._cache._lib.exceptions.RedisError as error:
            self._went_away(error)
            return self._local(method, *args)

    def _went_away(self, error):
        with self._lock:
            if time.monotonic() >= self._down_until:
                logger.warning(
                    "cache unavailable (%s: %s); using each process's memory for %.0f s",
                    type(error).__name__,
                    error,
                    RETRY_SECONDS,
                )
            self._down_until = time.monotonic() + RETRY_SECONDS

    def _local(self, method, *args):
        """The same call on the in-memory stand-in, every entry kept briefly."""
        if method in WRITES:
            *args, timeout, version = args
            args = [*args, FALLBACK_SECONDS, version]
        return getattr(self._fallback, method)(*args)

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        """Raises ``ValueError`` for a missing key (as every backend does); returns None
        while Redis is away."""
        return self._call("incr", None, key, delta, version)

    def clear(self):
        return self._call("clear", None)

    def bump_versions(self, names, timeout: int) -> None:
        """Add one to each counter ``names`` names, in order and at once (a Lua script); one
        that is missing starts from Redis's clock in milliseconds, above any value it can
        have had. Unlike every other call this one raises when Redis cannot be reached: a
        purge must be known to have failed (see ``articles.readers.surrogates``)."""
        if time.monotonic() < self._down_until:  # known away: owed at once, no wait
            raise self._cache._lib.exceptions.ConnectionError("Redis is away")
        keys = [self.make_and_validate_key(name) for name in names]
        client = self._cache.get_client(write=True)
        try:
            client.eval(BUMP_SCRIPT, len(keys), *keys, timeout)
        except self._cache._lib.exceptions.RedisError:
            self._down_until = time.monotonic() + RETRY_SECONDS
            raise

    def fetch_tagged(self, head, name) -> tuple[dict, object]:
        """See :func:`fetch_tagged`: in one round trip (a Lua script), which compares the
        entry's versions in Redis."""
        if self.available:
            keys = [self.make_and_validate_key(n) for n in [*head, name, _tags_name(name)]]
            try:
                values = self._script(FETCH_SCRIPT)(keys=keys, args=[len(head)])
            except self._cache._lib.exceptions.RedisError as error:
                self._went_away(error)
            else:
                loads = self._cache._serializer.loads
                found = {n: loads(v) for n, v in zip(head, values, strict=False) if v is not None}
                entry = values[len(head)] if len(values) > len(head) else None
                return found, (loads(entry) if entry is not None else None)
        return _fetch_tagged(_Local(self), head, name)

    def keep_tagged(self, guard, expected, name, value, timeout, version_names, version_timeout):
        """See :func:`keep_tagged`: in one round trip (a Lua script), which starts the
        missing versions from Redis's clock in milliseconds (as ``bump_versions`` does)."""
        if self.available:
            keys = [
                self.make_and_validate_key(n)
                for n in [guard, name, _tags_name(name), *version_names]
            ]
            args = [
                int(version_timeout),
                "" if expected is None else str(expected),
                self._cache._serializer.dumps(value),
                int(timeout),
            ]
            try:
                self._script(KEEP_SCRIPT)(keys=keys, args=args)
                return
            except self._cache._lib.exceptions.RedisError as error:
                self._went_away(error)
        _keep_tagged(
            _Local(self), guard, expected, name, value, timeout, version_names, version_timeout
        )

    def _script(self, text):
        """A Lua script on the writing client (one per process: ``_ReusedClient``), run by
        its digest (``EVALSHA``; loaded on a server that does not know it yet)."""
        script = self._scripts.get(text)
        if script is None:
            client = self._cache.get_client(write=True)
            script = self._scripts[text] = client.register_script(text)
        return script


class _Local:
    """The Redis cache's in-memory stand-in, every entry kept briefly (``_local``)."""

    def __init__(self, backend):
        self.backend = backend

    def get_many(self, keys):
        return self.backend._local("get_many", keys, None)

    def add(self, key, value, timeout):
        return self.backend._local("add", key, value, timeout, None)

    def set(self, key, value, timeout):
        return self.backend._local("set", key, value, timeout, None)


# Entries kept under the versions of what they show ------------------------------------------
# (``articles.readers.caching`` keeps pages so.) An entry is served only while none of the
# versions it was kept with has changed; a version missing (never started, or evicted) counts
# as changed. The Redis backend does each in one round trip; any other cache in two or three.


def fetch_tagged(store, head, name) -> tuple[dict, object]:
    """The values of the names ``head`` (those present), and the entry kept under ``name``
    by :func:`keep_tagged` if none of its versions has changed since (None otherwise)."""
    method = getattr(store, "fetch_tagged", None)
    if method is not None:
        return method(head, name)
    return _fetch_tagged(store, head, name)


def keep_tagged(store, guard, expected, name, value, timeout, version_names, version_timeout):
    """Keep ``value`` under ``name`` for ``timeout`` seconds with the current values of the
    counters ``version_names`` (those missing started first, kept ``version_timeout``
    seconds); not kept if the counter ``guard`` is no longer ``expected`` (as
    :func:`fetch_tagged` read it: something changed while the value was made)."""
    method = getattr(store, "keep_tagged", None)
    if method is not None:
        return method(guard, expected, name, value, timeout, version_names, version_timeout)
    return _keep_tagged(
        store, guard, expected, name, value, timeout, version_names, version_timeout
    )


def _fetch_tagged(store, head, name):
    found = store.get_many([*head, name])
    entry = found.pop(name, None)
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], dict)):
        return found, None
    versions, value = entry
    current = store.get_many(list(versions))
    if any(current.get(version) != kept_at for version, kept_at in versions.items()):
        return found, None
    return found, value


def _keep_tagged(store, guard, expected, name, value, timeout, version_names, version_timeout):
    found = store.get_many([guard, *version_names])
    missing = [version for version in version_names if version not in found]
    if missing:  # never started, or evicted: a value no entry has had (or another's, if
        start = int(time.time() * 1000)  # another process started it first)
        for version in missing:
            store.add(version, start, version_timeout)
        found.update(store.get_many(missing))
    if found.get(guard) != expected:
        return
    if any(version not in found for version in version_names):
        return
    store.set(name, ({version: found[version] for version in version_names}, value), timeout)


def _tags_name(name: str) -> str:
    return f"{name}:versions"


# KEYS: the head's names, the entry's, the entry's versions' (a hash: version's key -> value
# kept at); ARGV: how many head names. Returns the head's values and the entry (nil unless
# every version is still the one it was kept at). The versions' keys are read from the hash:
# one Redis server, not a cluster.
FETCH_SCRIPT = """
local head = tonumber(ARGV[1])
local found = {}
for i = 1, head do found[i] = redis.call('GET', KEYS[i]) end
local versions = redis.call('HGETALL', KEYS[head + 2])
local entry = false
if #versions > 0 then
    entry = redis.call('GET', KEYS[head + 1])
    for i = 1, #versions, 2 do
        if redis.call('GET', versions[i]) ~= versions[i + 1] then
            entry = false
            break
        end
    end
end
found[head + 1] = entry
return found
"""

# KEYS: the guard, the entry's name, its versions' hash, the versions; ARGV: the versions'
# timeout, the guard's expected value ('' for none), the value, the entry's timeout.
KEEP_SCRIPT = """
local now = redis.call('TIME')
local start = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 4, #KEYS do
    redis.call('SET', KEYS[i], start, 'NX', 'EX', ARGV[1])
end
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[2] then
    return 0
end
redis.call('DEL', KEYS[3])
for i = 4, #KEYS do
    redis.call('HSET', KEYS[3], KEYS[i], redis.call('GET', KEYS[i]))
end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
"""

BUMP_SCRIPT = """
local now = redis.call('TIME')
local start = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for _, key in ipairs(KEYS) do
    if redis.call('EXISTS', key) == 1 then
        redis.call('INCR', key)
    else
        redis.call('SET', key, start, 'EX', ARGV[1])
    end
end
return #KEYS
"""
