"""Django's Redis cache backend, made to tolerate Redis being away.

Everything the site keeps in the cache can be recomputed from the database, so when Redis is
down or slow the site should go on serving from the database, not answer 500. This backend
turns a Redis error into a cache miss (reads) or a no-op (writes), logs one line, and then
leaves Redis alone for ``RETRY_SECONDS`` before trying again, so a dead Redis costs each
process one short timeout every few seconds, not one per cache call.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("archive.cache")
RETRY_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _call(self, method, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except self._cache._lib.exceptions.RedisError as error:
            with self._lock:
                if time.monotonic() >= self._down_until:
                    logger.warning(
                        "cache unavailable (%s: %s); serving without it for %.0f s",
                        type(error).__name__,
                        error,
                        RETRY_SECONDS,
                    )
                self._down_until = time.monotonic() + RETRY_SECONDS
            return default

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
