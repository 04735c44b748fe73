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

    def read_versions(self, read, names, timeout: int) -> dict:
        """The counters ``read`` and ``names`` names, in one round trip; those of ``names``
        that are missing start first from Redis's clock in milliseconds (as
        ``bump_versions`` starts them), kept ``timeout`` seconds. A missing one of ``read``
        is left out of the answer."""
        if time.monotonic() >= self._down_until:
            keys = [self.make_and_validate_key(name) for name in [*read, *names]]
            client = self._cache.get_client(write=True)
            try:
                values = client.eval(VERSIONS_SCRIPT, len(keys), *keys, timeout, len(read))
            except self._cache._lib.exceptions.RedisError as error:
                self._went_away(error)
            else:
                loads = self._cache._serializer.loads
                return {
                    name: loads(value)
                    for name, value in zip([*read, *names], values, strict=True)
                    if value is not None
                }
        start = int(time.time() * 1000)
        for name in names:
            self._local("add", name, start, timeout, None)
        return self._local("get_many", [*read, *names], None)


VERSIONS_SCRIPT = """
local now = redis.call('TIME')
local start = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = tonumber(ARGV[2]) + 1, #KEYS do
    redis.call('SET', KEYS[i], start, 'NX', 'EX', ARGV[1])
end
return redis.call('MGET', unpack(KEYS))
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
