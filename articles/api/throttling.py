"""A limit on each client's requests: ``API_RATE_LIMIT`` a minute (300 by default; 0: none),
past which 429 with ``Retry-After`` (the seconds to the next minute). The counting is
``archive.rate_limit``'s: django-ninja's own throttles keep each client's list of request
times, read and written back whole on every request, which loses counts between concurrent
requests and grows with the limit."""

import time

from django.conf import settings
from ninja.throttling import BaseThrottle

from archive.rate_limit import over_limit, seconds_left

WINDOW = 60  # seconds


class PerClient(BaseThrottle):
    def allow_request(self, request) -> bool:
        limit = settings.API_RATE_LIMIT
        if not limit:
            return True
        now = time.time()
        self.retry_after = seconds_left(WINDOW, now)
        return not over_limit(request, "api", limit, WINDOW, now)

    def wait(self) -> float:
        return self.retry_after
