"""The address a request came from, behind ``PROXY_COUNT`` proxies (a CDN, a load balancer).

Each proxy appends to ``X-Forwarded-For`` the address it received the request from, so with
N proxies in front the client's address is the Nth entry from the right, the last one the
first proxy wrote; whatever stands further left, the client may have written itself (a
forged header). With no proxy (``PROXY_COUNT`` 0), or a request that did not pass through
them all (fewer entries), it is the address of the connection, ``REMOTE_ADDR``.

Login throttling (django-axes, ``AXES_CLIENT_IP_CALLABLE``) counts failures per user name
and this address: behind a proxy, ``REMOTE_ADDR`` is the proxy's own, the same for every
reader, so five wrong passwords from anyone would lock the user out for everyone.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    chain = [entry.strip() for entry in forwarded if entry.strip()]
    if len(chain) < proxies:
        return remote
    found = chain[-proxies]
    try:
        return str(ipaddress.ip_address(found))
    except ValueError:  # not an address: what a proxy writes always is one
        return remote
