"""A limit on each client's requests: ``API_RATE_LIMIT`` a minute (300 by default), per
address as ``archive.client_address`` reads it behind ``PROXY_COUNT`` proxies. Past it, 429
with ``Retry-After`` (the seconds to the next minute).

One counter per client and minute in the shared cache, raised atomically (Redis's INCR):
django-ninja's own throttles keep each client's list of request times, read and written
back whole on every request, which loses counts between concurrent requests and grows with
the limit."""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle

from archive.client_address import client_address

WINDOW = 60  # seconds


class PerClient(BaseThrottle):
    timer = time.time

    def allow_request(self, request) -> bool:
        limit = settings.API_RATE_LIMIT
        if not limit:
            return True
        now = self.timer()
        window = int(now // WINDOW)
        self.retry_after = math.ceil((window + 1) * WINDOW - now)
        client = hashlib.blake2b(client_address(request).encode(), digest_size=8).hexdigest()
        key = f"api-rate:{window}:{client}"
        cache.add(key, 0, WINDOW * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, WINDOW * 2)
            count = 1
        return count is None or count <= limit

    def wait(self) -> float:
        return self.retry_after
