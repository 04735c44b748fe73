"""A Content-Security-Policy and a Permissions-Policy on every response; NUL characters in
an address refused.

Reader pages run no script at all (the JSON-LD block is data, not script) and load styles
only from this site. The admin runs Django's own scripts and ours from /static/, with no
inline script; it keeps inline styles, which Django's admin templates use. No page may be
framed, as X-Frame-Options says too. No page may use the camera, microphone, location or
other powerful browser features.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest
from django.template import loader

logger = logging.getLogger("archive.database")

READER_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'none'",
        "style-src 'self'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
ADMIN_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' https: data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    ]
)


class RejectNullCharactersMiddleware:
    """A NUL character in an address or its query is never legitimate, and PostgreSQL cannot
    store or compare one: answer 400 at once rather than fail deeper down with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in query or "%00" in query:
            return HttpResponseBadRequest(
                "Bad request: the address contains a NUL character.", content_type="text/plain"
            )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    admin_prefix = "/admin/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            admin = request.path.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else READER_POLICY
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, readers get a short "back soon" page with
    ``503`` and ``Retry-After`` (not a 500), and the log gets one line per failed request
    (not a traceback of several kilobytes)."""

    retry_after = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        reason = str(exception).strip().splitlines()[0] if str(exception).strip() else ""
        if getattr(request, "database_deadline_passed", False):
            reason = f"no answer by the request's deadline ({reason})"
        logger.warning("database unavailable for %s %s: %s", request.method, request.path, reason)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.retry_after)
        response["Cache-Control"] = "no-store"
        response._has_been_logged = True  # the line above is the only one
        return response
