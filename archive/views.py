"""The project's own answers: the load test's yardstick, the icon, the health check for
load balancers, and uploaded files kept on this server's disk."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.static import serve as static_serve

from archive import health as health_checks


def ping(request):
    """The smallest answer Django gives, through every middleware: the load test's yardstick
    for the other pages' speed."""
    response = HttpResponse("pong\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def favicon(request):
    """The icon's hashed address is known only once the app runs (collectstatic)."""
    return redirect(static("favicon.svg"), permanent=True)


def health(request):
    """For load balancers and people: 200 when the primary database answers (``"degraded"``
    if a replica or the shared cache does not), 503 with the reason when it does not. Each
    check gives up after a second, so a hung database cannot hang the answer."""
    report = health_checks.run()
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)


MAX_MEDIA_PATH = 200  # stored names are "images/2025/03/<16 characters>-1280w.webp"


def media_file(request, path):
    """An uploaded image's file, when they are kept on this server's disk (with an object
    store, ``MEDIA_S3_BUCKET``, their addresses point there). Names are random and never
    reused, so a browser or CDN may keep one for a year."""
    if not path.startswith("images/") or ".." in path.split("/") or len(path) > MAX_MEDIA_PATH:
        raise Http404("No such file.")
    try:
        response = static_serve(request, path, document_root=settings.MEDIA_ROOT)
    except OSError:  # a name the file system refuses (a part over 255 bytes, say)
        raise Http404("No such file.") from None
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
