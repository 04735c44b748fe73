"""A limit on one client's requests in a fixed window: a counter per client, scope and
window in the shared cache, raised atomically (Redis's INCR), the client being its address
as ``archive.client_address`` reads it behind ``PROXY_COUNT`` proxies. Used by the read API
(per minute) and the newsletter's subscribe form (per hour)."""

import hashlib
import math
import time

from django.core.cache import cache

from archive.client_address import client_address


def over_limit(request, scope: str, limit: int, window: int, now=None) -> bool:
    """Count this request; True once the client made more than ``limit`` in this window
    of ``window`` seconds (never while the cache cannot count)."""
    now = time.time() if now is None else now
    client = hashlib.blake2b(client_address(request).encode(), digest_size=8).hexdigest()
    key = f"rate:{scope}:{int(now // window)}:{client}"
    cache.add(key, 0, window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, window * 2)
        count = 1
    return count is not None and count > limit


def seconds_left(window: int, now=None) -> int:
    """Until the next window starts (for ``Retry-After``)."""
    now = time.time() if now is None else now
    return math.ceil((int(now // window) + 1) * window - now)
